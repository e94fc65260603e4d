"""Vagrantfiles, read as text: one host per machine, its provisioners' shell read with exact positions."""

from __future__ import annotations

from dlint_docker.fragments import EnginePackage, SwarmMembership
from tests.helpers import at, only, scan, where, write_tree

VAGRANTFILE = (
    "# -*- mode: ruby -*-\n"
    "$install = <<-SCRIPT\n"
    "  apt-get install -y docker-ce\n"
    "  echo '{\"live-restore\": true}' > /etc/docker/daemon.json\n"
    "SCRIPT\n"
    "\n"
    "Vagrant.configure(\"2\") do |config|\n"
    "  config.vm.box = \"ubuntu/jammy64\"\n"
    "  config.vm.provision \"shell\", inline: $install\n"
    "\n"
    "  config.vm.define \"manager\" do |m|\n"
    "    m.vm.provision \"shell\", inline: <<~SHELL\n"
    "      docker swarm init --advertise-addr 10.0.0.2\n"
    "    SHELL\n"
    "  end\n"
    "  (1..2).each do |i|\n"
    "    config.vm.define \"worker#{i}\" do |w|\n"
    "      w.vm.provision :shell, path: \"scripts/worker.sh\"\n"
    "    end\n"
    "  end\n"
    "end\n"
)
WORKER = "#!/bin/sh\necho 'DOCKER_OPTS=\"--log-level=debug\"' > /etc/default/docker\n"


def _hosts(result):
    return {h.name: h for h in result.hosts}


def test_each_machine_gets_the_outer_provisioners_and_its_own(tmp_path):
    write_tree(tmp_path, {"Vagrantfile": VAGRANTFILE, "scripts/worker.sh": WORKER})
    result = scan(tmp_path)
    hosts = _hosts(result)
    assert sorted(hosts) == ["Vagrantfile › manager", "Vagrantfile › worker#{i}"]  # worker.sh is no host alone
    # the manager runs swarm init: live-restore from $install is refused there, and only there
    finding = only(result, "DKD102")
    assert where(finding) == at(VAGRANTFILE, '"live-restore"')
    assert finding.host == "Vagrantfile › manager"
    assert [(r.line, r.column) for r in finding.related] == [at(VAGRANTFILE, "docker swarm init")]
    assert not hosts["Vagrantfile › worker#{i}"].of(SwarmMembership)
    (package,) = hosts["Vagrantfile › worker#{i}"].of(EnginePackage)
    assert (package.location.line, package.location.column) == at(VAGRANTFILE, "docker-ce")


def test_heredoc_forms_and_quoted_strings_map_exactly(tmp_path):
    vagrantfile = (
        "SETUP = <<~'EOS'\n"
        "    cat > /etc/docker/daemon.json <<JSON\n"
        "    {\"live-restore\": true, \"log-level\": \"verbose\"}\n"
        "    JSON\n"
        "EOS\n"
        "Vagrant.configure('2') do |config|\n"
        "  config.vm.provision \"bootstrap\", type: \"shell\", inline: SETUP\n"
        "  config.vm.provision \"shell\" do |s|\n"
        "    s.inline = \"echo \\\"{\\\\\\\"debug\\\\\\\": true}\\\" > /etc/docker/other/daemon.json\"\n"
        "  end\n"
        "end\n"
    )
    write_tree(tmp_path, {"Vagrantfile": vagrantfile})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["Vagrantfile › default"]
    assert where(only(result, "DKD004")) == at(vagrantfile, '"verbose"')  # <<~ dedent keeps columns of the file
    (host,) = result.hosts
    other = [c for c in host.daemon_configs if c.target == "/etc/docker/other/daemon.json"]
    assert [m.key for m in other[0].root.value] == ["debug"]  # the block form, escapes of a double-quoted string


def test_docker_provisioner_and_file_uploads(tmp_path):
    vagrantfile = (
        "Vagrant.configure(\"2\") do |config|\n"
        "  config.vm.provision \"file\", source: \"conf/daemon.json\", destination: \"/etc/docker/daemon.json\"\n"
        "  config.vm.provision \"docker\"\n"
        "end\n"
    )
    daemon = '{"hosts": ["tcp://0.0.0.0:2375"]}\n'
    write_tree(tmp_path, {"Vagrantfile": vagrantfile, "conf/daemon.json": daemon})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "Vagrantfile › default"
    (package,) = host.of(EnginePackage)
    assert package.pin == "none" and (package.location.line, package.location.column) == at(vagrantfile, '"docker"')
    assert where(only(result, "DKD201")) == at(daemon, '"hosts"')  # against the packaged -H fd://


def test_what_is_not_read_is_said(tmp_path):
    vagrantfile = (
        "Vagrant.configure(\"2\") do |config|\n"
        "  config.vm.provision \"shell\", inline: build_script(1)\n"
        "  config.vm.provision \"shell\", path: \"https://example.com/install.sh\"\n"
        "  config.vm.provision :ansible do |ansible|\n"
        "    ansible.playbook = 'docker.yml'\n"
        "  end\n"
        "end\n"
    )
    write_tree(tmp_path, {"Vagrantfile": vagrantfile})
    result = scan(tmp_path)
    assert result.hosts == [] and result.findings == []
    notes = " | ".join(result.notes)
    assert "not a string dlint can read" in notes and "a download" in notes and 'vm.provision "ansible"' in notes


def test_a_swarm_command_sent_to_a_machine_s_private_address_makes_it_a_swarm_node(tmp_path):
    """``docker -H tcp://10.0.7.10:2375 swarm init`` from a workstation script, where the
    Vagrantfile gives swarmnode1 that private address: swarmnode1 is the manager, swarmnode2 (its
    join) a node, and a third machine nobody addresses keeps DKD101."""
    vagrantfile = (
        "$setup = <<SCRIPT\napt-get install -y docker-ce\nSCRIPT\n"
        "Vagrant.configure(2) do |config|\n"
        "  config.vm.define \"swarmnode1\" do |node|\n"
        "    node.vm.network \"private_network\", ip: \"10.0.7.10\"\n"
        "    node.vm.provision \"shell\", inline: $setup\n  end\n"
        "  config.vm.define \"swarmnode2\" do |node|\n"
        "    node.vm.network :private_network, :ip => \"10.0.7.11\"\n"
        "    node.vm.provision \"shell\", inline: $setup\n  end\n"
        "  config.vm.define \"other\" do |node|\n"
        "    node.vm.network \"private_network\", ip: \"10.0.7.12\"\n"
        "    node.vm.provision \"shell\", inline: $setup\n  end\n"
        "end\n"
    )
    script = (
        "#!/bin/sh\n"
        "docker -H tcp://10.0.7.10:2375 swarm init --advertise-addr 10.0.7.10\n"
        "TOKEN=$(docker -H tcp://10.0.7.10:2375 swarm join-token -q worker)\n"
        "docker -H tcp://10.0.7.11:2375 swarm join --token $TOKEN 10.0.7.10:2377\n"
    )
    write_tree(tmp_path, {"Vagrantfile": vagrantfile, "start_cluster.sh": script})
    result = scan(tmp_path)
    hosts = {h.name: h for h in result.hosts}
    assert [s.command for s in hosts["Vagrantfile › swarmnode1"].of(SwarmMembership)] == ["init"]
    assert [s.command for s in hosts["Vagrantfile › swarmnode2"].of(SwarmMembership)] == ["join"]
    assert not hosts["Vagrantfile › other"].of(SwarmMembership) and hosts["Vagrantfile › other"].swarm_elsewhere is None
    assert sorted(f.host for f in result.findings if f.rule == "DKD101") == ["Vagrantfile › other"]


def test_a_file_uploaded_to_tmp_and_moved_into_place_by_the_shell_is_that_file(tmp_path):
    """The file provisioner puts daemon.json in /tmp, the shell moves it to /etc/docker: it is the
    machine's daemon.json (its "hosts" conflicts with the packaged unit's -H), not a file in /tmp."""
    write_tree(tmp_path, {
        "Vagrantfile": (
            'Vagrant.configure("2") do |config|\n'
            '  config.vm.provision "file", source: "daemon.json", destination: "/tmp/daemon.json"\n'
            '  config.vm.provision "shell", inline: <<-SHELL\n'
            "    apt-get install -y docker-ce\n"
            "    mv /tmp/daemon.json /etc/docker/daemon.json\n"
            "  SHELL\n"
            "end\n"
        ),
        "daemon.json": '{"hosts": ["unix:///var/run/docker.sock"], "live-restore": true}\n',
    })
    result = scan(tmp_path)
    (host,) = _hosts(result)
    assert [(f.rule, f.location.path, f.location.line) for f in result.findings if f.rule == "DKD201"] == [("DKD201", "daemon.json", 1)]
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_a_path_joined_from_a_named_string_and_a_swarm_tied_to_its_machine(tmp_path):
    """``path: swarm_path + 'master.sh'`` with ``swarm_path = 'docker17/'`` is that script; the
    swarm it inits is that Vagrant machine's, and says nothing of k8s/'s scripts, judged on their own."""
    write_tree(tmp_path, {
        "Vagrantfile": (
            "swarm_path = 'docker17/'\n"
            'Vagrant.configure("2") do |config|\n'
            "  config.vm.provision 'shell', path: swarm_path + 'master.sh'\n"
            "end\n"
        ),
        "docker17/master.sh": "#!/bin/sh\napt-get install -y docker-ce\ndocker swarm init\n",
        "k8s/bootstrap.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
    })
    result = scan(tmp_path)
    names = sorted(h.name for h in result.hosts)
    assert names == ["Vagrantfile › default", "k8s/bootstrap.sh"]
    assert [(f.rule, f.location.path) for f in result.findings] == [("DKD101", "k8s/bootstrap.sh")]
    assert not result.unknowns


def test_a_synced_folder_s_scripts_and_files_are_the_repository_s(tmp_path):
    """``synced_folder "../_shared/", "/home/u/_shared"``: the provisioned script sources
    /home/u/_shared/scripts/common.sh (whose RES is built of another of its names) and copies
    ${RES}/daemon.json into place: both are repository files, so the machine's daemon.json is read
    (DKD101 and DKD406 there), not "a program's output"."""
    write_tree(tmp_path, {
        "env/Vagrantfile": (
            'Vagrant.configure("2") do |config|\n'
            '  config.vm.box = "ubuntu/jammy64"\n'
            '  config.vm.synced_folder "../_shared/", "/home/u/_shared", mount_options: ["dmode=777"]\n'
            '  config.vm.define "dev" do |node|\n'
            '    node.vm.provision :shell, path: "../_shared/scripts/setup.sh"\n'
            "  end\n"
            "end\n"
        ),
        "_shared/scripts/common.sh": "BASE=/home/u\nRES=${BASE}/_shared/res\n",
        "_shared/scripts/setup.sh": (
            '#!/bin/bash\nsource "/home/u/_shared/scripts/common.sh"\napt-get install -y docker-ce\n'
            "cp ${RES}/daemon.json /etc/docker/daemon.json\nsystemctl restart docker\n"
        ),
        "_shared/res/daemon.json": '{"insecure-registries": ["registry.local:5000"]}\n',
    })
    result = scan(tmp_path)
    assert not result.unknowns
    assert sorted((f.rule, f.location.path, f.host) for f in result.findings) == [
        ("DKD101", "_shared/res/daemon.json", "env/Vagrantfile › dev"),
        ("DKD406", "_shared/res/daemon.json", "env/Vagrantfile › dev"),
    ]


def test_the_vagrantfile_s_folder_is_at_slash_vagrant_unless_disabled(tmp_path):
    """Vagrant mounts the Vagrantfile's folder at /vagrant: ``cp /vagrant/daemon.json`` is that
    repository file. With that synced folder disabled, the path names nothing dlint can read."""
    vagrantfile = (
        'Vagrant.configure("2") do |config|\n'
        '  config.vm.provision "shell", inline: "apt-get install -y docker-ce; cp /vagrant/daemon.json /etc/docker/daemon.json"\n'
        "end\n"
    )
    write_tree(tmp_path, {"Vagrantfile": vagrantfile, "daemon.json": '{"live-restore": true, "icc": true}\n'})
    result = scan(tmp_path)
    assert not result.unknowns and [h.name for h in result.hosts] == ["Vagrantfile › default"]
    assert not [f for f in result.findings if f.rule == "DKD101"]
    disabled = vagrantfile.replace("  config.vm.provision", '  config.vm.synced_folder ".", "/vagrant", disabled: true\n  config.vm.provision')
    write_tree(tmp_path, {"Vagrantfile": disabled})
    (unknown,) = [u for u in scan(tmp_path).unknowns if u.host == "Vagrantfile › default"]
    assert "/vagrant/daemon.json" in unknown.why


def test_each_vagrant_machine_runs_the_playbook_its_ansible_provisioner_names(tmp_path):
    """master runs master.yml (live-restore on), node runs node.yml (no daemon.json), both plays on
    ``hosts: all``: two machines, named after the Vagrant machine that runs each, and only the
    node lacks live-restore (before, one `hosts: all` machine mixed both playbooks)."""
    install = "  tasks:\n    - apt:\n        name: docker-ce\n"
    write_tree(tmp_path, {
        "Vagrantfile": (
            'Vagrant.configure("2") do |config|\n'
            '  config.vm.define "master" do |master|\n'
            '    master.vm.provision "ansible" do |ansible|\n      ansible.playbook = "master.yml"\n    end\n  end\n'
            '  config.vm.define "node" do |node|\n'
            '    node.vm.provision "ansible_local" do |ansible|\n      ansible.playbook = "node.yml"\n    end\n  end\n'
            "end\n"
        ),
        "master.yml": "- hosts: all\n" + install + "    - copy:\n        content: '{\"live-restore\": true}'\n        dest: /etc/docker/daemon.json\n",
        "node.yml": "- hosts: all\n" + install,
    })
    result = scan(tmp_path)
    assert sorted(h.name for h in result.hosts) == ["hosts: all (Vagrantfile › master)", "hosts: all (Vagrantfile › node)"]
    assert [(f.rule, f.host) for f in result.findings if f.rule == "DKD101"] == [("DKD101", "hosts: all (Vagrantfile › node)")]


def test_a_mounted_path_through_a_symbolic_link_is_not_read(tmp_path):
    """``cp /vagrant/link.json`` where link.json is a symbolic link (to a file of the repository
    or outside it): dlint reads no file through a link, so the daemon.json is unknown."""
    import os

    vagrantfile = (
        'Vagrant.configure("2") do |config|\n'
        '  config.vm.provision "shell", inline: "apt-get install -y docker-ce; cp /vagrant/link.json /etc/docker/daemon.json"\n'
        "end\n"
    )
    write_tree(tmp_path, {"Vagrantfile": vagrantfile, "real.json": '{"live-restore": true}\n'})
    os.symlink(tmp_path / "real.json", tmp_path / "link.json")
    result = scan(tmp_path)
    assert [u.host for u in result.unknowns] == ["Vagrantfile › default"]
    assert "/vagrant/link.json" in result.unknowns[0].why

"""docker-machine: each `create … NAME` is a machine whose dockerd flags come from its --engine-* options."""

from __future__ import annotations

import json

from tests.helpers import at, cli, only, scan, where, write_tree

CREATE = (
    "#!/bin/bash\n"
    "docker-machine create --driver=digitalocean \\\n"
    "  --engine-opt log-level=debug --engine-opt=\"live-restore\" \\\n"
    "  --engine-insecure-registry reg.local:5000 --engine-label env=prod \\\n"
    "  --engine-storage-driver overlay2 manager1\n"
)


def _host(result, name):
    (host,) = [h for h in result.hosts if h.name == name]
    return host


def test_create_gives_the_machine_the_flags_docker_machine_writes(tmp_path):
    write_tree(tmp_path, {"make.sh": CREATE})
    result = scan(tmp_path)
    host = _host(result, "docker-machine manager1")
    words = [w.text for w in host.command.words]
    assert host.command.origin == "docker-machine" and not host.command.assumed
    assert words[:13] == ["-H", "tcp://0.0.0.0:2376", "-H", "unix:///var/run/docker.sock", "--storage-driver", "overlay2", "--tlsverify",
                          "--tlscacert", "/etc/docker/ca.pem", "--tlscert", "/etc/docker/server.pem", "--tlskey", "/etc/docker/server-key.pem"]
    assert words[13:] == ["--label", "env=prod", "--label", "provider=digitalocean", "--insecure-registry", "reg.local:5000", "--log-level=debug", "--live-restore"]
    # each flag from an --engine-* option points at its value; the generated ones at `create`
    by_text = {w.text: w.location for w in host.command.words}
    assert (by_text["--log-level=debug"].line, by_text["--log-level=debug"].column) == at(CREATE, "log-level=debug")
    assert (by_text["--live-restore"].line, by_text["--live-restore"].column) == at(CREATE, "live-restore")
    assert (by_text["overlay2"].line, by_text["overlay2"].column) == at(CREATE, "overlay2")
    assert (by_text["tcp://0.0.0.0:2376"].line, by_text["tcp://0.0.0.0:2376"].column) == at(CREATE, "create")
    insecure = only(result, "DKD406")
    assert where(insecure) == at(CREATE, "--engine-insecure-registry")
    assert not [f for f in result.findings if f.rule == "DKD401"]  # TCP with --tlsverify
    out = cli("hosts", str(tmp_path), "--format", "json")
    assert json.loads(out.stdout)["hosts"][0]["command"]["origin"] == "docker-machine"


def test_a_daemon_json_uploaded_with_scp_conflicts_with_the_flags(tmp_path):
    script = CREATE + "docker-machine scp daemon.json manager1:/etc/docker/\ndocker-machine ssh manager1 \"systemctl restart docker\"\n"
    daemon = '{"hosts": ["unix:///var/run/docker.sock"], "log-level": "info"}\n'
    write_tree(tmp_path, {"make.sh": script, "daemon.json": daemon})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["docker-machine manager1"]  # daemon.json is that machine's, not a host alone
    conflicts = sorted((f for f in result.findings if f.rule == "DKD201"), key=where)
    assert [where(f) for f in conflicts] == [at(daemon, '"hosts"'), at(daemon, '"log-level"')]
    assert [(r.line, r.column) for r in conflicts[1].related] == [at(script, "log-level=debug")]
    assert [a.action for a in result.hosts[0].of(__import__("dlint_docker.fragments", fromlist=["ServiceAction"]).ServiceAction)] == ["restart"]


def test_ssh_runs_shell_on_the_machine_and_a_loop_pattern_is_one_host(tmp_path):
    create = "#!/bin/bash\nfor n in 1 2 3; do\n  docker-machine create -d virtualbox --engine-opt live-restore node-$n\ndone\n"
    swarm = "#!/bin/bash\ndocker-machine ssh node-1 docker swarm init --advertise-addr 10.0.0.1\n"
    write_tree(tmp_path, {"create.sh": create, "swarm.sh": swarm})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["docker-machine node-*"]
    finding = only(result, "DKD102")
    assert where(finding) == at(create, "live-restore")
    assert [(r.line, r.column) for r in finding.related] == [at(swarm, "docker swarm init")]
    # virtualbox boots boot2docker: docker-machine installs no package there
    assert not [f for f in result.findings if f.rule == "DKD104"]


def test_what_is_not_a_machine_or_not_readable(tmp_path):
    script = (
        "#!/bin/bash\n"
        "docker-machine create --driver generic --engine-flag x=y vm\n"  # no such option: create fails
        "docker-machine create --driver generic\n"  # no name
        "docker-machine ssh box\n"  # interactive
        "docker-machine create --engine-opt \"log-level=$LEVEL\" box\n"
        "docker-machine create --engine-opt \"$OPT\" other\n"  # any flag, or several
    )
    write_tree(tmp_path, {"make.sh": script})
    result = scan(tmp_path)
    host = _host(result, "docker-machine box")
    # $LEVEL leaves the value of --log-level unknown, not the command line: the rest is judged
    assert not host.command.from_template
    assert not [f for f in result.findings if f.rule in ("DKD004", "DKD404")]
    assert _host(result, "docker-machine other").command.from_template
    assert sorted(h.name for h in result.hosts) == ["docker-machine box", "docker-machine other"]  # the create with --engine-flag fails
    assert any("--engine-flag" in note for note in result.notes)


def test_a_swarm_command_after_docker_machine_env_is_that_machines(tmp_path):
    """`eval "$(docker-machine env a)"` points docker at a's dockerd: the swarm init that follows
    makes a the manager, and says nothing of b (DKD101 there)."""
    script = (
        "#!/bin/bash\ndocker-machine create -d virtualbox a\ndocker-machine create -d virtualbox b\n"
        'eval "$(docker-machine env a)"\ndocker swarm init\n'
    )
    write_tree(tmp_path, {"m.sh": script})
    result = scan(tmp_path)
    assert [m.command for m in _host(result, "docker-machine a").of(__import__("dlint_docker.fragments", fromlist=["SwarmMembership"]).SwarmMembership)] == ["init"]
    assert [f.host for f in result.findings if f.rule == "DKD101"] == ["docker-machine b"]


def test_an_engine_opt_whose_value_holds_a_command_substitution_is_still_that_flag(tmp_path):
    """--engine-opt="cluster-store=consul://$(docker-machine ip kv):8500" is one dockerd word, the
    flag known, its value not: the removed flag is refused, and so is the next one."""
    script = (
        "#!/bin/sh\n"
        'docker-machine create -d virtualbox --engine-opt="cluster-store=consul://$(docker-machine ip kv):8500" '
        '--engine-opt="cluster-advertise=eth1:2376" node1\n'
    )
    write_tree(tmp_path, {"machines.sh": script})
    result = scan(tmp_path)
    found = sorted((f.location.line, f.location.column) for f in result.findings if f.rule == "DKD007")
    assert found == [(2, script.splitlines()[1].index("cluster-store") + 1), (2, script.splitlines()[1].index("cluster-advertise") + 1)]


def test_docker_machine_run_through_a_variable_a_sourced_file_sets(tmp_path):
    write_tree(tmp_path, {
        "docker-env.sh": "DOCKER_MACHINE=/usr/local/bin/docker-machine\nMACHINE_NAME=dev\n",
        "build-vm.sh": "#!/bin/sh\nsource ./docker-env.sh\n$DOCKER_MACHINE create --driver virtualbox $MACHINE_NAME\n",
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["docker-machine dev"]

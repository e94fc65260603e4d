"""Ansible roles, playbooks and inventory variables: findings at the exact outer position, with
their trace; static Jinja that never runs anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint_docker import builtin, jinja
from dlint_docker.document import Document
from dlint_docker.fragments import DaemonConfig, EnginePackage, EnvFile, ServiceAction, SwarmMembership, UnitFile
from dlint_docker.hookspecs import hookimpl
from dlint_docker.scan import Options, run
from dlint_docker.source import Source
from dlint_docker.sources import SNIFF, ReadContext
from dlint_docker.sources.ansible import AnsibleKind

from .helpers import write_tree
from .helpers import at, where

KIND = AnsibleKind()


@pytest.fixture(autouse=True)
def kinds(monkeypatch):
    """The built-in kinds with ansible before cloud-init and shell (the lead registers it)."""
    original = builtin.dlint_source_kinds

    @hookimpl
    def dlint_source_kinds():
        existing = [k for k in original() if k.name != KIND.name]
        index = next(i for i, k in enumerate(existing) if k.name == "cloud-init")
        return existing[:index] + [AnsibleKind()] + existing[index:]

    monkeypatch.setattr(builtin, "dlint_source_kinds", dlint_source_kinds)


def scan(root: Path, *paths: str, **options):
    return run(Options(paths=list(paths) or ["."], cwd=root, **options))


def findings(result, rule):
    return [f for f in result.findings if f.rule == rule]


def one(result, rule):
    found = findings(result, rule)
    assert len(found) == 1, [(f.rule, str(f.location), f.message) for f in result.findings]
    return found[0]


def host(result, name):
    (found,) = [h for h in result.hosts if h.name == name]
    return found


def labels(finding):
    return [f"{step.path}:{step.line} › {step.label}" for step in finding.location.trace]


# --- a role like the popular ones: defaults, tasks, handlers, templates --------------------------

DEFAULTS = """\
---
docker_edition: ce
docker_packages_state: present
docker_restart_handler_state: restarted

docker_daemon_options:
  live-restore: true
  log-driver: json-file
  log-opts:
    max-size: "10m"
    tag: "{{.Name}}"
  storage-drivr: overlay2
"""

TASKS = """\
---
- name: Install the engine
  ansible.builtin.package:
    name: "docker-{{ docker_edition }}"
    state: "{{ docker_packages_state }}"

- name: Write daemon.json
  ansible.builtin.copy:
    content: "{{ docker_daemon_options | to_nice_json }}"
    dest: /etc/docker/daemon.json
    mode: "0644"
  when: docker_daemon_options.keys() | length > 0
  notify: restart docker
"""

HANDLERS = """\
---
- name: restart docker
  ansible.builtin.service:
    name: docker
    state: "{{ docker_restart_handler_state }}"
"""


def role(**files):
    tree = {
        "roles/docker/defaults/main.yml": DEFAULTS,
        "roles/docker/tasks/main.yml": TASKS,
        "roles/docker/handlers/main.yml": HANDLERS,
    }
    tree.update({f"roles/docker/{k.replace('__', '/').replace('_yml', '.yml')}": v for k, v in files.items()})
    return tree


def test_typo_in_docker_daemon_options_points_at_the_key_in_defaults(tmp_path):
    write_tree(tmp_path, role())
    result = scan(tmp_path)
    finding = one(result, "DKD002")
    assert finding.location.path == "roles/docker/defaults/main.yml"
    assert where(finding) == at(DEFAULTS, "storage-drivr")
    assert "did you mean \"storage-driver\"" in (finding.fix or "")
    line = at(TASKS, "{{ docker_daemon_options")[0]
    assert labels(finding) == [
        f"roles/docker/tasks/main.yml:{line} › docker_daemon_options from roles/docker/defaults/main.yml:{at(DEFAULTS, 'docker_daemon_options')[0]}",
        f"roles/docker/defaults/main.yml:{at(DEFAULTS, 'live-restore')[0]} › copy content → /etc/docker/daemon.json",
    ]
    # the role is one machine: every file of it in one host
    (only,) = result.hosts
    assert only.name == "roles/docker/" and only.layout == "group"
    assert sorted({f.source.display for f in only.fragments}) == ["roles/docker/handlers/main.yml", "roles/docker/tasks/main.yml"]


def test_a_role_scanned_from_inside_its_folder_is_one_host(tmp_path):
    write_tree(tmp_path, role())
    result = scan(tmp_path / "roles/docker")
    assert [h.name for h in result.hosts] == ["./"]
    finding = one(result, "DKD002")
    assert finding.location.path == "defaults/main.yml" and where(finding) == at(DEFAULTS, "storage-drivr")


def test_to_nice_json_text_is_what_ansible_writes(tmp_path):
    write_tree(tmp_path, role())
    (config,) = host(scan(tmp_path), "roles/docker/").of(DaemonConfig)
    expected = {
        "live-restore": True,
        "log-driver": "json-file",
        "log-opts": {"max-size": "10m", "tag": "{{.Name}}"},  # Docker's Go template: a value, not Jinja
        "storage-drivr": "overlay2",
    }
    assert config.document.text == json.dumps(expected, indent=4, sort_keys=True, separators=(",", ": "))
    assert not config.templated and config.target == "/etc/docker/daemon.json"
    assert config.document._pieces is not None  # mapped piece by piece into defaults/main.yml
    members = {m.key: m for m in config.root.value}
    value = members["log-driver"].value
    location = config.document.location(value.start, value.end)
    assert (location.path, location.line, location.column) == ("roles/docker/defaults/main.yml", *at(DEFAULTS, "json-file"))


def test_handler_restart_and_package_pin_join_the_role(tmp_path):
    write_tree(tmp_path, role())
    result = scan(tmp_path)
    only = host(result, "roles/docker/")
    (action,) = only.of(ServiceAction)
    assert action.action == "restart"
    # where the handler says it (its state comes from defaults/main.yml)
    assert (action.location.path, action.location.line, action.location.column) == ("roles/docker/handlers/main.yml", *at(HANDLERS, '"{{ docker_restart'))
    # log-driver and log-opts are applied only by a restart: the restart is needed, no DKD107
    assert not findings(result, "DKD107")
    defaults = DEFAULTS.split("docker_daemon_options:")[0] + 'docker_daemon_options: {live-restore: true, debug: true}\n'
    write_tree(tmp_path, {"roles/docker/defaults/main.yml": defaults})
    restart = one(scan(tmp_path), "DKD107")  # only reloadable options written, then a restart stops every container
    assert restart.location.path == "roles/docker/handlers/main.yml" and where(restart) == at(HANDLERS, '"{{ docker_restart')
    (package,) = only.of(EnginePackage)
    assert (package.name, package.pin, package.manager) == ("docker-ce", "none", "package")
    assert (package.location.path, package.location.line) == ("roles/docker/tasks/main.yml", 4)


def test_state_latest_of_docker_ce_is_an_upgrade(tmp_path):
    tasks = "- name: engine\n  apt:\n    name: [docker-ce, docker-ce-cli, containerd.io]\n    state: latest\n    update_cache: true\n"
    write_tree(tmp_path, role(tasks__main_yml=TASKS + "\n" + tasks))
    result = scan(tmp_path)
    packages = host(result, "roles/docker/").of(EnginePackage)
    latest = [p for p in packages if p.pin == "upgrade"]
    assert [(p.name, p.manager) for p in latest] == [("docker-ce", "apt")]
    text = TASKS + "\n" + tasks
    assert (latest[0].location.line, latest[0].location.column) == at(text, "docker-ce,")
    finding = [f for f in findings(result, "DKD104") if "upgraded" in f.message]
    assert finding and where(finding[0]) == at(text, "docker-ce,")


@pytest.mark.parametrize(
    "module, written, name, version, pin",
    [
        ("apt", "docker-ce=5:24.0.7-1~ubuntu.22.04~jammy", "docker-ce", "5:24.0.7-1~ubuntu.22.04~jammy", "patch"),
        ("apt", "docker-ce=5:27.5.*", "docker-ce", "5:27.5.*", "minor"),
        ("dnf", "docker-ce-24.0.7", "docker-ce", "24.0.7", "patch"),
        ("ansible.builtin.yum", "docker-ce-3:24.0.7-1.el9", "docker-ce", "3:24.0.7-1.el9", "patch"),
        ("package", "docker.io", "docker.io", None, "none"),
        ("dnf", "moby-engine", "moby-engine", None, "none"),
        ("apt", "docker-ce>=24.0", "docker-ce", None, "none"),
    ],
)
def test_package_pins(tmp_path, module, written, name, version, pin):
    tasks = f"- name: engine\n  {module}:\n    name: {written}\n    state: present\n"
    write_tree(tmp_path, {"roles/engine/tasks/main.yml": tasks})
    (package,) = host(scan(tmp_path), "roles/engine/").of(EnginePackage)
    assert (package.name, package.version, package.pin) == (name, version, pin)
    assert (package.location.line, package.location.column) == at(tasks, written)


def test_free_form_loop_and_holds(tmp_path):
    tasks = (
        "- apt: name=docker-ce=5:26.1.4-1~debian.12~bookworm state=present\n"
        "- name: engine from a loop\n"
        "  ansible.builtin.dnf:\n"
        "    name: \"{{ item }}\"\n"
        "  loop:\n"
        "    - docker-ce-26.1.4\n"
        "    - docker-ce-cli-26.1.4\n"
        "- name: hold\n"
        "  ansible.builtin.dpkg_selections:\n"
        "    name: docker-ce\n"
        "    selection: hold\n"
        "- name: hold with apt-mark\n"
        "  ansible.builtin.shell: apt-mark hold docker-ce docker-ce-cli\n"
    )
    write_tree(tmp_path, {"roles/engine/tasks/main.yml": tasks})
    packages = host(scan(tmp_path), "roles/engine/").of(EnginePackage)
    got = [(p.manager, p.name, p.version, p.pin, p.location.line, p.location.column) for p in packages]
    assert ("apt", "docker-ce", "5:26.1.4-1~debian.12~bookworm", "patch", *at(tasks, "docker-ce=5")) in got
    assert ("dnf", "docker-ce", "26.1.4", "patch", *at(tasks, "docker-ce-26")) in got  # the loop item, where it is written
    assert ("apt", "docker-ce", None, "held", *at(tasks, "hold\n", 2)) in got
    assert ("apt", "docker-ce", None, "held", *at(tasks, "docker-ce docker-ce-cli")) in got  # read by the shell kind
    assert len(got) == 4


def test_template_with_an_if_block_reads_the_branch_the_defaults_take(tmp_path):
    template = '{\n  "live-restore": true,\n{% if docker_debug %}\n  "debug": true,\n{% endif %}\n  "log-level": "warn"\n}\n'
    tasks = "- template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/templates/daemon.json.j2": template, "roles/docker/defaults/main.yml": "docker_debug: false\n"})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings] == [], [(f.rule, f.message) for f in result.findings]
    (config,) = host(result, "roles/docker/").of(DaemonConfig)
    assert config.problem is None and [m.key for m in config.root.value] == ["live-restore", "log-level"]


def test_template_values_from_defaults_point_into_defaults_and_literals_into_the_template(tmp_path):
    defaults = "docker_log_level: verbose\ndocker_data_root: /srv/docker\n"
    template = '{\n  "log-level": "{{ docker_log_level }}",\n  "data-root": "{{ docker_data_root }}",\n  "live-restor": true\n}\n'
    tasks = "- name: daemon.json\n  ansible.builtin.template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/templates/daemon.json.j2": template, "roles/docker/defaults/main.yml": defaults})
    result = scan(tmp_path)
    level = one(result, "DKD004")
    assert level.location.path == "roles/docker/defaults/main.yml" and where(level) == at(defaults, "verbose")
    assert labels(level) == [
        "roles/docker/tasks/main.yml:3 › template daemon.json.j2 → /etc/docker/daemon.json",
        "roles/docker/templates/daemon.json.j2:2 › docker_log_level from roles/docker/defaults/main.yml:1",
    ]
    typo = one(result, "DKD002")
    assert typo.location.path == "roles/docker/templates/daemon.json.j2" and where(typo) == at(template, '"live-restor"')
    assert labels(typo)[0] == "roles/docker/tasks/main.yml:3 › template daemon.json.j2 → /etc/docker/daemon.json"
    (config,) = host(result, "roles/docker/").of(DaemonConfig)
    assert json.loads(config.document.text) == {"log-level": "verbose", "data-root": "/srv/docker", "live-restor": True}
    assert not config.templated


def test_unknown_expression_is_masked_at_the_same_length(tmp_path):
    template = '{\n  "data-root": "{{ ansible_mounts[0].mount }}/docker",\n  "debugg": true\n}\n'
    tasks = "- template: src=daemon.json.j2 dest=/etc/docker/daemon.json\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/templates/daemon.json.j2": template})
    result = scan(tmp_path)
    (config,) = host(result, "roles/docker/").of(DaemonConfig)
    assert config.templated
    assert len(config.document.text) == len(template) and "{{" not in config.document.text
    typo = one(result, "DKD002")
    assert where(typo) == at(template, '"debugg"')


def test_no_template_is_ever_executed(tmp_path):
    marker = tmp_path / "pwned"
    template = (
        '{\n  "data-root": "{{ lookup(\'pipe\', \'touch ' + str(marker) + '\') }}",\n'
        '  "log-level": "{{ \'\'.__class__.__mro__[1].__subclasses__() }}",\n'
        '  "labels": ["{{ \'\'.__class__ }}", "{{ q(\'pipe\', \'touch ' + str(marker) + '\') }}"]\n}\n'
    )
    tasks = (
        "- template: {src: daemon.json.j2, dest: /etc/docker/daemon.json}\n"
        "- copy:\n"
        "    content: \"{{ lookup('pipe', 'touch " + str(marker) + "') | to_nice_json }}\"\n"
        "    dest: /etc/default/docker\n"
        "- shell: \"echo {{ lookup('pipe', 'touch " + str(marker) + "') }}\"\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/templates/daemon.json.j2": template})
    result = scan(tmp_path)
    assert not marker.exists()
    configs = host(result, "roles/docker/").of(DaemonConfig)
    assert configs and all(c.templated for c in configs)
    assert "__class__" not in configs[0].document.text and "lookup" not in configs[0].document.text
    rendered = jinja.render(jinja.Mapped.of("{{ lookup('pipe', 'touch " + str(marker) + "') }}{{ ''.__class__ }}"), lambda name, where: None)
    assert rendered.templated and set(rendered.text.text) == {"x"} and not marker.exists()


def test_copy_content_block_scalar_maps_exactly(tmp_path):
    tasks = (
        "- name: daemon.json\n"
        "  copy:\n"
        "    dest: /etc/docker/daemon.json\n"
        "    content: |\n"
        "      {\n"
        '        "live-restore": true,\n'
        '        "tls-verify": true\n'
        "      }\n"
    )
    write_tree(tmp_path, {"site.yml": "- hosts: all\n  tasks:\n" + "".join("    " + line + "\n" for line in tasks.splitlines())})
    text = (tmp_path / "site.yml").read_text()
    result = scan(tmp_path)
    finding = one(result, "DKD002")
    assert finding.location.path == "site.yml" and where(finding) == at(text, '"tls-verify"')
    assert labels(finding) == [f"site.yml:{at(text, '|')[0]} › copy content → /etc/docker/daemon.json"]
    assert host(result, "hosts: all").layout == "group"  # the machine is the play's target


def test_copy_content_dict_is_json_dumps(tmp_path):
    playbook = (
        "- hosts: docker\n"
        "  tasks:\n"
        "    - copy:\n"
        "        dest: /etc/docker/daemon.json\n"
        "        content:\n"
        "          live-restore: yes\n"
        "          max-concurrent-uploads: 5\n"
        "          log-levl: warn\n"
    )
    write_tree(tmp_path, {"site.yml": playbook})
    result = scan(tmp_path)
    (config,) = host(result, "hosts: docker").of(DaemonConfig)
    assert config.document.text == '{"live-restore": true, "max-concurrent-uploads": 5, "log-levl": "warn"}'
    assert where(one(result, "DKD002")) == at(playbook, "log-levl")


def test_copy_src_is_read_from_files_and_judged_once(tmp_path):
    daemon = '{\n  "live-restore": true,\n  "storage-opts": "overlay2.override_kernel_check=true"\n}\n'
    tasks = "- name: config\n  copy:\n    src: daemon.json\n    dest: /etc/docker/daemon.json\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/files/daemon.json": daemon})
    result = scan(tmp_path)
    finding = one(result, "DKD003")
    assert finding.location.path == "roles/docker/files/daemon.json" and where(finding) == at(daemon, '"overlay2')
    assert labels(finding) == ["roles/docker/tasks/main.yml:3 › copy daemon.json → /etc/docker/daemon.json"]
    assert [h.name for h in result.hosts] == ["roles/docker/"]


def test_docker_swarm_init_and_join(tmp_path):
    tasks = (
        "- name: first manager\n"
        "  community.docker.docker_swarm:\n"
        "    advertise_addr: \"{{ ansible_default_ipv4.address }}\"\n"
        "- name: workers\n"
        "  docker_swarm:\n"
        "    state: join\n"
        "    join_token: \"{{ hostvars[groups['managers'][0]].swarm_info.swarm_facts.JoinTokens.Worker }}\"\n"
        "    remote_addrs: [\"10.0.0.1:2377\"]\n"
        "- name: leave\n"
        "  community.docker.docker_swarm:\n"
        "    state: absent\n"
    )
    write_tree(tmp_path, {"roles/swarm/tasks/main.yml": tasks, "roles/swarm/defaults/main.yml": "docker_daemon_options:\n  live-restore: true\n"})
    result = scan(tmp_path)
    members = host(result, "roles/swarm/").of(SwarmMembership)
    assert [(m.role, m.command) for m in members] == [("manager", "init"), ("worker", "join")]
    assert (members[0].location.line, members[0].location.column) == at(tasks, "community.docker.docker_swarm")
    assert (members[1].location.line, members[1].location.column) == at(tasks, "join\n")
    swarm = findings(result, "DKD102")
    assert swarm and swarm[0].location.path == "roles/swarm/defaults/main.yml"


def test_shell_task_is_read_by_the_shell_kind_with_exact_positions(tmp_path):
    playbook = (
        "- hosts: managers\n"
        "  vars:\n"
        "    advertise: 10.0.0.5\n"
        "  tasks:\n"
        "    - name: init\n"
        "      ansible.builtin.shell: |\n"
        "        set -e\n"
        "        docker swarm init --advertise-addr {{ advertise }}\n"
        "    - name: reload\n"
        "      command:\n"
        "        cmd: systemctl reload docker\n"
    )
    write_tree(tmp_path, {"site.yml": playbook})
    result = scan(tmp_path)
    only = host(result, "hosts: managers")
    (member,) = only.of(SwarmMembership)
    assert member.role == "manager" and (member.location.line, member.location.column) == at(playbook, "docker swarm init")
    (action,) = only.of(ServiceAction)
    assert action.action == "reload" and (action.location.line, action.location.column) == at(playbook, "systemctl reload")


def test_include_tasks_of_a_playbook_is_part_of_its_host(tmp_path):
    playbook = "- hosts: docker_hosts\n  tasks:\n    - apt: {name: docker-ce}\n    - ansible.builtin.include_tasks: tasks/restart.yml\n"
    restart = "- name: restart\n  ansible.builtin.systemd:\n    name: docker.service\n    state: restarted\n    daemon_reload: true\n    enabled: yes\n"
    write_tree(tmp_path, {"site.yml": playbook, "tasks/restart.yml": restart})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["hosts: docker_hosts"]
    actions = host(result, "hosts: docker_hosts").of(ServiceAction)
    assert [a.action for a in actions] == ["daemon-reload", "restart", "enable"]
    assert actions[1].location.path == "tasks/restart.yml" and (actions[1].location.line, actions[1].location.column) == at(restart, "restarted")
    assert [str(s) for s in actions[1].location.trace] == ["site.yml:4 › include_tasks tasks/restart.yml"]


def test_group_vars_of_geerlingguy_docker(tmp_path):
    group_vars = (
        "docker_packages_state: latest\n"
        "docker_restart_handler_state: reloaded\n"
        "docker_daemon_options:\n"
        "  live-restore: true\n"
        "  log-opts:\n"
        '    max-file: 3\n'
    )
    write_tree(tmp_path, {"inventory/group_vars/docker_hosts.yml": group_vars})
    result = scan(tmp_path)
    only = host(result, "inventory/group_vars/docker_hosts.yml")
    assert only.layout == "group"
    wrong = one(result, "DKD003")  # log-opts values are strings
    assert wrong.location.path == "inventory/group_vars/docker_hosts.yml" and where(wrong) == at(group_vars, "3")
    (package,) = only.of(EnginePackage)
    assert (package.manager, package.name, package.pin) == ("geerlingguy.docker", "docker-ce", "upgrade")
    assert (package.location.line, package.location.column) == at(group_vars, "latest")
    (action,) = only.of(ServiceAction)
    assert action.action == "reload"
    assert not findings(result, "DKD107")  # reloaded, not restarted


def test_group_vars_all_feeds_the_role_that_uses_it(tmp_path):
    tree = role()
    tree["group_vars/all/docker.yml"] = "docker_daemon_options:\n  live-restore: true\n  debugg: true\n"
    write_tree(tmp_path, tree)
    result = scan(tmp_path)
    finding = one(result, "DKD002")  # the role's copy writes the group_vars value; nothing twice
    assert finding.location.path == "group_vars/all/docker.yml" and finding.location.line == 3
    assert "docker_daemon_options from group_vars/all/docker.yml:1" in labels(finding)[0]
    assert [h.name for h in result.hosts] == ["roles/docker/"]


def test_lineinfile_on_the_environment_file(tmp_path):
    tasks = (
        "- lineinfile:\n"
        "    path: /etc/default/docker\n"
        "    regexp: '^DOCKER_OPTS='\n"
        "    line: 'DOCKER_OPTS=\"--live-restore --log-level=warn\"'\n"
        "- lineinfile:\n"
        "    path: /etc/docker/daemon.json\n"
        "    line: '  \"debug\": true,'\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    (env,) = host(result, "roles/docker/").of(EnvFile)
    (variable,) = env.variables
    assert variable.name == "DOCKER_OPTS" and (variable.location.line, variable.location.column) == at(tasks, "DOCKER_OPTS=", 2)
    (unknown,) = [f for f in result.findings if f.rule == "DKD902"]  # the edited daemon.json: said, not guessed
    assert "`lineinfile` edits it line by line" in unknown.message
    assert (unknown.location.line, unknown.location.column) == at(tasks, "/etc/docker/daemon.json")


def test_a_daemon_json_the_role_downloads_or_copies_on_the_machine_is_said_not_guessed(tmp_path):
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- get_url: {url: 'https://example.com/daemon.json', dest: /etc/docker/daemon.json}\n"
        "- copy: {src: /opt/site/daemon.json, remote_src: true, dest: /etc/docker/}\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    assert [(f.rule, f.location.line) for f in result.findings] == [("DKD902", 2), ("DKD902", 3)]  # no DKD101
    assert "downloaded by `get_url`" in result.findings[0].message
    assert "it is /opt/site/daemon.json, copied on the machine itself (remote_src)" in result.findings[1].message


def test_a_remote_copy_of_a_file_the_role_writes_is_that_file(tmp_path):
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- copy: {content: '{\"log-driver\": \"local\"}', dest: /root/daemon.json}\n"
        "- copy: {src: /root/daemon.json, remote_src: yes, dest: /etc/docker/daemon.json}\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    assert [(f.rule, f.location.line) for f in result.findings] == [("DKD101", 2)]


def test_blockinfile_of_a_drop_in_with_its_section(tmp_path):
    tasks = (
        "- ansible.builtin.blockinfile:\n"
        "    path: /etc/systemd/system/docker.service.d/override.conf\n"
        "    create: true\n"
        "    block: |\n"
        "      [Service]\n"
        "      ExecStart=\n"
        "      ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --live-restore\n"
        "- ansible.builtin.lineinfile:\n"
        "    path: /etc/systemd/system/docker.service.d/override.conf\n"
        "    line: 'LimitNOFILE=1048576'\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    (unit,) = host(result, "roles/docker/").of(UnitFile)
    flag = next(w for w in host(result, "roles/docker/").command.words if w.text == "--live-restore")
    assert (flag.location.line, flag.location.column) == at(tasks, "--live-restore")
    assert any("lineinfile edits /etc/systemd/system/docker.service.d/override.conf" in note for note in result.notes)


def test_unit_drop_in_template_with_known_flags(tmp_path):
    template = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock {{ docker_extra_flags }}\n"
    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": "- template:\n    src: override.conf.j2\n    dest: /etc/systemd/system/docker.service.d/override.conf\n",
        "roles/docker/templates/override.conf.j2": template,
        "roles/docker/vars/main.yml": "docker_extra_flags: --live-restore\n",
        "roles/docker/files/daemon.json": "{}",
        "roles/docker/tasks/config.yml": "- copy: {src: daemon.json, dest: /etc/docker/daemon.json}\n",
    })
    result = scan(tmp_path)
    (unit,) = host(result, "roles/docker/").of(UnitFile)
    assert "--live-restore" in unit.document.text and "{{" not in unit.document.text
    assert host(result, "roles/docker/").command is not None
    words = [w.text for w in host(result, "roles/docker/").command.words]
    assert "--live-restore" in words
    flag = next(w for w in host(result, "roles/docker/").command.words if w.text == "--live-restore")
    assert flag.location.path == "roles/docker/vars/main.yml" and (flag.location.line, flag.location.column) == (1, 21)


def test_template_of_a_whole_variable_points_into_defaults(tmp_path):
    defaults = "docker_daemon_config:\n  live-restore: true\n  featurez:\n    buildkit: true\n"
    write_tree(tmp_path, {
        "roles/swarm/defaults/main.yml": defaults,
        "roles/swarm/tasks/main.yml": "- template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n    mode: '0640'\n",
        "roles/swarm/templates/daemon.json.j2": "{{ docker_daemon_config | to_nice_json(indent=2) }}\n",
    })
    result = scan(tmp_path)
    (config,) = host(result, "roles/swarm/").of(DaemonConfig)
    assert config.document.text == json.dumps({"live-restore": True, "featurez": {"buildkit": True}}, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"
    finding = one(result, "DKD002")  # "buildkit" inside "featurez": dockerd reads the members of an unknown object
    assert finding.location.path == "roles/swarm/defaults/main.yml" and where(finding) == at(defaults, "buildkit")
    assert labels(finding) == [
        "roles/swarm/tasks/main.yml:2 › template daemon.json.j2 → /etc/docker/daemon.json",
        "roles/swarm/templates/daemon.json.j2:1 › docker_daemon_config from roles/swarm/defaults/main.yml:1",
    ]


def test_play_vars_and_a_bare_dict_in_copy_content(tmp_path):
    playbook = (
        "- hosts: docker\n"
        "  vars:\n"
        "    daemon:\n"
        "      live-restore: true\n"
        "      storage-drver: overlay2\n"
        "  tasks:\n"
        "    - copy:\n"
        "        content: \"{{ daemon }}\"\n"
        "        dest: /etc/docker/daemon.json\n"
    )
    write_tree(tmp_path, {"site.yml": playbook})
    result = scan(tmp_path)
    (config,) = host(result, "hosts: docker").of(DaemonConfig)
    assert config.document.text == '{"live-restore": true, "storage-drver": "overlay2"}'  # json.dumps of the dict
    finding = one(result, "DKD002")
    assert where(finding) == at(playbook, "storage-drver")
    assert labels(finding)[0] == "site.yml:8 › daemon from site.yml:3"


def test_empty_options_under_a_condition_are_not_written(tmp_path):
    write_tree(tmp_path, role(defaults__main_yml="docker_daemon_options: {}\n"))
    result = scan(tmp_path)
    assert not [h for h in result.hosts if h.of(DaemonConfig)]
    assert any("empty dict" in note for note in result.notes)


def test_unknown_whole_value_is_unknown_not_a_made_up_string(tmp_path):
    defaults = 'docker_daemon_options:\n  live-restore: "{{ docker_live_restore }}"\n  labels: ["{{ inventory_hostname }}"]\n'
    write_tree(tmp_path, role(defaults__main_yml=defaults))
    # a member whose whole value is unknown is a string of unknown content: the file is read, the
    # other keys judged, and nothing is said of live-restore but that a template decides it
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule in ("DKD902", "DKD003", "DKD101")]
    (config,) = host(result, "roles/docker/").of(DaemonConfig)
    assert config.templated and '"xxxxxxxx' in config.document.text and config.root is not None
    (unknown,) = result.unknowns
    assert "a template decides the value of live-restore" in unknown.why and "DKD101" in unknown.skipped


def test_haxorof_config_in_host_vars_is_written_even_empty(tmp_path):
    write_tree(tmp_path, {"host_vars/node1.yml": "docker_daemon_config: {}\ndocker_version: 5:24.0.7-1~debian.12~bookworm\n"})
    result = scan(tmp_path)
    only = host(result, "host_vars/node1.yml")
    (config,) = only.of(DaemonConfig)
    assert config.document.text == "{}" and config.root is not None
    (package,) = only.of(EnginePackage)
    assert (package.manager, package.version, package.pin) == ("haxorof.docker_ce", "5:24.0.7-1~debian.12~bookworm", "patch")


def test_nothing_outside_the_project_is_read(tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"daemon.json.j2": '{"debugg": true}', "daemon.json": '{"debugg": true}'})
    project = tmp_path / "project"
    tasks = (
        f"- template: {{src: {outside}/daemon.json.j2, dest: /etc/docker/daemon.json}}\n"
        "- template: {src: ../../../outside/daemon.json.j2, dest: /etc/docker/daemon.json}\n"
        "- copy: {src: linked/daemon.json, dest: /etc/docker/daemon.json}\n"
    )
    write_tree(project, {"roles/docker/tasks/main.yml": tasks})
    (project / "roles/docker/files").mkdir(parents=True)
    (project / "roles/docker/files/linked").symlink_to(outside)
    result = scan(project)
    # none of them is read (no DKD002 for "debugg"): each is a daemon.json dlint cannot know
    assert [f.rule for f in result.findings] == ["DKD902"] * 3
    assert all("is not in the repository" in f.message for f in result.findings)


# --- static Jinja --------------------------------------------------------------------------------


def render(text: str, **known):
    def resolve(name, where):
        return jinja.string(known[name]) if name in known else None

    return jinja.render(jinja.Mapped.of(text, Document(text, "t.j2"), 0), resolve, header=True)


@pytest.mark.parametrize(
    "template, expected, templated",
    [
        ('{"tag": "{{.Name}}", "x": "{{ .ID }}"}', '{"tag": "{{.Name}}", "x": "{{ .ID }}"}', False),  # Docker's Go templates
        ("a {# note #}\nb", "a b", False),  # a comment goes, and the newline after it (trim_blocks)
        ("{% raw %}\n{{ x }}{% endraw %}", "{{ x }}", False),
        ("{{ level | default('warn') | upper }}", "WARN", False),
        ("{{ level }}", "info", False),
        ("x {{- level -}}  \n y", "xinfoy", False),
        ("{{ level ~ '-' ~ 'x' if level == 'info' else 'no' }}", "info-x", False),
        ("{{ nope }}", "xxxxxxxxxx", True),
        ("{% if a %}b{% endif %}", "x" * 22, True),  # undecided: the whole block is unknown
        ("#jinja2: trim_blocks: False\n{# c #}\nz", "\nz", False),
        ("{{ level | frobnicate }}", "xxxxxxxxxxxxxxxxxxxxxxxx", True),
        ("{{ range(10) }}", "xxxxxxxxxxxxxxx", True),
    ],
)
def test_render(template, expected, templated):
    known = {"level": "info"} if "level" in template and "default" not in template else {}
    rendered = render(template, **known)
    assert (rendered.text.text, rendered.templated) == (expected, templated)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def as_val(value):
    if isinstance(value, bool):
        return jinja.Val("bool", value)
    if value is None:
        return jinja.Val("null")
    if isinstance(value, int):
        return jinja.Val("int", value)
    if isinstance(value, float):
        return jinja.Val("float", value)
    if isinstance(value, str):
        return jinja.string(value)
    if isinstance(value, list):
        return jinja.Val("list", [as_val(v) for v in value])
    return jinja.Val("dict", [(jinja.string(k), as_val(v)) for k, v in value.items()])


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_to_json_and_to_nice_json_write_what_json_dumps_writes(value):
    val = as_val(value)
    assert jinja.dump_json(val).mapped().text == json.dumps(value)
    nice = jinja.dump_json(val, indent=4, sort_keys=True, separators=(",", ": ")).mapped().text
    assert nice == json.dumps(value, indent=4, sort_keys=True, separators=(",", ": "))


# --- recognising files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel, expected",
    [
        ("roles/docker/tasks/main.yml", True),
        ("ansible/roles/docker/handlers/main.yaml", True),
        ("roles/docker/defaults/main/daemon.yml", True),
        ("roles/docker/meta/main.yml", True),
        ("group_vars/all", True),
        ("inventories/prod/group_vars/docker/vars.yml", True),
        ("host_vars/node1.yml", True),
        ("roles/docker/templates/daemon.json.j2", False),
        ("site.yml", SNIFF),
        ("docker-compose.yml", SNIFF),
        ("daemon.json", False),
    ],
)
def test_claims(rel, expected):
    assert KIND.claims(rel, rel.rsplit("/", 1)[-1]) == expected


def test_sniff_playbooks_and_task_lists():
    assert KIND.sniff(b"---\n# site\n- name: docker hosts\n  hosts: docker\n  roles:\n    - docker\n")
    assert KIND.sniff(b"- hosts: all\n  tasks:\n    - debug: msg=hi\n")
    assert KIND.sniff(b"- import_playbook: docker.yml\n- hosts: all\n  tasks: []\n")
    assert KIND.sniff(b"- name: restart docker\n  ansible.builtin.service:\n    name: docker\n")
    assert not KIND.sniff(b"#cloud-config\nruncmd:\n  - docker swarm init\n")
    assert not KIND.sniff(b"services:\n  web:\n    image: nginx\n")
    assert not KIND.sniff(b"- apiVersion: v1\n  kind: Pod\n")


def test_a_playbook_wins_over_cloud_init_and_cloud_config_stays_cloud_init(tmp_path):
    write_tree(tmp_path, {
        "docker.yml": "- hosts: all\n  tasks:\n    - copy:\n        content: '{\"debugg\": true}'\n        dest: /etc/docker/daemon.json\n",
        "user-data.yml": "#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: '{\"live-restore\": true}'\n",
    })
    result = scan(tmp_path)
    assert sorted(h.name for h in result.hosts) == ["hosts: all", "user-data.yml"]
    assert one(result, "DKD002").location.path == "docker.yml"


# --- never raises -----------------------------------------------------------------------------------


def read(text: str, rel: str = "roles/docker/tasks/main.yml"):
    source = Source(Path("/nonexistent") / rel, rel, rel, KIND.name, text.encode("utf-8", "surrogatepass"))
    return KIND.read(Document(text, rel), ReadContext(source))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("-:{}[]%#|>'\"\n =.,x\\&*!?") + ["{{", "}}", "{%", "%}", "docker", "copy", "dest", "content", "  "]), max_size=80).map("".join))
def test_random_text_never_raises(text):
    read(text)
    read(text, "site.yml")
    read(text, "group_vars/all.yml")
    jinja.render(jinja.Mapped.of(text), lambda name, where: None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=2000), st.sampled_from(["", "{{", "}}", "{%", "\n", ":", "- ", "  ", "'", '"', "|", "&a", "*a", "x"])), max_size=6), st.sampled_from(["tasks", "defaults", "handlers"]))
def test_mutated_role_never_raises(tmp_path_factory, edits, which):
    files = {"tasks": TASKS, "defaults": DEFAULTS, "handlers": HANDLERS}
    text = files[which]
    for position, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + (1 if insert == "" else 0) :]
    root = tmp_path_factory.mktemp("role")
    tree = role()
    tree[f"roles/docker/{which}/main.yml"] = text
    write_tree(root, tree)
    rel = f"roles/docker/{which}/main.yml"
    source = Source(root / rel, rel, rel, KIND.name, text.encode("utf-8"))
    KIND.extract(source)
    read(text, rel)


def test_alias_bomb_is_bounded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    bomb += "docker_daemon_options:\n  labels: *i\n"
    out = read(bomb, "group_vars/all.yml")
    assert out is not None


def test_nested_and_standalone_roles_are_one_host_each(tmp_path):
    """kubespray keeps roles in subfolders (roles/container-engine/docker/); a role repository has
    no roles/ folder at all (geerlingguy.docker): every file of either is one host."""
    from tests.helpers import scan, write_tree

    tasks = "- name: engine\n  apt:\n    name: docker-ce\n- name: start\n  systemd:\n    name: docker\n    state: started\n"
    handlers = "- name: restart docker\n  service:\n    name: docker\n    state: restarted\n"
    write_tree(tmp_path, {
        "kubespray/roles/container-engine/docker/tasks/main.yml": tasks,
        "kubespray/roles/container-engine/docker/handlers/main.yml": handlers,
        "role-repo/tasks/main.yml": tasks,
        "role-repo/handlers/main.yml": handlers,
        "role-repo/defaults/main.yml": "docker_edition: ce\n",
        "role-repo/meta/main.yml": "galaxy_info:\n  role_name: docker\n",
    })
    hosts = {h.name: h for h in scan(tmp_path).hosts}
    assert set(hosts) == {"kubespray/roles/container-engine/docker/", "role-repo/"}
    assert all(len(h.sources) == 2 for h in hosts.values())


def test_indent_filter(tmp_path):
    """The indent filter once raised (a local variable shadowed it)."""
    from tests.helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "docker_daemon_options:\n  live-restore: true\n  tls-verify: true\n",
        "roles/docker/tasks/main.yml": "- name: daemon.json\n  ansible.builtin.copy:\n"
        "    content: \"{{ docker_daemon_options | to_nice_json | indent(2) }}\"\n    dest: /etc/docker/daemon.json\n",
    })
    rules = {f.rule for f in scan(tmp_path).findings}
    assert "DKD901" not in rules and "DKD002" in rules


def test_a_masked_jinja_value_is_unknown_not_judged(tmp_path):
    """A value masked out of a template maps back to its {{ expression }}: nothing is judged on it."""
    from tests.helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/registry/templates/daemon.json.j2": '{\n"live-restore": true,\n"dns": ["{{ dns_server }}"]\n}\n',
        "roles/registry/tasks/main.yml": "- name: daemon.json\n  ansible.builtin.template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n",
    })
    rules = {f.rule for f in scan(tmp_path).findings}
    assert "DKD003" not in rules  # "xxxxxxxx" is not a bad IP address: it is unknown


# --- one machine, one host: plays, their roles, inventory, Molecule -----------------------------------


def test_a_play_and_the_roles_it_applies_are_one_host_with_its_groups_vars(tmp_path):
    """The play on docker_hosts applies the role: its copy writes group_vars/docker_hosts.yml's
    value, and the role is not judged again on its own; a role no play applies stays its own host."""
    site = (
        "- hosts: docker_hosts\n"
        "  roles:\n"
        "    - docker\n"
        "  tasks:\n"
        "    - ansible.builtin.import_role: {name: swarm}\n"
        "- hosts: docker_hosts\n"
        "  tasks:\n"
        "    - service: {name: docker, state: restarted}\n"
    )
    group = "docker_daemon_options:\n  live-restore: true\n  debugg: true\n"
    write_tree(tmp_path, {
        **role(defaults__main_yml="docker_daemon_options: {}\ndocker_edition: ce\ndocker_packages_state: present\ndocker_restart_handler_state: restarted\n"),
        "site.yml": site,
        "group_vars/docker_hosts.yml": group,
        "group_vars/other.yml": "docker_daemon_options:\n  other: true\n",
        "roles/swarm/tasks/main.yml": "- docker_swarm: {state: present}\n",
        "roles/unused/tasks/main.yml": "- apt: {name: docker-ce}\n",
    })
    result = scan(tmp_path)
    assert sorted(h.name for h in result.hosts) == ["hosts: docker_hosts", "roles/unused/"]
    machine = host(result, "hosts: docker_hosts")
    assert sorted(machine.sources) == ["roles/docker/handlers/main.yml", "roles/docker/tasks/main.yml", "roles/swarm/tasks/main.yml", "site.yml"]
    assert [a.action for a in machine.of(ServiceAction)] == ["restart", "restart"]
    assert [m.command for m in machine.of(SwarmMembership)] == ["init"]
    finding = one(result, "DKD002")
    assert finding.location.path == "group_vars/docker_hosts.yml" and where(finding) == at(group, "debugg")


def test_inventory_children_and_all_join_the_play_by_group(tmp_path):
    """INI [g:children]: a play on workers gets group_vars/swarm (its parent) and group_vars/all;
    a YAML inventory works the same; plays in another folder are another project."""
    site = "- hosts: workers\n  tasks:\n    - copy: {content: '{{ opts | to_json }}', dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {
        "ansible/site.yml": site,
        "ansible/inventory/hosts": "[workers]\nw1\n[swarm:children]\nworkers\n",
        "ansible/inventory/group_vars/swarm.yml": "opts: {live-restore: true, debugg: 1}\n",
        "ansible/group_vars/all.yml": "opts: {from-all: true}\n",
        "other/site.yml": site,
        "other/hosts.yml": "all:\n  children:\n    swarm:\n      children:\n        workers:\n          hosts: {w2: }\n",
        "other/group_vars/swarm/docker.yml": "opts: {live-restore: true, other: 1}\n",
    })
    result = scan(tmp_path, select=["DKD002"])
    assert sorted(h.name for h in result.hosts) == ["ansible/ › hosts: workers", "other/ › hosts: workers"]
    found = sorted((f.location.path, f.location.line, f.location.column) for f in result.findings)
    assert found == [("ansible/inventory/group_vars/swarm.yml", 1, 28), ("other/group_vars/swarm/docker.yml", 1, 28)]


def test_molecule_prepare_converge_and_the_role_are_one_test_machine(tmp_path):
    converge = (
        "- hosts: all\n"
        "  tasks:\n"
        "    - include_role:\n"
        "        name: \"{{ lookup('env', 'MOLECULE_PROJECT_DIRECTORY') | basename }}\"\n"
    )
    prepare = "- hosts: all\n  tasks:\n    - copy: {content: '{\"live-restore\": true}', dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {
        "tasks/main.yml": "- apt: {name: docker-ce}\n- service: {name: docker, state: restarted}\n",
        "meta/main.yml": "galaxy_info:\n  role_name: docker\n",
        "molecule/default/molecule.yml": "driver: {name: docker}\n",
        "molecule/default/converge.yml": converge,
        "molecule/default/prepare.yml": prepare,
    })
    result = scan(tmp_path)
    (machine,) = result.hosts
    assert machine.name == "molecule/default/ (molecule)"
    assert sorted(machine.sources) == ["molecule/default/prepare.yml", "tasks/main.yml"]
    assert machine.of(DaemonConfig) and machine.of(EnginePackage)
    assert not findings(result, "DKD101")  # prepare turned live-restore on for that machine


def test_what_is_no_docker_host(tmp_path):
    """A playbook that only tears down, a handlers file nothing loads, a role that only restarts
    docker when present: no evidence of the engine, no Docker host."""
    write_tree(tmp_path, {
        "teardown.yml": "- hosts: all\n  tasks:\n    - apt: {name: docker-ce, state: absent}\n    - file: {path: /etc/docker/daemon.json, state: absent}\n"
        "    - service: {name: docker, state: stopped}\n",
        "handlers/main.yml": "- name: restart docker\n  service: {name: docker, state: restarted}\n",
        "roles/app/tasks/main.yml": "- stat: {path: /usr/bin/docker}\n  register: d\n- service: {name: docker, state: restarted}\n  when: d.stat.exists\n",
    })
    assert scan(tmp_path).hosts == []


def test_unit_edits_dlint_cannot_apply_make_the_command_line_unknown(tmp_path):
    """lineinfile on ExecStart= by regexp, a template of docker.service with a templated ExecStart,
    a drop-in from a templated src: the command line is unknown (UnitUnknown), not the packaged one."""
    from dlint_docker.fragments import UnitUnknown

    tasks = {
        "a": "- apt: {name: docker-ce}\n- lineinfile:\n    path: /lib/systemd/system/docker.service\n    regexp: '^ExecStart=(.*)'\n    line: 'ExecStart=\\1 {{ opts }}'\n    backrefs: yes\n",
        "b": "- apt: {name: docker-ce}\n- template: {src: docker.service.j2, dest: /etc/systemd/system/docker.service}\n",
        "c": "- apt: {name: docker-ce}\n- template: {src: '{{ template_file }}', dest: /etc/systemd/system/docker.service.d/override.conf}\n",
    }
    tree = {f"roles/{k}/tasks/main.yml": v for k, v in tasks.items()}
    tree["roles/b/templates/docker.service.j2"] = "[Service]\nType=notify\nExecStart=/usr/bin/dockerd {{ docker_opts }}\n"
    write_tree(tmp_path, tree)
    result = scan(tmp_path)
    for name, needle in (("a", "lineinfile"), ("b", "docker.service.j2"), ("c", "'{{ template_file")):
        machine = host(result, f"roles/{name}/")
        assert machine.command.origin == "unknown", name
        (unknown,) = machine.of(UnitUnknown)
        assert (unknown.location.line, unknown.location.column) == at(tasks[name], needle), name
    assert not findings(result, "DKD201")


def test_lineinfile_of_a_whole_exec_start_line_is_read(tmp_path):
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- lineinfile:\n"
        "    path: /lib/systemd/system/docker.service\n"
        "    regexp: '^ExecStart='\n"
        "    line: 'ExecStart=/usr/bin/dockerd -H fd:// --live-restore --containerd=/run/containerd/containerd.sock'\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    machine = host(result, "roles/docker/")
    assert machine.command.origin == "systemd"
    flag = next(w for w in machine.command.words if w.text == "--live-restore")
    assert (flag.location.path, flag.location.line, flag.location.column) == ("roles/docker/tasks/main.yml", *at(tasks, "--live-restore"))
    assert not findings(result, "DKD101")


def test_a_hold_under_a_condition_false_by_default_is_no_hold(tmp_path):
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- dpkg_selections: {name: docker-ce, selection: hold}\n  when: docker_hold\n"
        "- command: apt-mark hold docker-ce\n  when: docker_hold | bool\n"
        "- community.general.yum_versionlock: {name: docker-ce, state: present}\n  when: [docker_hold]\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/defaults/main.yml": "docker_hold: false\n",
                          "roles/held/tasks/main.yml": tasks, "roles/held/defaults/main.yml": "docker_hold: true\n"})
    result = scan(tmp_path)
    assert [p.pin for p in host(result, "roles/docker/").of(EnginePackage)] == ["none"]
    assert sorted(p.pin for p in host(result, "roles/held/").of(EnginePackage)) == ["held", "held", "held", "none"]


@pytest.mark.parametrize("defaults, task, version", [
    ('docker_version: "24.0"\n', "- apt: {name: 'docker-ce={{ docker_version }}*'}\n", "24.0*"),
    ("", "- apt: {name: 'docker-ce=5:26.1.4-*'}\n", "5:26.1.4-*"),
    ('docker_version: "24.0.7"\ndocker_package: "docker-ce-{{ docker_version }}"\n', "- package: {name: '{{ docker_package }}'}\n", "24.0.7"),
    ('docker_version: "24.0"\n', "- debug: {msg: hi}\n", "24.0"),
])
def test_the_engine_version_a_role_pins_is_on_the_package(tmp_path, defaults, task, version):
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": task, "roles/docker/defaults/main.yml": defaults or "x: 1\n"})
    packages = host(scan(tmp_path), "roles/docker/").of(EnginePackage)
    assert [p.version for p in packages] == [version]


def test_flatcar_in_the_inventory_runs_the_os_docker_unit(tmp_path):
    site = "- hosts: flatcar\n  tasks:\n    - copy: {content: '{\"live-restore\": true}', dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {"site.yml": site, "inventory/hosts": "[flatcar]\nnode1\n"})
    machine = host(scan(tmp_path), "hosts: flatcar")
    assert machine.command is not None and machine.command.origin == "systemd"
    (unit,) = machine.of(UnitFile)
    assert unit.source.display == "site.yml" and unit.document.path == "<Container Linux docker.service>"


def test_a_second_scan_in_one_process_sees_the_plays_as_they_are_now(tmp_path):
    # the map of plays is built per scan: a play added after the first scan applies the role
    role = "- apt: {name: docker-ce}\n- copy: {content: '{\"log-driver\": \"local\"}', dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": role})
    assert [h.name for h in scan(tmp_path).hosts] == ["roles/docker/"]
    write_tree(tmp_path, {"site.yml": "- hosts: engines\n  roles: [docker]\n"})
    assert [h.name for h in scan(tmp_path).hosts] == ["hosts: engines"]


def test_playbook_dir_in_a_copy_src_is_the_folder_of_the_playbook_that_includes_the_task_file(tmp_path):
    # the old bare `include:` is followed like include_tasks; `{{ playbook_dir }}` is the folder of
    # the playbook being run, so the copy installs docker/daemon.json; a daemon.json copied to /tmp
    # (a jq input) is used there, not a machine of its own
    write_tree(tmp_path, {
        "site.yml": "- hosts: all\n  tasks:\n    - include: docker/install.yml\n",
        "docker/install.yml": (
            "- apt: {name: docker-ce}\n"
            "- copy:\n    src: \"{{ playbook_dir }}/docker/daemon.json\"\n    dest: /etc/docker/daemon.json\n"
            "- copy: {src: \"{{ playbook_dir }}/docker/extra.json\", dest: /tmp/extra.json}\n"
        ),
        "docker/daemon.json": '{"debug": true}\n',
        "docker/extra.json": '{"data-root": "/data"}\n',
    })
    result = run(Options(paths=[tmp_path], cwd=tmp_path))
    assert [h.name for h in result.hosts] == ["hosts: all"]
    (finding,) = [f for f in result.findings if f.rule == "DKD101"]
    assert (finding.location.path, finding.host) == ("docker/daemon.json", "hosts: all")
    assert [str(step) for step in finding.location.trace][-1] == "docker/install.yml:3 › copy docker/daemon.json → /etc/docker/daemon.json"
    assert not [f for f in result.findings if f.rule == "DKD902"]
    # run from another folder, playbook_dir is still that playbook's folder
    assert [f.location.path for f in run(Options(paths=[tmp_path / "site.yml"], cwd=tmp_path)).findings if f.rule == "DKD101"] == ["docker/daemon.json"]


def test_a_task_or_block_under_a_when_false_with_the_role_defaults_is_not_read(tmp_path):
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- when: engine_cfg_file is defined\n  copy: {src: \"{{ engine_cfg_file }}\", dest: /etc/docker/daemon.json}\n"
        "- when: engine_cfg_file is not defined\n  copy: {content: \"{{ engine_cfg | to_nice_json }}\", dest: /etc/docker/daemon.json}\n"
        "- block:\n    - copy: {content: '{{ plugin_cfg }}', dest: /etc/docker/daemon.json}\n  when: plugins_enabled | bool\n"
    )
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks,
                          "roles/docker/defaults/main.yml": "engine_cfg: {}\nplugins_enabled: false\n"})
    result = scan(tmp_path)
    # the default path writes {}: live-restore is not set, and nothing is unknown
    assert [(f.rule, f.location.path) for f in result.findings] == [("DKD101", "roles/docker/tasks/main.yml")]
    assert not result.unknowns
    # a condition dlint cannot decide (a fact) leaves the task read: the file is then unknown
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks.replace("engine_cfg_file is defined", "ansible_os_family == 'Debian'")})
    assert [u.host for u in scan(tmp_path).unknowns] == ["roles/docker/"]


def test_a_role_included_task_file_under_a_false_when_never_runs_and_a_templated_unit_is_said_unknown(tmp_path):
    write_tree(tmp_path, {
        "roles/r/defaults/main.yml": "docker_plugins: []\nunit_extra: []\n",
        "roles/r/tasks/main.yml": "- apt: {name: docker-ce}\n- include_tasks: conf.yml\n",
        "roles/r/tasks/conf.yml": "- when: docker_plugins | length > 0\n  include_tasks: sub/plugins.yml\n",
        "roles/r/tasks/sub/plugins.yml": "- copy: {content: \"{{ x | to_nice_json }}\", dest: /etc/docker/daemon.json}\n",
    })
    result = scan(tmp_path)
    # plugins.yml runs only when the list is not empty; with the role's values, no daemon.json is written
    assert [(f.rule, f.location.path) for f in result.findings] == [("DKD101", "roles/r/tasks/main.yml")]
    assert not result.unknowns and not [f for f in result.findings if f.rule == "DKD902"]
    write_tree(tmp_path, {"roles/r/defaults/main.yml": "docker_plugins: [authz]\n"})
    assert [f.rule for f in scan(tmp_path).findings] == ["DKD902"]
    # a drop-in written from a template whose loop may add flags: live-restore is not asked, and said
    write_tree(tmp_path, {
        "roles/r/defaults/main.yml": "docker_plugins: []\n",
        "roles/r/tasks/main.yml": "- apt: {name: docker-ce}\n- template: {src: d.conf.j2, dest: /etc/systemd/system/docker.service.d/d.conf}\n",
        "roles/r/templates/d.conf.j2": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd $DOCKER_OPTS\n{% for o in unit_extra %}\n{{ o }}\n{% endfor %}\n",
    })
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    (unknown,) = result.unknowns
    assert unknown.why == "dockerd's command line is assembled from a template (roles/r/templates/d.conf.j2)"


def test_a_playbook_that_only_imports_task_files_makes_them_one_machine_with_its_vars(tmp_path):
    write_tree(tmp_path, {
        "site.yml": "- hosts: nodes\n  vars: {engine_pin: \"5:20.10.24~3-0~ubuntu-focal\"}\n  tasks:\n    - import_tasks: tasks/engine.yml\n",
        "tasks/engine.yml": "- apt: {name: \"docker-ce={{ engine_pin }}\"}\n",
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "hosts: nodes"
    assert [(p.name, p.pin) for p in host.of(EnginePackage)] == [("docker-ce", "patch")]
    assert {f.engine for f in result.findings} == {"20.10"}
    # read alone, the task file leaves the pin undefined: still the engine, its pin unknown
    (package,) = [p for h in scan(tmp_path / "tasks/engine.yml").hosts for p in h.of(EnginePackage)]
    assert (package.name, package.version, package.pin) == ("docker-ce", "{{ engine_pin }}", "unknown")


def test_facts_a_play_sets_hold_for_the_tasks_after_them(tmp_path):
    site = (
        "- hosts: nodes\n  tasks:\n    - apt: {name: docker-ce}\n"
        "    - set_fact: cfg_path=/etc/docker/daemon.json\n"
        "    - set_fact: {cfg_text: '{\"hosts\": [\"tcp://0.0.0.0:2375\"]}'}\n"
        "    - copy: {content: \"{{ cfg_text }}\", dest: \"{{ cfg_path }}\"}\n"
    )
    write_tree(tmp_path, {"site.yml": site})
    findings = scan(tmp_path).findings
    (tcp,) = [f for f in findings if f.rule == "DKD401"]
    assert (tcp.location.path, tcp.location.line, tcp.location.column) == ("site.yml", 5, 40)  # in the set_fact value
    # a registered result or a name include_vars may set is defined (its value unknown): a task
    # under `when: x is defined` is read, not skipped
    guarded = (
        "- hosts: nodes\n  tasks:\n    - apt: {name: docker-ce}\n"
        "    - {command: cat /etc/os-release, register: os}\n"
        "    - include_vars: {file: '{{ os.stdout }}.yml'}\n"
        "    - copy: {content: '{\"live-restore\": true}', dest: /etc/docker/daemon.json}\n      when: os is defined and extra is defined\n"
    )
    write_tree(tmp_path, {"site.yml": guarded})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]  # the guarded copy may run: live-restore may be on


def test_a_name_another_role_sets_at_run_time_is_not_undefined_and_a_wholly_templated_file_is_said_so(tmp_path):
    write_tree(tmp_path, {
        "site.yml": "- hosts: all\n  roles: [storage, engine]\n",
        "roles/storage/tasks/main.yml": "- set_fact:\n    engine_opts: {storage-driver: overlay2}\n",
        "roles/engine/tasks/main.yml": (
            "- apt: {name: docker-ce}\n"
            "- copy: {content: \"{{ engine_opts | to_nice_json }}\", dest: /etc/docker/daemon.json}\n  when: engine_opts is defined\n"
        ),
    })
    result = scan(tmp_path)
    # engine_opts is set by the storage role: the guarded copy may run, with content dlint cannot know
    (finding,) = [f for f in result.findings if f.rule == "DKD902"]
    assert finding.message.startswith("this daemon.json is the value of a template expression")
    assert [u.why for u in result.unknowns] == ["/etc/docker/daemon.json is the value of a template expression dlint does not render"]


def test_facts_an_included_task_file_sets_hold_after_the_include(tmp_path):
    write_tree(tmp_path, {
        "site.yml": "- hosts: ci\n  tasks:\n    - include: lib/install.yml\n",
        "lib/install.yml": "- include: vars/common.yml\n- apt: {name: \"docker-ce={{ engine_version }}\"}\n- copy: {src: daemon.json, dest: /etc/docker/daemon.json}\n",
        "vars/common.yml": "- set_fact: engine_version=18.09.1~3-0~ubuntu-bionic\n- set_fact: other={{ ansible_hostname }}\n  when: x is defined\n",
        "files/daemon.json": '{"graph": "/srv/docker"}\n',
    })
    result = scan(tmp_path)
    # judged for 18.09, where graph is deprecated (DKD008), not for the newest release (DKD007)
    assert sorted(f.rule for f in result.findings if f.rule.startswith("DKD00")) == ["DKD008"]
    assert {f.engine for f in result.findings} == {"18.09"}


def test_a_key_dockerd_does_not_know_is_refused_whatever_its_templated_value(tmp_path):
    write_tree(tmp_path, {
        "roles/r/tasks/main.yml": "- apt: {name: docker-ce}\n- template: {src: daemon.json.j2, dest: /etc/docker/daemon.json}\n",
        "roles/r/templates/daemon.json.j2": '{\n  "insecure_registries": ["{{ registry }}"],\n  "registry-mirrors": ["{{ mirror }}"]\n}\n',
    })
    result = scan(tmp_path)
    # the value is a template's, but no value makes "insecure_registries" an option; the known
    # key with a templated value is still withheld (said in the unknown line)
    assert [(f.rule, f.location.line) for f in result.findings if f.rule.startswith("DKD00")] == [("DKD002", 2)]
    (unknown,) = result.unknowns
    assert "registry-mirrors" in unknown.why


def test_copy_content_in_key_value_form_is_read_and_a_templated_package_suffix_is_the_engine(tmp_path):
    write_tree(tmp_path, {
        "site.yml": (
            "- hosts: nodes\n  tasks:\n"
            "    - apt:\n        name: [\"docker-ce{{ _ver | default('') }}\"]\n"
            "    - set_fact: {_ver: '=5:26.1.4-1'}\n"
            "    - copy: content='{\"live-restore\":true}' dest=/etc/docker/daemon.json\n"
        ),
    })
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]  # the key=value content is read: it sets live-restore
    assert [f.rule for f in result.findings] == []
    (host,) = result.hosts
    assert host.daemon_configs
    assert [(p.name, p.pin) for p in host.of(EnginePackage)] == [("docker-ce", "unknown")]  # _ver is set at run time


def test_role_params_and_entry_vars_are_the_roles_values_on_that_machine(tmp_path):
    """``- role: docker`` + a key is a role parameter: it beats the role's vars/main.yml and
    defaults; the entry's ``vars:`` beats defaults and play vars, not vars/main.yml; an
    include_role task's ``vars:`` works the same. Each play is its own machine with its own values."""
    site = (
        "- hosts: params\n"
        "  vars: {docker_daemon_options: {from-play: 1}}\n"
        "  roles:\n"
        "    - role: docker\n"
        "      docker_daemon_options: {live-restore: true, from-param: 1}\n"
        "- hosts: entryvars\n"
        "  roles:\n"
        "    - role: docker\n"
        "      vars:\n"
        "        docker_daemon_options: {live-restore: true, from-entry-vars: 1}\n"
        "- hosts: included\n"
        "  tasks:\n"
        "    - include_role: {name: docker}\n"
        "      vars:\n"
        "        docker_daemon_options: {from-include: 1}\n"
    )
    write_tree(tmp_path, {**role(), "site.yml": site})
    result = scan(tmp_path, select=["DKD002"])
    names = ("from-play", "from-param", "from-entry-vars", "from-include", "storage-drivr")
    unknown = sorted((f.location.path, n) for f in result.findings for n in names if n in f.message)
    assert unknown == [("site.yml", "from-entry-vars"), ("site.yml", "from-include"), ("site.yml", "from-param")], unknown
    finding = [f for f in result.findings if "from-param" in f.message][0]
    assert where(finding) == at(site, "from-param")


def test_role_vars_main_beats_the_entry_vars_but_not_the_params(tmp_path):
    site = (
        "- hosts: a\n  roles:\n    - role: docker\n      vars: {docker_daemon_options: {from-entry: 1}}\n"
        "- hosts: b\n  roles:\n    - {role: docker, docker_daemon_options: {from-param: 1}}\n"
    )
    write_tree(tmp_path, {**role(vars__main_yml="docker_daemon_options: {from-role-vars: 1}\n"), "site.yml": site})
    result = scan(tmp_path, select=["DKD002"])
    names = ("from-entry", "from-param", "from-role-vars")
    unknown = sorted(n for f in result.findings for n in names if n in f.message)
    assert unknown == ["from-param", "from-role-vars"], unknown


def test_a_playbook_whose_top_level_list_is_indented_is_a_playbook(tmp_path):
    site = (
        "---\n"
        "  - hosts: docker\n"
        "    roles:\n"
        "      - role: docker\n"
        "        docker_daemon_options: {debugg: true}\n"
    )
    write_tree(tmp_path, {**role(), "site.yml": site})
    result = scan(tmp_path, select=["DKD002"])
    assert [h.name for h in result.hosts] == ["hosts: docker"]
    assert where(one(result, "DKD002")) == at(site, "debugg")


INCLUDE_VARS_TASKS = """\
- include_vars: "{{ ansible_os_family }}.yml"
- copy: {content: "{{ docker_daemon_options | to_json }}", dest: /etc/docker/daemon.json}
- apt: {name: "{{ docker_package }}"}
"""


def test_include_vars_of_a_templated_name_reads_every_file_it_may_name(tmp_path):
    """Both OS files set the options alike: that value beats the defaults (include_vars is level
    18); the package differs between them: unknown, so no finding leans on the default."""
    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "docker_daemon_options: {live-restore: true}\ndocker_package: docker-ce\n",
        "roles/docker/tasks/main.yml": INCLUDE_VARS_TASKS,
        "roles/docker/vars/Debian.yml": "docker_daemon_options: {live-restore: true, debugg: true}\ndocker_package: docker-ce=5:26.1.4-1~debian\n",
        "roles/docker/vars/RedHat.yml": "docker_daemon_options: {live-restore: true, debugg: true}\ndocker_package: docker-ce-26.1.4\n",
    })
    result = scan(tmp_path)
    finding = one(result, "DKD002")
    assert finding.location.path in ("roles/docker/vars/Debian.yml", "roles/docker/vars/RedHat.yml")
    assert not findings(result, "DKD101")
    (machine,) = result.hosts
    assert [p.name for p in machine.of(EnginePackage)] != ["docker-ce"], "the package differs between the files"


def test_include_vars_whose_files_differ_makes_their_names_unknown(tmp_path):
    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "docker_daemon_options: {debugg: true}\ndocker_package: docker-ce\n",
        "roles/docker/tasks/main.yml": INCLUDE_VARS_TASKS,
        "roles/docker/vars/Debian.yml": "docker_daemon_options: {live-restore: true}\n",
        "roles/docker/vars/RedHat.yml": "docker_daemon_options: {live-restore: false}\n",
    })
    result = scan(tmp_path)
    assert not findings(result, "DKD002") and not findings(result, "DKD101"), "replaced by a value dlint cannot tell"
    (tmp_path / "roles/docker/vars/RedHat.yml").write_text("docker_daemon_options: {live-restore: true}\n")
    assert not findings(scan(tmp_path), "DKD101") and not findings(scan(tmp_path), "DKD002")


def test_a_molecule_2_scenario_playbook_with_role_params_is_the_test_machine(tmp_path):
    """Molecule 2 named the converge playbook playbook.yml; the role entry's parameters decide
    the role's when: (its TCP drop-in is written only when remote_api is true)."""
    playbook = "- hosts: all\n  roles:\n    - role: docker\n      remote_api: true\n"
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- template: {src: tcp.conf.j2, dest: /etc/systemd/system/docker.service.d/tcp.conf}\n"
        "  when: remote_api\n"
    )
    dropin = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375 -H fd://\n"
    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "remote_api: false\n",
        "roles/docker/tasks/main.yml": tasks,
        "roles/docker/templates/tcp.conf.j2": dropin,
        "roles/docker/molecule/default/molecule.yml": "driver: {name: docker}\n",
        "roles/docker/molecule/default/playbook.yml": playbook,
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["roles/docker/molecule/default/ (molecule)"]
    finding = one(result, "DKD401")
    assert finding.location.path == "roles/docker/templates/tcp.conf.j2" and where(finding) == at(dropin, "-H tcp:")


def test_roles_path_of_an_ansible_cfg_above_the_playbooks_folder(tmp_path):
    """Ansible runs from the folder of ansible.cfg: its roles_path (relative to the file) finds a
    role by name, and a role given as a path is found from there; each play's vars decide."""
    write_tree(tmp_path, {
        "ansible.cfg": "[defaults]\nroles_path = ./roles\n",
        "roles/docker/tasks/main.yml": "- apt: {name: docker-ce}\n- copy: {content: '{{ opts | to_json }}', dest: /etc/docker/daemon.json}\n",
        "roles/docker/defaults/main.yml": "opts: {}\n",
        "playbooks/group_vars/all.yml": "x: 1\n",
        "playbooks/a.yml": "- hosts: a\n  vars: {opts: {debug-a: 1}}\n  roles: [docker]\n",
        "playbooks/b.yml": "- hosts: b\n  vars: {opts: {debug-b: 1}}\n  roles: [{role: roles/docker}]\n",
    })
    result = scan(tmp_path, select=["DKD002"])
    assert sorted(h.name for h in result.hosts) == ["playbooks/ › hosts: a", "playbooks/ › hosts: b"]
    assert sorted(n for f in result.findings for n in ("debug-a", "debug-b") if n in f.message) == ["debug-a", "debug-b"]


def test_a_molecule_scenario_names_its_role_after_a_checkout_folder_dlint_does_not_see(tmp_path):
    """The role under test is named after the folder Molecule finds it in (here not the scanned
    folder's name): the one role name a scenario applies that is found nowhere is that role. The
    same finding on both scenarios is one line of the text report, naming both machines."""
    playbook = "- hosts: all\n  roles:\n    - role: ansible-docker\n      remote_api: true\n"
    tasks = "- apt: {name: docker-ce}\n- template: {src: tcp.conf.j2, dest: /etc/systemd/system/docker.service.d/tcp.conf}\n  when: remote_api\n"
    write_tree(tmp_path, {
        "defaults/main.yml": "remote_api: false\n",
        "tasks/main.yml": tasks,
        "templates/tcp.conf.j2": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375 -H fd://\n",
        "molecule/default/playbook.yml": playbook,
        "molecule/centos/playbook.yml": playbook,
    })
    result = scan(tmp_path)
    assert sorted(h.name for h in result.hosts) == ["molecule/centos/ (molecule)", "molecule/default/ (molecule)"]
    assert [f.host for f in findings(result, "DKD401")] == ["molecule/centos/ (molecule)", "molecule/default/ (molecule)"]
    from .helpers import cli

    text = cli("scan", ".", cwd=tmp_path).stdout
    assert text.count("DKD401") == 1 and "hosts molecule/centos/ (molecule); molecule/default/ (molecule)" in text


def test_include_vars_files_written_differently_that_render_alike_keep_the_value(tmp_path):
    """Debian's and RedHat's files join the version with '=' and '-', and the version is latest,
    which adds neither: both give docker-ce, unpinned (DKD104 with live-restore on)."""
    pin = "docker_package_string: \"docker-ce{{ (docker_version == 'latest') | ternary('', '%s' ~ docker_version) }}\"\n"
    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "docker_version: latest\ndocker_daemon_options: {live-restore: true}\n",
        "roles/docker/tasks/main.yml": INCLUDE_VARS_TASKS.replace("docker_package }}", "docker_package_string }}"),
        "roles/docker/vars/Debian.yml": pin % "=",
        "roles/docker/vars/RedHat.yml": pin % "-",
    })
    result = scan(tmp_path)
    (machine,) = result.hosts
    # (docker_version in defaults is also read as a popular role's variable: "docker-ce latest")
    installed = [(p.name, p.version, p.pin, p.location.path) for p in machine.of(EnginePackage)]
    assert ("docker-ce", None, "none", "roles/docker/vars/Debian.yml") in installed, installed
    assert findings(result, "DKD104")


def test_a_swarm_join_behind_a_name_the_repository_never_sets_may_run(tmp_path):
    """`when: swarm_manager is defined` with swarm_manager set nowhere in the repository (given
    with -e): the join may run, so live-restore is not asked of the machine; a condition the
    repository's own values make false still skips it."""
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- docker_swarm: {state: join, remote_addrs: ['{{ swarm_manager }}'], join_token: '{{ token }}'}\n"
        "  when: swarm_manager is defined\n"
    )
    write_tree(tmp_path, {"site.yml": "- hosts: nodes\n  roles: [docker]\n", "roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    assert not findings(result, "DKD101")
    (machine,) = result.hosts
    assert [m.command for m in machine.of(SwarmMembership)] == ["join"]
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks.replace("swarm_manager is defined", "join_swarm | bool"),
                          "roles/docker/defaults/main.yml": "join_swarm: false\n"})
    assert findings(scan(tmp_path), "DKD101")


def test_a_drop_in_template_whose_jinja_is_only_in_ordering_and_pre_commands_keeps_the_command_known(tmp_path):
    """After={{ x }} and ExecStartPre=/bin/sleep {{ n }} do not shape dockerd's command line: the
    packaged ExecStart stands and is judged (no "unknown" line); a templated Environment= does."""
    from dlint_docker.facts import templated_command

    dropin = "[Unit]\nAfter={{ after }}\n\n[Service]\nExecStartPre=/bin/sleep {{ pause }}\n"
    tasks = "- apt: {name: docker-ce}\n- template: {src: o.conf.j2, dest: /etc/systemd/system/docker.service.d/o.conf}\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks, "roles/docker/templates/o.conf.j2": dropin})
    result = scan(tmp_path)
    (machine,) = result.hosts
    assert templated_command(machine) is None and not result.unknowns and findings(result, "DKD101")
    write_tree(tmp_path, {"roles/docker/templates/o.conf.j2": dropin + 'Environment="DOCKER_OPTS={{ opts }}"\n'})
    (machine,) = scan(tmp_path).hosts
    assert templated_command(machine) is not None


def test_state_latest_of_the_engine_is_said_as_an_upgrade_on_every_run(tmp_path):
    tasks = "- apt: {name: docker-ce, state: latest}\n- copy: {content: '{\"live-restore\": true}', dest: /etc/docker/daemon.json}\n"
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    assert "docker-ce is upgraded to the newest release on every run (apt)" in one(scan(tmp_path), "DKD104").message


def test_a_set_fact_dict_combined_and_dumped_keeps_its_known_keys(tmp_path):
    """A daemon.json built with set_fact (a value that falls back to omit), combined with an empty
    dict from defaults and dumped with to_json: its keys are known, none is live-restore (DKD101);
    the value a template decides is withheld, not judged."""
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- set_fact:\n    docker_config:\n      log-driver: local\n"
        "      data-root: \"{{ data_root if data_root is defined else omit }}\"\n"
        "- set_fact:\n    merged: \"{{ docker_config | combine(docker_config_custom, recursive=True) }}\"\n"
        "- copy: {content: \"{{ merged | to_json }}\", dest: /etc/docker/daemon.json}\n"
    )
    write_tree(tmp_path, {"roles/d/tasks/main.yml": tasks, "roles/d/defaults/main.yml": "docker_config_custom: {}\n"})
    result = scan(tmp_path)
    assert sorted(f.rule for f in result.findings) == ["DKD101"]
    write_tree(tmp_path, {"roles/d/defaults/main.yml": "docker_config_custom: {live-restore: true}\n"})
    assert not findings(scan(tmp_path), "DKD101")


def test_a_dict_chosen_by_an_undecided_condition_keeps_the_keys_both_branches_agree_on(tmp_path):
    """(nvidia if use_nvidia else {}) | combine(config): use_nvidia is unknown, so the keys only the
    nvidia branch has are unknown (their checks withheld), the rest known: no branch sets
    live-restore (DKD101)."""
    tasks = (
        "- apt: {name: docker-ce}\n"
        "- set_fact:\n    merged: \"{{ (nvidia if use_nvidia else {}) | combine(config) | to_json(indent=2, sort_keys=True) }}\"\n"
        "- copy: {content: \"{{ merged }}\\n\", dest: /etc/docker/daemon.json}\n"
    )
    defaults = "config: {log-driver: local}\nnvidia: {default-runtime: nvidia, runtimes: {nvidia: {path: /usr/bin/nvidia-container-runtime}}}\n"
    write_tree(tmp_path, {"roles/d/tasks/main.yml": tasks, "roles/d/defaults/main.yml": defaults})
    result = scan(tmp_path)
    assert sorted(f.rule for f in result.findings) == ["DKD101"]
    (unknown,) = result.unknowns
    assert "default-runtime" in unknown.why and "runtimes" in unknown.why


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("- { role: gpu, when: use_gpu }", ["DKD101"]),  # the role's when: keeps its defaults in the play
        ("- gpu", ["DKD101"]),
        ("[]", ["DKD902"]),  # gpu_daemon_config is set nowhere in this play: unknown
    ],
)
def test_every_role_of_a_play_exports_its_defaults_to_the_play(tmp_path, entry, expected):
    """ansible-core gives every task of a play the defaults of all the play's roles (below its own
    role's): the docker role's daemon.json, combined from another role's default dict under a
    condition that role's defaults decide (false), is known, and has no live-restore."""
    from .helpers import scan, write_tree

    roles = f"\n    {entry}" if entry != "[]" else ""
    write_tree(tmp_path, {
        "site.yml": f"- hosts: media\n  roles:{roles}\n    - docker\n",
        "group_vars/all.yml": 'use_gpu: "{{ gpu_enabled | bool }}"\n',
        "roles/gpu/defaults/main.yml": "gpu_enabled: false\ngpu_daemon_config:\n  default-runtime: nvidia\n",
        "roles/gpu/tasks/main.yml": "- debug: msg=gpu\n",
        "roles/docker/defaults/main.yml": "docker_daemon_custom: {}\n",
        "roles/docker/tasks/main.yml": (
            "- apt:\n    name: docker-ce\n"
            "- set_fact:\n    docker_daemon:\n      log-driver: json-file\n      userland-proxy: false\n"
            "- set_fact:\n    daemon_text: \"{{ (gpu_daemon_config if use_gpu else {}) | combine(docker_daemon)"
            " | combine(docker_daemon_custom) | to_json }}\"\n"
            "- copy:\n    content: \"{{ daemon_text }}\"\n    dest: /etc/docker/daemon.json\n"
        ),
    })
    result = scan(tmp_path)
    assert sorted({f.rule for f in result.findings if f.rule in ("DKD101", "DKD902")}) == expected


@pytest.mark.parametrize(
    "inventory, expected",
    [
        # the swarm plays' machines are in the docker play's group: swarm nodes, DKD101 not judged
        ("[nodes]\nm1\nw1\n[managers]\nm1\n[workers]\nw1\n", []),
        ("[nodes:children]\nmanagers\nworkers\n[managers]\nm1\n[workers]\nw1\n", []),
        # the inventory puts them on other machines: the docker play's are no swarm nodes
        ("[nodes]\nn1\n[managers]\nm1\n[workers]\nw1\n", ["DKD101"]),
        (None, []),  # no inventory: whether they share machines is unknown
    ],
)
def test_a_swarm_play_on_machines_the_inventory_also_puts_in_the_docker_play(tmp_path, inventory, expected):
    from .helpers import scan, write_tree

    files = {
        "site.yml": (
            "- hosts: nodes\n  roles:\n    - engine\n"
            "- hosts: managers\n  roles:\n    - swarm-init\n"
            "- hosts: workers\n  roles:\n    - swarm-join\n"
        ),
        "roles/engine/tasks/main.yml": "- apt:\n    name: docker-ce\n",
        "roles/swarm-init/tasks/main.yml": "- docker_swarm:\n    state: present\n",
        "roles/swarm-join/tasks/main.yml": "- docker_swarm:\n    state: join\n    join_token: x\n    remote_addrs: [m1]\n",
    }
    if inventory is not None:
        files["inventory.ini"] = inventory
        files["ansible.cfg"] = "[defaults]\ninventory = inventory.ini\n"
    write_tree(tmp_path, files)
    result = scan(tmp_path)
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == expected
    hedged = [u for u in result.unknowns if u.host.endswith("hosts: nodes")]
    if inventory is None:  # whether they share machines is unknown: said
        (unknown,) = hedged
        assert "runs `docker swarm" in unknown.why and "DKD101" in unknown.skipped
    elif not expected:  # the swarm plays' hosts are all of the docker play's: swarm nodes, known
        assert hedged == []


@pytest.mark.parametrize(
    "task",
    [
        "- apt: name={{ docker_package }} state=present\n",
        "- apt: name={{ item }} state=present\n  with_items:\n    - apt-transport-https\n    - \"{{ docker_package }}\"\n",
        "- yum: name=\"{{ docker_package }}\" state=present\n",
    ],
)
def test_a_free_form_module_string_splits_like_ansible_around_spaced_jinja(tmp_path, task):
    """``apt: name={{ pkg }}``: Ansible's split_args keeps ``{{ pkg }}`` one value (spaces inside
    Jinja do not split it), so the engine install is read and the machine is a Docker host."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "docker_package: docker-ce\n",
        "roles/docker/tasks/main.yml": task,
    })
    result = scan(tmp_path)
    assert [h.evidence for h in result.hosts] and [f.rule for f in result.findings if f.rule == "DKD101"] == ["DKD101"]


def test_a_loop_item_that_is_a_block_scalar_expression_is_the_list_it_renders(tmp_path):
    """`loop: [ |\\n {{ pkgs }}\\n ]`: the block scalar keeps its last newline, and Ansible still turns
    the rendered list back into a list (its templar safe_evals a result that starts with [): the
    engine package the role's defaults list is installed."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/docker/defaults/main.yml": "docker_packages:\n  - docker-ce\n",
        "roles/docker/tasks/main.yml": (
            "- apt:\n    name: \"{{ item }}\"\n  loop:\n    - |\n      {{\n        docker_packages | default([], True)\n      }}\n"
        ),
    })
    result = scan(tmp_path)
    assert [f.rule for f in result.findings if f.rule == "DKD101"] == ["DKD101"]


def test_a_member_of_a_name_nothing_sets_is_undefined_so_default_applies(tmp_path):
    """`{{ docker.daemon | default(docker_daemon_default) | to_nice_json }}` with `docker` set
    nowhere: Ansible's undefined chains through `.daemon`, default() gives the role's dict, and that
    daemon.json is known (no live-restore), not unanalysable."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/docker/vars/main.yml": "docker_daemon_default:\n  log-driver: local\n  userland-proxy: false\n",
        "roles/docker/tasks/main.yml": (
            "- apt:\n    name: docker-ce\n"
            "- copy:\n    content: \"{{ docker.daemon | default(docker_daemon_default) | to_nice_json }}\"\n"
            "    dest: /etc/docker/daemon.json\n"
        ),
    })
    result = scan(tmp_path)
    assert sorted(f.rule for f in result.findings if f.rule in ("DKD101", "DKD902")) == ["DKD101"]


@pytest.mark.parametrize("src, dest", [("docker", "/etc"), ("docker/", "/etc/docker"), ("docker", "/etc/")])
def test_a_copy_of_a_files_folder_lands_each_file_under_dest(tmp_path, src, dest):
    """copy: src: docker dest: /etc, with files/docker/daemon.json: Ansible copies the folder whole
    (its contents only with a trailing /), so that daemon.json is /etc/docker/daemon.json on the
    machine, no candidate of its own."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "roles/docker/files/docker/daemon.json": '{"log-opts": {"max-size": "10m"}, "live-restore": true}\n',
        "roles/docker/tasks/main.yml": f"- apt:\n    name: docker-ce\n- copy:\n    src: {src}\n    dest: {dest}\n",
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "roles/docker/" and host.daemon_configs
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_a_note_of_a_role_file_read_for_two_plays_is_said_once(tmp_path):
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "site.yml": "- hosts: a\n  roles: [docker]\n- hosts: b\n  roles: [docker]\n",
        "roles/docker/tasks/main.yml": "- apt:\n    name: docker-ce\n- include_tasks: extra.yml\n  when: docker_extra is defined\n",
        "roles/docker/tasks/extra.yml": "- debug: msg=x\n",
    })
    notes = scan(tmp_path).notes
    assert len(notes) == len(set(notes)) and any("false" in n for n in notes)


def test_copy_content_in_key_value_form_is_read_with_its_escapes_decoded(tmp_path):
    """`set_fact: opts="{\\"log-driver\\": \\"json-file\\"}"` then `copy: content="{{ opts }}" dest=...`:
    Ansible's parse_kv decodes the escapes, so the daemon.json is JSON (no live-restore), read and
    judged, its keys pointing into the set_fact line."""
    from .helpers import scan, write_tree

    tasks = r"""- apt: name=docker-ce state=present
- set_fact: 'opts="{\"log-driver\": \"json-file\"}"'
- copy: content="{{ opts }}" dest=/etc/docker/daemon.json
"""
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": tasks})
    result = scan(tmp_path)
    (host,) = result.hosts
    (config,) = host.daemon_configs
    assert config.document.text.strip() == '{"log-driver": "json-file"}'
    assert [f.rule for f in result.findings if f.rule in ("DKD101", "DKD902", "DKD001")] == ["DKD101"]


def test_a_molecule_scenario_s_platforms_decide_the_os_family_branches(tmp_path):
    """``include_vars: "{{ ansible_os_family }}.yml"`` and ``when: ansible_os_family == ...``
    follow the OS of the scenario's platforms (a box or image name): the apt install is judged on
    the Ubuntu machine only, the yum install on the CentOS one; a platform named from the
    environment (``${MOLECULE_DISTRO:-...}``) may be either, so both are read there."""
    playbook = "- hosts: all\n  roles:\n    - role: docker\n      docker_config: {live-restore: true}\n"
    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": (
            "- include_vars: \"{{ ansible_os_family }}.yml\"\n"
            "- include_tasks: redhat.yml\n  when: ansible_facts['os_family'] == 'RedHat'\n"
            "- include_tasks: debian.yml\n  when: ansible_os_family == 'Debian'\n"
            "- copy: {content: \"{{ docker_config | to_nice_json }}\", dest: /etc/docker/daemon.json}\n"
        ),
        "roles/docker/tasks/redhat.yml": "- yum: {name: \"{{ engine_package }}\", state: present}\n",
        "roles/docker/tasks/debian.yml": "- apt: {name: \"{{ engine_package }}\", state: present}\n",
        "roles/docker/vars/Debian.yml": "engine_package: docker-ce\n",
        "roles/docker/vars/RedHat.yml": "engine_package: docker-ce\n",
        "roles/docker/molecule/ubuntu/molecule.yml": "driver: {name: vagrant}\nplatforms:\n  - name: u\n    box: ubuntu/jammy64\n",
        "roles/docker/molecule/ubuntu/playbook.yml": playbook,
        "roles/docker/molecule/centos/molecule.yml": "driver: {name: docker}\nplatforms:\n  - name: c\n    image: quay.io/centos/centos:stream9\n",
        "roles/docker/molecule/centos/playbook.yml": playbook,
        "roles/docker/molecule/matrix/molecule.yml": "platforms:\n  - name: m\n    image: \"geerlingguy/docker-${MOLECULE_DISTRO:-ubuntu2204}-ansible\"\n",
        "roles/docker/molecule/matrix/playbook.yml": playbook,
    })
    result = scan(tmp_path, select=["DKD104"])
    by_tool = {}
    for finding in result.findings:
        by_tool.setdefault("apt" if "(apt)" in finding.message else "yum", set()).add(finding.host)
    ubuntu, centos, matrix = (f"roles/docker/molecule/{n}/ (molecule)" for n in ("ubuntu", "centos", "matrix"))
    assert by_tool == {"apt": {ubuntu, matrix}, "yum": {centos, matrix}}
    anchors = {f.host: f.location.path for f in result.findings if f.host != matrix}
    assert anchors == {ubuntu: "roles/docker/vars/Debian.yml", centos: "roles/docker/vars/RedHat.yml"}


def test_a_role_task_file_sees_what_the_tasks_before_its_include_define(tmp_path):
    """A role's task file included after ``include_vars`` / ``set_fact`` is read with those names:
    whether it names Docker itself (read on its own, in the scope of its include site) or not
    (read where it is included)."""
    write_tree(tmp_path, {
        "site.yml": "- hosts: all\n  roles: [engine]\n",
        "roles/engine/tasks/main.yml": (
            "- include_vars: pkgs.yml\n"
            "- set_fact: {pin: '5:24.0.9-1~ubuntu.22.04~jammy'}\n"
            "- include_tasks: install.yml\n"
            "- include_tasks: install_docker.yml\n"
            "  vars: {state_wanted: latest}\n"
        ),
        "roles/engine/vars/pkgs.yml": "engine_package: docker-ce\n",
        "roles/engine/tasks/install.yml": "- apt: {name: \"{{ engine_package }}={{ pin }}\", state: present}\n",
        "roles/engine/tasks/install_docker.yml": "- apt: {name: \"{{ engine_package }}\", state: \"{{ state_wanted }}\"}\n"
        "- copy: {content: '{\"live-restore\": true}', dest: /etc/docker/daemon.json}\n",
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    packages = sorted(((p.name, p.version, p.pin) for p in host.of(EnginePackage)), key=str)
    assert packages == [("docker-ce", "5:24.0.9-1~ubuntu.22.04~jammy", "patch"), ("docker-ce", None, "upgrade")]


def test_a_script_the_role_runs_with_the_script_module_is_part_of_its_machine(tmp_path):
    """``script: install.sh`` uploads the role's files/install.sh and runs it on the play's hosts:
    the engine it installs is that machine's (a swarm manager: no DKD101), and the script is no
    machine of its own."""
    write_tree(tmp_path, {
        "site.yml": "- hosts: managers\n  roles: [swarm]\n",
        "roles/swarm/tasks/main.yml": (
            "- name: install\n  script: install.sh --channel stable\n"
            "- name: init\n  command: docker swarm init\n"
        ),
        "roles/swarm/files/install.sh": "#!/bin/sh\ncurl -fsSL https://get.docker.com -o get-docker.sh\nsh get-docker.sh\n",
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    (package,) = host.of(EnginePackage)
    assert package.location.path.endswith("roles/swarm/files/install.sh")
    assert any(step.label == "script install.sh" for step in package.location.trace)
    assert host.of(SwarmMembership)
    assert not findings(result, "DKD101")


@pytest.mark.parametrize("join", [
    "- command: docker swarm join --token {{ token }} {{ swarm_manager }}:2377\n  when: swarm_manager is defined\n",
    "- block:\n    - command: docker swarm join --token t m:2377\n  when: [join | default(false) | bool, docker_installed is defined]\n",
])
def test_a_swarm_join_under_a_condition_dlint_cannot_decide_leaves_the_swarm_unknown(tmp_path, join):
    """A join that runs only when ``-e swarm_manager=...`` is given (a name the repository never
    sets): whether the machine is a swarm node is unknown, so neither live-restore-disabled nor
    live-restore-with-swarm is judged, and the default output says so on that host."""
    write_tree(tmp_path, {
        "site.yml": "- hosts: newvms\n  tasks:\n    - apt: {name: docker-ce=5:27.5.1-1~ubuntu.24.04~noble}\n" + "".join("    " + line + "\n" for line in join.splitlines()),
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    (member,) = host.of(SwarmMembership)
    assert member.maybe and member.command == "join"
    assert not findings(result, "DKD101") and not findings(result, "DKD102")
    (unknown,) = result.unknowns
    assert unknown.host == host.name and "only under a condition dlint cannot decide" in unknown.why
    assert unknown.skipped[0] == "DKD101"


def test_a_swarm_join_under_a_condition_that_holds_is_a_swarm_node(tmp_path):
    write_tree(tmp_path, {
        "group_vars/all.yml": "swarm_manager: 10.0.0.1\n",
        "site.yml": (
            "- hosts: newvms\n  tasks:\n    - apt: {name: docker-ce}\n"
            "    - command: docker swarm join --token t {{ swarm_manager }}:2377\n      when: swarm_manager is defined\n"
        ),
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    (member,) = host.of(SwarmMembership)
    assert not member.maybe
    assert not result.unknowns and not findings(result, "DKD101")


def test_a_swarm_command_under_a_per_machine_condition_is_a_swarm_node(tmp_path):
    """init on the first manager, join on the others (inventory_hostname, groups), or only when
    not already in a swarm (a registered result): every machine of the play is a swarm node."""
    write_tree(tmp_path, {
        "site.yml": (
            "- hosts: swarm\n  tasks:\n    - apt: {name: docker-ce}\n"
            "    - command: docker info\n      register: info\n"
            "    - command: docker swarm init\n      when: inventory_hostname == groups['swarm'][0] and 'active' not in info.stdout\n"
            "    - command: docker swarm join --token t m:2377\n      when: inventory_hostname != groups['swarm'][0]\n"
        ),
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.of(SwarmMembership) and not any(m.maybe for m in host.of(SwarmMembership))
    assert not result.unknowns and not findings(result, "DKD101")


def test_a_role_no_play_applies_runs_the_roles_it_depends_on(tmp_path):
    """roles/swarm depends (meta) on roles/docker, and no play applies it: its machine gets what
    roles/docker writes first (live-restore on: swarm refuses it, DKD102), not "daemon.json unknown"."""
    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": (
            "- apt: {name: docker-ce}\n"
            "- copy: {content: '{\"live-restore\": true}', dest: /etc/docker/daemon.json}\n"
        ),
        "roles/swarm/meta/main.yml": "dependencies:\n  - role: docker\n",
        "roles/swarm/tasks/main.yml": "- community.docker.docker_swarm: {state: present}\n",
    })
    result = scan(tmp_path)
    assert sorted(h.name for h in result.hosts) == ["roles/docker/", "roles/swarm/"]
    swarm = next(h for h in result.hosts if h.name == "roles/swarm/")
    assert swarm.of(EnginePackage) and swarm.of(SwarmMembership)
    assert [(f.rule, f.location.path) for f in findings(result, "DKD102")] == [("DKD102", "roles/docker/tasks/main.yml")]
    assert not result.unknowns


def test_role_name_names_the_role_and_a_role_s_jinja_template_is_not_a_daemon_json_of_its_own(tmp_path):
    """``include_tasks: "{{ role_name }}-install.yml"`` is the role's own file; a role's
    templates/daemon.json with Jinja that no task renders is not judged as raw JSON."""
    write_tree(tmp_path, {
        "site.yml": "- hosts: all\n  roles: [engine]\n",
        "roles/engine/tasks/main.yml": "- include_tasks: \"{{ role_name }}-install.yml\"\n",
        "roles/engine/tasks/engine-install.yml": "- apt: {name: docker-ce=5:27.5.1-1~ubuntu.24.04~noble}\n",
        "roles/other/templates/daemon.json": '{\n  {% if x %}"debug": true,{% endif %}\n  "live-restore": true\n}\n',
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "hosts: all" and [p.pin for p in host.of(EnginePackage)] == ["patch"]
    assert not findings(result, "DKD001")


def test_the_group_vars_beside_an_inventory_ansible_cfg_names_apply_when_the_inventory_is_absent(tmp_path):
    """ansible.cfg's ``inventory = ./environments/stage/gce.py`` (a dynamic inventory script not in
    the repository): environments/stage/group_vars/all still applies to the plays, over role defaults."""
    write_tree(tmp_path, {
        "ansible.cfg": "[defaults]\ninventory = ./environments/stage/gce.py\nroles_path = ./roles\n",
        "environments/stage/group_vars/all": "engine_config:\n  live-restore: true\n",
        "playbooks/site.yml": "- hosts: all\n  roles: [engine]\n",
        "roles/engine/defaults/main.yml": "engine_config: {}\n",
        "roles/engine/tasks/main.yml": (
            "- apt: {name: docker-ce=5:27.5.1-1~ubuntu.24.04~noble}\n"
            "- copy: {content: '{{ engine_config | to_nice_json }}', dest: /etc/docker/daemon.json}\n"
        ),
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["hosts: all"]
    assert not findings(result, "DKD101")


def _role_with_tests(**tests) -> dict:
    """A role repository (ansible-galaxy's skeleton) whose copy of daemon.json runs only when
    ``engine_opts`` is set, and its tests/ playbooks."""
    tree = {
        "defaults/main.yml": "engine_opts:\n",
        "tasks/main.yml": (
            "- apt: {name: docker-ce}\n"
            "- copy: {content: '{{ engine_opts | to_nice_json }}', dest: /etc/docker/daemon.json}\n"
            "  when: engine_opts is defined and engine_opts is not none and engine_opts | length != 0\n"
        ),
        "meta/main.yml": "galaxy_info:\n  role_name: engine\n",
    }
    tree.update({f"tests/{name}.yml": text for name, text in tests.items()})
    return tree


def test_a_role_s_own_tests_playbooks_apply_it_as_role_under_test(tmp_path):
    """tests/test.yml names the role ``role_under_test`` (how CI checks it out) beside a role from
    Galaxy: that play applies the repository's role, and its machine is judged."""
    write_tree(tmp_path, _role_with_tests(test="- hosts: localhost\n  roles:\n    - someone.docker-install\n    - role_under_test\n  vars:\n    engine_opts: {debug: true}\n"))
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["tests/ › hosts: localhost"]
    (finding,) = findings(result, "DKD101")
    assert finding.location.path == "tests/test.yml"


def test_two_playbooks_of_one_machine_each_run_the_role_with_their_own_vars(tmp_path):
    """Two test playbooks on localhost, only the second sets what the copy's ``when:`` asks for:
    both run on that machine, so its daemon.json is written (DKD101 at the second's value)."""
    tree = _role_with_tests(
        test="- hosts: localhost\n  roles:\n    - role_under_test\n",
        test_vars="- hosts: localhost\n  roles:\n    - role_under_test\n  vars:\n    engine_opts: {debug: true}\n",
    )
    write_tree(tmp_path, tree)
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["tests/ › hosts: localhost"]
    (finding,) = findings(result, "DKD101")
    assert finding.location.path == "tests/test_vars.yml"
    # the same play without vars of its own adds nothing: one daemon.json, read once
    (host,) = result.hosts
    assert len([f for f in host.fragments if type(f).__name__ == "DaemonConfig"]) == 1


_ENGINE_ROLE = {"roles/docker/tasks/main.yml": "- name: engine\n  apt:\n    name: docker-ce\n    state: present\n"}


def test_a_play_on_some_machines_of_another_play_is_on_that_play_s_machine(tmp_path):
    """``managers`` installs the engine; ``managers[0]`` inits the swarm and
    ``managers:!managers[0]`` joins it: one machine, a swarm node whose engine the first play
    installs (no DKD101, and no machine "without an engine" for the init and the join)."""
    site = (
        "- hosts: managers\n  roles:\n    - docker\n"
        "- hosts: managers[0]\n  tasks:\n    - shell: docker swarm init\n"
        "- hosts: managers:!managers[0]\n  tasks:\n    - shell: docker swarm join --token t 10.0.0.1:2377\n"
    )
    write_tree(tmp_path, {**_ENGINE_ROLE, "site.yml": site})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["hosts: managers"]
    assert not result.findings and not result.unknowns
    (host,) = result.hosts
    assert [f.command for f in host.of(SwarmMembership)] == ["init", "join"]
    # a subset of a group no play of the project targets stays a machine of its own
    write_tree(tmp_path, {"site.yml": site.replace("- hosts: managers\n", "- hosts: all\n")})
    assert "hosts: managers[0]" in [h.name for h in scan(tmp_path).hosts]


def test_a_group_an_add_host_fills_with_a_play_s_hosts_is_some_of_that_play_s_machines(tmp_path):
    """A play sorts its own hosts into ``bootstrap`` with add_host (looping over
    ``ansible_play_hosts``); ``bootstrap[0]`` inits the swarm: that is a machine of the first play."""
    site = (
        "- hosts: swarm_managers\n  roles:\n    - docker\n"
        "- hosts: swarm_managers\n  tasks:\n"
        "    - add_host:\n        hostname: '{{ item }}'\n        groups: bootstrap\n"
        "      with_items: '{{ ansible_play_hosts | default(play_hosts) }}'\n"
        "- hosts: bootstrap[0]\n  tasks:\n    - shell: docker swarm init\n"
    )
    write_tree(tmp_path, {**_ENGINE_ROLE, "site.yml": site})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["hosts: swarm_managers"]
    assert not result.findings and not result.unknowns
    # add_host of names dlint cannot tie to a play's hosts: the group is a machine of its own
    write_tree(tmp_path, {"site.yml": site.replace("ansible_play_hosts | default(play_hosts)", "lookup(\"file\", \"ips.txt\").splitlines()")})
    assert "hosts: bootstrap[0]" in [h.name for h in scan(tmp_path).hosts]


def test_a_playbook_in_the_role_s_own_folder_applies_it_by_its_role_name(tmp_path):
    """A repository that is one role (meta ``role_name: engine``) with a playbook beside its
    tasks/ that applies ``engine`` (as its README says to lay it out): that play runs the role."""
    write_tree(tmp_path, {
        "meta/main.yml": "galaxy_info:\n  role_name: engine\n  author: someone\n",
        "tasks/main.yml": "- apt:\n    name: docker-ce\n- copy:\n    content: '{\"debug\": true}'\n    dest: /etc/docker/daemon.json\n",
        "site.yml": "- hosts: docker_hosts\n  roles:\n    - engine\n",
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["hosts: docker_hosts"]
    assert [f.rule for f in result.findings] == ["DKD101"]
    # a role name that is not this role's stays unresolved: the role is its own machine
    write_tree(tmp_path, {"site.yml": "- hosts: docker_hosts\n  roles:\n    - other\n"})
    assert "./" in [h.name for h in scan(tmp_path).hosts]


def test_a_collection_s_own_role_by_its_full_name(tmp_path):
    """A repository that is a collection (galaxy.yml: acme.infra) whose play imports
    ``acme.infra.docker`` with vars: that is roles/docker/ of the repository, run with them."""
    write_tree(tmp_path, {
        "galaxy.yml": "namespace: acme\nname: infra\nversion: 1.0.0\n",
        "roles/docker/defaults/main.yml": "engine_config: {}\n",
        "roles/docker/tasks/main.yml": (
            "- apt:\n    name: docker-ce\n"
            "- copy:\n    content: '{{ engine_config | to_nice_json }}'\n    dest: /etc/docker/daemon.json\n  when: engine_config | length > 0\n"
        ),
        "playbooks/site.yml": (
            "- hosts: docker_hosts\n  tasks:\n    - import_role:\n        name: acme.infra.docker\n"
            "      vars:\n        engine_config: {live-restore: true}\n"
        ),
    })
    result = scan(tmp_path)
    (played,) = result.hosts
    assert played.name == "hosts: docker_hosts" and played.daemon_configs
    # live-restore is on (the play's vars), with an unpinned engine: DKD104, not DKD101
    assert [f.rule for f in result.findings] == ["DKD104"]
    write_tree(tmp_path, {"galaxy.yml": "namespace: other\nname: infra\n"})
    assert "DKD104" not in [f.rule for f in scan(tmp_path).findings]


def test_a_play_that_only_joins_the_swarm_runs_the_engine_a_play_on_all_installs(tmp_path):
    """``hosts: all`` installs the engine and writes daemon.json (live-restore on); ``hosts: node-1``
    only inits the swarm: node-1 is one of all's machines, so it has that engine and daemon.json
    (DKD102: live-restore on a swarm node), not an engine "from elsewhere"."""
    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": (
            "- apt:\n    name: docker-ce\n"
            "- copy:\n    content: '{\"live-restore\": true}'\n    dest: /etc/docker/daemon.json\n"
        ),
        "site.yml": "- hosts: all\n  roles:\n    - docker\n- hosts: node-1\n  tasks:\n    - shell: docker swarm init\n",
    })
    result = scan(tmp_path)
    assert not [u for u in result.unknowns if u.host == "hosts: node-1"]
    assert [(f.rule, f.host) for f in result.findings if f.rule == "DKD102"] == [("DKD102", "hosts: node-1")]


def test_a_galaxy_role_that_installs_docker_and_is_not_in_the_repository(tmp_path):
    """The play's role depends on ``azavea.docker`` (meta), installed from Galaxy, not vendored: the
    engine is there, of a configuration dlint cannot see (an unknown line with DKD101 not judged),
    never "not a Docker host". A missing role of another purpose (azavea.ntp) says nothing."""
    write_tree(tmp_path, {
        "roles/app.docker/meta/main.yml": "dependencies:\n  - { role: azavea.pip }\n  - { role: azavea.docker }\n",
        "roles/app.docker/tasks/main.yml": "- pip:\n    name: docker-compose\n",
        "site.yml": "- hosts: all\n  roles:\n    - { role: azavea.ntp }\n    - { role: app.docker }\n",
    })
    result = scan(tmp_path)
    (unknown,) = [u for u in result.unknowns if u.host == "hosts: all"]
    assert "the role azavea.docker, which is not in the repository" in unknown.why and "DKD101" in unknown.skipped
    write_tree(tmp_path, {"roles/app.docker/meta/main.yml": "dependencies:\n  - { role: azavea.pip }\n"})
    assert not [h for h in scan(tmp_path).hosts if h.name == "hosts: all"]


def test_the_role_under_test_by_another_name_is_not_a_role_missing_from_the_repository(tmp_path):
    """A repository that is one role, whose Molecule converge names it by a name found nowhere
    else (the folder CI checks it out in): that is the role itself, read there, not an absent
    Galaxy role whose name says Docker (no engine of unknown configuration is added)."""
    write_tree(tmp_path, {
        "tasks/main.yml": "- apt:\n    name: docker-ce\n",
        "molecule/default/molecule.yml": "platforms:\n  - name: instance\n    image: ubuntu:22.04\n",
        "molecule/default/converge.yml": "- hosts: all\n  roles:\n    - role: ansible-role-docker\n",
    })
    result = scan(tmp_path)
    assert not result.unknowns
    (finding,) = [f for f in result.findings if f.rule == "DKD101"]
    assert finding.location.path == "tasks/main.yml"


def test_an_import_of_a_role_path_file_is_the_role_s_own_file(tmp_path):
    """``import_tasks: "{{ role_path }}/tasks/setup.yml"``: Ansible's role_path is the role's
    folder, so the file is read in the import's place (no "named by a template" note), and a
    variable the importing file's play sets reaches it."""
    write_tree(tmp_path, {
        "site.yml": "- hosts: all\n  vars:\n    restore: true\n  roles:\n    - docker\n",
        "roles/docker/tasks/main.yml": '- import_tasks: "{{ role_path }}/tasks/setup.yml"\n',
        "roles/docker/tasks/setup.yml": (
            "- apt:\n    name: docker-ce\n"
            '- copy:\n    content: \'{"live-restore": {{ restore | to_json }}}\'\n    dest: /etc/docker/daemon.json\n'
        ),
    })
    result = scan(tmp_path)
    assert not [n for n in result.notes if "named by a template" in n]
    assert findings(result, "DKD101") == []
    (config,) = [c for h in result.hosts for c in h.daemon_configs]
    assert [(m.key, m.value.value) for m in config.root.value] == [("live-restore", True)]


_CONTAINERS_ONLY = {
    "site.yml": "- hosts: web\n  roles:\n    - app\n",
    "roles/app/tasks/main.yml": "- community.docker.docker_network:\n    name: front\n- docker_container:\n    name: app\n    image: nginx\n",
}


def test_a_play_that_only_works_the_machine_s_dockerd_is_a_docker_host_set_up_elsewhere(tmp_path):
    """A play whose tasks run containers on its machines (community.docker modules use the
    machine's own dockerd) in a repository that installs the engine nowhere: the machine runs
    Docker, set up by something dlint does not see (an image): its daemon.json is unknown, said
    on one line, DKD101 not judged. Not so for a task delegated elsewhere, nor when the
    repository installs the engine on some machine (the play may be those machines)."""
    write_tree(tmp_path, _CONTAINERS_ONLY)
    result = scan(tmp_path)
    (machine,) = result.hosts
    assert machine.name == "hosts: web"
    (unknown,) = result.unknowns
    assert "neither installs the engine on it nor writes its /etc/docker/daemon.json" in unknown.why and "DKD101" in unknown.skipped
    assert (unknown.location.path, unknown.location.line) == ("roles/app/tasks/main.yml", 1)
    delegated = _CONTAINERS_ONLY["roles/app/tasks/main.yml"].replace("    name: front\n", "    name: front\n  delegate_to: builder\n").replace("- docker_container:\n    name: app\n    image: nginx\n", "")
    write_tree(tmp_path, {"roles/app/tasks/main.yml": delegated})
    assert scan(tmp_path).hosts == []
    write_tree(tmp_path, {**_CONTAINERS_ONLY, "roles/docker/tasks/main.yml": "- apt:\n    name: docker-ce\n", "docker.yml": "- hosts: docker\n  roles:\n    - docker\n"})
    assert [h.name for h in scan(tmp_path).hosts] == ["hosts: docker"]


def test_host_vars_beside_a_molecule_playbook_apply_to_the_host_it_names(tmp_path):
    """molecule/<scenario>/converge.yml runs ``hosts: instance``; host_vars/instance.yml beside it
    overrides the role default the daemon.json is written from: the override is what the machine
    gets (live-restore on: no DKD101), above group_vars/all beside it."""
    write_tree(tmp_path, {
        "defaults/main.yml": "docker_config:\n  log-driver: json-file\n",
        "tasks/main.yml": "- apt:\n    name: docker-ce\n- copy:\n    content: \"{{ docker_config | to_nice_json }}\"\n    dest: /etc/docker/daemon.json\n",
        "molecule/remap/converge.yml": "- hosts: instance\n  tasks:\n    - import_role:\n        name: docker\n",
        "molecule/remap/molecule.yml": "platforms:\n  - name: instance\n",
        "molecule/remap/group_vars/all.yml": "docker_config:\n  debug: true\n",
        "molecule/remap/host_vars/instance.yml": "docker_config:\n  live-restore: true\n",
    })
    result = scan(tmp_path)
    configs = [c for h in result.hosts for c in h.daemon_configs if "remap" in h.name]
    assert [[m.key for m in c.root.value] for c in configs] == [["live-restore"]]
    assert not [f for f in result.findings if f.rule == "DKD101" and "remap" in f.host]


def test_a_play_on_all_whose_inventory_is_the_swarm_groups_is_a_swarm_node(tmp_path):
    """hosts: all installs the engine; hosts: manager inits, hosts: worker joins; the inventory's
    only hosts are in those groups: every machine of `all` is a swarm node, known (no DKD101, no
    "whether it is a swarm node" line). A host of `all` in no swarm group keeps it unknown."""
    site = (
        "- hosts: all\n  tasks:\n    - apt:\n        name: docker-ce\n"
        "- hosts: manager\n  tasks:\n    - docker_swarm:\n        state: present\n"
        "- hosts: worker\n  tasks:\n    - docker_swarm:\n        state: join\n        join_token: x\n        remote_addrs: [m1]\n"
    )
    inventory = "all:\n  children:\n    manager:\n      hosts:\n        m1:\n    worker:\n      hosts:\n        w1:\n"
    write_tree(tmp_path, {"site.yml": site, "inventory.yml": inventory, "ansible.cfg": "[defaults]\ninventory = inventory.yml\n"})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]
    assert not [u for u in result.unknowns if "swarm node" in u.why]
    write_tree(tmp_path, {"inventory.yml": inventory + "    other:\n      hosts:\n        o1:\n"})
    result = scan(tmp_path)
    assert [u.host for u in result.unknowns if "swarm node" in u.why] == ["hosts: all"]


def test_blockinfile_on_daemon_json_without_a_marker_is_never_json(tmp_path):
    """blockinfile writes its default ``# BEGIN ANSIBLE MANAGED BLOCK`` lines around the block,
    wherever the block goes: the daemon.json is never JSON, DKD001 at the task. With a ``marker:``
    (which may be made JSON-safe) it stays a file dlint does not read (DKD902)."""
    task = (
        "- apt:\n    name: docker-ce\n- blockinfile:\n    path: /etc/docker/daemon.json\n    create: yes\n"
        '    block: |\n      {"storage-driver": "overlay2"}\n'
    )
    write_tree(tmp_path, {"site.yml": "- hosts: all\n  roles:\n    - d\n", "roles/d/tasks/main.yml": task})
    finding = one(scan(tmp_path), "DKD001")
    assert (finding.location.path, finding.location.line, finding.location.column) == ("roles/d/tasks/main.yml", 3, 3)
    write_tree(tmp_path, {"roles/d/tasks/main.yml": task.replace("    create: yes\n", "    create: yes\n    marker: \"\"\n")})
    result = scan(tmp_path)
    assert not findings(result, "DKD001") and findings(result, "DKD902")


def test_a_role_a_role_includes_runs_on_the_play_s_machine(tmp_path):
    """hosts: all applies `node`, whose tasks `include_role: name: docker` (docker-ce); the swarm
    plays cover every inventory host: the docker role is that machine's, not a host of its own
    asked for live-restore."""
    write_tree(tmp_path, {
        "site.yml": (
            "- hosts: all\n  roles:\n    - node\n"
            "- hosts: manager\n  tasks:\n    - docker_swarm:\n        state: present\n"
            "- hosts: workers\n  tasks:\n    - docker_swarm:\n        state: join\n        join_token: x\n        remote_addrs: [m1]\n"
        ),
        "inventory.ini": "[manager]\nm1\n[workers]\nw1\n",
        "ansible.cfg": "[defaults]\ninventory = inventory.ini\n",
        "roles/node/tasks/main.yml": "- name: engine\n  include_role:\n    name: docker\n",
        "roles/docker/tasks/main.yml": "- apt:\n    name: docker-ce\n",
    })
    result = scan(tmp_path)
    assert findings(result, "DKD101") == []
    assert [h.name for h in result.hosts if "docker" in h.name] == []
    (machine,) = [h for h in result.hosts if h.name == "hosts: all"]
    assert [p.name for p in machine.of(EnginePackage)] == ["docker-ce"]


def test_a_playbook_in_a_subfolder_of_a_one_role_repository_names_it_by_its_galaxy_name(tmp_path):
    """A repository that is one role (meta: author acme, role_name docker); install.d/playbook.yml
    applies `acme.docker` (run with ANSIBLE_ROLES_PATH above the checkout): that role, so the
    machine installs docker-ce and lacks live-restore (DKD101), not "a role not in the repository"."""
    write_tree(tmp_path, {
        "meta/main.yml": "galaxy_info:\n  author: acme\n  role_name: docker\n",
        "tasks/main.yml": "- apt:\n    name: docker-ce\n",
        "install.d/playbook.yml": "- hosts: all\n  roles:\n    - acme.docker\n",
    })
    result = scan(tmp_path)
    assert [f.host for f in findings(result, "DKD101")] == ["install.d/ › hosts: all"]
    assert not [u for u in result.unknowns if "not in the repository" in u.why]

"""Rootless Docker hosts: the user unit (~/.config/systemd/user/docker.service) started by
dockerd-rootless.sh, the unit dockerd-rootless-setuptool.sh install writes, and a daemon.json put
where no dockerd reads it."""

from __future__ import annotations

from dlint_docker.hosts import rootless
from dlint_docker.rootless import is_rootless_config, is_user_unit, read_by_nobody, user_load_rank

import json

import jsonschema

from .helpers import REPO, at, cli, only, scan, write_tree

SETUP = """\
sudo apt-get install -y docker-ce docker-ce-rootless-extras uidmap
dockerd-rootless-setuptool.sh install
sudo cp -v daemon.json /home/dev/.config/systemd/docker/daemon.json
sudo cp docker.service /home/dev/.config/systemd/user/docker.service
systemctl --user daemon-reload
"""
HEADLESS_UNIT = "Environment=A=1\nExecStart=/usr/bin/dockerd-rootless.sh -H tcp://0.0.0.0:2376 --tlsverify\n"
DAEMON = '{\n  "hosts": ["tcp://0.0.0.0:2376"],\n  "tlsverify": true\n}\n'


def test_a_copied_user_unit_without_its_section_is_refused(tmp_path):
    write_tree(tmp_path, {"setup.sh": SETUP, "docker.service": HEADLESS_UNIT, "daemon.json": DAEMON})
    result = scan(tmp_path)
    finding = only(result, "DKD204")
    assert (finding.location.path, finding.location.line) == ("docker.service", 1)
    assert [h.name for h in result.hosts] == ["setup.sh"]
    (host,) = result.hosts
    assert host.daemon_configs == []  # ~/.config/systemd/docker/daemon.json: no dockerd reads it
    assert not [f for f in result.findings if f.rule == "DKD201"]


def test_hosts_says_the_misplaced_daemon_json_is_not_its_configuration(tmp_path):
    write_tree(tmp_path, {"setup.sh": SETUP, "docker.service": HEADLESS_UNIT, "daemon.json": DAEMON})
    text = cli("hosts", cwd=tmp_path).stdout
    assert "  not its configuration: /home/dev/.config/systemd/docker/daemon.json: no dockerd reads it" in text
    assert "daemon.json:1:1 (via setup.sh:3 › cp daemon.json /home/dev/.config/systemd/docker/daemon.json)" in text
    doc = json.loads(cli("hosts", "--format", "json", cwd=tmp_path).stdout)
    jsonschema.Draft202012Validator(json.loads((REPO / "linter" / "schemas" / "hosts.schema.json").read_text())).validate(doc)
    (host,) = doc["hosts"]
    assert [entry["target"] for entry in host["ignored"]] == ["/home/dev/.config/systemd/docker/daemon.json"]
    assert host["config"] == {}


def test_the_setuptool_unit_is_the_rootless_engine(tmp_path):
    write_tree(tmp_path, {"setup.sh": "dockerd-rootless-setuptool.sh install\n"})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.command is not None and host.command.words == []
    assert host.service.kill_mode.value == "mixed"
    assert rootless(host)
    assert not [f for f in result.findings if f.rule == "DKD101"]  # rootless: not asked


def test_skip_iptables_makes_the_setuptool_flags_depend_on_the_machine(tmp_path):
    write_tree(tmp_path, {"setup.sh": "dockerd-rootless-setuptool.sh install --skip-iptables\n"})
    (host,) = scan(tmp_path).hosts
    assert rootless(host) and host.service.unit.from_template


def test_the_user_unit_gives_the_command_line_and_its_daemon_json(tmp_path):
    unit = "[Service]\nExecStart=/usr/bin/dockerd-rootless.sh --experimental\nKillMode=mixed\n"
    script = (
        "apt-get install -y docker-ce-rootless-extras\n"
        "cp docker.service $HOME/.config/systemd/user/docker.service\n"
        "cp daemon.json ~/.config/docker/daemon.json\n"
        "systemctl --user start docker\n"
    )
    write_tree(tmp_path, {"install.sh": script, "docker.service": unit, "daemon.json": '{"debug": true}\n'})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert [w.text for w in host.command.words] == ["--experimental"]
    word = host.command.words[0]
    assert (word.location.path, word.location.line, word.location.column) == ("docker.service", *at(unit, "--experimental"))
    assert [c.target for c in host.daemon_configs] == ["~/.config/docker/daemon.json"]
    assert rootless(host)


def test_rootful_units_are_not_read_as_the_user_unit(tmp_path):
    unit = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --live-restore\n"
    write_tree(tmp_path, {"setup.sh": "cp override.conf /etc/systemd/system/docker.service.d/override.conf\n", "override.conf": unit})
    (host,) = scan(tmp_path).hosts
    assert [w.text for w in host.command.words] == ["-H", "fd://", "--live-restore"]
    assert not rootless(host)


def test_paths():
    assert is_user_unit("/home/dev/.config/systemd/user/docker.service")
    assert is_user_unit("{{ user.home }}/.config/systemd/user/docker.service.d/10-x.conf")
    assert is_user_unit("/etc/systemd/user/docker.service") and not is_user_unit("/etc/systemd/system/docker.service")
    assert user_load_rank("/root/.config/systemd/user") == 0 and user_load_rank("/usr/lib/systemd/user") == 5
    assert is_rootless_config("$HOME/.config/docker/daemon.json")
    assert read_by_nobody("/home/dev/.config/systemd/docker/daemon.json")
    assert not read_by_nobody("/etc/docker/daemon.json") and not read_by_nobody("~/.config/docker/daemon.json")
    assert not read_by_nobody("/tmp/daemon.json")  # may be moved into place later

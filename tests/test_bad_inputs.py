"""Bad input never crashes: a finding or an error with a location, the documented exit code, and
bounded time and memory."""

from __future__ import annotations

import json
import os

import pytest

from .helpers import cli, write_tree


def _scan_json(root, *args):
    done = cli("scan", "--format", "json", *args, cwd=root)
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout else None, done.stderr


def test_broken_json_is_a_finding_with_its_position_and_exit_3(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{\n  "live-restore": true,\n}\n'})
    code, report, _ = _scan_json(tmp_path)
    assert code == 3
    (finding,) = report["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("DKD001", 3, 1)
    assert "looking for beginning of object key string" in finding["message"]


def test_binary_file_named_daemon_json(tmp_path):
    write_tree(tmp_path, {"daemon.json": bytes(range(256)) * 8})
    code, report, _ = _scan_json(tmp_path)
    assert code == 3
    assert [f["rule"] for f in report["findings"]] == ["DKD001"]


def test_non_utf8(tmp_path):
    write_tree(tmp_path, {"daemon.json": b'{"live-restore": true, "labels": ["caf\xe9=1"]}'})
    code, report, _ = _scan_json(tmp_path)
    assert code == 3
    (finding,) = report["findings"]
    assert "invalid UTF-8" in finding["message"] and finding["column"] == 39


def test_huge_file_is_reported_not_read(tmp_path):
    path = tmp_path / "daemon.json"
    with open(path, "wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    code, report, _ = _scan_json(tmp_path)
    assert code == 3
    (finding,) = report["findings"]
    assert finding["rule"] == "DKD901" and "too large" in finding["message"]
    assert (finding["line"], finding["column"]) == (1, 1)


def test_fifo_named_daemon_json(tmp_path):
    os.mkfifo(tmp_path / "daemon.json")
    code, report, _ = _scan_json(tmp_path, "daemon.json")  # a walk only looks at regular files
    assert code == 3
    assert report["findings"][0]["rule"] == "DKD901"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode; the FIFO and size cases cover DKD901")
def test_unreadable_file(tmp_path):  # pragma: no cover - only runs as a normal user
    path = tmp_path / "daemon.json"
    path.write_text("{}")
    path.chmod(0)
    code, report, _ = _scan_json(tmp_path)
    assert code == 3 and report["findings"][0]["rule"] == "DKD901"


def test_deep_nesting(tmp_path):
    depth = 9000
    write_tree(tmp_path, {"daemon.json": '{"debug": true, "x": ' + "[" * depth + "]" * depth + "}"})
    code, report, _ = _scan_json(tmp_path)
    assert code in (0, 1)


def test_deeper_than_go_allows(tmp_path):
    depth = 20000
    write_tree(tmp_path, {"daemon.json": '{"debug": true, "x": ' + "[" * depth + "]" * depth + "}"})
    code, report, _ = _scan_json(tmp_path)
    assert code == 3 and report["findings"][0]["message"].endswith("exceeded max depth")


def test_yaml_alias_bomb_in_config_is_a_config_error(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    bomb += "exclude: *i\n"
    write_tree(tmp_path, {".dlint.yaml": bomb, "daemon.json": "{}"})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "YAML" in done.stderr


def test_broken_config_points_at_its_line(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "select: [DKD1\nignore: x\n", "daemon.json": "{}"})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2
    assert ".dlint.yaml:" in done.stderr and "Traceback" not in done.stderr


def test_symlink_loop_does_not_hang(tmp_path):
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    os.symlink(tmp_path / "self", tmp_path / "self")
    write_tree(tmp_path, {"a/daemon.json": '{"live-restore": true}'})
    code, report, _ = _scan_json(tmp_path)
    assert code == 0 and report["summary"]["sources"] == 1


def test_a_reader_that_fails_is_a_finding_not_the_end_of_the_scan(tmp_path, monkeypatch):
    from dlint_docker.sources import shell

    from .helpers import scan

    def boom(self, document, context):
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(shell.ShellKind, "read", boom)
    write_tree(tmp_path, {"a.sh": "#!/bin/sh\ndocker swarm init\n", "daemon.json": '{"tls-verify": true}'})
    result = scan(tmp_path)
    rules = sorted((f.rule, f.location.path) for f in result.findings)
    assert ("DKD901", "a.sh") in rules and ("DKD002", "daemon.json") in rules
    assert result.exit_code == 3
    assert "synthetic failure" in next(f.message for f in result.findings if f.rule == "DKD901")


def test_characters_past_the_basic_planes_do_not_crash_the_shell_parser(tmp_path):
    # tree-sitter-bash hands code points to <ctype.h>; unguarded, "{" + U+F5DEB reads unmapped
    # memory and the process dies with SIGSEGV (most runs, not all: hence several processes).
    sweep = "".join("echo {" + chr(point) + "\n" for point in range(0x90000, 0x110000, 0x800))
    write_tree(tmp_path, {"provision.sh": "#!/bin/sh\n" + sweep + "echo '{\"live-restore\": true}' > /etc/docker/daemon.json\ndocker swarm init\n"})
    for _ in range(3):
        code, report, stderr = _scan_json(tmp_path, "--select", "DKD102")
        assert code == 1, stderr  # a finding, so the whole script was read
        assert [(f["rule"], f["line"]) for f in report["findings"]] == [("DKD102", sweep.count("\n") + 2)]


@pytest.mark.parametrize("name", ["a" * 300, "a\x00b"])
def test_a_repository_path_the_system_refuses_is_not_there_not_a_crash(tmp_path, name):
    # a name too long for the file system, or with a NUL: every reader that follows a repository
    # path (a script's cp and source, a Vagrant provisioner, Terraform file(), Packer) says it is
    # not found; none fails on it
    write_tree(tmp_path, {
        "run.sh": f"#!/bin/sh\napt-get install -y docker-ce\ncp {name}/daemon.json /etc/docker/\nsource {name}\n",
        "Vagrantfile": f"Vagrant.configure('2') do |c|\n c.vm.provision 'shell', path: '{name}'\n c.vm.provision 'file', source: '{name}', destination: '/etc/docker/daemon.json'\nend\n",
        "main.tf": f'resource "aws_instance" "a" {{\n user_data = file("{name}")\n provisioner "file" {{\n  source = "{name}"\n  destination = "/etc/docker/daemon.json"\n }}\n}}\n',
        "build.pkr.hcl": f'build {{\n provisioner "file" {{\n  source = "{name}"\n  destination = "/tmp/d"\n }}\n provisioner "shell" {{ script = "{name}" }}\n}}\n',
    })
    done = cli("scan", ".", "--format", "json", cwd=tmp_path)
    found = json.loads(done.stdout)["findings"]
    assert not [f for f in found if f["rule"] == "DKD901"]
    assert done.stderr == ""  # nor a line from RE2 or a warning
    # tree-sitter-hcl refuses a NUL in a string: DKD904 (a warning, exit 3) on the HCL files only
    refused = sorted(f["path"] for f in found if f["rule"] == "DKD904")
    assert refused == (["build.pkr.hcl", "main.tf"] if "\x00" in name else [])
    assert done.returncode in ((3,) if refused else (0, 1)), done.stderr


def test_a_skipped_path_in_an_ansible_project_is_not_a_reader_crash(tmp_path):
    # the Ansible project map walks the tree too: a path git lists under a folder that is now a
    # symbolic link comes back as a Skipped entry, which the map used to take for a Path (DKD901)
    import shutil
    import subprocess

    from .helpers import cli_json

    write_tree(tmp_path, {"site.yml": "- hosts: all\n  tasks:\n    - apt: {name: docker-ce}\n", "moved/x.yml": "- hosts: all\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    shutil.rmtree(tmp_path / "moved")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "moved").symlink_to(tmp_path / "elsewhere")
    found = cli_json(cwd=tmp_path)["findings"]
    assert [f["rule"] for f in found if f["path"] == "site.yml"] == ["DKD101"]
    assert not [f for f in found if f["rule"] == "DKD901"]


def test_a_recognised_file_that_does_not_parse_is_a_located_finding_and_exit_3(tmp_path):
    from .helpers import at, cli_json

    files = {
        "main.tf": 'resource "aws_instance" "a" {\n  user_data = "#!/bin/sh\\napt-get install -y docker-ce\\n"\n  tags = {{{\n',
        "p.pkr.hcl": 'build {\n  provisioner "shell" {\n    inline = [\n}\n',
        "site.yml": "- hosts: all\n  tasks:\n    - apt: {name: docker-ce\n      bad: [\n",
        "user-data": "#cloud-config\nruncmd: [\n  - x\n bad: {\n",
        "x.bu": "variant: fcos\nversion: 1.4.0\nstorage: [\n",
        "s.sh": "#!/bin/sh\napt-get install -y docker-ce\nif then fi ((( \n",  # bash may run what tree-sitter cannot parse: not reported
    }
    write_tree(tmp_path, files)
    done = cli("scan", "--format", "json", cwd=tmp_path)
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
    found = {f["path"]: f for f in json.loads(done.stdout)["findings"] if f["rule"] == "DKD904"}
    expected = {
        "main.tf": ("warning", at(files["main.tf"], "{", 4)),  # where the parser gave up
        "p.pkr.hcl": ("warning", at(files["p.pkr.hcl"], "}")),
        "site.yml": ("error", at(files["site.yml"], ": [")),
        "user-data": ("error", at(files["user-data"], "- x")),
        "x.bu": ("error", (4, 1)),
    }
    assert {path: (f["severity"], (f["line"], f["column"])) for path, f in found.items()} == expected
    assert "Ansible refuses this file" in found["site.yml"]["message"]
    assert "Terraform refuses the configuration" in found["main.tf"]["message"]


def test_a_yaml_version_directive_ruamel_asserts_on_is_a_problem_not_a_crash(tmp_path):
    """ruamel.yaml fails on ``%YAML 1.21`` with an AssertionError (and KeyError in its resolver):
    the file gets a YAML problem at its place, never a traceback."""
    from dlint_docker.yamlnodes import compose, compose_pure

    text = "%YAML 1.21\n--- 1\n"
    for composer in (compose, compose_pure):
        root, problem = composer(text)
        assert root is None and problem is not None and "21" in problem.message
    write_tree(tmp_path, {"roles/docker/tasks/main.yml": "%YAML 1.21\n---\n- apt: {name: docker-ce}\n"})
    done = cli("scan", "roles", cwd=tmp_path)
    assert "Traceback" not in done.stderr and done.returncode in (0, 1, 3)

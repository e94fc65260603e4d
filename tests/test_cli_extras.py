"""--version with the engine releases, --debug anywhere, --quiet, --stdin-filename, completion."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from dlint_docker.cli_extras import pop_debug

from .helpers import at, cli, write_tree

BROKEN = '{"live-restore": true, "debu": true}\n'


def test_version_names_the_engine_releases_the_facts_cover():
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("dlint ") and "26.1" in done.stdout and "29.7" in done.stdout


def test_debug_is_accepted_anywhere():
    assert pop_debug(["scan", "--debug", "x"]) == (["scan", "x"], True)
    assert pop_debug(["scan", "--", "--debug"]) == (["scan", "--", "--debug"], False)


def test_debug_after_the_command(tmp_path):
    write_tree(tmp_path, {"daemon.json": BROKEN})
    done = cli("scan", ".", "--debug", cwd=tmp_path)
    assert done.returncode == 1 and "DKD002" in done.stdout


def test_quiet_prints_the_findings_only(tmp_path):
    write_tree(tmp_path, {"daemon.json": BROKEN, "bad/daemon.json": "{,}"})
    done = cli("scan", "-q", cwd=tmp_path)
    assert done.returncode == 3 and "DKD002" in done.stdout
    assert "dlint:" not in done.stdout and "unknown on" not in done.stdout
    clean = write_tree(tmp_path / "clean", {"daemon.json": '{"live-restore": true}\n'})
    assert cli("scan", "-q", "--select", "DKD0", cwd=clean).stdout == ""


def test_stdin_is_linted_as_the_named_file_with_its_configuration(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "severity: {DKD002: info}\nfail-on: warning\n", "etc/docker/.keep": ""})
    done = subprocess.run([sys.executable, "-m", "dlint_docker", "scan", "-", "--stdin-filename", "etc/docker/daemon.json", "--select", "DKD0"],
                          cwd=tmp_path, input=BROKEN, capture_output=True, text=True, timeout=60)
    line, column = at(BROKEN, '"debu"')
    assert f"etc/docker/daemon.json:{line}:{column}: info    DKD002" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0  # info is below fail-on: the repository's configuration applied
    assert not (tmp_path / "etc/docker/daemon.json").exists()  # nothing written into the repository


def test_stdin_without_a_name_is_a_usage_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dlint_docker", "scan", "-"], cwd=tmp_path, input="{}", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--stdin-filename" in done.stderr
    assert cli("scan", "--stdin-filename", "x.json", ".", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell):
    done = cli("completion", shell)
    assert done.returncode == 0 and "scan" in done.stdout and "--format" in done.stdout + " --format"
    if shell == "fish":
        assert "-l format" in done.stdout
    elif shutil.which("bash"):
        assert subprocess.run(["bash", "-n"], input=done.stdout, text=True).returncode == 0


def test_bash_completion_completes_commands_and_options():
    if not shutil.which("bash"):
        pytest.skip("no bash")
    script = cli("completion", "bash").stdout
    probe = script + '\nCOMP_WORDS=(dlint sc); COMP_CWORD=1; _dlint; echo "${COMPREPLY[*]}"\nCOMP_WORDS=(dlint scan --for); COMP_CWORD=2; _dlint; echo "${COMPREPLY[*]}"\n'
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True).stdout.splitlines()
    assert out == ["scan schema", "--format"]


def test_text_says_the_impact_and_how_many_files_were_read(tmp_path):
    write_tree(tmp_path, {"daemon.json": BROKEN, "notes.txt": "x\n"})
    done = cli("scan", "--select", "DKD002", cwd=tmp_path)
    assert "impact: refused at load" in done.stdout and "breaks config-load" not in done.stdout
    assert "(1 read, 1 of no kind dlint reads)" in done.stdout.splitlines()[-1]
    report = cli("scan", "--select", "DKD002", "-f", "json", cwd=tmp_path).stdout
    assert '"breaks": "config-load"' in report  # the JSON field is stable


def test_examples_readme_table_is_one_table():
    from .helpers import REPO

    lines = (REPO / "examples" / "README.md").read_text().splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("| `")]
    assert rows == list(range(rows[0], rows[0] + len(rows)))


def test_hosts_lists_every_source_role_defaults_and_vars_included(tmp_path):
    import json

    write_tree(tmp_path, {
        "roles/docker/tasks/main.yml": "- copy:\n    content: '{{ docker_daemon_options | to_nice_json }}'\n    dest: /etc/docker/daemon.json\n",
        "roles/docker/defaults/main.yml": "docker_daemon_options:\n  live-restore: true\n",
        "roles/docker/vars/main.yml": "docker_daemon_options:\n  debug: true\n",
    })
    hosts = json.loads(cli("hosts", "-f", "json", cwd=tmp_path).stdout)["hosts"]
    (host,) = hosts
    assert "roles/docker/tasks/main.yml" in host["sources"]
    assert "roles/docker/vars/main.yml" in host["sources"]  # where the effective value comes from

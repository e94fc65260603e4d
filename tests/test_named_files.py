"""Never a silent pass: a file named on the command line is read as what its content shows,
--kind forces a kind, a daemon.json judged not Docker's is said, deleted paths in --context mode
are skipped, and the pre-commit hook reads what `dlint scan` reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dlint_docker.yamlsafe import load

from .helpers import REPO, at, cli, scan, where, write_tree

PROD = '{\n  "live-restore": true,\n  "debu": true,\n}\n'
PM2 = '{"apps": [{"name": "api", "script": "server.js", "log_date_format": "YYYY"}]}\n'


def _rules_at(result):
    return sorted((f.rule, f.location.path, f.location.line, f.location.column) for f in result.findings)


def test_a_named_json_of_dockerd_keys_is_a_daemon_configuration_whatever_its_name(tmp_path):
    write_tree(tmp_path, {"prod.json": PROD})
    result = scan(tmp_path, ["prod.json"])
    finding = next(f for f in result.findings if f.rule == "DKD001")
    assert where(finding) == at(PROD, "}")  # the trailing comma's closing brace
    done = cli("scan", "prod.json", cwd=tmp_path)
    assert done.returncode == 3, done.stdout


def test_a_wrapper_object_is_flattened_as_dockerd_does(tmp_path):
    text = '{"prod": {"live-restore": true, "debu": true}}\n'
    write_tree(tmp_path, {"settings.json": text})
    result = scan(tmp_path, ["settings.json"])
    unknown = [f for f in result.findings if f.rule == "DKD002"]
    assert [where(f) for f in unknown] == [at(text, '"debu"')]


def test_a_folder_walk_does_not_read_unclaimed_json(tmp_path):
    write_tree(tmp_path, {"prod.json": PROD})
    assert scan(tmp_path).findings == []


def test_kind_forces_a_kind(tmp_path):
    write_tree(tmp_path, {"processes.txt": PM2})
    result = scan(tmp_path, ["processes.txt"], kind="daemon-json")
    assert [where(f) for f in result.findings if f.rule == "DKD002"] == [at(PM2, '"apps"')]
    done = cli("scan", "--kind", "daemon-json", "processes.txt", cwd=tmp_path)
    assert done.returncode == 1 and "DKD002" in done.stdout


def test_kind_unknown_is_a_usage_error_listing_the_kinds(tmp_path):
    write_tree(tmp_path, {"x.txt": "{}"})
    done = cli("scan", "--kind", "yaml", "x.txt", cwd=tmp_path)
    assert done.returncode == 2 and "daemon-json" in done.stderr and "cloud-init" in done.stderr


def test_kind_shell_reads_a_script_of_any_name(tmp_path):
    script = "cat > /etc/docker/daemon.json <<'EOF'\n{\"debug\": tru}\nEOF\n"
    write_tree(tmp_path, {"provision.txt": script})
    assert scan(tmp_path, ["provision.txt"]).findings == []
    result = scan(tmp_path, ["provision.txt"], kind="shell")
    assert [f.rule for f in result.findings] == ["DKD001"]


def test_a_script_with_a_shebang_under_any_name_is_read_when_named(tmp_path):
    script = "#!/bin/bash\ncat > /etc/docker/daemon.json <<'EOF'\n{\"debug\": tru}\nEOF\n"
    write_tree(tmp_path, {"setup.txt": script})
    assert [f.rule for f in scan(tmp_path, ["setup.txt"]).findings] == ["DKD001"]


def test_a_named_file_of_no_kind_gets_one_line_in_the_default_output(tmp_path):
    write_tree(tmp_path, {"notes.txt": "hello\n"})
    done = cli("scan", "notes.txt", cwd=tmp_path)
    assert done.returncode == 0
    said = [line for line in done.stdout.splitlines() if "notes.txt" in line]
    assert said == ["note: notes.txt: not read, not a kind of file dlint reads (--kind names one)"]


def test_a_decoy_daemon_json_is_said_with_the_keys_that_decided(tmp_path):
    write_tree(tmp_path, {"deploy/daemon.json": PM2})
    done = cli("scan", ".", cwd=tmp_path)
    assert done.returncode == 0
    said = [line for line in done.stdout.splitlines() if "daemon.json" in line]
    assert len(said) == 1 and "not a Docker daemon configuration" in said[0] and "apps" in said[0]


def test_near_miss_keys_make_a_daemon_configuration_with_unknown_keys(tmp_path):
    text = '{"debu": true, "cgroup-paren": "/x", "fixed-cid": "10.0.0.0/24"}\n'
    write_tree(tmp_path, {"daemon.json": text})
    result = scan(tmp_path)
    unknown = sorted(where(f) for f in result.findings if f.rule == "DKD002")
    assert unknown == sorted([at(text, '"debu"'), at(text, '"cgroup-paren"'), at(text, '"fixed-cid"')])


def test_deleted_paths_in_context_mode_are_skipped_with_a_note(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": '{"live-restore": true, "debu": 1}\n'})
    done = cli("scan", "--context", ".", "gone/daemon.json", "etc/docker/daemon.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "note: gone/daemon.json: skipped, no such file (deleted?)" in done.stdout
    assert "DKD002" in done.stdout
    assert cli("scan", "gone/daemon.json", cwd=tmp_path).returncode == 2  # named without --context: a usage error


def test_context_mode_does_not_note_files_of_no_kind(tmp_path):
    write_tree(tmp_path, {"README.md": "# hi\n", "daemon.json": '{"live-restore": true}\n'})
    done = cli("scan", "--context", ".", "README.md", cwd=tmp_path)
    assert done.returncode == 0 and "README.md" not in done.stdout


# --- the pre-commit hook -------------------------------------------------------------------

def _hooks():
    hooks, _ = load((REPO / ".pre-commit-hooks.yaml").read_text())
    return {hook["id"]: hook for hook in hooks}


def test_the_hook_passes_every_file_and_lets_dlint_claim():
    hook = _hooks()["dlint"]
    assert "files" not in hook and "exclude" not in hook and hook["types"] == ["file"]
    assert hook["entry"] == "dlint scan --context ." and hook["pass_filenames"] is True


def test_on_pre_push_only_one_hook_runs():
    hooks = _hooks()
    on_push = [name for name, hook in hooks.items() if "pre-push" in hook.get("stages", ["pre-push"])]
    assert on_push == ["dlint-full"]
    assert "pre-commit" in hooks["dlint"]["stages"]


AGREEMENT_TREE = {
    "bootstrap": "#!/bin/bash\ncat > /etc/docker/daemon.json <<'EOF'\n{\"debug\": 1}\nEOF\n",
    "Vagrantfile": 'Vagrant.configure("2") do |c|\n  c.vm.provision "shell", inline: "echo \'{\\"debu\\": true}\' > /etc/docker/daemon.json"\nend\n',
    "roles/docker/tasks/main.yml": "- template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n",
    "roles/docker/templates/daemon.json.j2": '{"live-restore": true, "log-level": "{{ level }}", "bogus": 1}\n',
    "tf/main.tf": 'resource "aws_instance" "a" {\n  user_data = templatefile("${path.module}/init.tftpl", {})\n}\n',
    "tf/init.tftpl": "#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: '{\"tlsverify\": true}'\n",
    "etc/docker/daemon.json": '{"live-restore": true, "fixed-cid": "x"}\n',
    "README.md": "# infra\n",
    "notes.txt": "nothing here\n",
}


def _git_repo(root: Path, files: dict) -> Path:
    write_tree(root, files)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def test_a_hook_run_and_a_scan_of_the_same_files_agree(tmp_path):
    root = _git_repo(tmp_path, AGREEMENT_TREE)
    every = sorted(AGREEMENT_TREE)  # what the hook passes with `pre-commit run --all-files`
    hook = scan(root, every, context=["."])
    full = scan(root)
    assert _rules_at(hook) == _rules_at(full)
    assert {f.location.path for f in full.findings} >= {"bootstrap", "Vagrantfile", "roles/docker/templates/daemon.json.j2", "etc/docker/daemon.json"}


def test_a_hook_run_of_some_files_reports_only_on_them(tmp_path):
    root = _git_repo(tmp_path, AGREEMENT_TREE)
    hook = scan(root, ["bootstrap", "README.md"], context=["."])
    full = scan(root)
    assert _rules_at(hook) == [r for r in _rules_at(full) if r[1] == "bootstrap"] != []


@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_the_real_pre_commit_runs_the_hook_as_the_readme_says(tmp_path):
    # the committed dlint (a clone of HEAD), installed by pre-commit itself as a user's would be
    source = tmp_path / "dlint"
    subprocess.run(["git", "clone", "-q", str(REPO), str(source)], check=True, timeout=120)
    repo = _git_repo(tmp_path / "infra", {"good/daemon.json": '{"live-restore": true}\n', "bad/daemon.json": '{"live-restore": true,}\n'})
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))

    def hook(*files):
        return subprocess.run(["pre-commit", "try-repo", str(source), "dlint", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    broken = hook("good/daemon.json", "bad/daemon.json")
    if "An unexpected error has occurred" in broken.stdout + broken.stderr:
        pytest.skip("pre-commit could not install dlint here (no package index?)")
    assert broken.returncode == 1, broken.stdout
    assert "bad/daemon.json:1:23: error   DKD001" in broken.stdout
    assert not re.search(r"good/daemon\.json:\S+ (error|warning)", broken.stdout)
    good = hook("good/daemon.json")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout


def test_a_broken_wrapper_file_is_still_recognised_by_its_inner_keys(tmp_path):
    text = '{"prod": {"debu": true, "live-restore": true},}\n'
    write_tree(tmp_path, {"settings.json": text})
    assert [f.rule for f in scan(tmp_path, ["settings.json"]).findings] == ["DKD001"]


def test_a_misspelt_map_option_is_evidence_of_a_daemon_configuration(tmp_path):
    text = '{"log-opt": {"max-size": "10m"}}\n'
    write_tree(tmp_path, {"daemon.json": text})
    assert "DKD002" in {f.rule for f in scan(tmp_path).findings}

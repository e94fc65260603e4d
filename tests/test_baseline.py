"""Baselines: dlint baseline writes today's findings; dlint scan then reports only new ones."""

from __future__ import annotations

import json

from .helpers import at, cli, scan, where, write_tree
from .test_change import TF

ICC = '{\n  "icc": true\n}\n'
# the same finding on another machine: not byte for byte the same file (a copy is judged once)
ICC_ELSEWHERE = ICC + "\n"


def _entries(root):
    return json.loads((root / ".dlint-baseline.json").read_text())["findings"]


def test_two_identical_hosts_are_two_entries(tmp_path):
    write_tree(tmp_path, {"a/daemon.json": ICC, "b/daemon.json": ICC_ELSEWHERE})
    done = cli("baseline", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entries = _entries(tmp_path)
    assert sorted((e["rule"], e["host"]) for e in entries) == [("DKD101", "a/daemon.json"), ("DKD101", "b/daemon.json")]
    assert len({e["fingerprint"] for e in entries}) == 2
    result = scan(tmp_path)
    assert result.active == [] and len(result.findings) == 2
    assert all(f.waived == "in the baseline .dlint-baseline.json" for f in result.findings)


def test_only_a_new_finding_is_reported_and_moves_stay_baselined(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{\n  "log-level": "debug"\n}\n'})
    assert cli("baseline", "--profile", "all", cwd=tmp_path).returncode == 0
    moved = '{\n\n\n  "icc": false,\n  "log-level": "debug",\n  "insecure-registries": ["r.example:5000"]\n}\n'
    write_tree(tmp_path, {"daemon.json": moved})
    result = scan(tmp_path, profile="all")
    assert [f.rule for f in result.active] == ["DKD406"]
    assert where(result.active[0]) == at(moved, '"r.example:5000"')
    assert "DKD404" in {f.rule for f in result.findings if f.waived}  # log-level moved lines: still baselined
    everything = scan(tmp_path, profile="all", use_baseline=False)
    assert {"DKD404", "DKD406"} <= {f.rule for f in everything.active}


def test_stale_entries_are_said_and_pruned(tmp_path):
    write_tree(tmp_path, {"a/daemon.json": ICC, "b/daemon.json": ICC_ELSEWHERE})
    cli("baseline", cwd=tmp_path)
    (tmp_path / "b/daemon.json").unlink()
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 0
    assert "1 entries match no finding now (stale)" in done.stderr
    assert cli("baseline", "--prune", cwd=tmp_path).returncode == 0
    assert [e["host"] for e in _entries(tmp_path)] == ["a/daemon.json"]
    # --prune adds nothing new
    write_tree(tmp_path, {"c/daemon.json": ICC_ELSEWHERE})
    cli("baseline", "--prune", cwd=tmp_path)
    assert [e["host"] for e in _entries(tmp_path)] == ["a/daemon.json"]


def test_a_named_baseline_file(tmp_path):
    write_tree(tmp_path, {"daemon.json": ICC})
    (tmp_path / "ci").mkdir()
    assert cli("baseline", "-o", "ci/accepted.json", cwd=tmp_path).returncode == 0
    assert not (tmp_path / ".dlint-baseline.json").exists()
    assert cli("scan", "--baseline", "ci/accepted.json", cwd=tmp_path).returncode == 0
    assert cli("scan", cwd=tmp_path).returncode == 1
    (tmp_path / "bad.json").write_text("[]")
    bad = cli("scan", "--baseline", "bad.json", cwd=tmp_path)
    assert bad.returncode == 2 and "not a dlint baseline" in bad.stderr


def test_sarif_marks_baselined_results_and_inline_waivers(tmp_path):
    write_tree(tmp_path, {"a/daemon.json": ICC})
    cli("baseline", cwd=tmp_path)
    write_tree(tmp_path, {"b/daemon.json": ICC_ELSEWHERE})
    results = json.loads(cli("scan", "--format", "sarif", cwd=tmp_path).stdout)["runs"][0]["results"]
    state = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r.get("baselineState") for r in results}
    assert state == {("DKD101", "a/daemon.json"): "unchanged", ("DKD101", "b/daemon.json"): "new"}
    script = "#!/bin/sh\n# dlint: disable=DKD104 -- pinned by the image pipeline\napt-get install -y docker-ce\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n"
    write_tree(tmp_path / "inline", {"p.sh": script})
    results = json.loads(cli("scan", "--format", "sarif", cwd=tmp_path / "inline").stdout)["runs"][0]["results"]
    inline = [r for r in results if r["ruleId"] == "DKD104"]
    assert inline[0]["suppressions"] == [{"kind": "inSource", "justification": "pinned by the image pipeline (inline)"}]
    assert "baselineState" not in inline[0]  # no baseline in use there


# hosts of every naming: a rootfs folder, a script (whose DKD203 message names a place in it), a
# Terraform resource, an Ansible project's play (named by its pattern alone from inside the project)
REPO_FILES = {
    "hosts/app/etc/docker/daemon.json": ICC,
    "hosts/db/provision.sh": "#!/bin/sh\napt-get install -y docker-ce\necho '{\"icc\": true}' > /etc/docker/daemon.json\n"
                             "echo '{\"debug\": true}' > /etc/docker/daemon.json\n",
    "infra/main.tf": TF % "/srv/docker",
    "ansible/ansible.cfg": "[defaults]\n",
    "ansible/site.yml": "- hosts: docker\n  roles:\n    - docker\n",
    "ansible/roles/docker/templates/daemon.json.j2": ICC,
    "ansible/roles/docker/tasks/main.yml": "- name: configure docker\n  template:\n    src: daemon.json.j2\n    dest: /etc/docker/daemon.json\n",
}


def _git_repo(root):
    write_tree(root, REPO_FILES)
    (root / ".git").mkdir()  # the git top level is what a baseline's paths are relative to
    return root


def _summary(done):
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "stale" not in done.stderr, done.stderr
    return done.stdout.splitlines()[-1]


def test_a_baseline_written_at_the_root_matches_from_a_subfolder_and_an_absolute_path(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    assert cli("baseline", cwd=repo).returncode == 0
    entries = _entries(repo)
    assert {(e["rule"], e["host"], e["path"]) for e in entries} == {
        ("DKD101", "ansible/ › hosts: docker", "ansible/roles/docker/templates/daemon.json.j2"),
        ("DKD101", "hosts/app/", "hosts/app/etc/docker/daemon.json"),
        ("DKD101", "hosts/db/provision.sh", "hosts/db/provision.sh"),
        ("DKD203", "hosts/db/provision.sh", "hosts/db/provision.sh"),
        ("DKD104", "infra/main.tf › aws_instance.web", "infra/main.tf"),
    }
    (twice,) = [e for e in entries if e["rule"] == "DKD203"]
    assert "the one at hosts/db/provision.sh:3:7" in twice["message"]
    # from a subfolder, of the subfolder (the default baseline is found at the git top level)
    assert "(1 waived, 1 by the baseline)" in _summary(cli("scan", cwd=repo / "ansible"))  # its play is `hosts: docker` there
    assert "(2 waived, 2 by the baseline)" in _summary(cli("scan", cwd=repo / "hosts" / "db"))  # the message names provision.sh:3:7
    assert "(3 waived, 3 by the baseline)" in _summary(cli("scan", cwd=repo / "hosts"))
    # from a subfolder, of the whole repository
    assert "(5 waived, 5 by the baseline)" in _summary(cli("scan", "..", cwd=repo / "infra"))
    # an absolute path from outside the repository, with the baseline named or found
    assert "(5 waived, 5 by the baseline)" in _summary(cli("scan", str(repo), "--baseline", str(repo / ".dlint-baseline.json"), cwd=tmp_path))
    assert "(5 waived, 5 by the baseline)" in _summary(cli("scan", str(repo), cwd=tmp_path))
    assert "(2 waived, 2 by the baseline)" in _summary(cli("scan", str(repo / "hosts" / "db"), "--baseline", "repo/.dlint-baseline.json", cwd=tmp_path))
    # a new finding in a subfolder is still reported there
    write_tree(repo, {"hosts/app/etc/docker/daemon.json": '{\n  "icc": true,\n  "insecure-registries": ["r.example:5000"]\n}\n'})
    done = cli("scan", "--format", "json", cwd=repo / "hosts")
    assert [(f["rule"], f["path"]) for f in json.loads(done.stdout)["findings"] if "waived" not in f] == [("DKD406", "app/etc/docker/daemon.json")]


def test_a_baseline_written_from_a_subfolder_or_outside_is_the_one_written_at_the_root(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    cli("baseline", cwd=repo)
    at_root = (repo / ".dlint-baseline.json").read_text()
    for cwd, args in ((repo / "hosts" / "db", ("../..",)), (tmp_path, (str(repo),)), (repo / "ansible", ("..",))):
        (repo / ".dlint-baseline.json").unlink()
        done = cli("baseline", *args, cwd=cwd)
        assert done.returncode == 0, done.stderr
        assert (repo / ".dlint-baseline.json").read_text() == at_root, (cwd, args)
    # a baseline of one folder rewrites its entries and keeps the others as they are
    done = cli("baseline", cwd=repo / "hosts")
    assert ": 3 findings; 2 entries about files outside the paths scanned kept" in done.stderr
    assert (repo / ".dlint-baseline.json").read_text() == at_root


def test_outside_git_paths_are_relative_to_the_folder_scanned(tmp_path):
    tree = write_tree(tmp_path / "tree", {"a/daemon.json": ICC, "b/daemon.json": ICC_ELSEWHERE})
    assert cli("baseline", cwd=tree).returncode == 0
    assert sorted(e["path"] for e in _entries(tree)) == ["a/daemon.json", "b/daemon.json"]
    assert "(2 waived, 2 by the baseline)" in _summary(cli("scan", str(tree), cwd=tmp_path))  # found beside the folder scanned
    assert "(2 waived, 2 by the baseline)" in _summary(cli("scan", "tree", "--baseline", "tree/.dlint-baseline.json", cwd=tmp_path))
    summary = json.loads(cli("scan", "tree", "-f", "json", cwd=tmp_path).stdout)["summary"]
    assert summary["baseline"] == {"path": str(tree / ".dlint-baseline.json"), "baselined": 2, "stale": 0}
    (tree / "b/daemon.json").unlink()
    summary = json.loads(cli("scan", "tree", "-f", "json", cwd=tmp_path).stdout)["summary"]
    assert summary["baseline"]["stale"] == 1 and summary["waived"] == 1
    assert not (tmp_path / ".dlint-baseline.json").exists()

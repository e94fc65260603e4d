"""Baselines: dlint baseline writes today's findings; dlint scan then reports only new ones."""

from __future__ import annotations

import json

from .helpers import at, cli, scan, where, write_tree

ICC = '{\n  "icc": true\n}\n'


def _entries(root):
    return json.loads((root / ".dlint-baseline.json").read_text())["findings"]


def test_two_identical_hosts_are_two_entries(tmp_path):
    write_tree(tmp_path, {"a/daemon.json": ICC, "b/daemon.json": ICC})
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
    write_tree(tmp_path, {"a/daemon.json": ICC, "b/daemon.json": ICC})
    cli("baseline", cwd=tmp_path)
    (tmp_path / "b/daemon.json").unlink()
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 0
    assert "1 entries match no finding now (stale)" in done.stderr
    assert cli("baseline", "--prune", cwd=tmp_path).returncode == 0
    assert [e["host"] for e in _entries(tmp_path)] == ["a/daemon.json"]
    # --prune adds nothing new
    write_tree(tmp_path, {"c/daemon.json": ICC})
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
    write_tree(tmp_path, {"b/daemon.json": ICC})
    results = json.loads(cli("scan", "--format", "sarif", cwd=tmp_path).stdout)["runs"][0]["results"]
    state = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r.get("baselineState") for r in results}
    assert state == {("DKD101", "a/daemon.json"): "unchanged", ("DKD101", "b/daemon.json"): "new"}
    script = "#!/bin/sh\n# dlint: disable=DKD104 -- pinned by the image pipeline\napt-get install -y docker-ce\necho '{\"live-restore\": true}' > /etc/docker/daemon.json\n"
    write_tree(tmp_path / "inline", {"p.sh": script})
    results = json.loads(cli("scan", "--format", "sarif", cwd=tmp_path / "inline").stdout)["runs"][0]["results"]
    inline = [r for r in results if r["ruleId"] == "DKD104"]
    assert inline[0]["suppressions"] == [{"kind": "inSource", "justification": "pinned by the image pipeline (inline)"}]
    assert "baselineState" not in inline[0]  # no baseline in use there

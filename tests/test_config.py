""".dlint.yaml: discovery up to the git root, validation with positions, and what each setting does."""

from __future__ import annotations

import subprocess

import pytest

from dlint_docker.config import find, load
from dlint_docker.errors import ConfigError

from .helpers import cli, scan, write_tree

MIXED = '{\n  "tls-verify": true,\n  "log-level": "info"\n}\n'


def test_found_upwards_but_not_above_the_git_root(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "fail-on: error\n", "repo/sub/daemon.json": "{}"})
    assert find(tmp_path / "repo" / "sub") == tmp_path / ".dlint.yaml"
    subprocess.run(["git", "init", "-q"], cwd=tmp_path / "repo", check=True)
    assert find(tmp_path / "repo" / "sub") is None


def test_invalid_setting_points_at_its_line(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "engine-version: '26.1'\nfail-on: sometimes\n"})
    with pytest.raises(ConfigError) as err:
        load(tmp_path / ".dlint.yaml")
    assert ".dlint.yaml:2:" in str(err.value) and "fail-on" in str(err.value)


def test_unknown_setting_lists_the_settings(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "rulez: []\n"})
    with pytest.raises(ConfigError) as err:
        load(tmp_path / ".dlint.yaml")
    assert "the settings are:" in str(err.value)


def test_unknown_rule_in_config_names_the_file_and_line(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "ignore:\n  - DKD101\n  - no-such-rule\n", "daemon.json": "{}"})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and ".dlint.yaml" in done.stderr and "no-such-rule" in done.stderr


def test_engine_version_and_platform_from_config(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "engine-version: '24.0'\nplatform: windows\n", "daemon.json": '{"live-restore": true, "graph": "/d"}'})
    result = scan(tmp_path)
    assert result.setup.engine_version == "24.0"
    names = {f.name for f in result.findings}
    assert "unknown-key" in names  # live-restore does not exist on Windows
    assert "removed-option" in names  # graph is gone in 24.0


def test_severity_override_and_fail_on(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "severity:\n  live-restore-disabled: error\nfail-on: error\n", "daemon.json": '{"debug": true}'})
    result = scan(tmp_path)
    assert [(f.rule, f.severity) for f in result.findings] == [("DKD101", "error")]
    assert result.exit_code == 1


def test_exceptions_waive_by_path_rule_and_pointer(tmp_path):
    write_tree(tmp_path, {
        ".dlint.yaml": "exceptions:\n"
        "  - {path: 'legacy/**', rule: live-restore-disabled, reason: 'swarm workers, see OPS-12'}\n"
        "  - {path: app/daemon.json, rule: DKD002, pointer: /tls-verify, reason: 'vendor build accepts it'}\n",
        "legacy/a/daemon.json": '{"debug": true}',
        "app/daemon.json": MIXED,
    })
    result = scan(tmp_path)
    waived = {(f.location.path, f.rule): f.waived for f in result.findings if f.waived}
    assert waived == {("legacy/a/daemon.json", "DKD101"): "swarm workers, see OPS-12", ("app/daemon.json", "DKD002"): "vendor build accepts it"}
    assert [(f.location.path, f.rule) for f in result.active] == [("app/daemon.json", "DKD101")]


def test_exception_needs_a_reason(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "exceptions:\n  - {path: x, rule: DKD101}\n"})
    with pytest.raises(ConfigError) as err:
        load(tmp_path / ".dlint.yaml")
    assert "reason" in str(err.value)


def test_allowed_keys(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "allowed-keys: [default-capabilities]\n", "daemon.json": '{"live-restore": true, "default-capabilities": []}'})
    assert [f.rule for f in scan(tmp_path).findings] == []  # the allowed key is not reported


def test_exclude(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "exclude: ['tests/fixtures/']\n", "tests/fixtures/daemon.json": "{,}", "daemon.json": '{"live-restore": true}'})
    result = scan(tmp_path)
    assert result.sources == 1 and result.exit_code == 0


def test_explicit_config_file(tmp_path):
    write_tree(tmp_path, {"ci/dlint.yaml": "fail-on: never\n", "daemon.json": '{"debug": true}'})
    assert cli("scan", cwd=tmp_path).returncode == 1
    assert cli("scan", "--config", "ci/dlint.yaml", cwd=tmp_path).returncode == 0
    assert cli("scan", "--config", "missing.yaml", cwd=tmp_path).returncode == 2


REPO_POLICY = """apiVersion: dlint.dev/v1alpha1
kind: Policy
metadata: {name: json-file-needs-rotation, id: ACME001}
spec:
  severity: warning
  breaks: none
  summary: json-file logs without max-size grow without bound
  rationale: Our hosts have small disks.
  remediation: Set log-opts.max-size.
  when:
    properties: {config: {properties: {log-driver: {const: json-file}}, required: [log-driver]}}
  require:
    properties: {config: {required: [log-opts], properties: {log-opts: {required: [max-size]}}}}
  at: /config/log-driver
  examples:
    fail: [{daemon.json: '{"log-driver": "json-file"}'}]
    pass: [{daemon.json: '{"log-driver": "json-file", "log-opts": {"max-size": "10m"}}'}]
"""


def test_repository_policies_load_as_data(tmp_path):
    write_tree(tmp_path, {
        ".dlint.yaml": "policy-paths: [dlint-policies]\n",
        "dlint-policies/acme.yaml": REPO_POLICY,
        "daemon.json": '{"live-restore": true,\n "log-driver": "json-file"}',
    })
    result = scan(tmp_path)
    (finding,) = result.findings
    assert (finding.rule, finding.location.line, finding.location.column) == ("ACME001", 2, 2)
    assert "ACME001" in cli("rules", "--config", str(tmp_path / ".dlint.yaml")).stdout


def test_repository_policy_cannot_name_python(tmp_path):
    policy = REPO_POLICY.replace("  when:", "  check: os_system\n  when:").split("  when:")[0] + "  examples:\n    fail: []\n    pass: [{daemon.json: '{}'}]\n"
    write_tree(tmp_path, {".dlint.yaml": "policy-paths: [p]\n", "p/x.yaml": policy, "daemon.json": "{}"})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and "Python checks come only from installed packages" in done.stderr


def test_invalid_repository_policy_points_at_its_line(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "policy-paths: [p]\n", "p/x.yaml": REPO_POLICY.replace("severity: warning", "severity: fatal"), "daemon.json": "{}"})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and "x.yaml:5" in done.stderr and "fatal" in done.stderr


def test_repository_policy_id_clash(tmp_path):
    write_tree(tmp_path, {".dlint.yaml": "policy-paths: [p]\n", "p/x.yaml": REPO_POLICY.replace("ACME001", "DKD101"), "daemon.json": "{}"})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and "clashes" in done.stderr


def test_inline_pragmas_waive_with_a_reason(tmp_path):
    script = (
        "#!/bin/sh\n"
        "# dlint: disable=live-restore-engine-unpinned -- the image pipeline pins the engine\n"
        "apt-get install -y docker-ce\n"
        "echo '{\"live-restore\": true}' > /etc/docker/daemon.json  # dlint: disable=DKD108\n"
    )
    write_tree(tmp_path, {"provision.sh": script})
    result = scan(tmp_path, select=["DKD104", "DKD108"])
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["DKD104"].waived == "the image pipeline pins the engine (inline)"
    assert by_rule["DKD108"].waived is None and "gives no reason" in by_rule["DKD108"].message
    assert result.exit_code == 0


def test_file_pragma(tmp_path):
    write_tree(tmp_path, {"provision.sh": "#!/bin/sh\n# dlint: disable-file=DKD1 -- lab machine\napt-get install -y docker-ce\n"})
    result = scan(tmp_path)
    assert result.findings and all(f.waived == "lab machine (inline)" for f in result.findings if f.rule.startswith("DKD1"))

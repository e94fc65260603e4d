"""The command line end to end, through a subprocess."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from dlint_docker import __version__

from .helpers import REPO, cli, write_tree

GOOD = '{"live-restore": true, "log-driver": "local"}\n'
MIXED = '{\n  "tls-verify": true,\n  "log-level": "info"\n}\n'


def test_version():
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.startswith(f"dlint {__version__} (engine facts: Docker Engine ")


@pytest.mark.parametrize("command", [[], ["scan"], ["rules"], ["explain"], ["schema"]])
def test_help_on_every_command(command):
    done = cli(*command, "--help")
    assert done.returncode == 0 and "usage: dlint" in done.stdout


def test_no_command_prints_help_and_exits_2():
    done = cli()
    assert done.returncode == 2 and "usage: dlint" in done.stdout


def test_bad_flag_is_a_usage_error(tmp_path):
    done = cli("scan", "--bogus", cwd=tmp_path)
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_clean_repo_exits_0(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": GOOD})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    # live-restore on: nothing (DKD108's advice on the log pipe is in the all profile only)
    assert "1 file scanned, 1 host: 0 errors, 0 warnings, 0 info" in done.stdout
    assert "DKD108" in cli("scan", "--profile", "all", cwd=tmp_path).stdout


def test_the_log_pipe_advice_is_in_the_all_profile_explain_and_live_restore_help():
    from dlint_docker.scan import Options, prepare

    explained = " ".join(cli("explain", "DKD108").stdout.split())
    assert "profile all]" in explained and "not a finding about a repository" in explained
    assert "DKD108" in cli("explain", "DKD101").stdout  # asking for live-restore says the caveat
    profiles = {p.meta.id: p.meta.profile for p in prepare(Options()).all_policies}
    assert profiles["DKD108"] == "all" and profiles["DKD101"] == "recommended"


def test_findings_exit_1_with_path_line_col(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED})
    done = cli("scan", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert done.returncode == 1
    assert "daemon.json:2:3: error   DKD002 unknown-key" in done.stdout
    assert "did you mean \"tlsverify\"?" in done.stdout
    assert "\033[" not in done.stdout


def test_fail_on_threshold(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"log-driver": "local"}\n'})  # only a warning
    assert cli("scan", cwd=tmp_path).returncode == 1
    assert cli("scan", "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert cli("scan", "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_select_and_ignore_by_id_name_and_prefix(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED})
    rules = lambda *args: {f["rule"] for f in json.loads(cli("scan", "-f", "json", *args, cwd=tmp_path).stdout)["findings"]}  # noqa: E731
    assert rules() == {"DKD002", "DKD101"}
    assert rules("--select", "DKD1") == {"DKD101"}
    assert rules("--ignore", "unknown-key") == {"DKD101"}
    assert rules("--select", "DKD002,live-restore-disabled", "--ignore", "DKD101") == {"DKD002"}


def test_unknown_rule_is_a_usage_error(tmp_path):
    write_tree(tmp_path, {"daemon.json": GOOD})
    done = cli("scan", "--select", "DKD999", cwd=tmp_path)
    assert done.returncode == 2 and "unknown rule 'DKD999'" in done.stderr


def test_engine_version_is_checked(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"graph": "/data"}\n'})
    assert cli("scan", "--engine-version", "banana", cwd=tmp_path).returncode == 2
    old = json.loads(cli("scan", "-f", "json", "--engine-version", "20.10", cwd=tmp_path).stdout)
    new = json.loads(cli("scan", "-f", "json", "--engine-version", "24.0", cwd=tmp_path).stdout)
    assert {f["name"] for f in old["findings"]} >= {"deprecated-option"}
    assert {f["name"]: f["breaks"] for f in new["findings"]}["removed-option"] == "config-load"
    assert new["engine"]["version"] == "24.0"


def test_output_file(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED})
    done = cli("scan", "--format", "sarif", "--output", "out.sarif", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"


def test_unknown_format_is_a_usage_error(tmp_path):
    write_tree(tmp_path, {"daemon.json": GOOD})
    done = cli("scan", "--format", "xml", cwd=tmp_path)
    assert done.returncode == 2 and "--format xml" in done.stderr


def _schema(name: str) -> dict:
    return json.loads((REPO / "linter" / "schemas" / name).read_text())


def test_json_report_validates_against_its_schema(tmp_path):
    write_tree(tmp_path, {"a/daemon.json": MIXED, "b/daemon.json": '{"log-level": "info", "log-level": "debug"}', "c/daemon.json": "{,}"})
    done = cli("scan", "-f", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    jsonschema.Draft202012Validator(_schema("report.schema.json")).validate(report)
    assert report["summary"]["exit_code"] == done.returncode == 3
    assert report["summary"]["sources"] == 3
    finding = next(f for f in report["findings"] if f["rule"] == "DKD005")
    assert finding["related"] and finding["related"][0]["line"] == 1


def test_sarif_validates_against_the_official_schema(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED, ".dlint.yaml": "exceptions:\n  - {path: daemon.json, rule: DKD101, reason: 'legacy host, tracked in OPS-1'}\n"})
    done = cli("scan", "-f", "sarif", cwd=tmp_path)
    sarif = json.loads(done.stdout)
    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["DKD101"]["defaultConfiguration"]["level"] == "warning" and rules["DKD101"]["help"]["text"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["DKD002"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert results["DKD101"]["suppressions"][0]["justification"] == "legacy host, tracked in OPS-1"
    assert all(r["partialFingerprints"]["dlint/v1"] for r in run["results"])


def test_fingerprints_survive_line_moves(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED})
    before = json.loads(cli("scan", "-f", "json", cwd=tmp_path).stdout)["findings"]
    write_tree(tmp_path, {"daemon.json": '\n\n{\n  "log-level": "info",\n\n  "tls-verify": true\n}\n'})
    after = json.loads(cli("scan", "-f", "json", cwd=tmp_path).stdout)["findings"]
    assert {f["fingerprint"] for f in before} == {f["fingerprint"] for f in after}
    assert {f["line"] for f in before} != {f["line"] for f in after}


def test_colour_only_when_forced_and_never_with_no_color(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED})
    assert "\033[" in cli("scan", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\033[" not in cli("scan", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_rules_table_and_json():
    table = cli("rules")
    assert table.returncode == 0
    assert "DKD101" in table.stdout and "live-restore-disabled" in table.stdout and "Breaks" in table.stdout
    rules = json.loads(cli("rules", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rules}
    assert by_id["DKD101"]["benchmarks"] == {"cis-docker-1.6.0": "2.15", "cis-docker-1.7.0": "2.15"}
    assert {r["breaks"] for r in rules} <= {"config-load", "daemon-start", "swarm", "ignored", "none"}


@pytest.mark.parametrize("name", ["DKD101", "live-restore-disabled"])
def test_explain(name):
    done = cli("explain", name)
    assert done.returncode == 0
    for section in ("Why", "What dockerd does", "Fails", "Passes", "How to fix", "References"):
        assert section in done.stdout
    assert '"live-restore": true' in done.stdout


def test_explain_unknown_rule():
    done = cli("explain", "no-such-rule")
    assert done.returncode == 2 and "dlint rules" in done.stderr


def test_schema_command_prints_a_valid_schema():
    done = cli("schema", "daemon-json", "--engine-version", "26.1")
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "live-restore" in schema["properties"]
    windows = json.loads(cli("schema", "daemon-json", "--platform", "windows").stdout)
    assert "live-restore" not in windows["properties"]


def test_python_dash_m_and_console_script_agree(tmp_path):
    import shutil
    import subprocess

    write_tree(tmp_path, {"daemon.json": MIXED})
    beside = Path(sys.executable).parent / "dlint"  # pip puts the script next to the interpreter
    script = str(beside) if beside.exists() else shutil.which("dlint")
    if script is None:
        pytest.fail("the dlint console script is not installed")
    via_script = subprocess.run([script, "scan", "-f", "json"], cwd=tmp_path, capture_output=True, text=True)
    via_module = cli("scan", "-f", "json", cwd=tmp_path)
    strip = lambda r: [{k: v for k, v in f.items()} for f in json.loads(r.stdout)["findings"]]  # noqa: E731
    assert strip(via_script) == strip(via_module)


def test_github_annotations(tmp_path):
    write_tree(tmp_path, {"daemon.json": MIXED})
    done = cli("scan", "--format", "github", cwd=tmp_path)
    assert done.returncode == 1
    assert "::error file=daemon.json,line=2,col=3,endLine=2,endColumn=15,title=DKD002 unknown-key (breaks config-load)::" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("dlint: 1 file scanned")


def test_parser_for_one_command_is_the_full_parser_for_it():
    """A run builds only its sub-command's options: what it parses and shows is the full parser's."""
    import argparse

    from dlint_docker import cli

    def sub(parser, name):
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return action.choices[name]

    def shape(parser):
        return [(a.dest, tuple(a.option_strings), a.nargs, a.default, tuple(a.choices) if isinstance(a.choices, dict) else a.choices, a.help, a.metavar, type(a)) for a in parser._actions]

    full = cli._parser()
    for name in cli._COMMANDS:
        only = cli._parser(name)
        assert only.format_help() == full.format_help()
        assert shape(sub(only, name)) == shape(sub(full, name)), name
        assert sub(only, name).format_help() == sub(full, name).format_help(), name
    assert cli._command_of(["--version"]) is None and cli._command_of(["-h", "scan", "x"]) == "scan" and cli._command_of(["--", "rules"]) == "rules"
    assert shape(cli._parser("nonsense")) == shape(full)


def test_a_note_said_without_v_keeps_that_status_when_a_plain_twin_came_first():
    from dlint_docker.said import Said
    from dlint_docker.scan import _once_each

    notes = ["a", "b", Said("a"), "b"]
    kept = _once_each(notes)
    assert kept == ["a", "b"] and isinstance(kept[0], Said)

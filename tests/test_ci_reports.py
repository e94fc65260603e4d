"""CI and code scanning: paths relative to the repository root, SARIF rules GitHub sorts by, the
junit, gitlab and checkstyle formats, several outputs in one run, and the report-writing guards."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from .helpers import REPO, at, cli, write_tree

BROKEN = '{\n  "live-restore": true,\n  "debu": true\n}\n'
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"  # the official 2.1.0 schema


def _repo(root: Path, files: dict) -> Path:
    write_tree(root, files)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def repo(tmp_path):
    return _repo(tmp_path, {"infra/etc/docker/daemon.json": BROKEN, "infra/etc/docker/sub/.keep": ""})


def _sarif(cwd: Path, *args):
    done = cli("scan", "-f", "sarif", *args, cwd=cwd)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def test_sarif_paths_are_relative_to_the_repository_root_whatever_the_cwd(repo):
    for cwd, target in ((repo, "."), (repo / "infra", "."), (repo / "infra/etc/docker/sub", "..")):
        run = _sarif(cwd, target)["runs"][0]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
        assert uris == {"infra/etc/docker/daemon.json"}, cwd
        assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run["results"]} == {"%SRCROOT%"}
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_outside_git_the_root_is_the_configuration_folder(tmp_path):
    write_tree(tmp_path, {"proj/.dlint.yaml": "fail-on: warning\n", "proj/hosts/daemon.json": BROKEN})
    run = _sarif(tmp_path / "proj" / "hosts", ".")["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"hosts/daemon.json"}


def test_sarif_validates_and_its_rules_carry_what_github_reads(repo):
    sarif = _sarif(repo / "infra", ".")
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    from dlint_docker.report.rules_meta import docs_base

    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    headings = set(re.findall(r"^## (DKD\d+ [a-z0-9-]+)$", (REPO / "docs" / "rules.md").read_text(), re.M))
    for rule in rules.values():
        assert f"{rule['id']} {rule['name']}" in headings
        # the installed distribution's [project.urls] decides; none declared: no guessed link
        assert ("helpUri" in rule) == bool(docs_base())
        assert isinstance(rule["properties"]["tags"], list)
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
    assert float(rules["DKD401"]["properties"]["security-severity"]) >= 7.0  # tcp-without-tls: an error, tagged security
    assert "security" in rules["DKD401"]["properties"]["tags"]
    assert "security-severity" not in rules["DKD002"]["properties"]  # unknown-key: not a security rule


def test_github_annotations_name_files_from_the_repository_root(repo):
    done = cli("scan", "-f", "github", ".", cwd=repo / "infra")
    files = set(re.findall(r"file=([^,]+),", done.stdout))
    assert files == {"infra/etc/docker/daemon.json"}


def test_junit_one_testcase_per_rule_and_file(repo):
    done = cli("scan", "-f", "junit", "--select", "DKD002,DKD108", ".", cwd=repo / "infra")
    assert done.returncode == 1
    suite = ET.fromstring(done.stdout).find("testsuite")
    cases = {(c.get("classname"), c.get("name")): c for c in suite.findall("testcase")}
    assert set(cases) == {("infra/etc/docker/daemon.json", "DKD002 unknown-key"), ("infra/etc/docker/daemon.json", "DKD108 live-restore-log-pipe")}
    assert cases[("infra/etc/docker/daemon.json", "DKD108 live-restore-log-pipe")].find("failure") is None  # info: below --fail-on
    line, column = at(BROKEN, '"debu"')
    failure = cases[("infra/etc/docker/daemon.json", "DKD002 unknown-key")].find("failure")
    assert failure.get("type") == "error" and f"{line}:{column}: error" in failure.text
    assert suite.get("failures") == "1" and suite.get("tests") == "2"


def test_junit_says_hosts_not_judged_fully_and_a_clean_run_passes(tmp_path):
    _repo(tmp_path, {"daemon.json": "{,}\n", "ok/daemon.json": '{"live-restore": true}\n'})
    suite = ET.fromstring(cli("scan", "-f", "junit", ".", cwd=tmp_path).stdout).find("testsuite")
    assert suite.find("testcase/skipped") is not None and int(suite.get("skipped")) >= 1
    clean = ET.fromstring(cli("scan", "-f", "junit", "ok", "--select", "DKD0", cwd=tmp_path).stdout).find("testsuite")
    assert clean.get("failures") == "0" and len(clean.findall("testcase")) == 1


def test_gitlab_code_quality_with_stable_fingerprints(repo):
    first = json.loads(cli("scan", "-f", "gitlab", "--select", "DKD0", ".", cwd=repo / "infra").stdout)
    assert [i["location"]["path"] for i in first] == ["infra/etc/docker/daemon.json"]
    issue = first[0]
    assert issue["check_name"] == "DKD002 unknown-key" and issue["severity"] == "critical"
    assert issue["location"]["lines"]["begin"] == at(BROKEN, '"debu"')[0]
    (repo / "infra/etc/docker/daemon.json").write_text("\n\n" + BROKEN)  # moved two lines down
    moved = json.loads(cli("scan", "-f", "gitlab", "--select", "DKD0", ".", cwd=repo).stdout)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in first]
    assert moved[0]["location"]["lines"]["begin"] == issue["location"]["lines"]["begin"] + 2


def test_gitlab_fingerprints_are_unique(tmp_path):
    text = '{"debu": 1, "debu": 2, "cgroup-paren": "x"}\n'
    _repo(tmp_path, {"a/daemon.json": text, "b/daemon.json": text})
    issues = json.loads(cli("scan", "-f", "gitlab", cwd=tmp_path).stdout)
    prints = [i["fingerprint"] for i in issues]
    assert len(prints) == len(set(prints)) >= 4


def test_checkstyle(repo):
    root = ET.fromstring(cli("scan", "-f", "checkstyle", "--select", "DKD0", ".", cwd=repo / "infra").stdout)
    (file,) = root.findall("file")
    assert file.get("name") == "infra/etc/docker/daemon.json"
    (error,) = file.findall("error")
    line, column = at(BROKEN, '"debu"')
    assert (error.get("line"), error.get("column"), error.get("severity"), error.get("source")) == (str(line), str(column), "error", "dlint.DKD002.unknown-key")


HOSTILE = '{"live-restore": true, "de\\u001b]0;pwned\\u0007bu\\u2028x": true}\n'


@pytest.mark.parametrize("fmt", ["junit", "checkstyle", "github", "text"])
def test_control_characters_are_neutralised_in_text_like_formats(tmp_path, fmt):
    _repo(tmp_path, {"daemon.json": HOSTILE})
    done = cli("scan", "-f", fmt, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u2028]", done.stdout), done.stdout
    assert "\\x1b" in done.stdout
    if fmt in ("junit", "checkstyle"):
        ET.fromstring(done.stdout)


def test_several_outputs_in_one_run(repo):
    infra = repo / "infra"
    done = cli("scan", "--format", "text", "--format", "sarif:dlint.sarif", "--format", "junit:report.xml",
               "--format", "gitlab:gl.json", "--format", "checkstyle:cs.xml", ".", cwd=infra)
    assert done.returncode == 1, done.stderr
    assert "DKD002" in done.stdout and done.stdout.rstrip().splitlines()[-1].startswith("dlint: 2 files scanned")
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(json.loads((infra / "dlint.sarif").read_text()))
    ET.fromstring((infra / "report.xml").read_text())
    ET.fromstring((infra / "cs.xml").read_text())
    assert "DKD002 unknown-key" in {i["check_name"] for i in json.loads((infra / "gl.json").read_text())}


def test_reports_to_files_only_still_print_the_summary(repo):
    done = cli("scan", "-f", "sarif:out.sarif", ".", cwd=repo)
    assert done.stdout.startswith("dlint: 2 files scanned") and (repo / "out.sarif").is_file()


def test_o_keeps_its_meaning_for_one_format(repo):
    done = cli("scan", "-f", "sarif", "-o", "x.sarif", ".", cwd=repo)
    assert done.returncode == 1 and done.stdout == "" and json.loads((repo / "x.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("args, said", [
    (["-f", "text", "-f", "json"], "only one format can go to standard output"),
    (["-f", "sarif:a", "-f", "junit:a"], "same file"),
    (["-f", "xml:a"], "--format xml:a"),
    (["-f", "sarif:"], "name the file"),
    (["-f", "sarif:a", "-o", "b"], "-o applies to a bare --format"),
])
def test_bad_output_plans_are_usage_errors(repo, args, said):
    done = cli("scan", *args, ".", cwd=repo)
    assert done.returncode == 2 and said in done.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_format_file_is_never_written_through_a_symbolic_link(repo, tmp_path_factory):
    victim = tmp_path_factory.mktemp("outside") / "victim"
    victim.write_text("keep\n")
    (repo / "report.xml").symlink_to(victim)
    done = cli("scan", "-f", "text", "-f", "junit:report.xml", ".", cwd=repo)
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert victim.read_text() == "keep\n"


def test_help_uri_is_the_rules_section_at_the_address_the_project_declares(monkeypatch):
    from dlint_docker.report import rules_meta, sarif
    from dlint_docker.scan import Options, prepare

    policies = prepare(Options()).all_policies
    headings = set(re.findall(r"^## (DKD\d+ [a-z0-9-]+)$", (REPO / "docs" / "rules.md").read_text(), re.M))
    docs = "https://example.org/dlint/docs/rules.md"  # what [project.urls] Documentation would say
    monkeypatch.setattr(rules_meta, "project_urls", lambda: {"documentation": docs, "homepage": "https://example.org/dlint"})
    for policy in policies:
        rule = sarif._rule(policy)
        base, anchor = rule["helpUri"].split("#")
        assert base == docs and anchor == f"{policy.meta.id} {policy.meta.name}".lower().replace(" ", "-")
        assert f"{policy.meta.id} {policy.meta.name}" in headings
    assert rules_meta.information_uri() == "https://example.org/dlint"
    monkeypatch.setattr(rules_meta, "project_urls", lambda: {"repository": "https://git.example.org/dlint/"})
    assert sarif._rule(policies[0])["helpUri"] == f"https://git.example.org/dlint/blob/v{rules_meta.__version__}/docs/rules.md#dkd001-invalid-json"
    monkeypatch.setattr(rules_meta, "project_urls", lambda: {})
    assert "helpUri" not in sarif._rule(policies[0]) and rules_meta.information_uri() == ""

"""The GitHub Action (action.yml): its metadata is well formed, inputs reach scripts only through
the environment, and its scan step, run as GitHub runs it, annotates, writes SARIF and records
dlint's exit code."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema

from dlint_docker.yamlsafe import load

from .helpers import REPO, write_tree

ACTION, _ = load((REPO / "action.yml").read_text())


def test_metadata_is_a_composite_action_with_described_inputs():
    assert {"name", "description", "inputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec["description"] and "default" in spec, name
    for step in ACTION["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "an expression spliced into a script is an injection"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_every_input_and_step_output_referenced_exists():
    text = (REPO / "action.yml").read_text()
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= set(ACTION["inputs"])
    ids = {step.get("id") for step in ACTION["runs"]["steps"]}
    assert set(re.findall(r"steps\.([\w-]+)\.outputs", text)) <= ids


def _step(step_id):
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def test_the_scan_step_annotates_writes_sarif_and_records_the_exit_code(tmp_path):
    repo = write_tree(tmp_path / "repo", {"infra/daemon.json": '{"live-restore": true, "debu": true}\n'})
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    shims = tmp_path / "bin"
    shims.mkdir()
    shim = shims / "dlint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m linter "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    output = tmp_path / "github_output"
    env = dict(os.environ, PATH=f"{shims}{os.pathsep}{os.environ['PATH']}", GITHUB_OUTPUT=str(output),
               DLINT_PATHS="infra", DLINT_ARGS="--select DKD0", DLINT_SARIF="dlint.sarif", PYTHONPATH=str(REPO))
    done = subprocess.run(["bash", "-e", "-c", _step("scan")["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the step records the code; a later step fails the job
    assert output.read_text().strip() == "exit-code=1"
    assert re.search(r"^::error file=infra/daemon.json,line=1,col=\d+.*DKD002", done.stdout, re.M)
    sarif = json.loads((repo / "dlint.sarif").read_text())
    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)

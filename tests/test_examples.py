"""The example repository's report is what examples/expected-report.json says.

To accept a deliberate change: DLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py
"""

from __future__ import annotations

import json
import os

from .helpers import REPO, cli

EXAMPLES = REPO / "examples"
GOLDEN = EXAMPLES / "expected-report.json"


def _report() -> dict:
    done = cli("scan", "--format", "json", cwd=EXAMPLES)
    report = json.loads(done.stdout)
    assert report["summary"].pop("duration_seconds") >= 0
    report["tool"].pop("version")
    assert report["summary"]["exit_code"] == done.returncode
    return report


def test_example_repository_report_matches_the_golden_file():
    report = _report()
    if os.environ.get("DLINT_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(GOLDEN.read_text("utf-8"))
    assert report == expected


def test_example_repository_shows_each_kind_of_problem():
    report = json.loads(GOLDEN.read_text("utf-8"))
    breaks = {f["breaks"] for f in report["findings"]}
    assert {"config-load", "ignored", "none"} <= breaks
    assert report["summary"]["exit_code"] == 3  # the broken role file
    assert report["summary"]["waived"] == 1
    assert not any("pm2" in f["path"] for f in report["findings"])

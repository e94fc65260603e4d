"""Test helpers: write a tiny repository and scan it in-process or through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence, Union

from dlint_docker.scan import Options, run

REPO = Path(__file__).resolve().parent.parent


def write_tree(root: Path, files: Dict[str, Union[str, bytes]]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return root


def scan(root: Path, paths: Sequence[str] = (), **options):
    return run(Options(paths=list(paths), cwd=root, **options))


def cli(*args: str, cwd: Optional[Path] = None, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment.pop("FORCE_COLOR", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "dlint_docker", *args], cwd=cwd, capture_output=True, text=True, env=environment, timeout=120)


def cli_json(*args: str, cwd: Optional[Path] = None) -> dict:
    done = cli("scan", "--format", "json", *args, cwd=cwd)
    assert done.returncode in (0, 1, 3), done.stderr
    return json.loads(done.stdout)


def at(text: str, needle: str, occurrence: int = 1):
    """1-based line and column of the n-th ``needle`` in ``text`` (computed independently of dlint)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def where(finding):
    return finding.location.line, finding.location.column


def only(result, rule):
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.message) for f in result.findings]
    return found[0]

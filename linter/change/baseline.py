"""Baselines: the findings a team accepts today, so that a scan gates only what is new.

Each finding's fingerprint is made of what survives line moves and unrelated edits: the rule, the
host (its path, role or resource address), the file relative to the repository root, the JSON
pointer or flag it is about, and its message with positions taken out. Two identical findings on
two hosts differ by host; two on one host and place are counted (a second one is a new entry).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..errors import UsageError

NAME = ".dlint-baseline.json"
VERSION = 1
MAX_BYTES = 16 * 1024 * 1024
# places and line numbers in a message move with unrelated edits; they are no part of its identity
_POSITIONS = re.compile(r"(?::\d+){1,2}\b|\blines? \d+(?:[-–]\d+)?")


def _normalised(message: str) -> str:
    return " ".join(_POSITIONS.sub("", message).split())


def _key(finding, rel: str) -> str:
    raw = "\0".join((finding.rule, finding.host or "", rel, finding.pointer or "", _normalised(finding.message)))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Sequence, rel_of) -> List[str]:
    """One fingerprint per finding, in order; the n-th finding with the same key gets ``key:n``."""
    seen: Counter = Counter()
    out = []
    for finding in findings:
        key = _key(finding, rel_of(finding))
        seen[key] += 1
        out.append(key if seen[key] == 1 else f"{key}:{seen[key]}")
    return out


@dataclass
class Applied:
    path: Path
    baselined: int = 0
    stale: List[dict] = field(default_factory=list)  # entries that match no finding now


def load(path: Path) -> Dict[str, dict]:
    from ..discovery import read_bounded

    data, error = read_bounded(path, MAX_BYTES)
    if data is None:
        raise UsageError(f"baseline {path}: {error}")
    try:
        document = json.loads(data.decode("utf-8"))
        entries = document["findings"]
        return {str(e["fingerprint"]): e for e in entries if isinstance(e, dict) and "fingerprint" in e}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise UsageError(f"baseline {path}: not a dlint baseline (write one with `dlint baseline`)") from None


def apply(findings: Sequence, entries: Dict[str, dict], rel_of, path: Path) -> Applied:
    """Mark the findings the baseline holds as waived by it; say which entries match nothing."""
    applied = Applied(path)
    active = [f for f in findings if f.waived is None]
    matched = set()
    for finding, mark in zip(active, fingerprints(active, rel_of)):
        if mark in entries:
            finding.waived = f"in the baseline {path.name}"
            finding.baselined = True
            matched.add(mark)
            applied.baselined += 1
    applied.stale = [entry for mark, entry in sorted(entries.items()) if mark not in matched]
    return applied


def document(findings: Sequence, rel_of, keep: Optional[Dict[str, dict]] = None) -> dict:
    """The baseline of the active findings (with ``keep``: only those already in it, --prune)."""
    active = [f for f in findings if f.waived is None or getattr(f, "baselined", False)]
    entries = []
    for finding, mark in zip(active, fingerprints(active, rel_of)):
        if keep is not None and mark not in keep:
            continue
        entries.append({"fingerprint": mark, "rule": finding.rule, "host": finding.host, "path": rel_of(finding),
                        "pointer": finding.pointer, "message": finding.message})
    entries.sort(key=lambda e: (e["path"], e["rule"], e["fingerprint"]))
    return {"tool": "dlint", "version": VERSION, "findings": entries}


def default_path(root: Path) -> Path:
    return Path(root) / NAME


def relative_to(root: Path, cwd: Path):
    """How a finding's file is named in a baseline: relative to the repository root."""
    root = Path(os.path.abspath(root))

    def rel(finding) -> str:
        absolute = Path(os.path.abspath(cwd / finding.location.path))
        try:
            return absolute.relative_to(root).as_posix()
        except ValueError:
            return absolute.as_posix()

    return rel

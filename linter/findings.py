"""Findings: what a policy reports, where, what it breaks, and how to fix it."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import field
from .lazyclass import dataclass
from typing import List, Optional, Tuple

from .location import Location
from .policy.model import SEVERITY_RANK


@dataclass
class Finding:
    rule: str
    name: str
    severity: str
    breaks: str
    message: str
    location: Location
    related: Tuple[Location, ...] = ()
    fix: Optional[str] = None
    help: str = ""
    host: str = ""
    pointer: Optional[str] = None  # JSON pointer of the value it is about (daemon.json terms)
    input_error: bool = False
    waived: Optional[str] = None  # the reason of the .dlint.yaml exception that waives it
    fingerprint: str = field(default="")
    engine: str = ""  # the engine release the host was judged for
    anchored: bool = True  # False: a host-wide finding pointing at a stand-in (the daemon.json that lacks a key)

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.rule, self.message)

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def to_dict(self) -> dict:
        loc = self.location
        data = {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "breaks": self.breaks,
            "message": self.message,
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "end_line": loc.end_line,
            "end_column": loc.end_column,
            "exact": loc.exact and self.anchored,
            "trace": [step.to_dict() for step in loc.trace],
            "related": [
                {"path": r.path, "line": r.line, "column": r.column, "end_line": r.end_line, "end_column": r.end_column}
                for r in self.related
            ],
            "fix": self.fix,
            "help": self.help,
            "host": self.host,
            "pointer": self.pointer,
            "fingerprint": self.fingerprint,
        }
        if self.engine:
            data["engine"] = self.engine
        if self.waived is not None:
            data["waived"] = {"reason": self.waived}
        return data


def fingerprint(rule: str, rel_path: str, pointer: Optional[str], key: str) -> str:
    """Stable across line moves: the rule, the file, and the logical place (not the line)."""
    raw = "\0".join((rule, rel_path, pointer or "", key))
    import hashlib  # only runs with findings pay for it

    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


MAX_PER_RULE_PER_FILE = 50


def capped(findings: List[Finding], limit: int = MAX_PER_RULE_PER_FILE) -> List[Finding]:
    """At most ``limit`` findings of one rule in one file (in report order; waived ones apart),
    then one that says how many more there are: 20,000 repeated flags make a report a reader can
    use, not tens of megabytes of the same line."""
    totals = Counter(_cap_key(f) for f in findings)
    seen: Counter = Counter()
    out = []
    for finding in findings:
        key = _cap_key(finding)
        seen[key] += 1
        if seen[key] <= limit:
            out.append(finding)
        elif seen[key] == limit + 1:
            out.append(_more(finding, totals[key] - limit, limit))
    return out


def _cap_key(finding: Finding) -> tuple:
    return finding.rule, finding.location.path, finding.waived is None


def _more(first: Finding, more: int, limit: int) -> Finding:
    """The summary finding, at the first finding left out."""
    import hashlib

    return dataclasses.replace(
        first,
        message=f"{more} more {first.rule} findings in this file, not listed (dlint lists {limit} of a rule per file); the first is here: {first.message}",
        related=(),
        fix=None,
        fingerprint=hashlib.sha256(f"{first.fingerprint}\0more".encode()).hexdigest()[:32],
    )

"""Inline waivers in files that have comments (YAML, shell, HCL, units, environment files):

    # dlint: disable=DKD101,live-restore-disabled -- reason
    # dlint: disable-file=DKD406 -- reason            (anywhere in the first 10 lines)

A waiver applies to findings on its own line or on the line below it. A reason is required: a
waiver without one is ignored (the finding stays, and says why). daemon.json cannot carry comments:
its findings are waived with ``exceptions`` in .dlint.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

_PRAGMA = re.compile(r"(?:#|//|;)\s*dlint:\s*(disable|disable-file)=([\w,.-]+)(?:\s+--\s*(\S.*?))?\s*$")
FILE_LINES = 10
_UNTIL = re.compile(r"\s*\(until (\d{4}-\d{2}-\d{2})\)$")  # -- reason (until 2027-03-31)


def _until(reason: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(reason, expiry date) of ``reason (until 2027-03-31)``."""
    match = _UNTIL.search(reason or "")
    if match is None:
        return reason, None
    return reason[: match.start()] or None, match.group(1)


class Pragmas:
    """The waivers of the files findings point into, read once per file."""

    def __init__(self, cwd: Path, resolve):
        self.cwd = cwd
        self.resolve = resolve  # selector -> set of rule ids (unknown names match nothing)
        self._files: Dict[str, Tuple[Dict[int, List[tuple]], List[tuple]]] = {}
        self.listed: Dict[str, List[tuple]] = {}  # path -> (line, column, selectors) of every waiver
        self.used: set = set()  # (path, line) of the waivers that waived a finding

    def read(self, path: str):
        if path not in self._files:
            lines: Dict[int, List[tuple]] = {}
            whole: List[tuple] = []
            from .discovery import MAX_BYTES, read_bounded

            # a regular file only, bounded: the finding may be about a FIFO or a huge file
            data, _ = read_bounded(self.cwd / path, MAX_BYTES)
            text = (data or b"").decode("utf-8", "replace")
            if "dlint:" in text:
                for number, line in enumerate(text.splitlines(), 1):
                    match = _PRAGMA.search(line)
                    if not match:
                        continue
                    rules = set()
                    for selector in match.group(2).split(","):
                        rules |= self.resolve(selector)
                    self.listed.setdefault(path, []).append((number, match.start(2) + 1, match.group(2).split(",")))
                    reason, until = _until(match.group(3))
                    entry = (rules, reason, until, number)
                    if match.group(1) == "disable-file" and number <= FILE_LINES:
                        whole.append(entry)
                    else:
                        lines.setdefault(number, []).append(entry)
            self._files[path] = (lines, whole)
        return self._files[path]

    def waiver(self, finding) -> Tuple[Optional[str], bool]:
        """(reason, refused): the reason of a waiver that covers the finding; refused when one
        covers it but gives no reason."""
        loc = finding.location
        if loc.path.startswith("<"):
            return None, False
        lines, whole = self.read(loc.path)
        candidates = lines.get(loc.line, []) + lines.get(loc.line - 1, []) + whole
        refused = False
        from .filtering import expired

        for rules, reason, until, number in candidates:
            if finding.rule in rules:
                if expired(until):
                    finding.message += f" (the inline waiver at {loc.path}:{number} expired on {until})"
                    self.used.add((loc.path, number))  # it matched: the expiry is said on the finding
                    continue
                if reason:
                    self.used.add((loc.path, number))
                    return f"{reason} (inline)", False
                refused = True
                self.used.add((loc.path, number))  # it matched; the finding says why it does not apply
        return None, refused

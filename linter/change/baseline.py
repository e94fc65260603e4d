"""Baselines: the findings a team accepts today, so that a scan gates only what is new.

Each finding's fingerprint is made of what survives line moves and unrelated edits: the rule, the
host (its path, role or resource address), the file, the JSON pointer or flag it is about, and its
message with positions taken out. Two identical findings on two hosts differ by host; two on one
host and place are counted (a second one is a new entry).

Findings name files, hosts and places relative to the working directory; a baseline names them
relative to the root (``root_of``: the git top level, else the folder of .dlint.yaml, else the
folder scanned), so that one written at the repository root matches a scan from a subfolder or of
an absolute path (``Identity``).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import field
from ..lazyclass import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

from ..errors import UsageError

NAME = ".dlint-baseline.json"
VERSION = 1
MAX_BYTES = 16 * 1024 * 1024
# places and line numbers in a message move with unrelated edits; they are no part of its identity
_POSITIONS = re.compile(r"(?::\d+){1,2}\b|\blines? \d+(?:[-–]\d+)?")


def _normalised(message: str) -> str:
    return " ".join(_POSITIONS.sub("", message).split())


def _key(finding, ident: "Identity") -> str:
    raw = "\0".join((finding.rule, ident.host(finding.host or ""), ident.path(finding.location.path), finding.pointer or "",
                     _normalised(ident.message(finding.message))))
    import hashlib  # only a run that has a baseline pays for it

    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Sequence, ident: "Identity") -> List[str]:
    """One fingerprint per finding, in order; the n-th finding with the same key gets ``key:n``."""
    seen: Counter = Counter()
    out = []
    for finding in findings:
        key = _key(finding, ident)
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


def apply(findings: Sequence, entries: Dict[str, dict], ident: "Identity", path: Path, scope: Optional[Sequence[str]] = None) -> Applied:
    """Mark the findings the baseline holds as waived by it; say which entries match nothing.
    ``scope``: the root-relative paths scanned (None: the whole root); an entry about a file
    outside them is not stale, only not looked at."""
    applied = Applied(path)
    active = [f for f in findings if f.waived is None]
    matched = set()
    for finding, mark in zip(active, fingerprints(active, ident)):
        if mark in entries:
            finding.waived = f"in the baseline {path.name}"
            finding.baselined = True
            matched.add(mark)
            applied.baselined += 1
    applied.stale = [entry for mark, entry in sorted(entries.items()) if mark not in matched and in_scope(entry.get("path"), scope)]
    return applied


def in_scope(rel, scope: Optional[Sequence[str]]) -> bool:
    if scope is None:
        return True
    if not isinstance(rel, str):
        return False
    return any(part in (".", "") or rel == part or rel.startswith(part.rstrip("/") + "/") for part in scope)


def document(findings: Sequence, ident: "Identity", keep: Optional[Dict[str, dict]] = None, outside: Sequence[dict] = ()) -> dict:
    """The baseline of the active findings (with ``keep``: only those already in it, --prune);
    ``outside``: entries of an earlier baseline about files this run did not scan, kept as they are."""
    active = [f for f in findings if f.waived is None or getattr(f, "baselined", False)]
    entries = list(outside)
    for finding, mark in zip(active, fingerprints(active, ident)):
        if keep is not None and mark not in keep:
            continue
        entries.append({"fingerprint": mark, "rule": finding.rule, "host": ident.host(finding.host or ""), "path": ident.path(finding.location.path),
                        "pointer": finding.pointer, "message": ident.message(finding.message)})
    entries.sort(key=lambda e: (str(e.get("path")), str(e.get("rule")), str(e.get("fingerprint"))))
    return {"tool": "dlint", "version": VERSION, "findings": entries}


def root_of(setup, options) -> Path:
    """What a baseline's paths are relative to, whatever the working directory: the git top level
    of the first path scanned, else the folder of .dlint.yaml, else the folder scanned (the first
    path, or the working directory when none is named)."""
    from ..discovery import git_root

    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
    first = Path(os.path.abspath(cwd / (options.paths[0] if options.paths else ".")))
    folder = first if first.is_dir() else first.parent
    top = git_root(folder)
    if top is not None:
        return top
    if setup.settings.path is not None:
        return Path(os.path.abspath(setup.settings.root))
    return folder


def default_path(setup, options) -> Path:
    """.dlint-baseline.json beside .dlint.yaml when there is one, else at the root (root_of)."""
    if setup.settings.path is not None:
        return Path(os.path.abspath(setup.settings.root)) / NAME
    return root_of(setup, options) / NAME


def scope_of(options, root: Path) -> Optional[List[str]]:
    """The paths scanned, relative to the root (None: the whole root)."""
    if not options.paths:
        cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
        return None if cwd == root else [Identity(root, cwd).path(".")]
    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
    ident = Identity(root, cwd)
    return [ident.path(p) for p in options.paths]


class Identity:
    """How a baseline names a finding's file, host and message: relative to the root, not to the
    working directory. ``shown``: the paths the run displays (findings' files, hosts' sources),
    which messages may name."""

    _HEAD_SUFFIX = re.compile(r"^(.*?)( \([^()]*\))$")  # "./ (molecule)"

    def __init__(self, root: Path, cwd: Path, shown: Iterable[str] = ()):
        self.root = Path(os.path.abspath(root))
        self.cwd = Path(os.path.abspath(cwd))
        names = sorted({s for s in shown if s and s not in (".", "./")}, key=len, reverse=True)
        # a shown path stands alone: not inside a longer path, not a prefix of a longer name
        self._shown = re.compile(r"(?<![\w./-])(" + "|".join(map(re.escape, names)) + r")(?![\w/-]|\.\w)") if names and self.root != self.cwd else None

    def path(self, shown: str) -> str:
        absolute = Path(os.path.abspath(self.cwd / shown))
        try:
            rel = absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()
        return rel or "."

    def message(self, text: str) -> str:
        return self._shown.sub(lambda m: self.path(m.group(1)), text) if self._shown is not None else text

    def host(self, name: str) -> str:
        """A host's name as a scan from the root names it: its leading path (a file, a rootfs
        folder, a role, the file of a resource or play) relative to the root."""
        if self.root == self.cwd or not name:
            return name
        head, sep, tail = name.partition(" › ")
        if not sep and name.startswith("hosts: "):  # the plays of the project in the working directory
            head, sep, tail = ".", " › ", name
        suffix = ""
        if not os.path.lexists(self.cwd / head):
            match = self._HEAD_SUFFIX.match(head)
            if match is None:
                return name
            head, suffix = match.groups()
            if not os.path.lexists(self.cwd / head):
                return name
        rel = self.path(head)
        if rel == "." and sep and tail.startswith("hosts: ") and not suffix:
            return tail  # the root's own plays are named by their pattern alone
        folder = head.endswith("/") or head == "." or rel == "."
        shown = "./" if rel == "." else rel + ("/" if folder and not rel.endswith("/") else "")
        return shown + suffix + sep + tail

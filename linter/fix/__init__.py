"""``dlint fix``: repair what dockerd would refuse or ignore, in place, touching nothing else.

Rounds: scan, plan the fixes of the reported findings (``plan``), write each file that reads back
as meant (``files``), scan again. ``--diff`` runs the same rounds with the files kept in memory
(each scan reads them through discovery's overlay), so it shows what ``dlint fix`` would write.
A file whose fixed findings are still there, or that now has an error or warning it did not have
(one that breaks dockerd, config-load, daemon-start or swarm, is said so), is put back as it was. A fix that makes another
possible (a comment removed, so the file parses) is applied in the next round; a round that
changes nothing ends it (at most ROUNDS), so a second ``dlint fix`` changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import field
from ..lazyclass import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List

if TYPE_CHECKING:  # imported where used: the command line imports this package to build its parser
    from .plan import Change, Plan

ROUNDS = 5
BREAKING = ("config-load", "daemon-start", "swarm")  # a fix that brings one of these is undone


@dataclass
class Outcome:
    fixed: Dict[str, List[str]] = field(default_factory=dict)  # display path: titles of the fixes applied
    not_written: List[str] = field(default_factory=list)  # "path: why"
    offers: list = field(default_factory=list)  # plan.Offer: shown as diffs, not applied
    unsafe_skipped: int = 0
    diff: str = ""

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.fixed.values())


def given_paths(options) -> List[Path]:
    cwd = Path(options.cwd or Path.cwd())
    return [Path(os.path.abspath(cwd / raw)) for raw in (options.paths or ["."])]


def preview(options, setup, unsafe: bool = False) -> Outcome:
    """The diff of what ``apply_fixes`` would write, round after round, writing nothing: each
    round's files are held in memory and the next scan reads them there (discovery's overlay)."""
    memory = _Memory(options)
    outcome = _rounds(options, setup, unsafe, memory)
    outcome.diff = memory.diff()
    outcome.diff += "".join(unified(o.where, o.before, o.after, o.reason) for o in outcome.offers if o.before != o.after)
    return outcome


def apply_fixes(options, setup, unsafe: bool = False) -> Outcome:
    """Fix the files under the given paths, round after round, and say what was done."""
    return _rounds(options, setup, unsafe, _Disk())


def _rounds(options, setup, unsafe: bool, target) -> Outcome:
    """Scan, plan, write (to disk or to memory), scan again: until a round writes nothing, at most
    ROUNDS rounds. A rewritten file that is worse or no better is put back as it was."""
    from .plan import make

    outcome = Outcome()
    refused: set = set()
    given = given_paths(options)
    cwd = Path(options.cwd or Path.cwd())
    result = target.scan(options, setup)
    for _ in range(ROUNDS):
        plan = make(result, cwd, unsafe)
        outcome.offers, outcome.unsafe_skipped = plan.offers, plan.unsafe_skipped
        written = _write(plan, given, refused, outcome, target)
        if not written:
            break
        after = target.scan(options, setup)
        for change in written:
            why = _regression(change, result, after)
            if why:
                target.undo(change)
                refused.add(change.display)
                outcome.not_written.append(f"{change.display}: {why}; left as it was")
            else:
                outcome.fixed.setdefault(change.display, []).extend(fix.title for _, fix in change.fixed)
        result = target.scan(options, setup) if any(c.display in refused for c in written) else after
    return outcome


def _write(plan: Plan, given: List[Path], refused: set, outcome: Outcome, target) -> List[Change]:
    written = []
    for change in plan.changes.values():
        if change.display in refused or change.new == change.original:
            continue
        why = target.refusal(change, given)
        if why:
            refused.add(change.display)
            outcome.not_written.append(f"{change.display}: not written: {why}")
            continue
        try:
            target.write(change)
        except OSError as err:  # a read-only file or folder: said, not a crash
            refused.add(change.display)
            outcome.not_written.append(f"{change.display}: not written: {err.strerror or err}")
            continue
        written.append(change)
    return written


class _Disk:
    """dlint fix: the files themselves."""

    def scan(self, options, setup):
        from ..scan import run

        return run(options, setup)

    def refusal(self, change: Change, given: List[Path]) -> str:
        from . import files

        return files.refusal(change.path, change.original, given, change.created)

    def write(self, change: Change) -> None:
        from . import files

        (files.create if change.created else files.replace)(change.path, change.new)

    def undo(self, change: Change) -> None:
        from . import files

        if change.created:
            files.remove(change.path)
        else:
            files.replace(change.path, change.original)


class _Memory:
    """dlint fix --diff: each round's files kept in memory, where the next scan reads them."""

    def __init__(self, options):
        self.files: Dict[str, bytes] = {}  # absolute path: the bytes after the fixes so far
        self.first: Dict[str, tuple] = {}  # absolute path: (display, bytes before any fix, created)

    def scan(self, options, setup):
        from dataclasses import replace

        from ..discovery import overlay
        from ..scan import run

        with overlay(self.files):
            return run(replace(options, cache=False), setup)  # the cache knows files, not the overlay

    def refusal(self, change: Change, given: List[Path]) -> str:
        from . import files

        key = os.path.abspath(change.path)
        return files.refusal(change.path, change.original, given, change.created, held=self.files.get(key, files.ON_DISK))

    def write(self, change: Change) -> None:
        key = os.path.abspath(change.path)
        self.first.setdefault(key, (change.display, change.original, change.created))
        self.files[key] = change.new

    def undo(self, change: Change) -> None:
        key = os.path.abspath(change.path)
        if change.created:
            self.files.pop(key, None)
        else:
            self.files[key] = change.original

    def diff(self) -> str:
        out = []
        for key, (display, original, created) in self.first.items():
            new = self.files.get(key)
            if new is None or new == original:
                continue
            out.append(unified(display, _text(original), _text(new), created=created))
        return "".join(out)


def _text(data: bytes) -> str:
    from .plan import decode

    decoded = decode(data)
    return decoded[2] if decoded is not None else data.decode("utf-8", "replace")


def _regression(change: Change, before, after) -> str:
    """Why the rewritten file is worse or no better ('' when the fixes did what they should)."""
    still = {f.fingerprint for f in after.active}
    kept = [finding for finding, _ in change.fixed if finding.fingerprint in still and finding.rule != "DKD005"]
    if kept:
        return f"{kept[0].rule} is still reported after the fix"
    # a new file (a drop-in) changes its host: judged on every file, an edit on its own file
    mine = [f for f in after.active if change.created or f.location.path == change.display]
    earlier = [f for f in before.active if change.created or f.location.path == change.display]
    if any(f.input_error or f.rule == "DKD001" for f in earlier):
        return ""  # it could not be judged before: what it shows now is no regression
    known = {(f.rule, f.location.path, f.pointer) for f in earlier}
    new = [f for f in mine if (f.rule, f.location.path, f.pointer) not in known]
    breaking = [f for f in new if f.breaks in BREAKING]
    if breaking:
        return f"the fix would break dockerd ({breaking[0].rule}: {breaking[0].message})"
    # the file would carry a finding it did not have: nothing is written, the user decides (an info,
    # such as live-restore's log-pipe advice, is not a finding against the file)
    worse = [f for f in new if f.severity in ("error", "warning")]
    if worse:
        return f"the fix would bring a new finding ({worse[0].rule}: {worse[0].message})"
    return ""


def unified(where: str, before: str, after: str, reason: str = "", created: bool = False) -> str:
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), "/dev/null" if created else f"a/{where}", f"b/{where}")
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    if text and reason:
        text = f"# not applied: {reason}\n" + text
    return text


def summary(outcome: Outcome, diff: bool = False) -> List[str]:
    """Lines for standard error: what was fixed, what was not and why."""
    verb = "would fix" if diff else "fixed"
    lines = [f"{verb} {len(titles)} in {path}: {'; '.join(titles)}" for path, titles in sorted(outcome.fixed.items())]
    lines += outcome.not_written
    for offer in outcome.offers:
        rules = ", ".join(sorted({fix.rule for _, fix in offer.fixed}))
        lines.append(f"{offer.where}: {rules} not fixed in place: {offer.reason} (dlint fix --diff shows the fix)")
    if outcome.unsafe_skipped:
        lines.append(f"{outcome.unsafe_skipped} unsafe fix(es) not applied (--unsafe-fixes applies them)")
    if not diff:
        lines.append(f"{outcome.count} fix(es) applied in {len(outcome.fixed)} file(s)")
    return lines


def sarif_fixes(result) -> Dict[int, list]:
    """SARIF ``fixes`` of each finding (by ``id``) that ``dlint fix`` would repair in place."""
    from .plan import make

    out: Dict[int, list] = {}
    try:
        plan = make(result, Path.cwd(), unsafe=True)
    except Exception:  # noqa: BLE001 - a report without fixes rather than no report
        return out
    for change in plan.changes.values():
        lines = _Lines(change.text)
        for finding, fix, edits in change.placed:
            replacements = [{"deletedRegion": lines.region(e.start, e.end), "insertedContent": {"text": e.text}} for e in edits]
            title = fix.title if fix.safe else f"{fix.title} (unsafe: changes behaviour)"
            out.setdefault(id(finding), []).append(
                {"description": {"text": title}, "artifactChanges": [{"artifactLocation": {"uri": change.display, "uriBaseId": "%SRCROOT%"}, "replacements": replacements}]}
            )
    return out


class _Lines:
    """1-based line and column (code points) of offsets into one text."""

    def __init__(self, text: str):
        from ..document import Document

        self._document = Document(text, "")

    def region(self, start: int, end: int) -> dict:
        line, column = self._document.line_col(start)
        end_line, end_column = self._document.line_col(end)
        return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}

"""``dlint fix``: repair what dockerd would refuse or ignore, in place, touching nothing else.

Rounds: scan, plan the fixes of the reported findings (``plan``), write each file that reads back
as meant (``files``), scan again. A file whose fixed findings are still there, or that now has a
finding it did not have that breaks dockerd (config-load, daemon-start, swarm), is put back as it was. A fix that makes another possible
(a comment removed, so the file parses) is applied in the next round; a round that changes
nothing ends it, so a second ``dlint fix`` changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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
    """The diff of every fix of one round, writing nothing."""
    from ..scan import run
    from .plan import make

    plan = make(run(options, setup), Path(options.cwd or Path.cwd()), unsafe)
    outcome = Outcome(offers=plan.offers, unsafe_skipped=plan.unsafe_skipped)
    outcome.diff = "".join(unified(c.display, c.text, c.new_text, created=c.created) for c in plan.changes.values())
    outcome.diff += "".join(unified(o.where, o.before, o.after, o.reason) for o in plan.offers if o.before != o.after)
    return outcome


def apply_fixes(options, setup, unsafe: bool = False) -> Outcome:
    """Fix the files under the given paths, round after round, and say what was done."""
    from ..scan import run
    from . import files
    from .plan import make

    outcome = Outcome()
    refused: set = set()
    given = given_paths(options)
    cwd = Path(options.cwd or Path.cwd())
    result = run(options, setup)
    for _ in range(ROUNDS):
        plan = make(result, cwd, unsafe)
        outcome.offers, outcome.unsafe_skipped = plan.offers, plan.unsafe_skipped
        written = _write(plan, given, refused, outcome)
        if not written:
            break
        after = run(options, setup)
        for change in written:
            why = _regression(change, result, after)
            if why:
                if change.created:
                    files.remove(change.path)
                else:
                    files.replace(change.path, change.original)
                refused.add(change.display)
                outcome.not_written.append(f"{change.display}: {why}; left as it was")
            else:
                outcome.fixed.setdefault(change.display, []).extend(fix.title for _, fix in change.fixed)
        result = run(options, setup) if any(c.display in refused for c in written) else after
    return outcome


def _write(plan: Plan, given: List[Path], refused: set, outcome: Outcome) -> List[Change]:
    from . import files

    written = []
    for change in plan.changes.values():
        if change.display in refused or change.new == change.original:
            continue
        why = files.refusal(change.path, change.original, given, change.created)
        if why:
            refused.add(change.display)
            outcome.not_written.append(f"{change.display}: not written: {why}")
            continue
        try:
            if change.created:
                files.create(change.path, change.new)
            else:
                files.replace(change.path, change.new)
        except OSError as err:  # a read-only file or folder: said, not a crash
            refused.add(change.display)
            outcome.not_written.append(f"{change.display}: not written: {err.strerror or err}")
            continue
        written.append(change)
    return written


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
    new = [f for f in mine if f.breaks in BREAKING and (f.rule, f.location.path, f.pointer) not in known]
    if new:
        return f"the fix would break dockerd ({new[0].rule}: {new[0].message})"
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
    lines = [f"fixed {len(titles)} in {path}: {'; '.join(titles)}" for path, titles in sorted(outcome.fixed.items())]
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

"""The command line of fixing: ``dlint fix [PATHS]`` and ``dlint scan --fix``."""

from __future__ import annotations

import sys

from .. import exitcodes


def add_options(parser, with_fix: bool) -> None:
    if with_fix:
        parser.add_argument("--fix", action="store_true", help="apply the safe fixes first, then report what remains (dlint fix)")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that change behaviour")


def add_command(commands, scan, full: bool = True) -> None:
    """``dlint fix``: every option of ``dlint scan``, and the fixing ones (not ``full``: its name
    and help only, for a run of another command)."""
    fix = commands.add_parser(
        "fix",
        help="apply the fixes of the findings in place, then report what remains",
        description="Fix what dockerd would refuse or ignore, editing only the exact text at fault, then report what remains. "
        "Only safe fixes unless --unsafe-fixes; --diff prints them and writes nothing.",
    )
    if not full:
        return
    for action in scan._actions:
        if action.dest not in ("help", "fix", "diff", "unsafe_fixes"):
            fix._add_action(action)
    add_options(fix, with_fix=False)


def wanted(args) -> bool:
    return args.command == "fix" or bool(getattr(args, "fix", False)) or bool(getattr(args, "diff", False))


def run(args, options, setup):
    """Apply (or, with --diff, print) the fixes. Returns an exit code to stop with, or None to go on
    and report what remains."""
    from ..errors import UsageError
    from ..report import one_line
    from . import apply_fixes, preview, summary

    if "-" in (getattr(args, "paths", None) or ()):
        raise UsageError("dlint fix edits files: it does not read standard input (use --diff on the file)")

    unsafe = bool(getattr(args, "unsafe_fixes", False))
    if getattr(args, "diff", False):
        outcome = preview(options, setup, unsafe)
        sys.stdout.write(outcome.diff)
        for line in summary(outcome, diff=True):
            print(f"dlint: {one_line(line)}", file=sys.stderr)
        return exitcodes.FINDINGS if outcome.diff else exitcodes.OK
    outcome = apply_fixes(options, setup, unsafe)
    for line in summary(outcome):
        print(f"dlint: {one_line(line)}", file=sys.stderr)
    return None

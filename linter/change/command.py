"""``dlint diff [BASE [HEAD]]``: what a change does to each host's dockerd (the impact report)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List

from .. import exitcodes

# gitrev, transition and impact are imported where used: the command line imports this module to
# build its parser, and a scan of one file needs none of them


def add_command(commands, full: bool = True) -> None:
    """``dlint diff`` (not ``full``: its name and help only, for a run of another command)."""
    diff = commands.add_parser(
        "diff",
        help="what a change does to each host's dockerd: settings that change, reload or restart, live-restore",
        description="Compare every host at BASE (default: HEAD) with the work tree, or with HEAD when given (git "
        "revisions, read from git's object store): the effective settings that change, whether a reload (SIGHUP) "
        "or only a restart applies each, and the change policies (live-restore drift, engine upgrades, restarts).",
    )
    if not full:
        return
    diff.add_argument("base", nargs="?", default="HEAD", metavar="BASE")
    diff.add_argument("head", nargs="?", metavar="HEAD", help="a revision (default: the work tree)")
    diff.add_argument("-f", "--format", choices=("text", "json"), default="text")
    diff.add_argument("-c", "--config", metavar="FILE", help="configuration file (default: .dlint.yaml up to the git root)")
    diff.add_argument("--engine-version", metavar="X.Y", help="Docker Engine release to judge for (default: each host's pin, else the newest)")
    diff.add_argument("--platform", choices=("linux", "windows"))
    diff.add_argument("--fail-on", choices=("error", "warning", "info", "never"), help="lowest severity that makes dlint exit 1 (default: warning)")
    diff.add_argument("--profile", choices=("recommended", "cis", "all"), help="the profile whose severities apply (restart-required is a warning under all; default: profile: in .dlint.yaml, else recommended)")


def run(args) -> int:
    from ..evaluate import Context, evaluate
    from ..scan import Options, _finish, gather, prepare
    from ..policy.model import SEVERITY_RANK
    from ..unknowns import Skips
    from . import gitrev, transition

    options = Options(paths=[], cwd=Path.cwd(), config=args.config, engine_version=args.engine_version, platform=args.platform, fail_on=args.fail_on,
                      profile=args.profile)
    setup = prepare(options)
    top = transition.repository_of(options)
    before = transition.read(options, setup, args.base, top)
    context = Context(setup.engine_version, frozenset(setup.settings.allowed_keys), setup.settings, setup.engine_origin)
    policies = [p for p in setup.policies if "change" in p.meta.tags]
    folder = None
    try:
        if args.head:
            folder = gitrev.materialise(top, gitrev.resolve(top, args.head))
            new_options, new_setup, _ = transition.mapped(options, setup, top, folder)
            _, hosts, _ = gather(new_options, new_setup)
        else:
            _, hosts, _ = gather(options, setup)
        transition.attach(before, hosts, context)
        findings = evaluate(hosts, policies, context, Skips())
        _finish(findings, setup, options.cwd)
        doc = document(before, args.head or "work tree", hosts, findings, context)
        doc["not_judged"] = [u.to_dict() for u in transition.not_judged(before, hosts, context, policies, args.head)]
    finally:
        if folder is not None:
            gitrev.remove(folder)
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else text(doc))
    if setup.fail_on == "never":
        return exitcodes.OK
    floor = SEVERITY_RANK[setup.fail_on]
    return exitcodes.FINDINGS if any(f.rank >= floor and f.waived is None for f in findings) else exitcodes.OK


def document(before, head: str, hosts, findings, context) -> dict:
    from .impact import MISSING, changes

    out = {"base": {"rev": before.rev, "commit": before.sha}, "head": head, "hosts": [], "appeared": before.appeared, "disappeared": before.disappeared}
    for host in hosts:
        if getattr(host, "before", None) is None:
            continue
        changed = changes(host, context)
        own = [f.to_dict() for f in findings if f.host == host.name and f.waived is None]
        if not changed and not own:
            continue
        out["hosts"].append({
            "host": host.name,
            "was": host.before.name,
            "changes": [
                {"key": c.key, "old": None if c.old is MISSING else c.old, "new": None if c.new is MISSING else c.new,
                 "applied_by": c.apply, "at": _place(c.new_at), "was_at": _place(c.old_at),
                 "set_before": c.old is not MISSING, "set_after": c.new is not MISSING}
                for c in changed
            ],
            "findings": own,
        })
    return out


def _place(location):
    return None if location is None else {"path": location.path, "line": location.line, "column": location.column}


_APPLIED = {"reload": "reload", "restart": "restart", "reload-fails": "restart (a reload is refused: also a flag)"}


def text(doc: dict) -> str:
    lines: List[str] = [f"dlint diff {doc['base']['rev']} ({doc['base']['commit'][:12]}) -> {doc['head']}"]
    for host in doc["hosts"]:
        lines.append(f"host {host['host']}" + (f" (was {host['was']})" if host["was"] != host["host"] else ""))
        for change in host["changes"]:
            at = change["at"]
            old = json.dumps(change["old"]) if change["set_before"] else "(not set)"
            was = change["was_at"]
            place = f"{at['path']}:{at['line']}:{at['column']}"
            previously = f" (was at {was['path']}:{was['line']}:{was['column']})" if was else ""
            lines.append(f"  {change['key']}: {old} -> {json.dumps(change['new']) if change['set_after'] else '(not set)'}  [{_APPLIED[change['applied_by']]}]  {place}{previously}")
        for finding in host["findings"]:
            lines.append(f"  {finding['path']}:{finding['line']}:{finding['column']}: {finding['severity']} {finding['rule']} {finding['name']}: {finding['message']}")
    for name in doc["appeared"]:
        lines.append(f"new host {name} (no running containers to judge)")
    for name in doc["disappeared"]:
        lines.append(f"host gone {name}")
    from ..report import one_line

    for unknown in doc.get("not_judged", ()):
        at = unknown.get("from")
        place = f" ({at['path']}:{at['line']}:{at['column']})" if at else ""  # the why says at which revision
        lines.append(one_line(f"not judged: host {unknown['host']}: {unknown['why']}{place}; {', '.join(unknown['skipped'])} not judged"))
    if not doc["hosts"]:
        lines.append("no other host's dockerd settings change" if doc.get("not_judged") else "no host's dockerd settings change")
    return "\n".join(lines) + "\n"


def add_baseline_command(commands, scan, full: bool = True) -> None:
    """``dlint baseline``: every reading option of ``dlint scan``, and where to write (not
    ``full``: its name and help only)."""
    baseline = commands.add_parser(
        "baseline",
        help="write the findings of today into .dlint-baseline.json, so that scans report only new ones",
        description="Scan like dlint scan and write the fingerprints of every finding (rule, host, file, key, message; "
        "not the line) to .dlint-baseline.json at the repository root (or -o FILE). dlint scan then reports only "
        "findings not in it. --prune keeps only the entries that still match a finding.",
    )
    if not full:
        return
    for action in scan._actions:
        if action.dest not in ("help", "format", "output", "fix", "diff", "unsafe_fixes", "baseline", "use_baseline", "diff_base", "all_findings", "quiet", "verbose", "no_color"):
            baseline._add_action(action)
    baseline.add_argument("-o", "--output", metavar="FILE", help="the baseline to write (default: .dlint-baseline.json at the repository root)")
    baseline.add_argument("--prune", action="store_true", help="only remove the entries that no longer match a finding; add none")


def write_baseline(args, options) -> int:
    import dataclasses
    import os

    from ..report.output import write
    from ..scan import prepare, run, shown_paths
    from . import baseline

    options = dataclasses.replace(options, use_baseline=False)
    setup = prepare(options)
    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
    target = Path(os.path.abspath(cwd / args.output)) if args.output else baseline.default_path(setup, options)
    result = run(options, setup)
    root = baseline.root_of(setup, options)
    ident = baseline.Identity(root, cwd, shown_paths(result.findings, result.hosts))
    scope = baseline.scope_of(options, root)
    earlier = baseline.load(target) if args.prune or (scope is not None and target.is_file()) else None
    # a scan of some paths rewrites their entries only: the others are kept as they are
    outside = [e for e in (earlier or {}).values() if not baseline.in_scope(e.get("path"), scope)]
    keep = earlier if args.prune else None
    doc = baseline.document(result.findings, ident, keep, outside)
    write(str(target), (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), [Path(setup.settings.root), root])
    written = len(doc["findings"]) - len(outside)
    said = f"{written} findings" + (f" kept, {len(keep) - len(outside) - written} stale entries removed" if keep is not None else "")
    if outside:
        said += f"; {len(outside)} entries about files outside the paths scanned kept"
    print(f"dlint: baseline {target}: {said}", file=sys.stderr)
    return exitcodes.INPUT if any(f.input_error and f.waived is None for f in result.findings) else exitcodes.OK

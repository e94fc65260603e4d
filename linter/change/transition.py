"""The hosts at a base revision, matched to the hosts of this run, and the findings they had."""

from __future__ import annotations

import dataclasses
import os
import posixpath
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..errors import UsageError
from . import gitrev


@dataclasses.dataclass
class Before:
    rev: str  # as the user wrote it
    sha: str
    hosts: list
    findings: list
    notes: List[str]
    matched: Dict[str, str] = dataclasses.field(default_factory=dict)  # new host name -> old host name
    appeared: List[str] = dataclasses.field(default_factory=list)
    disappeared: List[str] = dataclasses.field(default_factory=list)

    def only_new(self, findings: Sequence) -> list:
        """Findings that did not exist at the base revision: the same rule at the same logical
        place (file and JSON pointer, or the same matched host), whatever the line."""
        by_place = {(f.rule, f.location.path, f.pointer) for f in self.findings}
        old_name = {v: k for k, v in self.matched.items()}
        by_host = {(f.rule, old_name.get(f.host), f.pointer) for f in self.findings if f.host in old_name}
        return [f for f in findings if (f.rule, f.location.path, f.pointer) not in by_place and (f.rule, f.host, f.pointer) not in by_host]


def repository_of(options) -> Path:
    cwd = options.cwd or Path.cwd()
    first = Path(os.path.abspath(cwd / (options.paths[0] if options.paths else ".")))
    top = gitrev.toplevel(first if first.is_dir() else first.parent)
    if top is None:
        raise UsageError(f"{first}: not in a git repository; a change-aware scan compares git revisions")
    return top


def mapped(options, setup, top: Path, folder: Path):
    """The options and setup of a run over ``folder`` (a revision's files) that reads what the
    given ones read in the work tree ``top``, with the same display paths."""
    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))

    def inside(path: Path) -> Path:
        try:
            return folder / Path(os.path.abspath(path)).relative_to(top)
        except ValueError:
            return folder

    rev_cwd = inside(cwd)
    rev_cwd.mkdir(parents=True, exist_ok=True)  # our own folder; a cwd the revision lacks is empty
    paths = [str(inside(cwd / p)) for p in options.paths]
    kept = [p for p in paths if os.path.lexists(p)]
    context = [str(inside(cwd / p)) for p in options.context if os.path.lexists(inside(cwd / p))]
    settings = dataclasses.replace(setup.settings, root=inside(Path(setup.settings.root)))
    rev_options = dataclasses.replace(options, paths=kept, cwd=rev_cwd, cache=False, progress=False, context=context, diff_base=None)
    return rev_options, dataclasses.replace(setup, settings=settings, notes=[]), bool(paths) and not kept


def read(options, setup, rev: str, top: Optional[Path] = None) -> Before:
    """Assemble every host at ``rev`` and judge it with the same policies and settings."""
    from ..evaluate import Context, evaluate
    from ..scan import gather
    from ..unknowns import Skips

    top = top or repository_of(options)
    sha = gitrev.resolve(top, rev)
    folder = gitrev.materialise(top, sha)
    try:
        rev_options, rev_setup, gone = mapped(options, setup, top, folder)
        if gone:
            return Before(rev, sha, [], [], [f"{rev}: the paths given did not exist"])
        _, hosts, notes = gather(rev_options, rev_setup)
        context = Context(setup.engine_version, frozenset(setup.settings.allowed_keys), setup.settings, setup.engine_origin)
        findings = evaluate(hosts, setup.policies, context, Skips())
    finally:
        gitrev.remove(folder)
    return Before(rev, sha, hosts, findings, [f"{rev}: {n}" for n in notes if isinstance(n, str)])


def attach(before: Before, hosts: Sequence, context) -> None:
    """Pair each host with itself at the base revision: the same name (path, role, resource
    address), else, for a file that only moved, the same effective configuration."""
    old = {h.name: h for h in before.hosts if h.variant_of is None}
    fresh = [h for h in hosts if h.variant_of is None]
    for host in fresh:
        if host.name in old:
            _pair(before, host, old.pop(host.name))
    unmatched = [h for h in fresh if getattr(h, "before", None) is None]
    for host in unmatched:
        twin = _moved(host, old.values()) or next((o for o in old.values() if _same(o, host, context)), None)
        if twin is not None:
            _pair(before, host, old.pop(twin.name))
        else:
            before.appeared.append(host.name)
    before.disappeared.extend(old)


def _pair(before: Before, host, old) -> None:
    host.before = old
    host.before_rev = before.rev
    before.matched[host.name] = old.name


def _address(name: str):
    """A resource or play's address within its folder (``main.tf › aws_instance.web`` is
    ``aws_instance.web`` of the module in ``.``): a resource moved to another file of the same
    module is the same machine."""
    if " › " not in name:
        return None
    head, tail = name.split(" › ", 1)
    return (head if head.endswith("/") else posixpath.dirname(head), tail)


def _moved(host, candidates):
    address = _address(host.name)
    if address is None:
        return None
    found = [o for o in candidates if _address(o.name) == address]
    return found[0] if len(found) == 1 else None


def _same(old, new, context) -> bool:
    if not (old.readable and new.readable):
        return False
    a, b = context.for_host(old).facts(old).data, context.for_host(new).facts(new).data
    keys = ("config", "flags", "packages", "swarm", "unit", "platform")
    return all(a.get(k) == b.get(k) for k in keys) and bool(a.get("config") or a.get("packages"))


def not_judged(before: Before, hosts: Sequence, context, policies: Sequence, head: Optional[str] = None) -> list:
    """One Unknown per host paired with itself at the base revision whose change the change
    policies could not judge (fully): a side dlint could not read is said, never a silent pass.
    ``head``: the new side's revision (None: the work tree)."""
    from ..unknowns import Unknown
    from .impact import unjudged

    change = [p for p in policies if "change" in p.meta.tags]
    # the engine-upgrade policies judge the pin, the others the settings that change
    rules = {
        "all": sorted(p.meta.id for p in change),
        "pin": sorted(p.meta.id for p in change if "upgrades" in p.meta.tags),
        "settings": sorted(p.meta.id for p in change if "upgrades" not in p.meta.tags),
    }
    out = []
    for host in hosts:
        if host.variant_of is not None or host.undeployed or getattr(host, "before", None) is None:
            continue
        reason = unjudged(host, context, before.rev, head)
        if reason is None:
            continue
        why, location, rev, aspects = reason
        skipped = sorted({rule for aspect in aspects for rule in rules[aspect]})
        if skipped:  # a policy that is not enabled misses nothing
            out.append(Unknown(host.name, why, location, skipped, diff_base=before.rev, location_rev=rev))
    return out

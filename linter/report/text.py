"""Human output: findings grouped by file, ``path:line:col``, then one summary line."""

from __future__ import annotations

import os
from typing import List

from . import one_line

# what the JSON field ``breaks`` means, said as a user reads it ("breaks none" read as "harmless")
IMPACT = {
    "config-load": "refused at load",
    "daemon-start": "dockerd exits at start",
    "swarm": "swarm init/join fails",
    "ignored": "silently ignored",
    "none": "risk",
}

_COLOURS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1"}


def use_colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\033[{_COLOURS[style]}m{text}\033[0m" if colour else text


def render(result, options) -> str:
    colour = options.get("colour", False)
    verbose = options.get("verbose", False)
    lines: List[str] = []
    current = None
    shown = _merged([f for f in result.findings if f.waived is None or verbose])
    for finding, hosts, traces, related in shown:
        loc = finding.location
        if loc.path != current:
            if current is not None:
                lines.append("")
            lines.append(_paint(one_line(loc.path), "bold", colour))
            current = loc.path
        severity = _paint(f"{finding.severity:<7}", finding.severity, colour)
        # scanned text (paths, keys, values in messages) is shown on one line, controls escaped
        head = f"  {one_line(loc)}: {severity} {finding.rule} {finding.name}: {one_line(finding.message)}"
        if finding.waived is not None:
            head += _paint(f"  (waived: {one_line(finding.waived)})", "dim", colour)
        lines.append(head)
        detail = [f"impact: {IMPACT.get(finding.breaks, finding.breaks)}"]
        if not finding.anchored or len(hosts) > 1:  # a host-wide finding, or one on several machines
            detail.append(f"host{'s' if len(hosts) > 1 else ''} {'; '.join(hosts)}")
        detail.extend("via " + " › ".join(str(step) for step in trace) for trace in traces)
        detail.extend(f"see {place}" for place in related)
        if finding.fix:
            # remediation texts carry the policy file's line breaks: reflowed here, not escaped
            detail.append("fix: " + " ".join(finding.fix.split()))
        lines.append(_paint("      " + " · ".join(one_line(part) for part in detail), "dim", colour))
    if options.get("quiet"):  # --quiet: the findings only
        return "\n".join(lines) + "\n" if lines else ""
    unknown = _unknowns(result) + _undeployed(result) + ([] if verbose else _said(result))
    if unknown:
        if lines:
            lines.append("")
        lines.extend(unknown)
    if verbose and result.notes:
        if lines:
            lines.append("")
        lines.extend(f"note: {one_line(note)}" for note in result.notes)
    if lines:
        lines.append("")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _merged(findings) -> list:
    """The same finding on several machines (overlapping Ansible groups, two plays installing one
    file) is one line: (finding, its hosts, its distinct traces, the related places of them all),
    in report order."""
    groups: dict = {}
    for finding in findings:
        loc = finding.location
        key = (finding.rule, loc.path, loc.line, loc.column, finding.message, finding.waived)
        _, hosts, traces, related = groups.setdefault(key, (finding, [], [], []))
        if finding.host not in hosts:
            hosts.append(finding.host)
        if loc.trace and loc.trace not in traces:
            traces.append(loc.trace)
        related.extend(place for place in finding.related if place not in related)
    return list(groups.values())


def summary(result) -> str:
    # counted as shown: a finding on several machines is one
    active = [merged[0] for merged in _merged(result.active)]
    counts = {level: sum(1 for f in active if f.severity == level) for level in ("error", "warning", "info")}
    waived = len(_merged(result.findings)) - len(active)
    parts = [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
             f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
             f"{counts['info']} info"]
    text = (
        f"dlint: {result.files_seen} file{'s' if result.files_seen != 1 else ''} scanned, "
        f"{len(result.hosts)} host{'s' if len(result.hosts) != 1 else ''}: " + ", ".join(parts)
    )
    baselined = len(_merged([f for f in result.findings if getattr(f, "baselined", False)]))
    if waived:
        text += f" ({waived} waived" + (f", {baselined} by the baseline)" if baselined else ")")
    text += _read(result)
    text += f" in {result.duration:.2f}s (engine {result.setup.engine_version}{_pinned(result)})"
    return text


def _read(result) -> str:
    """How many of the files scanned dlint read (a kind claimed them) and how many it did not."""
    seen, read = result.files_seen, getattr(result, "sources", result.files_seen)
    if not isinstance(read, int) or read >= seen:
        return ""
    return f" ({read} read, {seen - read} of no kind dlint reads)"


def _pinned(result) -> str:
    """Hosts judged for the release their repository pins rather than the run's default."""
    pinned = sorted({f.engine for f in result.findings if f.engine and f.engine != result.setup.engine_version})
    return f"; hosts that pin their engine: {', '.join(pinned)}" if pinned else ""


def _undeployed(result) -> List[str]:
    """One line for the configuration files no machine runs (a variant beside the file the
    repository installs): not judged, and said, so that a broken spare file is no silent pass."""
    lines = [one_line(f"not deployed: {h.name}: {h.undeployed}; not judged") for h in getattr(result, "hosts", ()) if getattr(h, "undeployed", None)]
    variants = [h for h in getattr(result, "hosts", ()) if getattr(h, "variant_of", None) is not None]
    if not variants:
        return lines
    installed = sorted({_installed(h.variant_of) for h in variants})
    names = ", ".join(h.name for h in variants)
    return lines + [one_line(f"not deployed: {names}: nothing in the repository installs {'it' if len(variants) == 1 else 'them'} (it installs {', '.join(installed)}); not judged (dlint hosts lists them; name a file to judge it alone)")]


def _installed(fragment) -> str:
    where = fragment.document.start_location()
    target = getattr(fragment, "target", None)
    return f"{target} from {where.path}:{where.line}" if target else where.path


def _said(result) -> List[str]:
    """The notes said without -v (a named file dlint does not read, a decoy daemon.json)."""
    from ..said import Said

    return [f"note: {one_line(note)}" for note in getattr(result, "notes", ()) if isinstance(note, Said)]


def _unknowns(result) -> List[str]:
    """One line a host that dlint could not judge fully: what it could not know, where, and how
    many checks it skipped because of it."""
    lines = []
    # one line for several machines that lack the same thing (overlapping Ansible groups)
    merged: dict = {}
    for unknown in getattr(result, "unknowns", ()):
        merged.setdefault((unknown.why, str(unknown.location), tuple(unknown.skipped), unknown.diff_base), []).append(unknown)
    for same in merged.values():
        unknown = same[0]
        where = f" ({unknown.location})" if unknown.location is not None else ""  # the why says at which revision
        skipped = unknown.skipped
        if skipped:
            shown = ", ".join(skipped[:3]) + (", …" if len(skipped) > 3 else "")
            said = f"; {len(skipped)} check{'s' if len(skipped) != 1 else ''} not judged ({shown})"
        else:
            said = "; checks that need it are skipped"
        hosts = "; ".join(u.host for u in same)
        # a change-aware run: the change policies did not judge this host's change (fully)
        head = f"change since {unknown.diff_base} not judged on" if unknown.diff_base is not None else "unknown on"
        lines.append(one_line(f"{head} {hosts}: {unknown.why}{where}{said}"))
    return lines

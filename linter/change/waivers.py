"""Waivers that stay honest: a waiver or exception that waives nothing is said (unused-waiver), so
a misspelt rule, a line that moved or a problem fixed long ago cannot hide the next one."""

from __future__ import annotations

from pathlib import Path
from typing import List

from ..findings import Finding, fingerprint
from ..location import Location

RULE = "DKD905"


def findings(setup, pragmas, paths, whole_scan: bool, whole_tree: bool, cwd: Path) -> List[Finding]:
    """unused-waiver findings: inline waivers naming no known rule (always), and, on a scan of the
    whole repository, inline waivers and .dlint.yaml exceptions of enabled rules that waived no
    finding. ``paths``: the files read, as findings name them; ``whole_tree``: no paths were named."""
    from ..filtering import resolve

    policy = next((p for p in setup.policies if p.meta.id == RULE), None)
    if policy is None:
        return []
    enabled = {p.meta.id for p in setup.policies}
    out = []
    for path in sorted(set(paths) | set(pragmas.listed)):
        pragmas.read(path)
        for line, start, selectors in pragmas.listed.get(path, ()):
            rules, column = set(), start
            for selector in selectors:
                try:
                    rules |= {p.meta.id for p in resolve(selector, setup.all_policies, "inline")}
                except Exception:  # noqa: BLE001 - an unknown name is what this reports
                    out.append(_finding(policy, Location(path, line, column, line, column + len(selector)), "error",
                                        f"dlint waiver names {selector!r}, which is no rule: it waives nothing (`dlint rules` lists them)"))
                    column += len(selector) + 1
                    continue
                column += len(selector) + 1
            if whole_scan and rules & enabled and (path, line) not in pragmas.used:
                out.append(_finding(policy, Location(path, line, start, line, column - 1), None,
                                    f"this waiver of {', '.join(sorted(rules & enabled))} matches no finding (fixed, moved, or a line away?): remove it"))
    if whole_scan and whole_tree:  # an exception may be about files a narrower scan did not read
        out.extend(_unused_exceptions(policy, setup, enabled, cwd))
    for finding in out:
        finding.severity = setup.severity.get(RULE, finding.severity)
        finding.fingerprint = fingerprint(RULE, finding.location.path, str(finding.location.line), finding.message)
    return out


def _unused_exceptions(policy, setup, enabled, cwd: Path) -> List[Finding]:
    from ..discovery import display_path
    from ..filtering import expired

    settings = setup.settings
    if settings.path is None:
        return []
    out = []
    for index, exception in enumerate(setup.exceptions):
        if exception.used or exception.rule not in enabled or expired(exception.expires):  # expired: said on its finding
            continue
        line = settings.lines.get(("exceptions", index), 1)
        where = Location(display_path(Path(settings.path), cwd), line, 1, line, 1)
        out.append(_finding(policy, where, None, f"this .dlint.yaml exception of {exception.rule} matches no finding: remove it"))
    return out


def _finding(policy, location: Location, severity, message: str) -> Finding:
    meta = policy.meta
    return Finding(rule=meta.id, name=meta.name, severity=severity or meta.severity, breaks=meta.breaks, message=message,
                   location=location, fix=meta.remediation or None, help=f"dlint explain {meta.id}", host="")

"""JUnit XML (Jenkins, GitLab test reports, Azure): one test case per rule and file, failed by
its findings at or above --fail-on; hosts dlint could not judge fully are skipped test cases, so
that a silence is never a pass."""

from __future__ import annotations

from typing import Dict, List, Tuple

from ..policy.model import SEVERITY_RANK
from .paths import report_root, repo_path
from .xml import HEADER, attr, lines


def _cases(result) -> Dict[Tuple[str, str], List]:
    from .text import _merged

    root = report_root(result)
    cases: Dict[Tuple[str, str], List] = {}
    for finding, hosts, *_ in _merged(result.active):
        path = repo_path(result, finding.location.path, root)
        cases.setdefault((path, f"{finding.rule} {finding.name}"), []).append((finding, hosts))
    return cases


def _failing(result, finding) -> bool:
    threshold = result.setup.fail_on
    return finding.input_error or (threshold != "never" and finding.rank >= SEVERITY_RANK[threshold])


def _case(result, path: str, name: str, found: List) -> Tuple[str, bool]:
    failing = [f for f, _ in found if _failing(result, f)]
    said = [f"{f.location.line}:{f.location.column}: {f.severity}: {f.message}" + (f" (fix: {' '.join(f.fix.split())})" if f.fix else "") for f, _ in found]
    head = f"    <testcase classname={attr(path)} name={attr(name)} file={attr(path)} time=\"0\">"
    if failing:
        worst = max(failing, key=lambda f: f.rank)
        message = f"{len(found)} finding{'s' if len(found) != 1 else ''}: {found[0][0].message}"
        body = f"      <failure type={attr(worst.severity)} message={attr(message)}>{lines(said)}</failure>"
    else:
        body = f"      <system-out>{lines(said)}</system-out>"
    return "\n".join((head, body, "    </testcase>")), bool(failing)


def _unknown_cases(result) -> List[str]:
    out = []
    for unknown in getattr(result, "unknowns", ()):
        where = f" ({unknown.location})" if unknown.location is not None else ""
        message = f"{unknown.why}{where}; not judged: {', '.join(unknown.skipped) or 'checks that need it'}"
        out.append(f"    <testcase classname={attr(unknown.host)} name=\"not judged fully\" time=\"0\">\n      <skipped message={attr(message)}/>\n    </testcase>")
    return out


def render(result, options) -> str:
    cases, failures = [], 0
    for (path, name), found in sorted(_cases(result).items()):
        case, failed = _case(result, path, name, found)
        cases.append(case)
        failures += failed
    skipped = _unknown_cases(result)
    if not cases and not skipped:
        cases.append('    <testcase classname="dlint" name="scan" time="0"/>')  # a clean run is one passing test
    total = len(cases) + len(skipped)
    time = f"{result.duration:.3f}"
    counts = f'tests="{total}" failures="{failures}" errors="0" skipped="{len(skipped)}" time="{time}"'
    return "\n".join([
        HEADER,
        f'<testsuites name="dlint" {counts}>',
        f'  <testsuite name="dlint" {counts}>',
        *cases,
        *skipped,
        "  </testsuite>",
        "</testsuites>",
    ]) + "\n"

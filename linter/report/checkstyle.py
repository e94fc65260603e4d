"""Checkstyle XML (Jenkins warnings-ng, reviewdog, many editors): findings grouped by file."""

from __future__ import annotations

from typing import Dict, List

from .paths import report_root, repo_path
from .xml import HEADER, attr

_SEVERITY = {"error": "error", "warning": "warning", "info": "info"}


def render(result, options) -> str:
    from .text import _merged

    root = report_root(result)
    files: Dict[str, List[str]] = {}
    for finding, *_ in _merged(result.active):
        loc = finding.location
        message = finding.message + (f" (fix: {' '.join(finding.fix.split())})" if finding.fix else "")
        files.setdefault(repo_path(result, loc.path, root), []).append(
            f"    <error line=\"{loc.line}\" column=\"{loc.column}\" severity={attr(_SEVERITY[finding.severity])} "
            f"message={attr(message)} source={attr(f'dlint.{finding.rule}.{finding.name}')}/>"
        )
    out = [HEADER, '<checkstyle version="4.3">']
    for path in sorted(files):
        out.append(f"  <file name={attr(path)}>")
        out.extend(files[path])
        out.append("  </file>")
    out.append("</checkstyle>")
    return "\n".join(out) + "\n"

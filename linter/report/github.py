"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line."""

from __future__ import annotations

from . import one_line

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, property_value: bool = False) -> str:
    """Escaped for a workflow command: line breaks as GitHub's %0A (dlint's own "Fix:" line), every
    other control character shown escaped (scanned text must not reach the log raw)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return one_line(text)


def render(result, options) -> str:
    from .paths import report_root, repo_path

    root = report_root(result)
    lines = []
    for finding in result.active:
        loc = finding.location
        props = ",".join(
            f"{name}={_escape(str(value), True)}"
            for name, value in (
                ("file", repo_path(result, loc.path, root)),  # GitHub places it from the repository root
                ("line", loc.line),
                ("col", loc.column),
                ("endLine", loc.end_line),
                ("endColumn", loc.end_column),
                ("title", f"{finding.rule} {finding.name} (breaks {finding.breaks})"),
            )
        )
        message = one_line(finding.message) + (f"\nFix: {one_line(finding.fix)}" if finding.fix else "")
        lines.append(f"::{_LEVEL[finding.severity]} {props}::{_escape(message)}")
    from .text import summary

    lines.append(one_line(summary(result)))
    return "\n".join(lines) + "\n"

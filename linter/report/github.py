"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line."""

from __future__ import annotations

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(result, options) -> str:
    lines = []
    for finding in result.active:
        loc = finding.location
        props = ",".join(
            f"{name}={_escape(str(value), True)}"
            for name, value in (
                ("file", loc.path),
                ("line", loc.line),
                ("col", loc.column),
                ("endLine", loc.end_line),
                ("endColumn", loc.end_column),
                ("title", f"{finding.rule} {finding.name} (breaks {finding.breaks})"),
            )
        )
        message = finding.message + (f"\nFix: {finding.fix}" if finding.fix else "")
        lines.append(f"::{_LEVEL[finding.severity]} {props}::{_escape(message)}")
    from .text import summary

    lines.append(summary(result))
    return "\n".join(lines) + "\n"

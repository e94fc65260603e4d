"""Output formats. Each renders a scan Result as text; new ones come through the hook.

Scanned text (keys, values, file names) reaches the reports: what a terminal or a CI log would
interpret, control characters and line breaks, is shown escaped (``one_line`` for a field,
``terminal_safe`` as the last guard on a whole human-readable report)."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides that
# reorder what a reader sees
_OTHERS = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_FIELD = re.compile(f"[\x00-\x1f{_OTHERS}]")
# a whole report keeps its own line breaks, tabs and the colours dlint itself paints (text.py)
_REPORT = re.compile(f"\x1b\\[(?:0|1|2|31|33|36)m|[\x00-\x08\x0b-\x1f{_OTHERS}]")


def _escaped(match) -> str:
    char = match.group(0)
    if len(char) > 1:  # one of dlint's colours
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: object) -> str:
    """``text`` as one line with every control character escaped (``\\x1b``, ``\\n``)."""
    return _FIELD.sub(_escaped, str(text))


def terminal_safe(report: str) -> str:
    """A whole report with any control character other than line breaks, tabs and dlint's own
    colours escaped: the guard for a field a renderer forgot."""
    return _REPORT.sub(_escaped, report)

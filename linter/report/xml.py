"""XML for the JUnit and Checkstyle reports: scanned text (keys, values, file names) as one line
with every control character shown escaped (XML 1.0 cannot carry most of them even as
references, and a CI log must not interpret them), then XML-escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from . import one_line

HEADER = '<?xml version="1.0" encoding="UTF-8"?>'


def text(value: object) -> str:
    return escape(one_line(value))


def attr(value: object) -> str:
    """A quoted attribute value (line breaks and tabs are controls: escaped like the rest)."""
    return quoteattr(one_line(value), {"\n": "&#10;", "\t": "&#9;"})


def lines(values) -> str:
    """Several one-line values as element text, one per line."""
    return "\n".join(text(v) for v in values)

"""Where a template expression ends, for the formats that mask templates before parsing them
(Terraform's ``${..}``/``%{..}``, Jinja's ``{{..}}``/``{%..%}``/``{#..#}``)."""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
DIRECTIVES = ("%{", "{%", "{#")  # openers of whole-line directives rather than values


def expression_end(text: str, start: int, opener: str) -> Optional[int]:
    """The offset just past the expression that ``opener`` opens at ``start``; None if it never closes.
    ``${``/``%{`` close at the matching brace, the Jinja forms at their closer."""
    if opener in ("${", "%{"):
        depth, j, n = 0, start + 1, len(text)
        while j < n:
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return None
    j = text.find(CLOSERS[opener], start + 2)
    return None if j < 0 else j + 2


# where a template may put text: value expansions (Terraform/shell ``${..}``, Jinja ``{{..}}``,
# shell ``$NAME``) and the rest (directives, comments, command substitution), any of the syntaxes
# a daemon.json reaches dlint through
_EXPANSION = re.compile(r"\$\{|\{\{|\$[A-Za-z_]")
_OTHER = re.compile(r"%\{|\{%|\{#|<%|`|\$\(|\$\$|%%\{")


def _expansions(text: str) -> Optional[List[Tuple[int, int]]]:
    """The value expansions of ``text`` in order; None when one never closes."""
    found = []
    position = 0
    while True:
        match = _EXPANSION.search(text, position)
        if match is None:
            return found
        start = match.start()
        if match.group() == "{{":
            end = expression_end(text, start, "{{")
        elif match.group() == "${":
            end = expression_end(text, start, "${")
        else:
            end = re.compile(r"\$\w+").match(text, start).end()
        if end is None:
            return None
        found.append((start, end))
        position = end


def _masked(text: str, spans: List[Tuple[int, int]]) -> str:
    """``text`` with each expansion replaced, same length, by what JSON reads as a value there:
    letters inside a string, a number (and spaces) outside one."""
    out = []
    position = 0
    in_string = False
    for start, end in spans:
        in_string = _string_state(text, position, start, in_string)
        out.append(text[position:start])
        out.append("x" * (end - start) if in_string else "0" + " " * (end - start - 1))
        position = end
    out.append(text[position:])
    return "".join(out)


def _string_state(text: str, start: int, end: int, in_string: bool) -> bool:
    index = start
    while index < end:
        char = text[index]
        if in_string and char == "\\":
            index += 2
            continue
        if char == '"':
            in_string = not in_string
        index += 1
    return in_string


def json_error(text: str, start: int = 0, end: Optional[int] = None) -> Optional[Tuple[int, str]]:
    """(offset, message) of a JSON syntax error of a templated text that no rendering can mend:
    no template directive before it, no value expansion at it or just before it (which might
    render the missing comma), each expansion read as a value. None otherwise (or no error)."""
    from . import jsonread

    spans = _expansions(text)
    if spans is None:
        return None
    try:
        jsonread.parse(_masked(text, spans), start, end)
        return None
    except jsonread.JSONError as err:
        offset, message = err.offset, err.message
    other = _OTHER.search(text, 0, offset + 3)  # a directive that opens at the error counts too
    if other is not None and other.start() <= offset:
        return None
    for span_start, span_end in spans:
        if span_start <= offset and (offset < span_end or not text[span_end:offset].strip()):
            return None
    return offset, message


def json_error_outside(document, start: int, end: int) -> Optional[Tuple[int, str]]:
    """``json_error`` of a document's text, when the file it comes from says the same up to the
    error (no reader rendered or masked a template there)."""
    text = document.text
    found = json_error(text, start, end)
    if found is None:
        return None
    written = _written(document, start, found[0] + 1)
    if written is None or _SPACE.sub("", written) != _SPACE.sub("", text[start : found[0] + 1]):
        return None
    return found


_SPACE = re.compile(r"\s+")


def _written(document, start: int, end: int) -> Optional[str]:
    """The text of the outermost file that ``document.text[start:end]`` maps to exactly."""
    first, last = start, end - 1
    while document.parent is not None:
        first, last = document._to_parent(first), document._to_parent(last)
        if first is None or last is None:
            return None
        document = document.parent
    return document.text[first : last + 1]

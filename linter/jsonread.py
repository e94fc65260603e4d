"""A strict JSON reader that keeps the position of every key and value.

It accepts exactly what Go's encoding/json accepts (no comments, no trailing commas, one top-level
value) and, on the first syntax error, reports Go's own message and the offset of the offending
character, so that a finding can quote what dockerd will say. Duplicate keys are kept in order
(dockerd keeps the last one). The parser is iterative: nesting depth costs no Python stack.
"""

from __future__ import annotations

import math
import re
from typing import Any, List, Optional, Tuple

MAX_DEPTH = 10000  # encoding/json's maxNestingDepth

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))")
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class Node:
    """A JSON value: ``kind`` is object, array, string, number, true, false or null.

    ``start``/``end`` are offsets into the text. ``value`` holds the members (list of Member) of an
    object, the items of an array, the decoded text of a string and the literal of a number.
    """

    __slots__ = ("kind", "start", "end", "value")

    def __init__(self, kind: str, start: int, end: int = -1, value: Any = None):
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.kind}, {self.start}-{self.end})"

    def get(self, key: str) -> Optional["Member"]:
        """The last member named ``key`` of an object (the one dockerd keeps)."""
        found = None
        if self.kind == "object":
            for member in self.value:
                if member.key == key:
                    found = member
        return found


class Member:
    __slots__ = ("key", "key_start", "key_end", "value")

    def __init__(self, key: str, key_start: int, key_end: int, value: Optional[Node] = None):
        self.key = key
        self.key_start = key_start
        self.key_end = key_end
        self.value = value

    def __repr__(self) -> str:  # pragma: no cover
        return f"Member({self.key!r})"


class JSONError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def quote_char(ch: str) -> str:
    """Go's quoteChar: how encoding/json names an unexpected character.

    Docker 28 and later name a non-ASCII character by itself (26.1 named its first UTF-8 byte).
    """
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    if ch in named:
        return "'" + named[ch] + "'"
    code = ord(ch)
    if code < 0x20 or code == 0x7F:
        return f"'\\x{code:02x}'"
    if 0x80 <= code < 0xA0 or code == 0xAD:
        return f"'\\u{code:04x}'"
    return f"'{ch}'"


def _decode_string(body: str) -> str:
    if "\\" not in body:
        return body

    def replace(match: "re.Match[str]") -> str:
        hexa, simple = match.group(1), match.group(2)
        if simple is not None:
            return _SIMPLE_ESCAPES[simple]
        return chr(int(hexa, 16))

    text = _ESCAPE.sub(replace, body)
    # Go pairs surrogate escapes and turns a lone surrogate into U+FFFD
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _string_error(text: str, start: int, n: int) -> JSONError:
    """Find where a string that the fast pattern refused goes wrong, with Go's message."""
    i = start + 1
    while i < n:
        ch = text[i]
        if ch == '"':
            break  # pragma: no cover - the fast pattern would have matched
        if ch == "\\":
            if i + 1 >= n:
                return JSONError("unexpected end of JSON input", n)
            esc = text[i + 1]
            if esc in _SIMPLE_ESCAPES:
                i += 2
                continue
            if esc != "u":
                return JSONError(f"invalid character {quote_char(esc)} in string escape code", i + 1)
            for j in range(i + 2, i + 6):
                if j >= n:
                    return JSONError("unexpected end of JSON input", n)
                if text[j] not in "0123456789abcdefABCDEF":
                    return JSONError(f"invalid character {quote_char(text[j])} in \\u hexadecimal character escape", j)
            i += 6
            continue
        if ch < " ":
            return JSONError(f"invalid character {quote_char(ch)} in string literal", i)
        i += 1
    return JSONError("unexpected end of JSON input", n)


def _number_error(text: str, start: int, n: int) -> JSONError:
    i = start
    if i < n and text[i] == "-":
        i += 1
        if i >= n:
            return JSONError("unexpected end of JSON input", n)
        if not text[i].isdigit() or not text[i].isascii():
            return JSONError(f"invalid character {quote_char(text[i])} in numeric literal", i)
    while i < n and text[i] in "0123456789":
        i += 1
    if i < n and text[i] == ".":
        i += 1
        if i >= n:
            return JSONError("unexpected end of JSON input", n)
        if text[i] not in "0123456789":
            return JSONError(f"invalid character {quote_char(text[i])} after decimal point in numeric literal", i)
        while i < n and text[i] in "0123456789":
            i += 1
    if i < n and text[i] in "eE":
        i += 1
        if i < n and text[i] in "+-":
            i += 1
        if i >= n:
            return JSONError("unexpected end of JSON input", n)
        if text[i] not in "0123456789":
            return JSONError(f"invalid character {quote_char(text[i])} in exponent of numeric literal", i)
    return JSONError("unexpected end of JSON input", n)  # pragma: no cover


def _literal(text: str, pos: int, word: str, n: int) -> int:
    for k, expected in enumerate(word):
        j = pos + k
        if j >= n:
            raise JSONError("unexpected end of JSON input", n)
        if text[j] != expected:
            raise JSONError(f"invalid character {quote_char(text[j])} in literal {word} (expecting {quote_char(expected)})", j)
    return pos + len(word)


def parse(text: str, start: int = 0, end: Optional[int] = None) -> Node:
    """Parse the JSON document in ``text[start:end]``; offsets stay those of ``text``.

    Raises JSONError with Go's message and the failing offset. Only whitespace may lie outside
    the bounds (dockerd trims the file before decoding it).
    """
    n = len(text) if end is None else end
    pos = _WS.match(text, start, n).end()
    if pos >= n:
        raise JSONError("unexpected end of JSON input", n)
    stack: List[Node] = []  # open containers
    root: Optional[Node] = None
    context = "beginning of value"
    while True:
        # --- read one value at pos -----------------------------------------------------------
        ch = text[pos]
        node: Optional[Node] = None
        if ch == "{" or ch == "[":
            if len(stack) >= MAX_DEPTH:
                raise JSONError("exceeded max depth", pos)
            node = Node("object" if ch == "{" else "array", pos, -1, [])
            pos = _WS.match(text, pos + 1, n).end()
            if ch == "{":
                if pos < n and text[pos] == "}":
                    node.end = pos + 1
                    pos += 1
                else:
                    stack.append(node)
                    pos = _read_key(text, pos, node, n)
                    continue
            else:
                if pos < n and text[pos] == "]":
                    node.end = pos + 1
                    pos += 1
                else:
                    stack.append(node)
                    if pos >= n:
                        raise JSONError("unexpected end of JSON input", n)
                    continue
        elif ch == '"':
            match = _STRING.match(text, pos, n)
            if not match:
                raise _string_error(text, pos, n)
            node = Node("string", pos, match.end(), _decode_string(match.group(1)))
            pos = match.end()
        elif ch == "-" or "0" <= ch <= "9":
            match = _NUMBER.match(text, pos, n)
            if not match:
                raise _number_error(text, pos, n)
            end = match.end()
            if end < n and text[end] in ".eE":
                raise _number_error(text, pos, n)
            node = Node("number", pos, end, match.group(0))
            pos = end
        elif ch == "t":
            node = Node("true", pos, _literal(text, pos, "true", n), True)
            pos = node.end
        elif ch == "f":
            node = Node("false", pos, _literal(text, pos, "false", n), False)
            pos = node.end
        elif ch == "n":
            node = Node("null", pos, _literal(text, pos, "null", n), None)
            pos = node.end
        else:
            raise JSONError(f"invalid character {quote_char(ch)} looking for {context}", pos)

        # --- attach the finished value and close containers ----------------------------------
        while True:
            if not stack:
                root = node
                pos = _WS.match(text, pos, n).end()
                if pos < n:
                    raise JSONError(f"invalid character {quote_char(text[pos])} after top-level value", pos)
                return root
            parent = stack[-1]
            if parent.kind == "object":
                parent.value[-1].value = node
                after = "after object key:value pair"
                closer = "}"
            else:
                parent.value.append(node)
                after = "after array element"
                closer = "]"
            pos = _WS.match(text, pos, n).end()
            if pos >= n:
                raise JSONError("unexpected end of JSON input", n)
            ch = text[pos]
            if ch == ",":
                pos = _WS.match(text, pos + 1, n).end()
                if parent.kind == "object":
                    pos = _read_key(text, pos, parent, n)
                elif pos >= n:
                    raise JSONError("unexpected end of JSON input", n)
                context = "beginning of value"
                break
            if ch == closer:
                stack.pop()
                parent.end = pos + 1
                pos += 1
                node = parent
                continue
            raise JSONError(f"invalid character {quote_char(ch)} {after}", pos)


def _read_key(text: str, pos: int, obj: Node, n: int) -> int:
    """Read ``"key" :`` and return the position of the value that follows."""
    if pos >= n:
        raise JSONError("unexpected end of JSON input", n)
    if text[pos] != '"':
        raise JSONError(f"invalid character {quote_char(text[pos])} looking for beginning of object key string", pos)
    match = _STRING.match(text, pos, n)
    if not match:
        raise _string_error(text, pos, n)
    obj.value.append(Member(_decode_string(match.group(1)), pos, match.end()))
    pos = _WS.match(text, match.end(), n).end()
    if pos >= n:
        raise JSONError("unexpected end of JSON input", n)
    if text[pos] != ":":
        raise JSONError(f"invalid character {quote_char(text[pos])} after object key", pos)
    pos = _WS.match(text, pos + 1, n).end()
    if pos >= n:
        raise JSONError("unexpected end of JSON input", n)
    return pos


def number_value(literal: str):
    """A JSON number as Python: int for integer literals (Go decodes only these into int fields)."""
    if _INT.match(literal):
        return int(literal)
    return float(literal)


def to_python(node: Node) -> Any:
    """Plain Python data, as Go's decoder sees it: the last duplicate key wins. Iterative."""
    scalar = _scalar(node)
    if scalar is not _CONTAINER:
        return scalar
    root: Any = {} if node.kind == "object" else []
    work: List[Tuple[Node, Any]] = [(node, root)]
    while work:
        current, target = work.pop()
        if current.kind == "object":
            for member in current.value:
                child = member.value
                value = _scalar(child)
                if value is _CONTAINER:
                    value = {} if child.kind == "object" else []
                    work.append((child, value))
                target[member.key] = value
        else:
            for child in current.value:
                value = _scalar(child)
                if value is _CONTAINER:
                    value = {} if child.kind == "object" else []
                    work.append((child, value))
                target.append(value)
    return root


_CONTAINER = object()


def node_at(node: Node, path) -> Tuple[Node, Optional[Member]]:
    """The node at a decoded path (keys and indexes; the last duplicate of a key wins), and its member.

    Stops at the deepest node the path reaches.
    """
    member = None
    for part in path:
        if node.kind == "object":
            found = node.get(str(part))
            if found is None:
                break
            member, node = found, found.value
        elif node.kind == "array" and isinstance(part, int) and 0 <= part < len(node.value):
            member, node = None, node.value[part]
        else:
            break
    return node, member


def float_overflow(node: Node) -> Optional[Node]:
    """The first number, in document order, that does not fit a float64.

    dockerd first decodes the whole file into map[string]interface{}, where every number becomes a
    float64: a literal beyond float64's range (1e400) fails there, whatever key it belongs to. Every
    duplicate is decoded, so every occurrence counts. Iterative.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind == "number":
            if math.isinf(float(current.value)):
                return current
        elif current.kind == "object":
            stack.extend(m.value for m in reversed(current.value))
        elif current.kind == "array":
            stack.extend(reversed(current.value))
    return None


def _scalar(node: Node) -> Any:
    kind = node.kind
    if kind == "object" or kind == "array":
        return _CONTAINER
    if kind == "number":
        return number_value(node.value)
    return node.value


def top_level_keys_lenient(text: str) -> List[str]:
    """The keys at depth 1 of something that looks like a JSON object, even if it is broken.

    Used only to decide whether a file is a Docker daemon configuration at all (a PM2 process file
    named daemon.json is not), never to judge validity.
    """
    keys: List[str] = []
    depth = 0
    pos = 0
    n = len(text)
    token = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]]')
    colon = re.compile(r"[ \t\r\n]*:")
    while pos < n:
        match = token.search(text, pos)
        if not match:
            break
        tok = match.group(0)
        pos = match.end()
        if tok in "{[":
            depth += 1
        elif tok in "}]":
            depth -= 1
        elif depth == 1 and colon.match(text, pos):
            try:
                keys.append(_decode_string(tok[1:-1]))
            except (KeyError, ValueError):
                keys.append(tok[1:-1])
    return keys

"""Static reading of Jinja (Ansible templates, Jinja in YAML values): never rendered, never run.

dlint does not import Jinja and never evaluates a template. It reads the tags of a text
(``{{ .. }}``, ``{% .. %}``, ``{# .. #}``, ``{% raw %}``) and replaces an expression by its value
only when that value is a literal dlint can know: a variable the repository defines (the caller's
``resolve`` says which and where), a string or number literal, and a few pure filters
(``to_json``, ``to_nice_json``, ``default``, ``string``, ``lower``, ``upper``, ``trim``, ``int``,
``bool``, ``join``, ``indent``, ``first``, ``last``, ``mandatory``). Anything else (a call such as
``lookup('pipe', ..)``, an attribute starting with ``_``, an unknown filter, a variable defined
nowhere dlint reads, ``{% if %}``/``{% for %}``/``{% set %}`` blocks) is unknown: the text is
*templated*, and the expression is masked with ``x`` at the same length (or kept as it is, for a
shell command) so that the rest keeps its positions. An unknown expression that is a whole quoted
value (``"{{ x }}"``) keeps its quotes: the rendered text always has them, so the value is a
string of unknown content (its key is one a template decides: checks of its value are withheld,
the rest of the file is judged). Nothing is ever called: the evaluator knows
literals, names, items and those filters, and nothing more.

Docker's own Go templates in values (``"tag": "{{.Name}}"``) start with ``{{.``; they are text, not
Jinja.

Every character of a rendered text keeps where it comes from (``Mapped``): literal template text
maps to the template, a substituted value to the node of the vars file that sets it. ``to_document``
makes a Document of it: a core Document mapped piece by piece when it all comes from one document,
a ``Spliced`` document when it comes from several (a template with a value from defaults/main.yml).

``to_json``/``to_nice_json`` write what Ansible writes (provisioning-facts §4.6): ``json.dumps``
with its default separators for to_json; ``indent=4, sort_keys=True, separators=(",", ": ")`` for
to_nice_json; non-ASCII escaped.
"""

from __future__ import annotations

import functools
import json
import operator
import re
from bisect import bisect_right
from dataclasses import field
from .lazyclass import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import branches
from .document import Document
from .location import Location, TraceStep

MASK = "x"
MAX_DEPTH = 32  # nesting of an expression, and of values rendered through other values
MAX_TEXT = 4 * 1024 * 1024  # characters one rendering may produce


# --- text that remembers where each character comes from ---------------------------------------


@dataclass
class Run:
    """Characters that come from one place: ``doc`` at ``offset`` (each next character at the next
    offset when ``exact``, else all of them at ``offset``), or nowhere (``doc`` None: made up, such
    as the punctuation of generated JSON; it maps to the value it belongs to)."""

    text: str
    doc: Optional[Document] = None
    offset: int = 0
    exact: bool = True


class Mapped:
    """A text made of runs."""

    def __init__(self, runs: Sequence[Run] = ()):
        self.runs: List[Run] = [r for r in runs if r.text]

    @classmethod
    def of(cls, text: str, doc: Optional[Document] = None, offset: int = 0, exact: bool = True) -> "Mapped":
        return cls([Run(text, doc, offset, exact)])

    @classmethod
    def lines(cls, text: str, doc: Document, line_offsets: Sequence[int]) -> "Mapped":
        """A text whose n-th line starts at ``line_offsets[n]`` of ``doc`` (a YAML block scalar)."""
        runs = []
        total, length = 0, len(text)
        for line, offset in zip(text.split("\n"), line_offsets):
            piece = line + "\n"
            if total + len(piece) > length:  # the last line has no newline of its own
                piece = piece[: length - total]
            runs.append(Run(piece, doc, offset))
            total += len(piece)
            if total >= length:
                break
        return cls(runs)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def __len__(self) -> int:
        return sum(len(r.text) for r in self.runs)

    def add(self, text: str, doc: Optional[Document] = None, offset: int = 0, exact: bool = True) -> "Mapped":
        if text:
            self.runs.append(Run(text, doc, offset, exact))
        return self

    def extend(self, other: "Mapped") -> "Mapped":
        self.runs.extend(other.runs)
        return self

    def slice(self, start: int, end: int) -> "Mapped":
        out = Mapped()
        position = 0
        for run in self.runs:
            run_end = position + len(run.text)
            lo, hi = max(start, position), min(end, run_end)
            if lo < hi:
                shift = lo - position if run.exact else 0
                out.add(run.text[lo - position : hi - position], run.doc, run.offset + shift, run.exact)
            position = run_end
        return out

    def origin(self) -> Optional[Tuple[Document, int]]:
        for run in self.runs:
            if run.doc is not None:
                return run.doc, run.offset
        return None

    def anchored(self, doc: Document, offset: int) -> "Mapped":
        """The same text, characters from nowhere mapped to ``doc`` at ``offset``."""
        return Mapped([r if r.doc is not None else Run(r.text, doc, offset, False) for r in self.runs])


# --- documents made of pieces of several documents ---------------------------------------------


class Spliced(Document):
    """A text assembled from pieces of several documents: a template whose values come from a vars
    file. A piece from ``parent`` maps as an embedded document does (with this document's trace
    step); a piece from another document maps to that document, whose own trace (``via``) says how
    it was reached."""

    def __init__(self, text: str, runs: Sequence[Tuple[int, Document, int, bool]], *, parent: Document, label: str, anchor: Tuple[int, int]):
        super().__init__(text, parent.path, parent=parent, label=label, anchor=anchor)
        self._runs = list(runs)
        self._run_starts = [r[0] for r in self._runs]

    def location(self, start: int, end: Optional[int] = None) -> Location:
        if end is None or end < start:
            end = start
        if not self._runs:
            return super().location(start, end)
        index = max(0, bisect_right(self._run_starts, start) - 1)
        run_start, doc, offset, exact = self._runs[index]
        run_end = self._run_starts[index + 1] if index + 1 < len(self._runs) else len(self.text)
        end = min(end, max(run_end, start))
        if exact:
            lo, hi = offset + start - run_start, offset + end - run_start
        else:
            lo = hi = offset
        outer = doc.location(lo, hi)
        trace = outer.trace
        if doc is self.parent:
            holder = self.parent.location(*(self._anchor or (lo, lo)))
            trace = trace + (TraceStep(holder.path, holder.line, holder.column, self.label),)
        return Location(outer.path, outer.line, outer.column, outer.end_line, outer.end_column, trace=trace, exact=exact and outer.exact)


def to_document(mapped: Mapped, *, parent: Document, label: str, anchor: Tuple[int, int]) -> Document:
    """A Document of a mapped text: mapped piece by piece into ``parent`` when every character comes
    exactly from one document, a Spliced document otherwise."""
    text = mapped.text
    runs: List[Tuple[int, Document, int, bool]] = []
    position = 0
    for run in mapped.runs:
        doc = run.doc if run.doc is not None else parent
        offset = run.offset if run.doc is not None else anchor[0]
        exact = run.exact and run.doc is not None
        if runs and runs[-1][1] is doc and runs[-1][3] and exact and runs[-1][2] + (position - runs[-1][0]) == offset:
            pass  # continues the previous run
        elif runs and runs[-1][1] is doc and not runs[-1][3] and not exact and runs[-1][2] == offset:
            pass
        else:
            runs.append((position, doc, offset, exact))
        position += len(run.text)
    if not runs:
        return Document(text, parent.path, parent=parent, label=label, anchor=anchor)
    docs = {id(r[1]) for r in runs}
    single = next(iter(docs)) if len(docs) == 1 else None
    if single is not None and runs[0][1] is not parent:
        # everything comes from one other document: it becomes the parent
        other = runs[0][1]
        if all(r[3] for r in runs):
            return Document(text, other.path, parent=other, label=label, pieces=([r[0] for r in runs], [r[2] for r in runs]), anchor=_span_of(runs, text))
    if single is not None and all(r[3] for r in runs):
        return Document(text, parent.path, parent=parent, label=label, pieces=([r[0] for r in runs], [r[2] for r in runs]), anchor=anchor)
    return Spliced(text, runs, parent=parent, label=label, anchor=anchor)


def _span_of(runs, text: str) -> Tuple[int, int]:
    first = runs[0][2]
    last_start, _, last_offset, _ = runs[-1]
    return first, last_offset + (len(text) - last_start)


# --- values ----------------------------------------------------------------------------------


@dataclass
class Val:
    """A value dlint knows, and where it stands.

    ``kind``: str | int | float | bool | null | list | dict | unknown. ``data``: the Python scalar,
    a list of Val, or a list of (key Val, value Val) pairs. ``text``: a str's characters with their
    origins. ``at``: (document, start, end) of the node or expression that gives it."""

    kind: str
    data: Any = None
    text: Optional[Mapped] = None
    at: Optional[Tuple[Document, int, int]] = None
    partial: bool = False  # a str with unknown (masked) parts
    label: str = ""  # where a variable's value comes from ("x from roles/r/defaults/main.yml:3")

    @property
    def known(self) -> bool:
        return self.kind != "unknown"

    def mapped(self) -> Mapped:
        """The characters of a str (or of the text Jinja's str() gives a scalar)."""
        if self.text is not None:
            return self.text
        doc, start = (self.at[0], self.at[1]) if self.at else (None, 0)
        return Mapped.of(scalar_text(self), doc, start, False)

    def python(self, depth: int = 0) -> Any:
        if self.kind == "list":
            return [v.python(depth + 1) for v in self.data]
        if self.kind == "dict":
            return {k.python(depth + 1): v.python(depth + 1) for k, v in self.data}
        if self.kind == "str":
            return self.mapped().text
        return self.data


UNKNOWN = Val("unknown")


class LazyDict(Val):
    """A dict whose pairs are made when first needed, and whose members can be made one at a
    time: a variable such as kubespray's ``downloads`` holds hundreds of templated entries, and a
    task reads one of them (``downloads[item]``)."""

    def __init__(self, make: Callable[[], list], member: Callable[[Any], Any], at=None):
        super().__init__("dict", None, None, at)
        self._make: Optional[Callable[[], list]] = make  # after __init__: its `data = None` is no assignment
        self._member = member  # key -> its value (the last pair's), or None when no pair has it
        self._members: dict = {}

    @property  # type: ignore[override]
    def data(self):
        if self._make is not None:
            make, self._make = self._make, None
            self._data = make()
        return self._data

    @data.setter
    def data(self, value) -> None:
        self._data = value
        self._make = None  # what is assigned is the dict now

    def member(self, key) -> Optional[Val]:
        if self._make is None:
            return None  # made already: look in the pairs
        try:
            if key not in self._members:
                found = self._member(key)
                self._members[key] = found if found is not None else unknown("no such key")
        except TypeError:  # an unhashable key
            return None
        return self._members[key]


class _Undefined:
    """A name defined nowhere dlint reads (``| default(..)`` gives it a value)."""


UNDEFINED = _Undefined()


OMIT = "omit"  # the reason of the unknown value Ansible's ``omit`` gives: a task leaves out what is set to it


def unknown(reason: str = "") -> Val:
    return Val("unknown", reason)


def string(text: str, doc: Optional[Document] = None, offset: int = 0, exact: bool = True) -> Val:
    at = (doc, offset, offset + len(text)) if doc is not None else None
    return Val("str", None, Mapped.of(text, doc, offset, exact), at)


def scalar_text(val: Val) -> str:
    """Jinja's str() of a scalar."""
    if val.kind == "bool":
        return "True" if val.data else "False"
    if val.kind == "null":
        return "None"
    if val.kind == "float":
        return repr(val.data)
    if val.kind == "str":
        return val.mapped().text
    return str(val.data)


def truthy(val: Val) -> Optional[bool]:
    if not val.known or val.partial:
        return None
    if val.kind in ("list", "dict"):
        return bool(val.data)
    if val.kind == "str":
        return bool(len(val.mapped()))
    return bool(val.data)


# --- tags --------------------------------------------------------------------------------------


@dataclass
class Tag:
    kind: str  # expr | stmt | comment | raw
    start: int  # the span of the whole tag in the text (for raw: {% raw %} to {% endraw %})
    end: int
    body: str = ""  # between the delimiters, whitespace-control signs removed
    closed: bool = True
    strip_before: bool = False  # {{- {%- {#-
    strip_after: bool = False  # -}} -%} -#}
    content: Tuple[int, int] = (0, 0)  # raw: the literal text between the raw tags


_OPENER = re.compile(r"\{\{|\{%|\{#")
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_RAW_END = re.compile(r"\{%(-?)\s*endraw\s*(-?)%\}")


def is_go_template(text: str, start: int) -> bool:
    """``{{.Name}}``, ``{{ .Name }}``, ``{{- .Name -}}``: Docker's Go templates, not Jinja."""
    i = start + 2
    if text.startswith("-", i):
        i += 1
    while i < len(text) and text[i] in " \t":
        i += 1
    return text.startswith(".", i)


def _close(text: str, start: int, closer: str) -> int:
    """The index of ``closer`` that ends the tag opened at ``start``, skipping string literals and,
    as Jinja's lexer does, any closer inside open brackets (``{{ {'a': {'b': 1}} | to_json }}``); -1."""
    i, n = start + 2, len(text)
    quote = ""
    depth = 0
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif depth and c in ")]}":
            depth -= 1
        elif c in "([{":
            depth += 1
        elif text.startswith(closer, i):
            return i
        i += 1
    return -1


_TAGS_KEPT_BELOW = 4096  # characters: the tags of shorter texts are kept (a role's values, read once per play)


def tags(text: str) -> List[Tag]:
    """The Jinja tags of a text, in order; an unclosed one runs to the end. (Tags are never
    changed once made: those of a short text are found once.)"""
    if len(text) < _TAGS_KEPT_BELOW:
        return list(_kept_tags(text))
    return _tags(text)


@functools.lru_cache(maxsize=8192)
def _kept_tags(text: str) -> Tuple[Tag, ...]:
    return tuple(_tags(text))


def _next_opener(text: str, i: int) -> Optional[Tuple[int, str]]:
    """Where the next Jinja tag from ``i`` opens, and its opener (Go templates passed over)."""
    while True:
        match = _OPENER.search(text, i)
        if match is None:
            return None
        start = match.start()
        if match.group() == "{{" and is_go_template(text, start):
            end = text.find("}}", start + 2)
            i = start + 2 if end < 0 else end + 2
            continue
        return start, match.group()


def _tags(text: str) -> List[Tag]:
    out: List[Tag] = []
    i = 0
    while True:
        found = _next_opener(text, i)
        if found is None:
            return out
        start, opener = found
        closer = _CLOSERS[opener]
        end = text.find(closer, start + 2) if opener == "{#" else _close(text, start, closer)
        if end < 0:
            out.append(Tag({"{{": "expr", "{%": "stmt", "{#": "comment"}[opener], start, len(text), text[start + 2 :], closed=False))
            return out
        inner = text[start + 2 : end]
        strip_before = inner.startswith("-")
        strip_after = inner.endswith("-") and len(inner) > (1 if strip_before else 0)
        body = inner[1 if strip_before else 0 : len(inner) - (1 if strip_after else 0)]
        if inner.startswith("+"):
            body = body[1:]
        if inner.endswith("+") and len(body) > 0:
            body = body[:-1]
        kind = {"{{": "expr", "{%": "stmt", "{#": "comment"}[opener]
        if kind == "stmt" and body.strip() == "raw":
            raw_end = _RAW_END.search(text, end + 2)
            if raw_end is None:
                out.append(Tag("stmt", start, len(text), body, closed=False))
                return out
            out.append(Tag("raw", start, raw_end.end(), "raw", True, strip_before, bool(raw_end.group(2)), (end + 2, raw_end.start())))
            i = raw_end.end()
            continue
        out.append(Tag(kind, start, end + 2, body, True, strip_before, strip_after))
        i = end + 2


def syntax_error(text: str) -> Optional[Tuple[int, str]]:
    """(offset, message) of the first error in the template syntax, as Jinja's own parser (the one
    Ansible renders with) reports it; None when it parses. Parsing builds a tree of nodes and
    nothing else: no template is compiled, rendered or run here."""
    import jinja2  # only here: most scans hold no template

    environment = jinja2.Environment(extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"])
    try:
        environment.parse(text)
    except jinja2.TemplateSyntaxError as error:
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        line = min(max(error.lineno or 1, 1), len(starts))
        start = starts[line - 1]
        end = text.find("\n", start)
        row = text[start : len(text) if end < 0 else end]
        opener = re.search(r"\{[{%#]", row)
        column = opener.start() if opener else len(row) - len(row.lstrip())
        return start + column, error.message or "syntax error"
    except (RecursionError, MemoryError, ValueError, TypeError):
        return None  # too deep to parse: not said to be broken
    return None


def has_jinja(text: str) -> bool:
    """The text holds a Jinja tag (not only Docker Go templates): ``tags`` would find one, that
    is, its scan meets an opener that is no Go template (found here without reading the tags)."""
    return ("{{" in text or "{%" in text or "{#" in text) and _next_opener(text, 0) is not None


# --- expressions -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|//|\*\*|[|.\[\](),~+\-*/%<>=:{}!])
    )""",
    re.X | re.S,
)


class _ParseError(Exception):
    pass


def _tokens(source: str) -> List[Tuple[str, str]]:
    out = []
    i, n = 0, len(source)
    while True:
        while i < n and source[i] in " \t\r\n":
            i += 1
        if i >= n:
            return out
        match = _TOKEN.match(source, i)
        if match is None or match.end() == i:
            raise _ParseError(f"unexpected {source[i]!r}")
        kind = match.lastgroup or "op"
        out.append((kind, match.group(kind)))
        i = match.end()


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body, flags=re.S)


class _Parser:
    """Jinja's expression grammar, the parts a static reader needs; the rest parses to nodes that
    evaluate to unknown. Nodes are tuples."""

    def __init__(self, source: str):
        self.tokens = _tokens(source)
        self.i = 0
        self.depth = 0

    def peek(self, value: Optional[str] = None, kind: Optional[str] = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        k, v = self.tokens[self.i]
        if kind is not None and k != kind:
            return False
        return value is None or (v == value and k in ("op", "name"))

    def take(self, value: Optional[str] = None, kind: Optional[str] = None) -> str:
        if not self.peek(value, kind):
            got = self.tokens[self.i][1] if self.i < len(self.tokens) else "end"
            raise _ParseError(f"expected {value or kind}, got {got}")
        self.i += 1
        return self.tokens[self.i - 1][1]

    def parse(self):
        node = self.expression()
        if self.i != len(self.tokens):
            raise _ParseError(f"unexpected {self.tokens[self.i][1]!r}")
        return node

    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _ParseError("nested too deep")
        try:
            node = self.or_()
            if self.peek("if", "name"):
                self.take()
                condition = self.or_()
                other = None
                if self.peek("else", "name"):
                    self.take()
                    other = self.expression()
                node = ("cond", node, condition, other)
            return node
        finally:
            self.depth -= 1

    def or_(self):
        return self.chain("or", self.and_)

    def and_(self):
        return self.chain("and", self.not_)

    def chain(self, word: str, operand):
        """``operand (word operand)*``, left-associative."""
        node = operand()
        while self.peek(word, "name"):
            self.take()
            node = (word, node, operand())
        return node

    def not_(self):
        if self.peek("not", "name"):
            self.take()
            return ("not", self.not_())
        return self.compare()

    def compare(self):
        node = self.concat()
        while True:
            if self.i < len(self.tokens) and self.tokens[self.i] in (("op", "=="), ("op", "!="), ("op", "<"), ("op", ">"), ("op", "<="), ("op", ">=")):
                op = self.take()
                node = ("cmp", op, node, self.concat())
            elif self.peek("in", "name"):
                self.take()
                node = ("cmp", "in", node, self.concat())
            elif self.peek("not", "name") and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] == ("name", "in"):
                self.i += 2
                node = ("not", ("cmp", "in", node, self.concat()))
            elif self.peek("is", "name"):
                self.take()
                negate = False
                if self.peek("not", "name"):
                    self.take()
                    negate = True
                name = self.take(kind="name")
                args = self.arguments() if self.peek("(") else ([], {})
                node = ("test", node, name, args, negate)
            else:
                return node

    def concat(self):
        node = self.additive()
        while self.peek("~"):
            self.take()
            node = ("bin", "~", node, self.additive())
        return node

    def additive(self):
        node = self.multiplicative()
        while self.peek("+") or self.peek("-"):
            op = self.take()
            node = ("bin", op, node, self.multiplicative())
        return node

    def multiplicative(self):
        node = self.unary()
        while self.peek("*") or self.peek("/") or self.peek("//") or self.peek("%") or self.peek("**"):
            op = self.take()
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        if self.peek("-") or self.peek("+"):
            op = self.take()
            return ("neg" if op == "-" else "pos", self.unary())
        return self.filtered()

    def filtered(self):
        node = self.postfix()
        while self.peek("|"):
            self.take()
            name = self.take(kind="name")
            while self.peek("."):  # a collection's filter: ansible.builtin.to_json
                self.take()
                name = self.take(kind="name")
            args = self.arguments() if self.peek("(") else ([], {})
            node = ("filter", node, name, args)
        return node

    def arguments(self):
        self.take("(")
        args, kwargs = [], {}
        while not self.peek(")"):
            if self.peek(kind="name") and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] == ("op", "="):
                key = self.take()
                self.take("=")
                kwargs[key] = self.expression()
            else:
                args.append(self.expression())
            if not self.peek(")"):
                self.take(",")
        self.take(")")
        return args, kwargs

    def postfix(self):
        node = self.primary()
        while True:
            if self.peek("."):
                self.take()
                if self.peek(kind="num"):
                    node = ("item", node, ("lit", int(self.take())))
                else:
                    node = ("attr", node, self.take(kind="name"))
            elif self.peek("["):
                self.take()
                if self.peek(":") or self.peek("]"):
                    raise _ParseError("slices are not read")
                key = self.expression()
                if self.peek(":"):
                    raise _ParseError("slices are not read")
                self.take("]")
                node = ("item", node, key)
            elif self.peek("("):
                node = ("call", node, self.arguments())
            else:
                return node

    def primary(self):
        if self.i >= len(self.tokens):
            raise _ParseError("unexpected end")
        kind, value = self.tokens[self.i]
        if kind == "num":
            self.i += 1
            text = value.replace("_", "")
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "str":
            self.i += 1
            text = _unquote(value)
            while self.peek(kind="str"):  # adjacent literals concatenate
                text += _unquote(self.take())
            return ("lit", text)
        if kind == "name":
            self.i += 1
            if value in ("true", "True"):
                return ("lit", True)
            if value in ("false", "False"):
                return ("lit", False)
            if value in ("none", "None"):
                return ("lit", None)
            return ("name", value)
        if value == "(":
            self.i += 1
            node = self.expression()
            if self.peek(","):
                raise _ParseError("tuples are not read")
            self.take(")")
            return node
        if value == "[":
            self.i += 1
            items = []
            while not self.peek("]"):
                items.append(self.expression())
                if not self.peek("]"):
                    self.take(",")
            self.take("]")
            return ("list", items)
        if value == "{":
            self.i += 1
            pairs = []
            while not self.peek("}"):
                key = self.expression()
                self.take(":")
                pairs.append((key, self.expression()))
                if not self.peek("}"):
                    self.take(",")
            self.take("}")
            return ("dict", pairs)
        raise _ParseError(f"unexpected {value!r}")


def parse(source: str):
    """The expression's tree, or None when it is not one dlint reads. Trees are tuples (never
    changed): a short expression seen again (a role's when: under every play) is parsed once."""
    if len(source) <= 512:
        return _parse_short(source)
    return _parse(source)


def _parse(source: str):
    try:
        return _Parser(source).parse()
    except (_ParseError, ValueError, RecursionError):
        return None


_parse_short = functools.lru_cache(maxsize=8192)(_parse)


def names(source: str) -> List[str]:
    """The variable names an expression reads (for notes)."""
    found: List[str] = []

    def visit(node) -> None:
        if isinstance(node, tuple):
            if node[0] == "name":
                found.append(node[1])
                return
            for part in node[1:]:
                visit(part)
        elif isinstance(node, (list, dict)):
            for part in node if isinstance(node, list) else node.items():
                visit(part)

    visit(parse(source))
    return found


# --- evaluation ----------------------------------------------------------------------------------

# resolve(name, where): the variable's value, UNDEFINED when no file dlint reads defines it, or an
# unknown Val when it is defined but not statically known. ``where`` is the location of the
# expression that reads it (for the trace of values read from another file).
Resolver = Callable[[str, Location], Any]

_NICE_SEPARATORS = (",", ": ")


_ORDER = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
_ORDERED = (int, float, str)


class _Evaluator:
    def __init__(self, resolve: Resolver, where: Location, at: Tuple[Document, int, int]):
        self.resolve = resolve
        self.where = where
        self.at = at  # the expression's own span, for values it makes up
        self.used: List[str] = []

    def lit(self, value: Any) -> Val:
        doc, start, end = self.at
        if isinstance(value, bool):
            return Val("bool", value, at=self.at)
        if value is None:
            return Val("null", None, at=self.at)
        if isinstance(value, int):
            return Val("int", value, at=self.at)
        if isinstance(value, float):
            return Val("float", value, at=self.at)
        return Val("str", None, Mapped.of(str(value), doc, start, False), self.at)

    def eval(self, node, depth: int = 0):
        """A Val, or UNDEFINED."""
        if depth > MAX_DEPTH:
            return unknown("nested too deep")
        kind = node[0]
        if kind == "lit":
            return self.lit(node[1])
        if kind == "name":
            value = self.resolve(node[1], self.where)
            if isinstance(value, Val) and value.known and value.label:
                self.used.append(value.label)
            return value if value is not None else UNDEFINED
        if kind == "list":
            items = [self.known(self.eval(n, depth + 1)) for n in node[1]]
            return Val("list", items, at=self.at)
        if kind == "dict":
            pairs = [(self.known(self.eval(k, depth + 1)), self.known(self.eval(v, depth + 1))) for k, v in node[1]]
            return Val("dict", pairs, at=self.at)
        if kind == "attr":
            if node[2].startswith("_"):
                return unknown("private attribute")
            base = self.eval(node[1], depth + 1)
            return self.member(base, node[2], by_name=True)
        if kind == "item":
            base = self.eval(node[1], depth + 1)
            key = self.known(self.eval(node[2], depth + 1))
            if key.kind == "str" and key.python().startswith("_"):
                return unknown("private attribute")
            return self.member(base, key.python() if key.known else None)
        if kind == "filter":
            return self.filter(node, depth)
        if kind == "test":
            return self.test(node, depth)
        if kind == "cond":
            condition = truthy(self.known(self.eval(node[2], depth + 1)))
            if condition is None:
                then = self.known(self.eval(node[1], depth + 1))
                other = self.known(self.eval(node[3], depth + 1)) if node[3] is not None else self.lit("")
                return _either(then, other)
            if condition:
                return self.eval(node[1], depth + 1)
            return self.eval(node[3], depth + 1) if node[3] is not None else self.lit("")
        if kind in ("and", "or"):
            left = truthy(self.known(self.eval(node[1], depth + 1)))
            if left is None:
                return unknown("condition")
            if (kind == "and") != left:
                return self.lit(left)
            right = truthy(self.known(self.eval(node[2], depth + 1)))
            return unknown("condition") if right is None else self.lit(right)
        if kind == "not":
            value = truthy(self.known(self.eval(node[1], depth + 1)))
            return unknown("condition") if value is None else self.lit(not value)
        if kind == "cmp":
            return self.compare(node, depth)
        if kind == "bin":
            return self.binary(node, depth)
        return unknown(kind)  # calls, arithmetic signs: never evaluated

    @staticmethod
    def known(value) -> Val:
        return value if isinstance(value, Val) else unknown("undefined")

    def member(self, base, key, by_name: bool = False):
        if base is UNDEFINED:
            return UNDEFINED  # Ansible's undefined chains: docker.daemon | default(x) is x
        if not isinstance(base, Val) or not base.known or key is None:
            return unknown("member")
        if base.kind == "dict":
            one = base.member(key) if isinstance(base, LazyDict) else None
            if one is not None:
                return one
            for k, v in reversed(base.data):
                if k.known and k.python() == key:
                    return v
            return unknown("no such key")
        if base.kind == "list" and isinstance(key, int) and not isinstance(key, bool) and -len(base.data) <= key < len(base.data):
            return base.data[key]
        return unknown("member")

    def compare(self, node, depth: int) -> Val:
        _, op, a, b = node
        left, right = self.known(self.eval(a, depth + 1)), self.known(self.eval(b, depth + 1))
        if not left.known or not right.known or left.partial or right.partial:
            return unknown("comparison")
        x, y = left.python(), right.python()
        try:
            result = {"==": x == y, "!=": x != y}.get(op)
            if result is None and op == "in":
                result = x in y
            elif result is None and op in _ORDER and type(x) in _ORDERED and type(y) in _ORDERED and (type(x) is str) == (type(y) is str):
                result = _ORDER[op](x, y)  # numbers with numbers, text with text, as Python (and Jinja) order them
            if result is None:
                return unknown("comparison")
        except TypeError:
            return unknown("comparison")
        return self.lit(bool(result))

    def binary(self, node, depth: int) -> Val:
        _, op, a, b = node
        left, right = self.known(self.eval(a, depth + 1)), self.known(self.eval(b, depth + 1))
        if op == "~":
            if left.kind in ("list", "dict") or right.kind in ("list", "dict"):
                return unknown("str() of a collection")
            return concat([left, right], self.at)
        if op == "+" and left.kind == right.kind == "str":
            return concat([left, right], self.at)
        if op == "+" and left.kind == right.kind == "list":
            return Val("list", left.data + right.data, at=self.at)
        if op == "+" and left.kind == right.kind == "int":
            return self.lit(left.data + right.data)
        return unknown("arithmetic")

    def test(self, node, depth: int) -> Val:
        _, operand, name, _args, negate = node
        value = self.eval(operand, depth + 1)
        if name in ("defined", "undefined"):
            if isinstance(value, Val) and not value.known:
                return unknown("test")
            result = value is not UNDEFINED
            if name == "undefined":
                result = not result
        elif name == "none":
            value = self.known(value)
            if not value.known:
                return unknown("test")
            result = value.kind == "null"
        else:
            return unknown("test")
        return self.lit(result != negate)

    def filter(self, node, depth: int) -> Val:
        _, operand, name, (args, kwargs) = node
        value = self.eval(operand, depth + 1)
        if name in ("default", "d"):
            # the fallback is evaluated only when it is used (it may be a large structure)
            def fallback() -> Val:
                return self.known(self.eval(args[0], depth + 1)) if args else self.lit("")
            flag = args[1] if len(args) > 1 else kwargs.get("boolean")
            boolean = self.known(self.eval(flag, depth + 1)) if flag is not None else None
            if value is UNDEFINED:
                return fallback()
            if boolean is not None and boolean.known and boolean.data is True:
                t = truthy(self.known(value))
                if t is None:
                    return unknown("default")
                return value if t else fallback()
            return value
        argv = [self.known(self.eval(a, depth + 1)) for a in args]
        kw = {k: self.known(self.eval(v, depth + 1)) for k, v in kwargs.items()}
        value = self.known(value)
        if name == "ternary" and value.known and 2 <= len(argv) <= 3:
            # Ansible's: the first argument when true, the second when false (the third when none)
            if value.kind == "null" and len(argv) == 3:
                return argv[2]
            t = truthy(value)
            return unknown(name) if t is None else (argv[0] if t else argv[1])
        if not value.known or any(not a.known for a in argv) or any(not v.known for v in kw.values()):
            return unknown(name)
        if name == "combine" and value.kind == "dict" and all(a.kind == "dict" for a in argv) and set(kw) <= {"recursive"}:
            recursive = kw.get("recursive")
            if recursive is not None and recursive.kind != "bool":
                return unknown(name)
            return _combine([value, *argv], bool(recursive.data) if recursive is not None else False, self.at)
        if name in ("to_json", "to_nice_json"):
            nice = name == "to_nice_json"
            width = kw.get("indent", argv[0] if argv else None)  # not "indent": that is the filter below
            indent_value = width.data if width is not None and width.kind == "int" else (4 if nice else None)
            sort = kw.get("sort_keys")
            sort_keys = bool(sort.data) if sort is not None and sort.kind == "bool" else nice
            if set(kw) - {"indent", "sort_keys"}:
                return unknown(name)
            return dump_json(value, indent=indent_value, sort_keys=sort_keys, separators=_NICE_SEPARATORS if nice else None, at=self.at)
        if name == "string":
            return value if value.kind == "str" else self.scalar_str(value)
        if name in ("lower", "upper", "trim"):
            text = self.known(value if value.kind == "str" else self.scalar_str(value))
            if not text.known or text.partial:
                return unknown(name)
            return transform(text, name)
        if name == "int" and value.kind in ("int", "str", "float", "bool"):
            try:
                return self.lit(int(value.python()) if value.kind != "str" else int(value.python().strip() or "0"))
            except ValueError:
                return self.lit(0)
        if name == "bool" and value.kind in ("bool", "str", "int"):
            raw = value.python()
            if isinstance(raw, bool):
                return value
            return self.lit(str(raw).lower().strip() in ("yes", "on", "1", "true"))
        if name == "join" and value.kind == "list":
            glue = argv[0] if argv else self.lit("")
            if glue.kind != "str" or any(v.kind in ("list", "dict") or not v.known for v in value.data):
                return unknown(name)
            parts: List[Val] = []
            for index, item in enumerate(value.data):
                if index:
                    parts.append(glue)
                parts.append(item)
            return concat(parts, self.at)
        if name in ("first", "last") and value.kind == "list" and value.data:
            return value.data[0 if name == "first" else -1]
        if name in ("length", "count") and value.kind in ("list", "dict", "str"):
            return self.lit(len(value.data) if value.kind != "str" else len(value.mapped()))
        if name in ("mandatory", "list") and value.kind in ("list", "str", "dict", "int", "bool", "float"):
            return value if name == "mandatory" or value.kind == "list" else unknown(name)
        if name == "indent" and value.kind == "str":
            width = kw.get("width", argv[0] if argv else None)
            first = kw.get("first", argv[1] if len(argv) > 1 else None)
            spaces = width.data if width is not None and width.kind == "int" else 4
            return indent(value, spaces, bool(first.data) if first is not None and first.kind == "bool" else False)
        return unknown(name)

    def scalar_str(self, value: Val) -> Val:
        if value.kind in ("list", "dict") or not value.known:
            return unknown("str() of a collection")
        return Val("str", None, value.mapped(), value.at)


def fully_known(value: Val, depth: int = 0) -> bool:
    """Known through and through: no unknown part, no masked text."""
    if not value.known or value.partial or depth > 32:
        return False
    if value.kind == "list":
        return all(fully_known(item, depth + 1) for item in value.data)
    if value.kind == "dict":
        return all(fully_known(k, depth + 1) and fully_known(v, depth + 1) for k, v in value.data)
    return True


def same(a: Val, b: Val) -> bool:
    """Two values dlint knows wholly, and equal."""
    return fully_known(a) and fully_known(b) and json.dumps(a.python(), sort_keys=True, default=str) == json.dumps(b.python(), sort_keys=True, default=str)


def _either(a: Val, b: Val) -> Val:
    """``a if c else b`` with a condition dlint cannot decide: what both branches agree on. Two
    dicts give every key either has, a key whose value differs (or that only one has) holding an
    unknown value; anything else is known only when both are the same."""
    if same(a, b):
        return a
    if a.kind == "dict" and b.kind == "dict" and all(k.known and k.kind not in ("list", "dict") and not k.partial for k, _ in a.data + b.data):
        theirs = {(k.kind, k.python()): v for k, v in b.data}
        mine = {(k.kind, k.python()) for k, _ in a.data}
        pairs = [(k, v if (k.kind, k.python()) in theirs and same(v, theirs[(k.kind, k.python())]) else unknown("condition")) for k, v in a.data]
        pairs += [(k, unknown("condition")) for k, _ in b.data if (k.kind, k.python()) not in mine]
        return Val("dict", pairs, None, a.at)
    return unknown("condition")


def _combine(dicts: Sequence[Val], recursive: bool, at, depth: int = 0) -> Val:
    """Ansible's ``combine``: later dicts' keys replace earlier ones (dicts merged key by key with
    recursive=True). A key that is not a known scalar makes the result unknown."""
    merged: Dict[Any, Tuple[Val, Val]] = {}
    for item in dicts:
        for key, val in item.data:
            if not key.known or key.kind in ("list", "dict") or key.partial:
                return unknown("combine")
            marker = (key.kind, key.python())
            earlier = merged.get(marker)
            if recursive and earlier is not None and earlier[1].kind == "dict" and val.kind == "dict" and depth < 32:
                val = _combine([earlier[1], val], True, at, depth + 1)
            merged[marker] = (key, val)
    return Val("dict", list(merged.values()), None, at)


def concat(parts: Sequence[Val], at) -> Val:
    out = Mapped()
    partial = False
    for part in parts:
        if not part.known:
            return unknown("concat")
        out.extend(part.mapped())
        partial = partial or part.partial
    return Val("str", None, out, at, partial)


def transform(value: Val, name: str) -> Val:
    mapped = value.mapped()
    if name == "trim":
        text = mapped.text
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        return Val("str", None, mapped.slice(start, max(start, end)), value.at)
    runs = [Run(r.text.lower() if name == "lower" else r.text.upper(), r.doc, r.offset, r.exact and len(r.text.lower()) == len(r.text)) for r in mapped.runs]
    return Val("str", None, Mapped(runs), value.at)


def indent(value: Val, width: int, first: bool) -> Val:
    """Jinja's ``indent`` filter: every line but the first (and blank lines) gets ``width`` spaces."""
    mapped = value.mapped()
    text = mapped.text
    out = Mapped()
    position = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number:
            out.add("\n")
        if line and (number or first):
            out.add(" " * width)
        out.extend(mapped.slice(position, position + len(line)))
        position += len(line) + 1
    return Val("str", None, out, value.at, value.partial)


# --- JSON as Ansible's filters write it ------------------------------------------------------------


def dump_json(value: Val, *, indent: Optional[int] = None, sort_keys: bool = False, separators=None, at=None) -> Val:
    """``json.dumps(value, indent=.., sort_keys=.., separators=..)`` of a known value, every token
    mapped to the node it comes from. A value dlint does not know makes the text templated: a
    whole unknown document is masked bare (not JSON: its type is unknown), an unknown member or
    item is a masked string (the rest stays readable), an unknown part of a string is masked
    inside it."""
    item_sep, key_sep = separators or ((", ", ": ") if indent is None else (",", ": "))
    out = Mapped()
    state = {"partial": False, "length": 0}

    def put(text: str, doc: Optional[Document], offset: int, exact: bool) -> None:
        state["length"] += len(text)
        if state["length"] > MAX_TEXT:
            raise ValueError("too large")
        out.add(text, doc, offset, exact)

    def anchor_of(val: Val):
        if val.at is not None:
            return val.at[0], val.at[1]
        if at is not None:
            return at[0], at[1]
        return None, 0

    def emit(text: str, val: Val) -> None:
        # punctuation and indentation: mapped from the start of the value they belong to
        doc, offset = anchor_of(val)
        put(text, doc, offset, doc is not None)

    def emit_string(val: Val) -> None:
        mapped = val.mapped()
        doc, offset = anchor_of(val)
        put('"', doc, offset, doc is not None)
        for run in mapped.runs:
            escaped = json.dumps(run.text)[1:-1]
            if escaped == run.text:
                put(run.text, run.doc if run.doc is not None else doc, run.offset if run.doc is not None else offset, run.exact and run.doc is not None)
            else:
                for k, char in enumerate(run.text):
                    piece = json.dumps(char)[1:-1]
                    source = run.offset + (k if run.exact else 0) if run.doc is not None else offset
                    piece_doc = run.doc if run.doc is not None else doc
                    put(piece, piece_doc, source, piece_doc is not None and (run.exact or run.doc is None))
        end_doc, end = (val.at[0], max(val.at[1], val.at[2] - 1)) if val.at is not None else (doc, offset)
        put('"', end_doc, end, end_doc is not None)
        if val.partial:
            state["partial"] = True

    def visit(val: Val, level: int) -> None:
        if level > MAX_DEPTH:
            raise ValueError("too deep or too large")
        kind = val.kind
        if kind == "unknown":
            doc, offset = anchor_of(val)
            width = max(1, (val.at[2] - val.at[1]) if val.at is not None else 1)
            # inside a dict or list, a string of unknown content: the keys around it stay readable
            # (its key is unknown, checks on it are withheld); a whole unknown document stays bare
            quote = '"' if level > 0 else ""
            put(quote + MASK * width + quote, doc, offset, doc is not None)
            state["partial"] = True
        elif kind == "str":
            emit_string(val)
        elif kind == "bool":
            emit("true" if val.data else "false", val)
        elif kind == "null":
            emit("null", val)
        elif kind == "int":
            emit(str(int(val.data)), val)
        elif kind == "float":
            emit(_float_json(val.data), val)
        elif kind == "list":
            if not val.data:
                emit("[]", val)
                return
            emit("[", val)
            for index, item in enumerate(val.data):
                if index:
                    emit(item_sep, item)
                if indent is not None:
                    emit("\n" + " " * (indent * (level + 1)), item)
                visit(item, level + 1)
            if indent is not None:
                emit("\n" + " " * (indent * level), val)
            emit("]", _closing(val))
        elif kind == "dict":
            pairs = _unique(val.data)
            if sort_keys:
                keys = [_json_key(k) for k, _ in pairs]
                if None in keys or len({type(k) for k in keys}) > 1:
                    raise ValueError("keys that do not sort")
                pairs = [p for _, p in sorted(zip(keys, pairs), key=lambda kp: kp[0])]
            if not pairs:
                emit("{}", val)
                return
            emit("{", val)
            for index, (key, item) in enumerate(pairs):
                if index:
                    emit(item_sep, key)
                if indent is not None:
                    emit("\n" + " " * (indent * (level + 1)), key)
                if key.kind == "str":
                    emit_string(key)
                elif key.known:
                    emit(json.dumps(str(_json_key(key))), key)
                else:
                    visit(key, level + 1)
                emit(key_sep, item)
                visit(item, level + 1)
            if indent is not None:
                emit("\n" + " " * (indent * level), val)
            emit("}", _closing(val))
        else:
            raise ValueError(kind)

    try:
        visit(value, 0)
    except (ValueError, TypeError, RecursionError):
        return unknown("to_json")
    return Val("str", None, out, at or value.at, state["partial"])


def _closing(val: Val) -> Val:
    if val.at is None:
        return val
    doc, start, end = val.at
    return Val(val.kind, at=(doc, max(start, end - 1), end))


def _unique(pairs):
    """A dict's pairs as Python's dict keeps them: first position, last value."""
    order: Dict[Any, int] = {}
    out: List[Tuple[Val, Val]] = []
    for key, value in pairs:
        marker = (key.kind, repr(key.python())) if key.known else ("unknown", id(key))
        if marker in order:
            out[order[marker]] = (out[order[marker]][0], value)
        else:
            order[marker] = len(out)
            out.append((key, value))
    return out


def _json_key(key: Val):
    if key.kind == "str":
        return key.python()
    if key.kind == "bool":
        return "true" if key.data else "false"
    if key.kind == "null":
        return "null"
    if key.kind == "int":
        return str(key.data)
    if key.kind == "float":
        return _float_json(key.data)
    return None


def _float_json(value: float) -> str:
    return json.dumps(value)


# --- rendering ---------------------------------------------------------------------------------


@dataclass
class Rendered:
    text: Mapped
    templated: bool = False  # something could not be known
    value: Optional[Val] = None  # a text that is one expression: its value (Ansible keeps native types)
    used: List[str] = field(default_factory=list)  # where known values came from (for trace labels)
    unknown: List[str] = field(default_factory=list)  # the expressions dlint could not evaluate
    variants: List["Rendered"] = field(default_factory=list)  # every possible rendering, when an {% if %} is undecided
    undecided: List[str] = field(default_factory=list)  # the {% if %} tags dlint could not decide


def location_of(mapped: Mapped, index: int) -> Optional[Tuple[Document, int]]:
    """The document and offset where character ``index`` of a mapped text comes from."""
    position = 0
    for run in mapped.runs:
        if position + len(run.text) > index:
            if run.doc is None:
                return None
            return run.doc, run.offset + (index - position if run.exact else 0)
        position += len(run.text)
    return None


def render(source: Mapped, resolve: Resolver, *, mask: bool = True, trim_blocks: bool = True, native: bool = False, header: bool = False) -> Rendered:
    """The text a template renders to, as far as it is known (see ``_render_flat``).

    ``{% if %}`` blocks whose conditions the repository's values decide render as the branch they
    take; a block dlint cannot decide is masked whole (unknown), and ``variants`` holds every
    possible rendering (at most ``branches.CAP``), for readers that can keep what holds on all."""
    text = source.text
    flat = dict(mask=mask, native=native, header=header)
    if "{%" not in text:
        return _render_flat(source, resolve, trim_blocks=trim_blocks, **flat)
    if "for" in text:
        unrolled = _unroll_loops(source, resolve, trim_blocks)
        if unrolled is not None:
            source, text = unrolled, unrolled.text
            if "{%" not in text:
                return _render_flat(source, resolve, trim_blocks=trim_blocks, **flat)
    trim = _header_trim(text, trim_blocks) if header else trim_blocks
    found = [t for t in tags(text) if not (header and text.startswith("#jinja2:") and t.start < _first_line_end(text))]
    planned = branches.plan(text, found, trim, lambda tag: _decide(tag, source, resolve))
    if planned is None:
        return _render_flat(source, resolve, trim_blocks=trim_blocks, **flat)
    result = _render_flat(_apply(source, planned.drops, planned.masks), resolve, trim_blocks=trim_blocks, **flat)
    result.undecided = [text[t.start : t.end] for t in planned.undecided]
    result.unknown.extend(result.undecided)
    if not planned.undecided:
        return result
    result.templated = True
    if planned.variants is not None:
        result.variants = [_render_flat(_apply(source, drops, []), resolve, trim_blocks=trim_blocks, **flat) for drops in planned.variants]
        if len({v.text.text for v in result.variants}) == 1 and not any(v.templated for v in result.variants):
            known = result.variants[0]  # every branch renders the same text
            known.variants = []
            return known
    return result


# --- {% for %} over values the repository gives -----------------------------------------------------

_FOR = re.compile(r"for\s+([A-Za-z_]\w*)\s+in\s+(.+?)\s*$", re.S)
MAX_UNROLLED = 64  # iterations of one loop; more: left to the mask


def _unroll_loops(source: Mapped, resolve: Resolver, trim_blocks: bool) -> Optional[Mapped]:
    """The text with each ``{% for x in EXPR %}`` block (no loop nested in it) written out once per
    item of EXPR when the repository's values give it (a list, or a dict's keys, of scalars): the
    loop variable and ``loop.first/last/index/index0/length`` become literals in each copy's tags,
    and the block tags go, with the white space trim_blocks and ``-`` take. None when no loop is
    unrolled (an unknown EXPR leaves the block to the mask)."""
    text = source.text
    found = tags(text)
    stack: List[int] = []
    pairs: List[Tuple[Tag, Tag]] = []
    nested: set = set()
    for index, tag in enumerate(found):
        if tag.kind != "stmt":
            continue
        word = tag.body.split(None, 1)[0] if tag.body.strip() else ""
        if word == "for":
            if stack:
                nested.add(stack[-1])
            stack.append(index)
        elif word == "endfor" and stack:
            opener = stack.pop()
            if opener not in nested:
                pairs.append((found[opener], tag))
    out = Mapped()
    position = 0
    changed = False
    for head, end in sorted(pairs, key=lambda p: p[0].start):
        if head.start < position:
            continue  # inside a loop written out already
        match = _FOR.match(head.body.strip())
        items = _loop_items(match.group(2), head, source, resolve) if match else None
        if items is None:
            continue
        name = match.group(1)
        before = source.slice(position, head.start)
        if head.strip_before:
            before = _rstrip(before)
        out.extend(before)
        body = source.slice(head.end, end.start)
        if head.strip_after:
            body = _lstrip(body)
        elif trim_blocks and body.text.startswith("\n"):
            body = body.slice(1, len(body.text))
        if end.strip_before:
            body = _rstrip(body)
        if len(out.text) + len(body.text) * len(items) > MAX_TEXT:
            return None  # written out, it would outgrow what one rendering may produce
        for number, item in enumerate(items):
            out.extend(_bound(body, name, item, number, len(items)))
        position = end.end
        if end.strip_after or trim_blocks and text.startswith("\n", position):
            while position < len(text) and text[position] in " \t\n" and (end.strip_after or text[position] == "\n"):
                position += 1
                if not end.strip_after:
                    break
        changed = True
    if not changed:
        return None
    out.extend(source.slice(position, len(text)))
    if re.search(r"\\[ \t]+\S", out.text):
        return None  # a line continuation the loop's trimming ran on (`\  --flag`): what systemd makes of it is not known
    return out


def _loop_items(expression: str, head: Tag, source: Mapped, resolve: Resolver) -> Optional[List[Val]]:
    """The items a loop's expression gives, when known: a list's items or a dict's keys (``| sort``
    sorts them), each a scalar; None otherwise."""
    sort = re.fullmatch(r"(.+?)\s*\|\s*sort\s*", expression, re.S)
    value = _evaluate(Tag("expr", head.start, head.end, sort.group(1) if sort else expression), source, resolve, Rendered(Mapped()))
    if value is None or not value.known:
        return None
    if value.kind == "list":
        items = list(value.data)
    elif value.kind == "dict":
        items = [key for key, _ in value.data]
    else:
        return None
    if len(items) > MAX_UNROLLED or not all(i.known and i.kind in ("str", "int", "float", "bool") for i in items):
        return None
    if sort:
        if len({i.kind for i in items}) > 1:
            return None
        items.sort(key=lambda i: i.python())
    return items


def _literal_of(value: Val) -> str:
    if value.kind == "bool":
        return "true" if value.data else "false"
    if value.kind == "str":
        return json.dumps(value.python())
    return scalar_text(value)


def _bound(body: Mapped, name: str, item: Val, number: int, length: int) -> Mapped:
    """One copy of a loop's body: in each of its tags, the loop variable and ``loop.*`` replaced by
    literals (produced at the tag, not exact); the text between tags as it stands."""
    names = {
        "loop.last": "true" if number == length - 1 else "false", "loop.first": "true" if number == 0 else "false",
        "loop.index0": str(number), "loop.index": str(number + 1), "loop.length": str(length),
    }
    pattern = re.compile(r"(?<![\w.'\"])(loop\.(?:last|first|index0|index|length)|" + re.escape(name) + r")(?![\w'\"])")
    out = Mapped()
    text = body.text
    position = 0
    for tag in tags(text):
        if tag.kind not in ("expr", "stmt") or not pattern.search(text, tag.start, tag.end):
            continue
        out.extend(body.slice(position, tag.start))
        written = pattern.sub(lambda m: names.get(m.group(1), _literal_of(item)), text[tag.start : tag.end])
        where = body.slice(tag.start, tag.end).runs
        run = where[0] if where else None
        out.add(written, run.doc if run else None, run.offset if run else 0, False)
        position = tag.end
    out.extend(body.slice(position, len(text)))
    return out


def _first_line_end(text: str) -> int:
    end = text.find("\n")
    return len(text) if end < 0 else end + 1


def _header_trim(text: str, trim_blocks: bool) -> bool:
    """trim_blocks as a first line ``#jinja2: trim_blocks: False`` sets it."""
    if text.startswith("#jinja2:"):
        setting = re.search(r"trim_blocks\s*:\s*(\w+)", text[: _first_line_end(text)])
        if setting is not None:
            return setting.group(1).lower() == "true"
    return trim_blocks


def _decide(tag: Tag, source: Mapped, resolve: Resolver) -> Optional[bool]:
    """The truth of an if/elif tag's condition, when the repository's values decide it."""
    body = tag.body.strip()
    condition = body.split(None, 1)[1] if len(body.split(None, 1)) == 2 else ""
    value = _evaluate(Tag("expr", tag.start, tag.end, condition), source, resolve, Rendered(Mapped()))
    return truthy(value) if value is not None else None


def _apply(source: Mapped, drops, masks) -> Mapped:
    """``source`` without the dropped ranges, the masked ones as x (a tag as one line of x; a body
    keeping its line breaks, and a line-continuation backslash, so that the lines around keep
    their structure)."""
    out = Mapped()
    position = 0
    text = source.text
    for (start, end), how in branches.cut([(r, None) for r in drops] + list(masks)):
        out.extend(source.slice(position, start))
        if how is not None:
            piece = source.slice(start, end)
            if how:
                out.extend(Mapped([Run(MASK * len(r.text.replace("\n", "")), r.doc, r.offset, r.exact) for r in piece.runs]))
            else:
                out.extend(Mapped([Run(_mask_body(r.text), r.doc, r.offset, r.exact) for r in piece.runs]))
        position = end
    out.extend(source.slice(position, len(text)))
    return out


def _mask_body(text: str) -> str:
    return "".join(c if c == "\n" or (c == "\\" and text[i + 1 : i + 2] == "\n") else MASK for i, c in enumerate(text))


def _render_flat(source: Mapped, resolve: Resolver, *, mask: bool = True, trim_blocks: bool = True, native: bool = False, header: bool = False) -> Rendered:
    """The text a template renders to, as far as it is known.

    Known expressions are replaced by their values; an unknown expression and every statement
    block (``{% if %}``, ``{% for %}``, ``{% set %}``, ...) is masked with ``x`` at the same length
    (``mask``) or kept as written (``mask=False``, for shell commands), and the text is templated.
    Comments go; ``{% raw %}`` blocks are literal. ``native``: a text that is exactly one
    expression gives its value (a dict stays a dict). ``header``: honour a first line
    ``#jinja2: trim_blocks: False`` (template files)."""
    text = source.text
    found = tags(text)
    result = Rendered(Mapped())
    if not found:
        result.text = source
        return result
    start_at = 0
    if header and text.startswith("#jinja2:"):
        first_end = text.find("\n")
        first_end = len(text) if first_end < 0 else first_end + 1
        line = text[:first_end]
        setting = re.search(r"trim_blocks\s*:\s*(\w+)", line)
        if setting is not None:
            trim_blocks = setting.group(1).lower() == "true"
        start_at = first_end
        found = [t for t in found if t.start >= start_at]
    out = result.text
    whole_value = None  # the value of a text that is one expression, evaluated once
    if (
        native
        and len(found) == 1
        and found[0].kind == "expr"
        and found[0].closed
        and found[0].start == 0
        and not text[found[0].end :].strip()
    ):
        whole_value = _evaluate(found[0], source, resolve, result)
        value = whole_value
        # after it, only the newline a `|` block scalar keeps: Ansible still turns a rendered list
        # or dict back into one (its templar safe_evals a result that starts with [ or {)
        trailing = found[0].end != len(text)
        if value is not None and value.kind == "unknown" and value.data == OMIT:
            result.value = value  # Ansible's omit: the caller leaves the option out
        if value is not None and value.known and (not trailing or value.kind in ("list", "dict")):
            result.value = value
            if value.kind in ("list", "dict"):
                result.text = dump_json(value).mapped()
                return result
    cursor = start_at
    strip_next = False
    for tag in found:
        literal = source.slice(cursor, tag.start)
        if strip_next:
            literal = _lstrip(literal)
        if tag.strip_before and tag.kind in ("expr", "comment", "raw"):
            literal = _rstrip(literal)
        out.extend(literal)
        strip_next = False
        whole = source.slice(tag.start, tag.end)
        if tag.kind == "comment" and tag.closed:
            strip_next = tag.strip_after
            cursor = _after_block(text, tag.end, trim_blocks and not tag.strip_after)
            continue
        if tag.kind == "raw":
            out.extend(source.slice(*_raw_content(text, tag, trim_blocks)))
            strip_next = tag.strip_after
            cursor = _after_block(text, tag.end, trim_blocks and not tag.strip_after)
            continue
        if whole_value is not None:
            value = whole_value  # that one expression: not evaluated again
        else:
            value = _evaluate(tag, source, resolve, result) if tag.kind == "expr" and tag.closed else None
        if value is not None and value.kind == "null":
            value = Val("str", None, Mapped(), value.at)  # Ansible's finalize: None renders as ""
        if value is not None and value.known and value.kind not in ("list", "dict"):
            quoted = (
                value.at is not None
                and not tag.strip_before
                and not tag.strip_after
                and text[tag.start - 1 : tag.start] == '"' == text[tag.end : tag.end + 1]
                and literal.text.endswith('"')
            )
            if quoted:
                # "{{ value }}": the quoted string is the value; its quotes point where it is set
                _retarget_last(out, value.at[0], value.at[1])
            out.extend(value.mapped())
            result.templated = result.templated or value.partial
            strip_next = tag.strip_after
            if quoted:
                out.add('"', value.at[0], max(value.at[1], value.at[2] - 1))
                cursor = tag.end + 1
                continue
        else:
            result.templated = True
            result.unknown.append(text[tag.start : tag.end].strip())
            if not mask:
                out.extend(whole)
            else:
                out.extend(masked(whole))
        cursor = tag.end
    rest = source.slice(cursor, len(text))
    if strip_next:
        rest = _lstrip(rest)
    out.extend(rest)
    return result


def _evaluate(tag: Tag, source: Mapped, resolve: Resolver, result: Rendered) -> Optional[Val]:
    tree = parse(tag.body)
    if tree is None:
        return None
    origin = location_of(source, tag.start)
    if origin is None:
        return None
    doc, offset = origin
    where = doc.location(offset, offset + (tag.end - tag.start))
    evaluator = _Evaluator(resolve, where, (doc, offset, offset + (tag.end - tag.start)))
    try:
        value = evaluator.eval(tree)
    except (RecursionError, ValueError, TypeError):
        return None
    result.used.extend(u for u in evaluator.used if u not in result.used)
    return value if isinstance(value, Val) else None


def _retarget_last(mapped: Mapped, doc: Document, offset: int) -> None:
    """Map the last character of ``mapped`` to ``doc`` at ``offset``."""
    last = mapped.runs[-1]
    char = last.text[-1]
    if len(last.text) == 1:
        mapped.runs.pop()
    else:
        mapped.runs[-1] = Run(last.text[:-1], last.doc, last.offset, last.exact)
    mapped.add(char, doc, offset)


def masked(whole: Mapped) -> Mapped:
    return Mapped([Run("".join(c if c == "\n" else MASK for c in r.text), r.doc, r.offset, r.exact) for r in whole.runs])


def _lstrip(mapped: Mapped) -> Mapped:
    text = mapped.text
    return mapped.slice(len(text) - len(text.lstrip()), len(text))


def _rstrip(mapped: Mapped) -> Mapped:
    return mapped.slice(0, len(mapped.text.rstrip()))


def _after_block(text: str, end: int, trim: bool) -> int:
    """trim_blocks: the first newline after a block or comment tag goes."""
    if trim:
        if text.startswith("\r\n", end):
            return end + 2
        if text.startswith("\n", end):
            return end + 1
    return end


def _raw_content(text: str, tag: Tag, trim_blocks: bool) -> Tuple[int, int]:
    start, end = tag.content
    if trim_blocks:
        start = _after_block(text, start, True)
    return start, end

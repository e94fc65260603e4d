"""Terraform's ``jsonencode()`` and ``yamlencode()`` of values written in the configuration.

A cloud-config built as an HCL object and turned into text (``"#cloud-config\\n${yamlencode(local.cloud)}"``),
a daemon.json written as ``content = jsonencode({...})``: the text Terraform would produce, each
key and value mapped to where it stands in the .tf file, so that a finding points at the HCL key.

What is read: objects, tuples, strings (templated ones as written), numbers, booleans, null,
``local.NAME`` (of this file, or the whole argument a local of another file of the module),
``concat``, ``compact``, ``flatten``, ``distinct``, ``sort``, ``merge``, ``tolist``, ``toset`` and
nested encodes. Anything else (a variable, a resource attribute, another function) is a value dlint
cannot know: it stands as ``${expression}``, the form the readers mask as unknown. A conditional
whose condition dlint cannot decide is unknown too, except an item of a list that is a string on one
branch and null on the other (``local.first ? "docker swarm init" : null``, a command run on some
machines): it stands as ``${condition} && string``, a string that holds on a condition.
Objects are written with their keys sorted, as Terraform does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, List, Tuple, Union

from .mapped import Mapped

MAX_NODES = 20000  # values read for one encode
MAX_DEPTH = 48


@dataclass
class Str:
    """A string: its text mapped, and the offset of the expression (its opening quote)."""

    mapped: Mapped
    at: int


@dataclass
class Lit:
    """A number, true, false or null: its JSON text, at an offset."""

    text: str
    at: int


@dataclass
class Unknown:
    source: str  # the expression as written
    at: int


@dataclass
class Obj:
    at: int
    end: int
    items: List[Tuple[str, Mapped, object]]  # key, the key mapped, value


@dataclass
class Seq:
    at: int
    end: int
    items: list


Value = Union[Str, Lit, Unknown, Obj, Seq]


class TooBig(Exception):
    pass


class Reader:
    """Values of expressions of one HCL document. ``local(name)`` gives the expression node of
    this document's ``local.NAME`` (None when not here)."""

    def __init__(self, hcl, local: Callable):
        self.hcl = hcl
        self.local = local
        self.count = 0
        self.unknown = False

    def value(self, node, depth: int = 0) -> Value:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise TooBig()
        hcl = self.hcl
        inner = hcl.inner(node)
        if inner is None or inner.has_error:
            return self._unknown(node)
        kind = inner.type
        start, end = hcl.span(inner)
        if kind in ("numeric_lit", "bool_lit"):
            return Lit(hcl.source(inner), start)
        if kind == "null_lit":
            return Lit("null", start)
        if kind == "unary_operation" and hcl.source(inner).lstrip("-").strip().replace(".", "", 1).isdigit():
            return Lit("".join(hcl.source(inner).split()), start)
        if kind == "tuple":
            return Seq(start, end, [self.value(item, depth + 1) for item in hcl.tuple_items(inner) or []])
        if kind == "object":
            return self._object(inner, start, end, depth)
        if kind == "conditional":
            return self._conditional(inner, depth)
        text = hcl.string(inner)
        if text is not None:
            if text.templated:
                self.unknown = True
            return Str(text.value, start)
        parts = hcl.traversal(inner)
        if parts is not None and len(parts) == 2 and parts[0] == "local":
            expr = self.local(parts[1])
            if expr is not None:
                return self.value(expr, depth + 1)
            return self._unknown(inner)
        call = hcl.call(inner)
        if call is not None:
            return self._call(inner, call[0], call[1], depth)
        return self._unknown(inner)

    def _unknown(self, node) -> Unknown:
        self.unknown = True
        start, _ = self.hcl.span(node)
        return Unknown(" ".join(self.hcl.source(node).split()), start)

    def _object(self, node, start: int, end: int, depth: int) -> Value:
        items = []
        for key, key_node, value_node in self.hcl.object_items(node) or []:
            at = self.hcl.span(self.hcl.inner(key_node))[0]
            quoted = self.hcl.text[at : at + 1] == '"'
            mapped = Mapped()
            mapped.add(key, at + 1 if quoted else at)
            items.append((key, mapped, self.value(value_node, depth + 1)))
        elements = [c for c in node.children if c.type == "object_elem"]
        if len(elements) != len(items):  # a key that is an expression
            self.unknown = True
        return Obj(start, end, items)

    def _conditional(self, node, depth: int) -> Value:
        exprs = [c for c in node.children if c.type == "expression"]
        if len(exprs) != 3:
            return self._unknown(node)
        condition = self.hcl.inner(exprs[0])
        if condition is not None and condition.type == "bool_lit":
            return self.value(exprs[1] if self.hcl.source(condition) == "true" else exprs[2], depth + 1)
        yes, no = self.value(exprs[1], depth + 1), self.value(exprs[2], depth + 1)
        for kept, other in ((yes, no), (no, yes)):
            if isinstance(kept, Str) and isinstance(other, Lit) and other.text == "null":
                self.unknown = True
                negated = "" if kept is yes else "!"
                return _Guarded(" ".join(self.hcl.source(exprs[0]).split()), negated, self.hcl.span(exprs[0])[0], kept)
        return self._unknown(node)

    def _call(self, node, name: str, args: list, depth: int) -> Value:
        if name in ("tolist", "toset", "tostring", "tonumber", "tobool", "sensitive", "nonsensitive") and len(args) == 1:
            return self.value(args[0], depth + 1)
        if name in ("concat", "flatten", "compact", "distinct", "sort") and args:
            values = [self.value(arg, depth + 1) for arg in args]
            if name != "concat" and len(values) != 1:
                return self._unknown(node)
            items: list = []
            for value in values:
                if isinstance(value, Seq):
                    for item in value.items:
                        items.extend(item.items if name == "flatten" and isinstance(item, Seq) else [item])
                else:
                    self.unknown = True
                    items.append(value)
            if name == "compact":
                items = [i for i in items if not (isinstance(i, Lit) and i.text == "null") and not (isinstance(i, Str) and i.mapped.text == "")]
            if name == "sort" and all(isinstance(i, Str) for i in items):
                items.sort(key=lambda i: i.mapped.text)
            start, end = self.hcl.span(node)
            return Seq(start, end, items)
        if name == "merge" and args:
            values = [self.value(arg, depth + 1) for arg in args]
            if not all(isinstance(v, Obj) for v in values):
                return self._unknown(node)
            merged: dict = {}
            for value in values:
                for item in value.items:
                    merged[item[0]] = item
            start, end = self.hcl.span(node)
            return Obj(start, end, list(merged.values()))
        if name in ("jsonencode", "yamlencode") and len(args) == 1:
            value = self.value(args[0], depth + 1)
            return Str(json_text(value) if name == "jsonencode" else yaml_text(value), self.hcl.span(node)[0])
        return self._unknown(node)


@dataclass
class _Guarded:
    """A list item that is a string on a condition dlint cannot decide."""

    condition: str
    negated: str
    at: int
    value: Str

    def string(self) -> Str:
        out = Mapped()
        out.produce("${", self.at)
        out.produce(self.condition, self.at)
        out.produce("}", self.at)
        out.produce(" && " if not self.negated else " || ", self.at)
        out.extend(self.value.mapped)
        return Str(out, self.at)


# ------------------------------------------------------------------------------------------
# Writing the text


def json_text(value: Value) -> Mapped:
    out = Mapped()
    _json(value, out)
    return out


def _json(value, out: Mapped) -> None:
    if isinstance(value, _Guarded):
        value = value.string()
    if isinstance(value, Str):
        _json_string(value.mapped, out, value.at)
    elif isinstance(value, Lit):
        _literal(value, out)
    elif isinstance(value, Unknown):  # a JSON string, which the daemon.json reader takes for a template's value
        mapped = Mapped()
        _expression(value, mapped)
        _json_string(mapped, out, value.at)
    elif isinstance(value, Seq):
        out.produce("[", value.at)
        for index, item in enumerate(value.items):
            if index:
                out.produce(",", value.at)
            _json(item, out)
        out.produce("]", max(value.at, value.end - 1))
    elif isinstance(value, Obj):
        out.produce("{", value.at)
        for index, (_, key, item) in enumerate(sorted(value.items, key=lambda i: i[0])):
            if index:
                out.produce(",", value.at)
            _json_string(key, out, key.source(0))
            out.produce(":", key.source(0))
            _json(item, out)
        out.produce("}", max(value.at, value.end - 1))


_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f\u2028\u2029<>&]')  # Terraform escapes <, >, & too


def _json_string(value: Mapped, out: Mapped, at: int) -> None:
    out.produce('"', at)
    text = value.text
    cursor = 0
    for match in _JSON_SPECIAL.finditer(text):
        if match.start() > cursor:
            value.copy_into(out, cursor, match.start())
        char = match.group()
        escaped = json.dumps(char)[1:-1] if char not in "<>&" else f"\\u{ord(char):04x}"
        out.produce(escaped, value.source(match.start()))
        cursor = match.end()
    if cursor < len(text):
        value.copy_into(out, cursor, len(text))
    out.produce('"', value.source(max(0, len(text) - 1)) if text else at)


def _literal(value: Lit, out: Mapped) -> None:
    if value.text == "null":
        out.produce("null", value.at)  # null, whether written so or left out by compact()
    else:
        out.add(value.text, value.at)


def _expression(value: Unknown, out: Mapped) -> None:
    """``${expression}``: what the readers mask as a value dlint cannot know."""
    out.produce("${", value.at)
    out.produce(value.source, value.at)  # white space folded: not the text as it stands
    out.produce("}", value.at)


def yaml_text(value: Value) -> Mapped:
    out = Mapped()
    if isinstance(value, (Obj, Seq)) and value.items:
        _yaml_block(value, out, 0)
    else:
        _yaml_scalar(value, out, 0)
        out.produce("\n", _at(value, 0))
    return out


def _yaml_block(value, out: Mapped, indent: int) -> None:
    """A non-empty mapping or sequence, each entry on its own line at ``indent``."""
    if isinstance(value, Obj):
        for _, key, item in sorted(value.items, key=lambda i: i[0]):
            out.produce(" " * indent, key.source(0))
            _yaml_key(key, out)
            _yaml_after_key(item, out, indent)
    else:
        for item in value.items:
            out.produce(" " * indent + "- ", _at(item, value.at))
            if isinstance(item, Obj) and item.items:
                first = True
                for _, key, inner in sorted(item.items, key=lambda i: i[0]):
                    if not first:
                        out.produce(" " * (indent + 2), key.source(0))
                    first = False
                    _yaml_key(key, out)
                    _yaml_after_key(inner, out, indent + 2)
            elif isinstance(item, Seq) and item.items:
                out.produce("\n", item.at)
                _yaml_block(item, out, indent + 2)
            else:
                _yaml_scalar(item, out, indent + 2)
                out.produce("\n", _at(item, value.at))


def _yaml_after_key(item, out: Mapped, indent: int) -> None:
    if isinstance(item, Obj) and item.items:
        out.produce("\n", item.at)
        _yaml_block(item, out, indent + 2)
    elif isinstance(item, Seq) and item.items:
        out.produce("\n", item.at)
        _yaml_block(item, out, indent)
    else:
        out.produce(" ", _at(item, 0))
        _yaml_scalar(item, out, indent + 2)
        out.produce("\n", _at(item, 0))


def _yaml_key(key: Mapped, out: Mapped) -> None:
    if _PLAIN.match(key.text) and key.text.lower() not in _RESERVED:
        out.extend(key)
    else:
        _json_string(key, out, key.source(0))
    out.produce(":", key.source(0))


def _at(value, default: int) -> int:
    return getattr(value, "at", default)


# a string YAML reads back as itself, written plainly
_PLAIN = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_./@+=,-]*(?: [A-Za-z0-9_./@+=,-]+)*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _yaml_scalar(value, out: Mapped, indent: int) -> None:
    if isinstance(value, _Guarded):
        value = value.string()
    if isinstance(value, Lit):
        _literal(value, out)
    elif isinstance(value, Unknown):
        mapped = Mapped()
        _expression(value, mapped)
        _yaml_string(mapped, out, indent)
    elif isinstance(value, Obj):
        out.produce("{}", value.at)
    elif isinstance(value, Seq):
        out.produce("[]", value.at)
    else:
        _yaml_string(value.mapped, out, indent)


def _yaml_string(value: Mapped, out: Mapped, indent: int) -> None:
    text = value.text
    if "\n" not in text and _PLAIN.match(text) and text.lower() not in _RESERVED:
        out.extend(value)
    elif "\n" not in text and "'" not in text and not re.search(r"[\x00-\x1f]", text):
        out.produce("'", value.source(0))
        out.extend(value)
        out.produce("'", value.source(max(0, len(text) - 1)))
    elif text.strip("\n") and not re.search(r"[\x00-\x08\x0b-\x1f]", text):
        _literal_block(value, out, indent)
    else:
        _json_string(value, out, value.source(0))


def _literal_block(value: Mapped, out: Mapped, indent: int) -> None:
    """``|`` with the chomping that keeps the string's trailing newlines; each line mapped. The
    content is indented ``indent`` (two more than its parent), said by an indicator when the
    first line starts with a space."""
    text = value.text
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    indent = max(indent, 2)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    out.produce("|" + ("2" if body[:1] == " " else "") + chomp, value.source(0))
    cursor = 0
    for line in body.split("\n"):
        out.produce("\n", value.source(cursor))
        if line:
            out.produce(" " * indent, value.source(cursor))
            value.copy_into(out, cursor, cursor + len(line))
        cursor += len(line) + 1
    for _ in range(trailing - 1):
        out.produce("\n", value.source(max(0, len(text) - 1)))

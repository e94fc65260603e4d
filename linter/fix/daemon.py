"""The fixes of a daemon.json, as edits of its own text.

Each fixer yields ``Fix``es for one rule: ``at`` is the span its finding points at (so a fix is
applied only where that finding was reported and not waived), ``edits`` change the least text
that repairs it: a key's name, a value, one member with the comma and space that separate it.
"""

from __future__ import annotations

import json
import re
from ..lazyclass import dataclass
from typing import Any, Iterator, List, Optional, Tuple

from ..engine import typecheck
from ..jsonread import Member, Node, to_python
from ..sources.daemon_json import read as read_json
from .edits import Edit, apply


@dataclass(frozen=True)
class Fix:
    rule: str
    at: Tuple[int, int]  # the span (document offsets) the finding points at
    edits: Tuple[Edit, ...]
    title: str
    safe: bool = True
    creates: Tuple[str, ...] = ()  # (display path, text) of a file the fix adds beside the others
    # where its finding is, when that is another document than the one edited (a flag removed from
    # the unit for a finding at the daemon.json key); None: ``at`` in the edited document
    finding_at: Optional[object] = None
    words: Tuple[object, ...] = ()  # the command-line words it removes (their Locations): hosts sharing them


def fixes(config, engine) -> Iterator[Fix]:
    """Every fix of one daemon.json fragment (parsed, or broken only by what JSON does not allow)."""
    if config.root is None:
        if config.problem is not None and config.problem.kind == "syntax" and not config.templated:
            yield from _relaxed(config)
        return
    yield from _duplicates(config.root)
    yield from _singular_names(config.root, engine, config.document.text)
    yield from _wrong_types(config.root, engine, config.document.text)
    yield from _removed(config.root, engine)
    yield from _near_misses(config.root, engine)


# -- DKD001: comments and trailing commas ---------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _relaxed(config) -> Iterator[Fix]:
    """Comments and trailing commas removed, when that is all that keeps the text from being JSON."""
    text = config.document.text
    edits = list(_comment_and_comma_edits(text))
    if not edits:
        return
    fixed = apply(text, edits)
    root, problem = read_json(fixed)
    if problem is not None or root is None:
        return
    problem = config.problem
    yield Fix("DKD001", (problem.start, problem.end), tuple(edits), "remove comments and trailing commas")


def _comment_and_comma_edits(text: str) -> Iterator[Edit]:
    index, size = 0, len(text)
    pending_comma: Optional[int] = None
    while index < size:
        char = text[index]
        if char == '"':
            match = _STRING.match(text, index)
            index = match.end() if match else size
            pending_comma = None
        elif text.startswith("//", index) or text.startswith("/*", index):
            end = text.find("\n", index) if char == "/" and text[index + 1] == "/" else text.find("*/", index)
            end = size if end == -1 else end + (0 if text[index + 1] == "/" else 2)
            yield _comment_edit(text, index, end)
            index = end
        elif char == ",":
            pending_comma = index
            index += 1
        elif char in "}]":
            if pending_comma is not None:
                yield Edit(pending_comma, pending_comma + 1, "")
            pending_comma = None
            index += 1
        else:
            if not char.isspace():
                pending_comma = None
            index += 1


def _comment_edit(text: str, start: int, end: int) -> Edit:
    """The comment, and the line it leaves empty (or the spaces before it)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = start
    while before > line_start and text[before - 1] in " \t":
        before -= 1
    rest = end
    while rest < len(text) and text[rest] in " \t\r":
        rest += 1
    if before == line_start and rest < len(text) and text[rest] == "\n":
        return Edit(line_start, rest + 1, "")  # a whole-line comment: the line goes
    return Edit(before, end, "")


# -- removing and adding members ----------------------------------------------------------------


def remove_member(obj: Node, member: Member) -> Edit:
    """Delete one member with the separator that goes with it, keeping the others' layout."""
    members = obj.value
    index = next(i for i, m in enumerate(members) if m is member)
    if index + 1 < len(members):
        return Edit(member.key_start, members[index + 1].key_start, "")
    if index > 0:
        return Edit(members[index - 1].value.end, member.value.end, "")
    return Edit(obj.start + 1, obj.end - 1, "")


def _render(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _append(node: Node, items: List[Any]) -> Optional[Edit]:
    """Items added at the end of an array, or members at the end of an object (pairs)."""
    if node.kind == "array":
        text = ", ".join(_render(item) for item in items)
        if node.value:
            return Edit(node.value[-1].end, node.value[-1].end, ", " + text)
        return Edit(node.start, node.end, "[" + text + "]")
    if node.kind == "object":
        text = ", ".join(f"{_render(k)}: {_render(v)}" for k, v in items)
        if node.value:
            return Edit(node.value[-1].value.end, node.value[-1].value.end, ", " + text)
        return Edit(node.start, node.end, "{" + text + "}")
    return None


# -- DKD005: a key given twice ------------------------------------------------------------------


def _objects(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind == "object":
            yield current
            stack.extend(m.value for m in current.value)
        elif current.kind == "array":
            stack.extend(current.value)


def _duplicates(root: Node) -> Iterator[Fix]:
    for obj in _objects(root):
        last = {m.key: m for m in obj.value}
        for member in obj.value:
            if last[member.key] is not member:
                yield Fix("DKD005", (member.key_start, member.key_end), (remove_member(obj, member),), f'remove the earlier "{member.key}" (dockerd keeps the last)')


# -- DKD006: a flag's singular name -----------------------------------------------------------


def _plural(engine, key: str) -> Optional[str]:
    fact = engine.fact(key)
    status = engine.status(key)
    if fact is None or not fact.flag or status.state != "ignored" or status.reason:
        return None
    plural = engine.flag_map().get(fact.flag)
    return plural if plural and plural != key and engine.is_directive(plural) else None


def _singular_names(root: Node, engine, text: str) -> Iterator[Fix]:
    from dlint_docker.policies.checks.ignored_key import _as_plural  # the value in the plural option's shape

    for member in root.value:
        plural = _plural(engine, member.key)
        if plural is None or member.value.kind == "object":
            continue
        value = _as_plural(engine.fact(plural), to_python(member.value))
        if typecheck.check(engine.value_schema(plural), value, plural):
            continue  # no value of the plural's type: not one obvious form
        existing = root.get(plural)
        at = (member.key_start, member.key_end)
        title = f'rename "{member.key}" to "{plural}"'
        if existing is None:
            yield Fix("DKD006", at, (Edit(member.key_start, member.value.end, f"{_render(plural)}: {_render(value)}"),), title)
            continue
        merged = _merge(existing.value, value)
        if merged is not None:
            edits = (remove_member(root, member),) + ((merged,) if merged.text else ())
            yield Fix("DKD006", at, edits, f'merge "{member.key}" into "{plural}"')


def _merge(node: Node, value: Any) -> Optional[Edit]:
    """The edit that adds ``value`` to the existing plural ``node``; None when they disagree."""
    present = to_python(node)
    if isinstance(present, list) and isinstance(value, list):
        new = [item for item in value if item not in present]
        return _append(node, new) if new else Edit(node.end, node.end, "")
    if isinstance(present, dict) and isinstance(value, dict):
        if any(k in present and present[k] != v for k, v in value.items()):
            return None  # the same option set to two values: which one is meant is not obvious
        new = [(k, v) for k, v in value.items() if k not in present]
        return _append(node, new) if new else Edit(node.end, node.end, "")
    return None


# -- DKD003: a value of the wrong JSON type with one obvious form -------------------------------

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")


def _converted(node: Node, text: str, expected: Any) -> Optional[str]:
    types = set(expected if isinstance(expected, list) else [expected])
    literal = text[node.start : node.end]
    if node.kind in ("number", "true", "false") and "string" in types:
        return _render(literal)
    if node.kind == "string" and node.value in ("true", "false") and "boolean" in types:
        return node.value
    if node.kind == "string" and _INTEGER.match(node.value) and types & {"integer", "number"}:
        return node.value
    return None


def _wrong_types(root: Node, engine, text: str) -> Iterator[Fix]:
    for member in root.value:
        if member.value.kind != "object" and not engine.is_directive(member.key):
            continue
        schema = engine.value_schema(member.key)
        if not schema:
            continue
        for problem, node in typecheck.check_node(schema, member.value, member.key):
            expected = typecheck.schema_at(schema, problem.path).get("type")
            new = _converted(node, text, expected) if expected else None
            if new is None:
                continue
            sub = typecheck.schema_at(schema, problem.path)
            if typecheck.check(sub, json.loads(new), member.key):
                continue  # the converted value is still refused (a format): not the obvious form
            yield Fix("DKD003", (node.start, node.end), (Edit(node.start, node.end, new),), f"write {new}")


# -- DKD007: a removed option with a one-to-one successor -------------------------------------------


def _removed(root: Node, engine) -> Iterator[Fix]:
    last = {m.key: m for m in root.value}
    for member in root.value:
        if last[member.key] is not member or engine.status(member.key).state == "option":
            continue
        successor = engine.replacements.get(member.key)
        if not successor or not engine.is_directive(successor) or engine.status(successor).state != "option":
            continue
        value = to_python(member.value)
        schema = engine.value_schema(successor)
        if schema and typecheck.check(schema, value, successor):
            continue  # the successor takes another shape: not one-to-one
        at = (member.key_start, member.key_end)
        existing = root.get(successor)
        if existing is None:
            yield Fix("DKD007", at, (Edit(member.key_start, member.key_end, _render(successor)),), f'rename "{member.key}" to "{successor}"')
        elif to_python(existing.value) == value:
            yield Fix("DKD007", at, (remove_member(root, member),), f'remove "{member.key}" ("{successor}" says the same)')


# -- DKD002 (unsafe): an unknown key that is a near miss of exactly one option -----------------------


def _unique_guess(key: str, options) -> Optional[str]:
    import difflib

    from ..engine.suggest import _normal, suggest

    strong = suggest(key, options, fuzzy=False)
    if strong:
        return strong
    by_normal = {_normal(o): o for o in options}
    close = difflib.get_close_matches(_normal(key), list(by_normal), n=2, cutoff=0.8)
    return by_normal[close[0]] if len(close) == 1 else None


def _near_misses(root: Node, engine) -> Iterator[Fix]:
    options = [k for k in engine.directives if engine.status(k).state in ("option", "deprecated")]
    last = {m.key: m for m in root.value}
    for member in root.value:
        status = engine.status(member.key)
        if last[member.key] is not member or status.state != "unknown" or status.reason != "typo":
            continue
        guess = _unique_guess(member.key, options)
        if guess is None or root.get(guess) is not None:
            continue
        schema = engine.value_schema(guess)
        if schema and typecheck.check(schema, to_python(member.value), guess):
            continue  # the value does not fit the option: the guess may be wrong
        at = (member.key_start, member.key_end)
        yield Fix("DKD002", at, (Edit(member.key_start, member.key_end, _render(guess)),), f'rename "{member.key}" to "{guess}"', safe=False)

"""Type-check one daemon.json value against its generated JSON Schema, with Go's decoding rules.

Go decodes only integer literals into int fields (``1.0`` and ``1e3`` are refused, as is anything
beyond int64), so the validator's ``integer`` type is strict; value formats (IP addresses, sizes,
prefixes) are checked by dlint's own format functions.
"""

from __future__ import annotations

import json
import re
from ..lazyclass import dataclass
from functools import lru_cache
from typing import Any, Iterator, List, Tuple

from ..jsonread import Node, node_at, to_python
from . import formats

_JSON_NAMES = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array", dict: "an object", type(None): "null"}
_EXPECTED = {
    "boolean": "a boolean (true or false)",
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


@dataclass
class TypeProblem:
    path: Tuple[Any, ...]  # inside the value: keys and indexes
    message: str


def json_name(value: Any) -> str:
    return _JSON_NAMES.get(type(value), "a value")


def _is_go_int(instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool) and -(2**63) <= instance < 2**63


@lru_cache(maxsize=512)
def _predicate(schema_json: str):
    """The schema compiled to Python: a valid value needs no jsonschema (an import that costs more
    than a one-file scan); jsonschema explains an invalid one."""
    from ..policy.compiled import Compiler

    checks = {name: check for name, check in formats.CHECKS.items()}
    return Compiler(types={"integer": _is_go_int}, formats=checks).compile(json.loads(schema_json))


@lru_cache(maxsize=1)
def _validator_class():
    import jsonschema
    from jsonschema import validators

    def is_go_int(_checker, instance):
        return _is_go_int(instance)

    type_checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", is_go_int)
    return validators.extend(jsonschema.Draft202012Validator, type_checker=type_checker)


@lru_cache(maxsize=1)
def _format_checker():
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    for name, check in formats.CHECKS.items():
        checker.checks(name)(lambda instance, check=check: not isinstance(instance, str) or check(instance))
    return checker


@lru_cache(maxsize=512)
def _validator(schema_json: str):
    return _validator_class()(json.loads(schema_json), format_checker=_format_checker())


def check(schema: dict, value: Any, label: str, prefix: Tuple[Any, ...] = ()) -> List[TypeProblem]:
    """Problems decoding ``value`` (the value of key ``label``, found at ``prefix`` inside it) as dockerd would."""
    if not schema:
        return []
    key = json.dumps(schema, sort_keys=True)
    predicate = _predicate(key)
    if predicate is not None and predicate(value):
        return []
    validator = _validator(key)
    problems = []
    for error in validator.iter_errors(value):
        problems.extend(_describe(error, label, prefix))
    problems.sort(key=lambda p: [str(x) for x in p.path])
    return problems


def schema_at(schema: dict, path: Tuple[Any, ...]) -> dict:
    """The part of a value schema that applies at ``path`` ({} where nothing is checked)."""
    for part in path:
        if isinstance(part, int):
            schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            continue
        nxt = (schema.get("properties") or {}).get(part)
        if nxt is None:
            for pattern, sub in (schema.get("patternProperties") or {}).items():
                if re.search(pattern, part):
                    nxt = sub
                    break
        if nxt is None:
            nxt = schema.get("additionalProperties") if isinstance(schema.get("additionalProperties"), dict) else {}
        schema = nxt
    return schema


def _kept_objects(node: Node) -> Iterator[Tuple[Tuple[Any, ...], Node]]:
    """The objects inside ``node`` that the decoded value holds (through the last duplicates), with their paths."""
    stack: List[Tuple[Tuple[Any, ...], Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if current.kind == "object":
            yield path, current
            last = {m.key: m for m in current.value}
            stack.extend((path + (m.key,), m.value) for m in current.value if last[m.key] is m)
        elif current.kind == "array":
            stack.extend((path + (i,), item) for i, item in enumerate(current.value))


def check_node(schema: dict, node: Node, label: str) -> List[Tuple[TypeProblem, Node]]:
    """Problems decoding the parsed value ``node``, each with the node it is about.

    Go decodes every occurrence of a repeated key, even though only the last one is kept, so an
    earlier duplicate inside the value (``{"max-size": 10, "max-size": "10m"}``) must decode too.
    """
    found: List[Tuple[TypeProblem, Node]] = []
    work: List[Tuple[dict, Node, Tuple[Any, ...]]] = [(schema, node, ())]
    while work:
        sub, current, prefix = work.pop()
        if not sub:
            continue
        for problem in check(sub, to_python(current), label, prefix):
            found.append((problem, node_at(current, problem.path[len(prefix) :])[0]))
        for path, obj in _kept_objects(current):
            last = {m.key: m for m in obj.value}
            for member in obj.value:
                if last[member.key] is not member:
                    work.append((schema_at(sub, path + (member.key,)), member.value, prefix + path + (member.key,)))
    return found


def _where(label: str, path) -> str:
    where = f'"{label}"'
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f'."{part}"'
    return where


def _describe(error, label: str, prefix: Tuple[Any, ...] = ()) -> List[TypeProblem]:
    path = prefix + tuple(error.absolute_path)
    where = _where(label, path)
    if error.validator == "type":
        expected = [t for t in ([error.validator_value] if isinstance(error.validator_value, str) else error.validator_value) if t != "null"]
        wanted = " or ".join(_EXPECTED.get(t, t) for t in expected)
        instance = error.instance
        got = json_name(instance)
        if expected == ["integer"] and isinstance(instance, (int, float)) and not isinstance(instance, bool):
            got = "a number that does not fit a 64-bit integer" if isinstance(instance, int) else "a number with a fraction or exponent"
        hint = ""
        if expected == ["string"] and isinstance(instance, (int, float, bool)):
            hint = f' (write "{json.dumps(instance)}")'
        elif expected == ["array"] and isinstance(instance, str):
            hint = f" (write [{json.dumps(instance)}])"
        return [TypeProblem(path, f"{where} must be {wanted}, not {got}{hint}")]
    if error.validator == "format":
        return [TypeProblem(path, f'{where}: "{error.instance}" is not {formats.DESCRIPTIONS.get(error.validator_value, error.validator_value)}')]
    return [TypeProblem(path, f"{where}: {error.message}")]

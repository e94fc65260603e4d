"""Type-check one daemon.json value against its generated JSON Schema, with Go's decoding rules.

Go decodes only integer literals into int fields (``1.0`` and ``1e3`` are refused, as is anything
beyond int64), so the validator's ``integer`` type is strict; value formats (IP addresses, sizes,
prefixes) are checked by dlint's own format functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, List, Tuple

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


@lru_cache(maxsize=1)
def _validator_class():
    import jsonschema
    from jsonschema import validators

    def is_go_int(_checker, instance):
        return isinstance(instance, int) and not isinstance(instance, bool) and -(2**63) <= instance < 2**63

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


def check(schema: dict, value: Any, label: str) -> List[TypeProblem]:
    """Problems decoding ``value`` (the value of key ``label``) as dockerd would."""
    if not schema:
        return []
    validator = _validator(json.dumps(schema, sort_keys=True))
    problems = []
    for error in validator.iter_errors(value):
        problems.extend(_describe(error, label))
    problems.sort(key=lambda p: [str(x) for x in p.path])
    return problems


def _where(label: str, path) -> str:
    where = f'"{label}"'
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f'."{part}"'
    return where


def _describe(error, label: str) -> List[TypeProblem]:
    path = tuple(error.absolute_path)
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

"""JSON Schema (draft 2020-12) compiled into plain Python predicates, for the built-in policies and
dlint's own value schemas: importing jsonschema costs more than a one-file scan, so a scan only
asks "is it valid?" here and needs jsonschema only to explain an invalid value.

Only the keywords dlint's schemas use are compiled; a schema with any other keyword (``$ref``,
``if``, ``dependentSchemas``...) compiles to None and the caller uses jsonschema. The semantics
follow jsonschema's: ``const``/``enum`` equality tells ``true`` from ``1``, ``integer`` takes
``1.0`` (unless the caller's ``integer`` is stricter), ``pattern`` is ``re.search``. A test checks
both agree on every policy example and on generated values.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

Predicate = Callable[[Any], bool]

# annotations: no effect on validity
_IGNORED = frozenset(("$comment", "$schema", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"))


class _Unsupported(Exception):
    pass


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or value.is_integer())


_TYPES: Dict[str, Predicate] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "number": _is_number,
    "integer": _is_integer,
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def equal(a: Any, b: Any) -> bool:
    """jsonschema's equality: booleans are not numbers, 1 == 1.0, containers compared deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def _length(value: str) -> int:
    return len(value)  # code points, as jsonschema counts


class Compiler:
    """Builds predicates; ``types`` and ``formats`` let a caller redefine a type or check formats
    (a format not in ``formats`` is an annotation, as with jsonschema's default checker)."""

    def __init__(self, types: Optional[Dict[str, Predicate]] = None, formats: Optional[Dict[str, Predicate]] = None):
        self.types = dict(_TYPES, **(types or {}))
        self.formats = formats or {}

    def compile(self, schema: Any) -> Optional[Predicate]:
        try:
            return self._schema(schema)
        except _Unsupported:
            return None

    def _schema(self, schema: Any) -> Predicate:
        if schema is True or schema == {}:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        checks: List[Predicate] = []
        for key, value in schema.items():
            if key in _IGNORED or key.startswith("x-") or key in ("additionalProperties", "patternProperties"):
                continue
            build = getattr(self, "_kw_" + key, None)
            if build is None:
                raise _Unsupported(key)
            checks.append(build(value, schema))
        if "additionalProperties" in schema or "patternProperties" in schema:
            checks.append(self._object_rest(schema))
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    # --- keywords ---------------------------------------------------------------------------

    def _kw_type(self, value, _schema) -> Predicate:
        names = [value] if isinstance(value, str) else list(value)
        tests = [self.types[name] for name in names]
        return lambda v: any(test(v) for test in tests)

    def _kw_const(self, value, _schema) -> Predicate:
        return lambda v: equal(v, value)

    def _kw_enum(self, value, _schema) -> Predicate:
        return lambda v: any(equal(v, option) for option in value)

    def _kw_not(self, value, _schema) -> Predicate:
        inner = self._schema(value)
        return lambda v: not inner(v)

    def _kw_anyOf(self, value, _schema) -> Predicate:
        inner = [self._schema(s) for s in value]
        return lambda v: any(p(v) for p in inner)

    def _kw_allOf(self, value, _schema) -> Predicate:
        inner = [self._schema(s) for s in value]
        return lambda v: all(p(v) for p in inner)

    def _kw_oneOf(self, value, _schema) -> Predicate:
        inner = [self._schema(s) for s in value]
        return lambda v: sum(1 for p in inner if p(v)) == 1

    def _kw_required(self, value, _schema) -> Predicate:
        return lambda v: not isinstance(v, dict) or all(name in v for name in value)

    def _kw_properties(self, value, _schema) -> Predicate:
        inner = {name: self._schema(s) for name, s in value.items()}
        return lambda v: not isinstance(v, dict) or all(p(v[name]) for name, p in inner.items() if name in v)

    def _object_rest(self, schema) -> Predicate:
        known = schema.get("properties", {})
        patterns = [(re.compile(p), self._schema(s)) for p, s in (schema.get("patternProperties") or {}).items()]
        rest = self._schema(schema["additionalProperties"]) if "additionalProperties" in schema else None

        def check(v) -> bool:
            if not isinstance(v, dict):
                return True
            for key, item in v.items():
                matched = False
                for pattern, predicate in patterns:
                    if pattern.search(key):
                        matched = True
                        if not predicate(item):
                            return False
                if rest is not None and not matched and key not in known and not rest(item):
                    return False
            return True

        return check

    def _kw_items(self, value, _schema) -> Predicate:
        inner = self._schema(value)
        return lambda v: not isinstance(v, list) or all(inner(item) for item in v)

    def _kw_contains(self, value, schema) -> Predicate:
        if "minContains" in schema or "maxContains" in schema:
            raise _Unsupported("minContains")
        inner = self._schema(value)
        return lambda v: not isinstance(v, list) or any(inner(item) for item in v)

    def _kw_minItems(self, value, _schema) -> Predicate:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def _kw_maxItems(self, value, _schema) -> Predicate:
        return lambda v: not isinstance(v, list) or len(v) <= value

    def _kw_minLength(self, value, _schema) -> Predicate:
        return lambda v: not isinstance(v, str) or _length(v) >= value

    def _kw_maxLength(self, value, _schema) -> Predicate:
        return lambda v: not isinstance(v, str) or _length(v) <= value

    def _kw_pattern(self, value, _schema) -> Predicate:
        pattern = re.compile(value)
        return lambda v: not isinstance(v, str) or pattern.search(v) is not None

    def _kw_minimum(self, value, _schema) -> Predicate:
        return lambda v: not _is_number(v) or v >= value

    def _kw_maximum(self, value, _schema) -> Predicate:
        return lambda v: not _is_number(v) or v <= value

    def _kw_exclusiveMinimum(self, value, _schema) -> Predicate:
        return lambda v: not _is_number(v) or v > value

    def _kw_exclusiveMaximum(self, value, _schema) -> Predicate:
        return lambda v: not _is_number(v) or v < value

    def _kw_format(self, value, _schema) -> Predicate:
        check = self.formats.get(value)
        if check is None:
            return lambda v: True
        return lambda v: not isinstance(v, str) or bool(check(v))


@lru_cache(maxsize=1024)
def _policy_predicate(schema_json: str) -> Optional[Predicate]:
    return Compiler().compile(json.loads(schema_json))


def policy_predicate(schema: Any) -> Optional[Predicate]:
    """The compiled ``is_valid`` of a built-in policy's schema, or None (use jsonschema)."""
    return _policy_predicate(json.dumps(schema, sort_keys=True))

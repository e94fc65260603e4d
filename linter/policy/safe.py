"""What keeps a policy's JSON Schema harmless: it is data written by whoever wrote the scanned
repository (``policy-paths``), so evaluating it must not reach the network or other files, run
away in time, or render more than plain values into a message.

- ``$ref`` resolves only inside the policy and against dlint's own schemas: a registry that never
  retrieves (jsonschema would otherwise fetch ``http://`` and read ``file://`` references). An
  outside reference is a policy error at its line, found when the policy is loaded.
- A repository policy's ``pattern``/``patternProperties`` run on RE2, a linear-time engine, so no
  pattern backtracks catastrophically; one RE2 cannot compile is a policy error at its line.
- Evaluating a repository policy on one host has a budget of keyword applications
  (``STEP_BUDGET``): ``anyOf`` chains and ``$ref`` cycles end with a policy error, not a stall.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Tuple

from ..linear_re import compile_linear

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

# keyword applications one repository policy may spend on one host (a realistic policy spends
# hundreds to thousands; jsonschema does 100,000 in well under a second)
STEP_BUDGET = 100_000

# keywords whose values are instances, not schemas: a "$ref" key inside them is data
_DATA_KEYWORDS = frozenset(("const", "enum", "examples", "default"))


class PolicyBudget(Exception):
    """A repository policy spent its step budget on one host."""


@lru_cache(maxsize=1)
def registry():
    """dlint's own schemas (by their ``$id``) and the JSON Schema meta-schemas; nothing retrieved."""
    from jsonschema_specifications import REGISTRY as SPECIFICATIONS
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        if isinstance(document, dict) and isinstance(document.get("$id"), str):
            resources.append((document["$id"], DRAFT202012.create_resource(document)))
    return Registry().with_resources(resources).combine(SPECIFICATIONS)


def problems(schema: Any, untrusted: bool) -> Iterator[Tuple[tuple, str]]:
    """(path, what is wrong) for each reference that does not resolve without retrieval, and, in
    an untrusted schema, each pattern RE2 cannot run."""
    from referencing.jsonschema import DRAFT202012

    if not isinstance(schema, dict):
        return
    resource = DRAFT202012.create_resource(schema)
    resolver = registry().resolver_with_root(resource)
    yield from _walk(schema, resolver, (), untrusted, schema)


def _walk(node: Any, resolver, path: tuple, untrusted: bool, root) -> Iterator[Tuple[tuple, str]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, resolver, path + (index,), untrusted, root)
        return
    if not isinstance(node, dict):
        return
    if node is not root and isinstance(node.get("$id"), str):
        from referencing.jsonschema import DRAFT202012

        resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
    yield from _node_problems(node, resolver, path, untrusted)
    for key, value in node.items():
        if key not in _DATA_KEYWORDS:
            yield from _walk(value, resolver, path + (key,), untrusted, root)


def _node_problems(node: dict, resolver, path: tuple, untrusted: bool) -> Iterator[Tuple[tuple, str]]:
    import referencing.exceptions

    for keyword in ("$ref", "$dynamicRef"):
        reference = node.get(keyword)
        if isinstance(reference, str):
            try:
                resolver.lookup(reference)
            except referencing.exceptions.Unresolvable:
                yield path + (keyword,), (
                    f"{keyword} {reference!r} does not resolve inside the policy or dlint's own schemas "
                    "(nothing outside is ever retrieved)"
                )
    if not untrusted:
        return
    patterns = [(path + ("pattern",), node["pattern"])] if isinstance(node.get("pattern"), str) else []
    if isinstance(node.get("patternProperties"), dict):
        patterns += [(path + ("patternProperties", p), p) for p in node["patternProperties"]]
        if "unevaluatedProperties" in node:
            yield path + ("unevaluatedProperties",), "unevaluatedProperties beside patternProperties is not supported in a repository's policy"
    for where, pattern in patterns:
        error = _re2_error(pattern)
        if error:
            yield where, f"the pattern {pattern!r} is not one dlint runs for a repository's policy (RE2 syntax: {error})"


def _re2_error(pattern: str) -> str:
    import re2

    try:
        compile_linear(pattern)
    except re2.error as err:
        return str(err.args[0].decode("utf-8", "replace") if err.args and isinstance(err.args[0], bytes) else err)
    return ""




class _Budget:
    left = STEP_BUDGET

    def reset(self) -> None:
        self.left = STEP_BUDGET

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise PolicyBudget(f"evaluating it took more than {STEP_BUDGET} schema steps")


BUDGET = _Budget()


def _pattern(validator, pattern, instance, schema):
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not compile_linear(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, pattern_properties, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        for key, value in instance.items():
            if compile_linear(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator, additional, instance, schema):
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = [compile_linear(p) for p in schema.get("patternProperties", {})]
    extras = sorted((k for k in instance if k not in known and not any(p.search(k) for p in patterns)), key=str)
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        yield ValidationError(f"Additional properties are not allowed ({', '.join(map(repr, extras))} unexpected)")


def _budgeted(function):
    def keyword(validator, value, instance, schema):
        BUDGET.spend()
        return function(validator, value, instance, schema)

    return keyword


@lru_cache(maxsize=2)
def validator_class(untrusted: bool):
    """Draft 2020-12 validation; for an untrusted schema with RE2 patterns and a step budget."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    if not untrusted:
        return base
    keywords: Mapping = dict(base.VALIDATORS)
    keywords.update(pattern=_pattern, patternProperties=_pattern_properties, additionalProperties=_additional_properties)
    return jsonschema.validators.extend(base, {name: _budgeted(f) for name, f in keywords.items()})


_FIELD = re.compile(r"\{\{|\}\}|\{([a-z]+)\}")
MAX_SHOWN = 1000  # characters of a value a message shows


def render(template: str, fields: Mapping[str, str]) -> str:
    """``template`` with each plain ``{name}`` of ``fields`` replaced: no format specs, no
    attribute or item access (a policy chooses the template); anything else stays as written."""

    def field(match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        value = fields.get(match.group(1))
        if value is None:
            return token
        return value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"

    return _FIELD.sub(field, template)

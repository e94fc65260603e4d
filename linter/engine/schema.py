"""The JSON Schema of daemon.json for one engine version and platform.

``value_schema`` is what dlint validates each top-level value against (the decoding step of dockerd).
``document_schema`` is the whole-file schema published for editors and other tools: it adds
dockerd's key rule, including the flattening of nested objects (dockerd-facts.md §1.1): a
top-level object that is not a known key is replaced by its members, which must be known.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

from .versions import in_range

if TYPE_CHECKING:  # pragma: no cover
    from .knowledge import Engine

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_SCALARS = {"boolean", "string", "integer", "number", "array", "object"}


def _nullable(schema: dict) -> dict:
    """Go leaves a field at its zero value for JSON null, so null passes everywhere."""
    out = dict(schema)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    for name in ("items", "additionalProperties"):
        if isinstance(out.get(name), dict):
            out[name] = _nullable(out[name])
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _nullable(v) for k, v in out["properties"].items()}
    if isinstance(out.get("patternProperties"), dict):
        out["patternProperties"] = {k: _nullable(v) for k, v in out["patternProperties"].items()}
    return out


def _fold_pattern(name: str) -> str:
    """An ECMA-262 compatible, case-insensitive pattern for a Go struct field name."""
    parts = []
    for ch in name:
        if ch.isalpha():
            parts.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            parts.append(re.escape(ch))
    return "^" + "".join(parts) + "$"


def _go_structs(schema: dict) -> dict:
    """Rewrite x-go-struct objects so their field names match case-insensitively, as encoding/json does."""
    out = {k: v for k, v in schema.items() if k != "x-go-struct"}
    if isinstance(out.get("items"), dict):
        out["items"] = _go_structs(out["items"])
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _go_structs(out["additionalProperties"])
    if isinstance(out.get("properties"), dict):
        props = {k: _go_structs(v) for k, v in out["properties"].items()}
        if schema.get("x-go-struct"):
            out.pop("properties")
            out["patternProperties"] = {_fold_pattern(k): v for k, v in props.items()}
        else:
            out["properties"] = props
    return out


def _base_schema(engine: "Engine", key: str) -> dict:
    refinements = engine_value_schemas().get(key)
    if isinstance(refinements, list):
        for entry in refinements:
            if in_range(engine.version, entry.get("since"), entry.get("until")):
                return copy.deepcopy(entry["schema"])
        refinements = None
    if isinstance(refinements, dict):
        return copy.deepcopy(refinements)
    fact = engine.fact(key)
    if fact is None or fact.json_type not in _SCALARS:
        return {}
    schema: dict = {"type": fact.json_type}
    if fact.json_type == "array" and fact.items_type in _SCALARS:
        schema["items"] = {"type": fact.items_type}
    return schema


def engine_value_schemas() -> dict:
    from .knowledge import engine_data

    return {k: v for k, v in engine_data()["value_schemas"].items() if not k.startswith("$")}


def value_schema(engine: "Engine", key: str) -> dict:
    """Schema of the value of a top-level key that decodes into a Config field ({} if it does not)."""
    tag = engine.json_tag(key)
    if tag is None:
        return {}
    fact = engine.fact(tag)
    if fact is not None and fact.kind != "option":
        return {}
    return _nullable(_go_structs(_base_schema(engine, tag)))


def document_schema(engine: "Engine") -> dict:
    directive = {"$ref": "#/$defs/directive"}
    properties = {}
    for key in sorted(set(engine.directives) | {k for k in engine.table if engine.json_tag(k) == k}):
        status = engine.status(key)
        if status.state == "unknown":
            continue
        fact = engine.fact(key)
        entry = value_schema(engine, key) if status.state in ("option", "deprecated") else {}
        if fact is not None and fact.notes:
            entry["description"] = fact.notes
        if status.state != "option":
            entry["deprecated"] = True
        if status.state == "error":
            entry = {"not": {}, "description": status.message}
        if key not in engine.directives:
            # a JSON field without a flag (e.g. proxies) only passes the key check as an object
            entry["type"] = ["object", "null"]
        if key not in engine.flat_options:
            # dockerd flattens an object value that is not a flat option: its members must be options
            entry["propertyNames"] = directive
        properties[key] = entry
    return {
        "$schema": DRAFT,
        "$id": f"https://dlint.dev/schemas/daemon-json/{engine.version}-{engine.platform}.json",
        "title": f"dockerd daemon.json (Docker Engine {engine.version}, {engine.platform})",
        "description": "Generated by dlint from its engine facts. Keys are case-sensitive; a top-level object "
        "that is not a flat option is flattened, and its members must be dockerd options.",
        "type": "object",
        "properties": properties,
        "additionalProperties": {"type": "object", "propertyNames": directive},
        "$defs": {"directive": {"enum": sorted(engine.directives)}},
    }

"""The JSON Schema of daemon.json for one engine version and platform.

``value_schema`` is what dlint validates each top-level value against (the decoding step of dockerd).
``document_schema`` is the whole-file schema published for editors and other tools: it adds
dockerd's key rule, including the flattening of nested objects (dockerd-facts.md §1.1): a
top-level object that is not a known key is replaced by its members, which must be known.
"""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING

from .versions import in_range

if TYPE_CHECKING:  # pragma: no cover
    from .knowledge import Engine

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_SCALARS = {"boolean", "string", "integer", "number", "array", "object"}


def _nullable(schema: dict) -> dict:
    """Go leaves a field at its zero value for JSON null, so null passes, except where a type's own
    UnmarshalJSON refuses it (marked x-null: false, e.g. opts.MemBytes)."""
    out = dict(schema)
    kind = out.get("type")
    nullable = out.pop("x-null", True)
    if nullable and isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif nullable and isinstance(kind, list) and "null" not in kind:
        out["type"] = kind + ["null"]
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


def _for_version(schema: dict, engine: "Engine") -> dict:
    """Drop the struct fields marked x-since/x-until that the target version does not have."""
    out = {k: v for k, v in schema.items() if k not in ("x-since", "x-until")}
    for name in ("items", "additionalProperties"):
        if isinstance(out.get(name), dict):
            out[name] = _for_version(out[name], engine)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {
            k: _for_version(v, engine)
            for k, v in out["properties"].items()
            if in_range(engine.version, v.get("x-since"), v.get("x-until"))
        }
    return out


def _base_schema(engine: "Engine", key: str) -> dict:
    refinements = engine_value_schemas().get(key)
    if isinstance(refinements, list):
        for entry in refinements:
            if in_range(engine.version, entry.get("since"), entry.get("until")):
                return _for_version(copy.deepcopy(entry["schema"]), engine)
        refinements = None
    if isinstance(refinements, dict):
        return _for_version(copy.deepcopy(refinements), engine)
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
    return _nullable(_go_structs(_base_schema(engine, tag)))


_GO_INT = {"minimum": -(2**63), "maximum": 2**63 - 1}  # Go's int on 64-bit platforms, and int64


def _go_int_bounds(schema):
    """Add int64 bounds wherever an integer is allowed (a plain validator's "integer" has none)."""
    if isinstance(schema, list):
        return [_go_int_bounds(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _go_int_bounds(v) for k, v in schema.items()}
    kind = out.get("type")
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
        out = {**_GO_INT, **out}
    return out


# "error-if-set": dockerd refuses any value but an empty or zero one
_UNSET = {
    "anyOf": [
        {"type": "null"},
        {"const": ""},
        {"const": False},
        {"const": 0},
        {"type": "array", "maxItems": 0},
        {"type": "object", "maxProperties": 0},
    ]
}


_MISSING = object()


def _values(engine: "Engine", key: str, entry: dict) -> None:
    """The enum (the words dockerd's Validate() takes, with "" and null where they pass) and the
    default (what dockerd does with the key left out) of a plain entry, from the engine facts."""
    from .values import choices

    kinds = entry.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    default = engine.default(key, _MISSING)
    if default is not _MISSING:
        entry["default"] = default
    picked = choices(key, engine.version)
    if picked is None or "string" not in kinds or "allOf" in entry:
        return
    words, folded = picked
    allowed = [*words, ""] + ([None] if "null" in kinds else [])
    if folded:  # dockerd ignores case: the words for completion, any spelling of them valid
        entry["anyOf"] = [{"enum": allowed}, {"type": "string", "pattern": "^(?:" + "|".join(_fold_pattern(w)[1:-1] for w in words) + ")$"}]
    else:
        entry["enum"] = allowed


def _markdown(engine: "Engine", key: str, status, fact) -> str:
    """Hover text: the flag, the releases, whether a reload applies it, what dockerd does now."""
    head = [f"**`{key}`**"]
    if fact is not None and fact.flag:
        head.append(f"flag `{fact.flag}`")
    if fact is not None and fact.since and not fact.since.startswith("<"):
        head.append(f"since {fact.since}")
    if fact is not None and fact.platforms and list(fact.platforms) != ["linux", "windows"]:
        head.append(" and ".join(p.capitalize() for p in fact.platforms) + " only")
    if status.state in ("option", "deprecated"):
        head.append("a reload applies it (`systemctl reload docker`)" if key in engine.reloadable else "takes a restart")
    lines = [" · ".join(head)]
    if status.state != "option":
        lines.append(f"**{status.state} in {engine.version}**" + (f": {status.message}" if status.message else ""))
    if fact is not None and fact.notes:
        lines.append(fact.notes)
    default = engine.default(key, _MISSING)
    if default is not _MISSING:
        lines.append(f"Default: `{json.dumps(default)}`.")
    return "\n\n".join(lines)


def document_schema(engine: "Engine") -> dict:
    directive = {"$ref": "#/$defs/directive"}
    flattened = {"type": "object", "propertyNames": directive}
    properties = {}
    for key in sorted(set(engine.directives) | {k for k in engine.table if engine.json_tag(k) == k}):
        status = engine.status(key)
        if status.state == "unknown":
            if engine.json_tag(key) == key:
                # a field without a flag: it passes the key check only as an object (flattened
                # away), and that object must then decode into the field
                said = f'"{key}" is not a dockerd option'
                properties[key] = {"allOf": [flattened, value_schema(engine, key)], "description": said, "markdownDescription": f"**`{key}`** · {said}: only an object passes, flattened into its members"}
            continue
        fact = engine.fact(key)
        entry = value_schema(engine, key)  # {} when the key is not (or no longer) a Config field
        if status.breaks == "config-load" and status.state == "error-if-set":
            entry = {"allOf": [entry, _UNSET]}
        elif status.breaks == "config-load" and status.state == "error-if-false":
            entry = {"allOf": [entry, {"not": {"const": False}}]}
        if fact is not None and fact.notes:
            entry["description"] = fact.notes
        if status.state != "option":
            entry["deprecated"] = True
        _values(engine, key, entry)
        if status.state == "error" and status.breaks == "config-load":
            entry = {"not": {}, "description": status.message}
        entry["markdownDescription"] = _markdown(engine, key, status, fact)
        if key not in engine.directives:
            # a JSON field without a flag (e.g. proxies) only passes the key check as an object:
            # any other value, null included, leaves the key itself to be checked, and it fails
            entry["type"] = "object"
        if key not in engine.flat_options:
            # dockerd flattens an object value that is not a flat option: its members must be options
            entry["propertyNames"] = directive
        properties[key] = entry
    for key in sorted(engine.flat_options - engine.directives):
        # never flattened, so always checked as a key, and not one (cluster-store-opts since 24.0)
        said = f'"{key}" is not a dockerd option'
        properties[key] = {"not": {}, "description": said, "markdownDescription": f"**`{key}`** · {said}"}
    # A key that differs from a field's JSON tag only in case is no option (dockerd's key check is
    # case-sensitive), but as an object it is flattened away and then decoded into that field
    # (encoding/json matches tags case-insensitively)
    folded = {
        f"^(?!{re.escape(tag)}$)" + _fold_pattern(tag)[1:]: {"allOf": [flattened, value_schema(engine, tag)]}
        for tag in sorted(k for k in engine.table if engine.json_tag(k) == k)
    }
    return {
        "$schema": DRAFT,
        "$id": f"https://dlint.dev/schemas/daemon-json/{engine.version}-{engine.platform}.json",
        "title": f"dockerd daemon.json (Docker Engine {engine.version}, {engine.platform})",
        "description": "Generated by dlint from its engine facts. Keys are case-sensitive; a top-level object "
        "that is not a flat option is flattened, and its members must be dockerd options.",
        "type": "object",
        "properties": _go_int_bounds(properties),
        "patternProperties": _go_int_bounds(folded),
        "additionalProperties": flattened,
        "$defs": {"directive": {"enum": sorted(engine.directives)}},
    }


# -- the published schemas: one file per engine release and platform ------------------------------

PUBLISHED = "schemas/daemon-json"  # in the linter package: linter/schemas/daemon-json/<release>-<platform>.json


def published_name(version: str, platform: str) -> str:
    return f"{version}-{platform}.json"


def render_published(schema: dict) -> str:
    """The schema as committed: one top-level member a line, and one key a line inside
    ``properties`` and ``patternProperties`` (a fact's change is a one-line diff; no indentation
    to pay for in 64 files)."""
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    lines = ["{"]
    items = list(schema.items())
    for number, (name, value) in enumerate(items):
        comma = "," if number + 1 < len(items) else ""
        if name in ("properties", "patternProperties") and isinstance(value, dict) and value:
            inner = [f" {json.dumps(k, **compact)}:{json.dumps(v, **compact)}" for k, v in value.items()]
            lines.append(f"{json.dumps(name)}:{{")
            lines.append(",\n".join(inner))
            lines.append("}" + comma)
        else:
            lines.append(f"{json.dumps(name)}:{json.dumps(value, **compact)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def published() -> dict:
    """File name -> text of every published schema (every release dlint has facts of, both platforms)."""
    from .knowledge import Engine, platforms, releases

    return {
        published_name(version, platform): render_published(Engine(version, platform).document_schema())
        for version in releases()
        for platform in platforms()
    }


def publish(folder) -> list:
    """Write every published schema into ``folder`` (and remove stale ones); the paths written."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = published()
    for stale in folder.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = folder / name
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m dlint_docker.engine.schema: regenerate linter/schemas/daemon-json/
    from pathlib import Path

    target = Path(__file__).resolve().parent.parent / PUBLISHED
    print(f"{len(publish(target))} schemas in {target}")

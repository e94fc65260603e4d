"""A host's facts: the document declarative policies test, and where each fact came from.

The effective daemon configuration follows dockerd (dockerd-facts.md §1.1): each top-level key
that is a Config field (matched case-insensitively, last duplicate wins) takes its value; a boolean
flag nested in a wrapper object also takes effect, through the flag side channel.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .engine.knowledge import Engine
from .jsonread import Node, to_python
from .location import Location


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: Any) -> str:
    return "".join("/" + escape(str(t)) for t in tokens)


class HostFacts:
    def __init__(self, data: dict, provenance: Dict[str, Location], fallback: Location):
        self.data = data
        self.provenance = provenance
        self.fallback = fallback

    def locate(self, ptr: Optional[str]) -> Location:
        """Where the fact at ``ptr`` (or its nearest present parent) was set."""
        while ptr:
            if ptr in self.provenance:
                return self.provenance[ptr]
            ptr = ptr.rsplit("/", 1)[0]
        return self.fallback

    def get(self, ptr: str, default: Any = None) -> Any:
        value: Any = self.data
        for token in ptr.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                return default
        return value


def _record(provenance: Dict[str, Location], document, base: str, node: Node) -> None:
    """Positions of the items and members of a value, one level down (what policies point at)."""
    if node.kind == "array":
        for index, item in enumerate(node.value):
            provenance[f"{base}/{index}"] = document.location(item.start, item.end)
    elif node.kind == "object":
        for member in node.value:
            provenance[f"{base}/{escape(member.key)}"] = document.location(member.key_start, member.key_end)


def build(host, engine: Engine) -> HostFacts:
    config: Dict[str, Any] = {}
    provenance: Dict[str, Location] = {}
    sources = []
    for fragment in host.daemon_configs:
        document = fragment.document
        sources.append({"path": fragment.source.display, "kind": fragment.source.kind})
        if fragment.root is None:
            continue
        provenance.setdefault("/config", document.location(fragment.root.start, fragment.root.start + 1))
        side_channel = {}
        for member in fragment.root.value:
            value = member.value
            if value.kind == "object" and member.key not in engine.flat_options:
                for inner in value.value:
                    if inner.value.kind in ("true", "false") and engine.is_bool_flag(inner.key):
                        side_channel[inner.key] = (inner.value.value, document.location(inner.key_start, inner.key_end))
            tag = engine.json_tag(member.key)
            if tag is None:
                continue
            fact = engine.fact(tag)
            if fact is not None and fact.kind != "option":
                continue
            config[tag] = to_python(value)
            base = pointer("config", tag)
            provenance[base] = document.location(member.key_start, member.key_end)
            _record(provenance, document, base, value)
        for key, (value, location) in side_channel.items():
            if key not in config:
                config[key] = value
                provenance[pointer("config", key)] = location
    data = {
        "host": host.name,
        "platform": host.platform,
        "engine": {"version": engine.version_text},
        "config": config,
        "sources": sources,
    }
    return HostFacts(data, provenance, host.primary_location())


def facts_for(host, engine: Engine) -> HostFacts:
    key = (engine.version_text, engine.platform)
    if key not in host._facts:
        host._facts[key] = build(host, engine)
    return host._facts[key]

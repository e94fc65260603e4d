"""Helpers shared by the daemon.json checks."""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional, Sequence, Tuple

from linter.facts import escape
from linter.jsonread import Member, Node


def configs(host) -> Iterator:
    """The host's daemon.json fragments that dockerd could read and that hold an object."""
    for config in host.daemon_configs:
        if config.root is not None:
            yield config


def node_at(node: Node, path: Sequence[Any]) -> Tuple[Node, Optional[Member]]:
    """The node at a decoded path (keys and indexes; the last duplicate of a key wins)."""
    member = None
    for part in path:
        if node.kind == "object":
            found = node.get(str(part))
            if found is None:
                break
            member, node = found, found.value
        elif node.kind == "array" and isinstance(part, int) and part < len(node.value):
            member, node = None, node.value[part]
        else:
            break
    return node, member


def pointer(*parts: Any) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def key_location(config, member: Member):
    return config.document.location(member.key_start, member.key_end)


def value_location(config, node: Node):
    return config.document.location(node.start, node.end)


def show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


DOCKERD_UNKNOWN = "the following directives don't match any configuration option: "

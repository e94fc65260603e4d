"""Helpers shared by the daemon.json checks."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

from dlint_docker.facts import escape
from dlint_docker.jsonread import Member, Node


def configs(host) -> Iterator:
    """The host's daemon.json fragments that dockerd could read and that hold an object."""
    for config in host.daemon_configs:
        if config.root is not None:
            yield config


def last_members(obj: Node) -> List[Member]:
    """The members of an object as dockerd's decoded map holds them: the last of each key, in order."""
    last = {member.key: member for member in obj.value}
    return [member for member in obj.value if last[member.key] is member]


def flattened(engine, root: Node) -> Dict[str, Member]:
    """dockerd's view for its key check: the decoded map, with every object that is not a flat
    option replaced by its members (dockerd-facts §1.1), each name with the member that sets it."""
    out: Dict[str, Member] = {}
    for member in last_members(root):
        if member.value.kind == "object" and member.key not in engine.flat_options:
            out.update((inner.key, inner) for inner in last_members(member.value))
        else:
            out[member.key] = member
    return out


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

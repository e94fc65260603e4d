"""DKD008: options that still work in the target version but are deprecated (or already inert)."""

from __future__ import annotations

from dlint_docker.engine.versions import parse_version
from dlint_docker.policy.model import Hit

from ._daemon import configs, key_location, pointer


def check(host, context):
    engine = context.engine(host)
    for config in configs(host):
        for member in config.root.value:
            key = member.key
            status = engine.status(key)
            fact = status.fact
            if fact is None:
                continue
            replacement = engine.replacements.get(key)
            fix = (f"use {replacement}" if " " in replacement else f'use "{replacement}"') if replacement else f'plan to remove "{key}"'
            before = getattr(context, "pinned_before_known", None)
            deprecated = parse_version(fact.deprecated) if fact.deprecated else None
            if before is not None and deprecated is not None and before < (deprecated.major, deprecated.minor):
                continue  # the pinned engine predates the deprecation (and, likely, its replacement)
            if status.state == "deprecated":
                message = f'"{key}" is deprecated since Docker {fact.deprecated}'
                if fact.removed:
                    message += f" and removed in {fact.removed}"
                yield Hit(message, location=key_location(config, member), fix=fix, key=pointer(key))
            elif status.state == "ignored" and status.reason == "removed" and fact.removed and engine.version < parse_version(fact.removed):
                yield Hit(f"{status.message} (deprecated since Docker {fact.deprecated})", location=key_location(config, member), breaks="ignored", fix=fix, key=pointer(key))

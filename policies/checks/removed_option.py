"""DKD007: options the target engine version no longer has (refused, or accepted and ignored)."""

from __future__ import annotations

from linter.engine.versions import parse_version
from linter.jsonread import to_python
from linter.policy.model import Hit

from ._daemon import DOCKERD_UNKNOWN, configs, key_location, last_members, pointer


def _replacement(engine, key: str) -> str:
    other = engine.replacements.get(key)
    return f"use {other}" if other and " " in other else (f'use "{other}"' if other else f'remove "{key}"')


def _set(value) -> bool:
    return value not in (None, False, 0, "", [], {})


def check(host, context):
    engine = context.engine(host)
    version = engine.version_text
    for config in configs(host):
        for member in last_members(config.root):  # dockerd keeps the last duplicate
            key = member.key
            status = engine.status(key)
            fact = status.fact
            removed = fact.removed if fact else None
            if status.state == "unknown" and status.reason == "removed":
                if member.value.kind == "object" and key not in engine.flat_options:
                    continue  # dockerd replaces the object by its members, which unknown-key judges
                message = f'"{key}" was removed in Docker {removed}: dockerd {version} refuses it (dockerd: {DOCKERD_UNKNOWN}{key})'
                breaks = "config-load"
            elif status.state in ("error", "error-if-set", "error-if-false"):
                value = to_python(member.value)
                refused = status.state == "error" or (status.state == "error-if-set" and _set(value)) or (status.state == "error-if-false" and value is False)
                if refused:
                    message, breaks = f'dockerd {version} refuses "{key}": {status.message}', status.breaks
                else:
                    message, breaks = f'"{key}" was removed: dockerd {version} accepts this value and ignores it', "ignored"
            elif status.state == "ignored" and status.reason == "removed" and removed and engine.version >= parse_version(removed):
                message, breaks = status.message or f'"{key}" was removed in Docker {removed}; dockerd ignores it', "ignored"
            else:
                continue
            yield Hit(message, location=key_location(config, member), breaks=breaks, fix=_replacement(engine, key), key=pointer(key))

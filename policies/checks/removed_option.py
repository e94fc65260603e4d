"""DKD007: options the target engine version no longer has (refused, or accepted and ignored),
in daemon.json and on dockerd's command line."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from dlint_docker.dockerd_args import flag_value
from dlint_docker.engine.versions import parse_version
from dlint_docker.jsonread import to_python
from dlint_docker.policy.model import Hit

from ._daemon import DOCKERD_UNKNOWN, configs, key_location, last_members, pointer
from ._flags import command_line, flag_pointer


def _replacement(engine, key: str, as_flag: bool = False) -> str:
    other = engine.replacements.get(key)
    if other and " " in other:
        return f"use {other}"
    if other and as_flag:
        fact = engine.fact(other)
        return f"use {fact.flag}" if fact and fact.flag else f'use "{other}" in daemon.json'
    return f'use "{other}"' if other else f'remove "{key}"'


def _set(value) -> bool:
    return value not in (None, False, 0, "", [], {})


def verdict(engine, key: str, value: Any, name: str) -> Optional[Tuple[str, str]]:
    """(message, breaks) when this release refuses or ignores the removed option ``key`` (named
    ``name`` in the message: "graph" or --graph) set to ``value``; None when it is no removed option."""
    version = engine.version_text
    status = engine.status(key)
    removed = status.fact.removed if status.fact else None
    if status.state in ("error", "error-if-set", "error-if-false"):
        refused = status.state == "error" or (status.state == "error-if-set" and _set(value)) or (status.state == "error-if-false" and value is False)
        if refused:
            return f"dockerd {version} refuses {name}: {status.message}", status.breaks
        return f"{name} was removed: dockerd {version} accepts this value and ignores it", "ignored"
    if status.state == "ignored" and status.reason == "removed" and removed and engine.version >= parse_version(removed):
        return status.message or f"{name} was removed in Docker {removed}; dockerd ignores it", "ignored"
    return None


def check(host, context):
    engine = context.engine(host)
    version = engine.version_text
    yield from flag_hits(host, engine)
    for config in configs(host):
        for member in last_members(config.root):  # dockerd keeps the last duplicate
            key = member.key
            status = engine.status(key)
            if status.state == "unknown" and status.reason == "removed":
                if member.value.kind == "object" and key not in engine.flat_options:
                    continue  # dockerd replaces the object by its members, which unknown-key judges
                message = f'"{key}" was removed in Docker {status.fact.removed}: dockerd {version} refuses it (dockerd: {DOCKERD_UNKNOWN}{key})'
                breaks = "config-load"
            else:
                found = verdict(engine, key, to_python(member.value), f'"{key}"')
                if found is None:
                    continue
                message, breaks = found
            yield Hit(message, location=key_location(config, member), breaks=breaks, fix=_replacement(engine, key), key=pointer(key))


def _flag_fix(engine, key: str, spelling: str, shown: str, value: str) -> str:
    """The whole corrected flag (-g /data → --data-root=/data) where the option has a successor flag."""
    other = engine.fact(engine.replacements.get(key, ""))
    if other is not None and other.flag and value:
        return f"replace {shown} with {other.flag}={value}"
    if key in engine.replacements:
        return _replacement(engine, key, as_flag=True)
    return f"remove {shown}"


def _written(word, value_word) -> Tuple[str, str]:
    """The flag as written (with its separate value word), and its value."""
    if value_word is not None:
        return f"{word.text} {value_word.text}", value_word.text
    return word.text, word.text.partition("=")[2]


def flag_hits(host, engine):
    """Flags this release no longer registers (unknown flag: dockerd exits), and registered ones
    it refuses or ignores as removed options."""
    line = command_line(host, engine)
    if line is None:
        return
    for refusal in line.refusals:
        status = engine.flag_status(refusal.spelling) if refusal.kind == "unknown" else None
        if status is None or status.reason != "removed":
            continue
        yield Hit(
            f"{refusal.spelling} was removed in Docker {status.message}: dockerd {engine.version_text} refuses it (dockerd: {refusal.message})",
            location=refusal.word.location,
            fix=_flag_fix(engine, status.fact.key, refusal.spelling, *_written(refusal.word, refusal.value)),
            key=flag_pointer(refusal.spelling),
        )
    for flag in line.flags:
        if flag.value_unknown and engine.status(flag.key).state != "error":
            continue  # refused or ignored depending on a value dlint cannot read
        found = verdict(engine, flag.key, flag_value(flag, engine), flag.spelling)
        if found is not None:
            message, breaks = found
            fix = _flag_fix(engine, flag.key, flag.spelling, *_written(flag.word, flag.value_word))
            yield Hit(message, location=flag.word.location, breaks=breaks, fix=fix, key=flag_pointer(flag.spelling))

"""DKD006: keys dockerd accepts and silently does nothing with."""

from __future__ import annotations

import json

from dlint_docker.engine.knowledge import engine_data
from dlint_docker.jsonread import to_python
from dlint_docker.policy.model import Hit

from ._daemon import configs, key_location, pointer


def _advice(engine, key: str, value) -> str:
    """The whole corrected member, so that the fix, followed literally, is a configuration dockerd reads."""
    fact = engine.fact(key)
    if key in ("http-proxy", "https-proxy", "no-proxy"):
        return f"replace it with {_member('proxies', {key: value})}"
    if fact is not None and fact.flag:
        plural = engine.flag_map().get(fact.flag)
        if plural and plural != key:
            return f"replace it with {_member(plural, _as_plural(engine.fact(plural), value))} (daemon.json uses the plural name of list options)"
    if key == "containerd-plugins-namespace":
        return "remove it: neither spelling sets the containerd plugin namespace from daemon.json; use the --containerd-plugins-namespace flag"
    return f'remove "{key}"'


def _member(key: str, value) -> str:
    return f"{json.dumps(key)}: {json.dumps(value)}"


def _as_plural(fact, value):
    """A flag-style value (one item, "name=value") in the shape of the plural option."""
    if fact is not None and fact.json_type == "array" and not isinstance(value, list):
        return [value]
    if fact is not None and fact.json_type == "object" and isinstance(value, (str, list)):
        pairs = [value] if isinstance(value, str) else value
        return dict(str(pair).partition("=")[::2] for pair in pairs)
    return value


def check(host, context):
    engine = context.engine(host)
    side_effects = engine_data().get("bool_side_effects", {})
    for config in configs(host):
        for member in config.root.value:
            key, value = member.key, member.value
            status = engine.status(key)
            if status.state == "ignored" and status.reason == "":
                effect = side_effects.get(key)
                if effect and value.kind in ("true", "false") and value.value == effect["when"]:
                    yield Hit(effect["message"], location=key_location(config, member), breaks=effect["breaks"], fix=f'remove "{key}"', key=pointer(key))
                    continue
                if value.kind == "object" and key not in engine.flat_options:
                    continue  # flattened: DKD002 judges its members
                yield Hit(
                    f'dockerd accepts "{key}" but ignores it: it is a command-line flag name, not a daemon.json option',
                    location=key_location(config, member),
                    fix=_advice(engine, key, to_python(value)),
                    key=pointer(key),
                )
            elif value.kind == "object" and key not in engine.flat_options and engine.json_tag(key) is None:
                # a wrapper object: its members pass dockerd's key check, but only booleans take effect
                for inner in value.value:
                    if not engine.is_directive(inner.key):
                        continue
                    if inner.value.kind in ("true", "false") and engine.is_bool_flag(inner.key):
                        continue
                    yield Hit(
                        f'"{inner.key}" inside "{key}" has no effect: dockerd only reads "{inner.key}" at the top level',
                        location=key_location(config, inner),
                        fix=f'move "{inner.key}" to the top level of the file',
                        key=pointer(key, inner.key),
                    )

"""DKD004: values dockerd's validation refuses (log-level, hosts, labels, dns-search, ...)."""

from __future__ import annotations

from linter.engine import typecheck, values
from linter.jsonread import to_python
from linter.policy.model import Hit

from ._daemon import configs, flattened, key_location, pointer, value_location


def check(host, context):
    engine = context.engine(host)
    for config in configs(host):
        names = flattened(engine, config.root)
        for old, migration in engine.migrated.items():
            if old in names and migration["to"] in names:
                yield Hit(
                    f'{migration["message"]} (keys "{old}" and "{migration["to"]}")',
                    location=key_location(config, names[old]),
                    related=(key_location(config, names[migration["to"]]),),
                    fix=f'keep only "{migration["to"]}"',
                    key=pointer(old),
                )
        last = {}
        for member in config.root.value:
            tag = engine.json_tag(member.key)
            if tag is not None:
                last[tag] = member  # validation sees the decoded value: the last duplicate
        for tag, member in last.items():
            rules = values.rules_for(tag, engine.version, engine.platform)
            if not rules:
                continue
            value = to_python(member.value)
            if typecheck.check(engine.value_schema(member.key), value, member.key):
                continue  # DKD003 reports it; its value checks would only repeat that
            for rule in rules:
                for index, message in rule.check(value, engine.version):
                    node = member.value.value[index] if index is not None and member.value.kind == "array" else member.value
                    yield Hit(
                        f"{message} (key \"{member.key}\")",
                        location=value_location(config, node),
                        breaks=rule.breaks,
                        key=pointer(member.key, *(() if index is None else (index,))),
                    )

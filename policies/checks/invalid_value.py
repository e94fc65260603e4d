"""DKD004: values dockerd's validation refuses (log-level, hosts, labels, dns-search, ...)."""

from __future__ import annotations

from dlint_docker.engine import typecheck, values
from dlint_docker.jsonread import to_python
from dlint_docker.policy.model import Hit

from ._daemon import configs, flattened, key_location, pointer, value_location
from ._flags import command_line, flag_pointer, flag_value_location, value_problems


def flag_hits(host, engine):
    """Values on dockerd's command line that dockerd refuses: a boolean flag's value given as a
    separate word (an argument), a value flag without one, a value its flag parser or its
    validation refuses."""
    line = command_line(host, engine)
    if line is None:
        return
    for refusal in line.refusals:
        if refusal.kind == "stray-value":
            flag = refusal.after
            message = (
                f'"{refusal.word.text}" after {flag.spelling} is not its value: a boolean flag takes a value only '
                f'with "=", so dockerd reads "{refusal.word.text}" as an argument and refuses it (dockerd: {refusal.message})'
            )
            yield Hit(message, location=refusal.word.location, fix=f"write {flag.spelling}={refusal.word.text}", key=flag_pointer(flag.spelling))
        elif refusal.kind == "needs-value":
            yield Hit(
                f"{refusal.spelling} has no value: it ends the command line (dockerd: {refusal.message})",
                location=refusal.word.location, fix=f"give {refusal.spelling} its value ({refusal.spelling}=VALUE), or remove it",
                key=flag_pointer(refusal.spelling),
            )
    for flag, message, breaks in value_problems(line, engine):
        yield Hit(f"{message} (flag {flag.spelling})", location=flag_value_location(flag), breaks=breaks, key=flag_pointer(flag.spelling))


def check(host, context):
    engine = context.engine(host)
    yield from flag_hits(host, engine)
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

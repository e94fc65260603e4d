"""DKD002: keys dockerd does not know, including inside the objects it flattens."""

from __future__ import annotations

from dlint_docker.engine.suggest import suggest
from dlint_docker.policy.model import Hit

from ._daemon import DOCKERD_UNKNOWN, configs, key_location, last_members, pointer
from ._flags import command_line, flag_pointer, suggest_flag

_KINDS = {"array": "an array", "string": "a string", "number": "a number", "true": "a boolean", "false": "a boolean", "null": "null"}


def _options(engine):
    return [k for k in engine.directives if engine.status(k).state in ("option", "deprecated")]


def _reason(engine, key, status) -> str:
    fact = status.fact
    version = engine.version_text
    if status.reason == "not-yet" and fact is not None:
        return f'"{key}" is not an option of Docker {version}: it was added in {fact.since.lstrip("<=")}'
    if status.reason == "platform" and fact is not None:
        return f'"{key}" is not an option of a {engine.platform} daemon (only {", ".join(fact.platforms)})'
    if status.reason == "rejected" and fact is not None:
        return f'"{key}" is not accepted in daemon.json: {fact.notes.split(". ")[0].rstrip(".")}'
    return f'"{key}" is not a dockerd option'


def _flag_reason(engine, spelling, status) -> str:
    version = engine.version_text
    if status.reason == "not-yet":
        return f"{spelling} is not a flag of Docker {version}: it was added in {status.message}"
    if status.reason == "platform":
        return f"{spelling} is not a flag of a {engine.platform} daemon (only {status.message})"
    return f"{spelling} is not a dockerd flag"


def flag_hits(host, engine):
    """Words of dockerd's command line that are no flag of this release (removed ones are
    removed-option's), and arguments, which dockerd takes none of: it exits before it starts."""
    line = command_line(host, engine)
    for refusal in line.refusals if line is not None else ():
        if refusal.kind == "unknown":
            status = engine.flag_status(refusal.spelling)
            if status.reason == "removed":
                continue
            guess = suggest_flag(refusal.spelling, engine) if status.reason == "typo" else None
            message = _flag_reason(engine, refusal.spelling, status)
            fix = f"did you mean {guess}?" if guess else f"remove {refusal.spelling}"
        elif refusal.kind in ("argument", "syntax"):
            message = f'"{refusal.word.text}" is not a flag, and dockerd takes no arguments'
            fix = f'remove "{refusal.word.text}"'
        else:
            continue
        yield Hit(f"{message} (dockerd: {refusal.message})", location=refusal.word.location, fix=fix, key=flag_pointer(refusal.word.text))


def check(host, context):
    engine = context.engine(host)
    allowed = context.allowed_keys
    yield from flag_hits(host, engine)
    options = _options(engine)
    for config in configs(host):
        reported = set()
        for member in last_members(config.root):  # dockerd checks the keys of its decoded map: the last duplicates
            key, value = member.key, member.value
            if value.kind == "object" and key not in engine.flat_options:
                # dockerd replaces an object that is not a flat option by its members (§1.1)
                container_hint = suggest(key, engine.flat_options) if engine.json_tag(key) is None else None
                for inner in value.value:
                    if engine.is_directive(inner.key) or inner.key in allowed or (key, inner.key) in reported:
                        continue
                    reported.add((key, inner.key))
                    message = f'"{inner.key}" inside "{key}" is not a dockerd option: dockerd reads the members of "{key}" as top-level keys'
                    if container_hint:
                        fix = f'rename "{key}" to "{container_hint}"'
                    else:
                        guess = suggest(inner.key, options)
                        fix = f'did you mean "{guess}"?' if guess else f'remove "{inner.key}"'
                    yield Hit(message + f" (dockerd: {DOCKERD_UNKNOWN}{inner.key})", location=key_location(config, inner), fix=fix, key=pointer(key, inner.key))
                continue
            if key in allowed or key in reported:
                continue
            status = engine.status(key)
            if status.state in ("option", "deprecated") and not engine.is_directive(key):
                # a Config field without a flag (proxies) passes dockerd's key check only as an
                # object, which is flattened away; any other value leaves the key to be checked
                reported.add(key)
                yield Hit(
                    f'"{key}" must be an object, not {_KINDS.get(value.kind, value.kind)}: dockerd checks a non-object "{key}" as an option name, '
                    f"and there is no such option (dockerd: {DOCKERD_UNKNOWN}{key})",
                    location=key_location(config, member),
                    fix=f'write "{key}": {{...}}, or remove it',
                    key=pointer(key),
                )
                continue
            if status.state != "unknown" or status.reason == "removed":
                continue
            reported.add(key)
            guess = suggest(key, options)
            fix = f'did you mean "{guess}"?' if guess else f'remove "{key}"'
            message = _reason(engine, key, status) + f" (dockerd: {DOCKERD_UNKNOWN}{key})"
            yield Hit(message, location=key_location(config, member), fix=fix, key=pointer(key))

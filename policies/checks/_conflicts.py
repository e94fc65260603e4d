"""What dockerd compares between its command line and daemon.json (config.go findConfigurationConflicts)."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Tuple

from dlint_docker.dockerd_args import Flag, flag_value, parse
from dlint_docker.jsonread import Member, to_python

# merged, not compared: a runtime from --add-runtime and one from the file live side by side
SKIP_DUPLICATES = frozenset({"runtimes"})


def read_configs(host) -> List:
    """The daemon.json files dockerd reads on this host: the --config-file one, else the default."""
    wanted = None
    engine_command = host.command
    if engine_command is not None:
        for index, word in enumerate(engine_command.words):
            if word.text.startswith("--config-file="):
                wanted = word.text.split("=", 1)[1]
            elif word.text == "--config-file" and index + 1 < len(engine_command.words):
                wanted = engine_command.words[index + 1].text
    out = []
    for config in host.daemon_configs:
        if config.root is None:
            continue
        target = config.target
        if wanted is not None:
            if target == wanted:
                out.append(config)
        elif target is None or target.endswith("/etc/docker/daemon.json") or target == "/etc/docker/daemon.json":
            out.append(config)
    return out


def file_keys(config, engine) -> Dict[str, Member]:
    """The keys dockerd checks for conflicts: top-level ones and the members of flattened objects."""
    keys: Dict[str, Member] = {}
    for member in config.root.value:
        keys[member.key] = member
    for member in list(keys.values()):
        if member.value.kind == "object" and member.key not in engine.flat_options:
            for inner in member.value.value:
                keys.setdefault(inner.key, inner)
    return keys


def conflicts(host, engine) -> Iterator[Tuple[object, Member, List[Flag]]]:
    """(daemon config, its member, the flags) for every key set both ways."""
    command = host.command
    if command is None:
        return
    flags, _ = parse(command.words, engine)
    by_key: Dict[str, List[Flag]] = {}
    for flag in flags:
        if flag.key is not None and flag.key not in SKIP_DUPLICATES:
            by_key.setdefault(flag.key, []).append(flag)
    for config in read_configs(host):
        keys = file_keys(config, engine)
        for key, member in keys.items():
            if key in by_key:
                yield config, member, by_key[key]


def go_value(value: Any) -> str:
    """A value as Go's %v prints it in dockerd's conflict message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def dockerd_message(key: str, flags: List[Flag], member: Member, engine) -> str:
    values = [flag_value(f, engine) for f in flags]
    if values and isinstance(values[0], list):
        flag_side: Any = [item for v in values for item in v]
    elif values and isinstance(values[0], dict):
        flag_side = {k: v for d in values for k, v in d.items()}
    else:
        flag_side = values[-1] if values else None
    return (
        "the following directives are specified both as a flag and in the configuration file: "
        f"{key}: (from flag: {go_value(flag_side)}, from file: {go_value(to_python(member.value))})"
    )


def flag_origin(host, flags: List[Flag]) -> str:
    command = host.command
    spelled = " ".join(f.word.text + (f" {f.value_word.text}" if f.value_word else "") for f in flags)
    if command.assumed:
        return f"{spelled} (the packaged docker.service's ExecStart, which dlint assumes for this host)"
    return f"{spelled} at {flags[0].word.location}"


def show(value: Any) -> str:
    return json.dumps(value)

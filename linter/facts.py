"""A host's facts: the document declarative policies test, and where each fact came from.

The effective daemon configuration follows dockerd (dockerd-facts.md §1.1): each top-level key
that is a Config field (matched case-insensitively, last duplicate wins) takes its value; a boolean
flag nested in a wrapper object also takes effect, through the flag side channel.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from .engine.knowledge import Engine
from .hosts import rootless
from .jsonread import Node, to_python
from .location import Location


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: Any) -> str:
    return "".join("/" + escape(str(t)) for t in tokens)


_TEMPLATE_MARKERS = ("$", "{{", "{%", "%{")
# a string that is all mask (jinja.MASK): a value of a templated daemon.json that a template decides
_MASKED = re.compile(r'"x{3,}"')
_MASK_RUN = re.compile(r"x{3,}")


class HostFacts:
    def __init__(self, data: dict, provenance: Dict[str, Location], fallback: Location, unknown=frozenset(), flags_written=None):
        self.data = data
        self.provenance = provenance
        self.fallback = fallback
        self.unknown = unknown  # config keys whose value a template decides: nothing is judged on them
        self.flags_written: Dict[str, str] = flags_written or {}  # of those given as flags: the value as written (${dir})

    def locate(self, ptr: Optional[str]) -> Location:
        """Where the fact at ``ptr`` (or its nearest present parent) was set."""
        while ptr:
            if ptr in self.provenance:
                return self.provenance[ptr]
            ptr = ptr.rsplit("/", 1)[0]
        return self.fallback

    def get(self, ptr: str, default: Any = None) -> Any:
        value: Any = self.data
        for token in ptr.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                return default
        return value


def _record(provenance: Dict[str, Location], document, base: str, node: Node) -> None:
    """Positions of the items and members of a value, one level down (what policies point at)."""
    if node.kind == "array":
        for index, item in enumerate(node.value):
            provenance[f"{base}/{index}"] = document.location(item.start, item.end)
    elif node.kind == "object":
        for member in node.value:
            provenance[f"{base}/{escape(member.key)}"] = document.location(member.key_start, member.key_end)


def _file_config(host, engine: Engine, provenance: Dict[str, Location]) -> Dict[str, Any]:
    """The daemon.json keys as dockerd decodes them (the last file and the last duplicate win)."""
    config: Dict[str, Any] = {}
    for fragment in host.daemon_configs:
        document = fragment.document
        if fragment.root is None:
            continue
        provenance.setdefault("/file", document.location(fragment.root.start, fragment.root.start + 1))
        side_channel = {}
        for member in fragment.root.value:
            value = member.value
            if value.kind == "object" and member.key not in engine.flat_options:
                for inner in value.value:
                    if inner.value.kind in ("true", "false") and engine.is_bool_flag(inner.key):
                        side_channel[inner.key] = (inner.value.value, document.location(inner.key_start, inner.key_end))
            tag = engine.json_tag(member.key)
            if tag is None:
                continue
            fact = engine.fact(tag)
            if fact is not None and fact.kind != "option":
                continue
            config[tag] = to_python(value)
            base = pointer("file", tag)
            provenance[base] = document.location(member.key_start, member.key_end)
            _record(provenance, document, base, value)
        for key, (value, location) in side_channel.items():
            if key not in config:
                config[key] = value
                provenance[pointer("file", key)] = location
    return config


def _command(host, engine: Engine, provenance: Dict[str, Location]):
    """The flags dockerd is started with, mapped to daemon.json keys."""
    from .dockerd_args import merged, parse

    command = host.command
    if command is None:
        return None, {}, []
    flags, _ = parse(command.words, engine)
    by_key = merged(flags, engine)
    for flag in flags:
        if flag.key is not None:
            provenance.setdefault(pointer("flags", flag.key), flag.word.location)
    # a list given by repeating a flag (-H a -H b): each item stands at its own flag
    for key, value in by_key.items():
        given = [flag for flag in flags if flag.key == key]
        if isinstance(value, list) and len(given) == len(value) > 1:
            for index, flag in enumerate(given):
                provenance.setdefault(pointer("flags", key, index), flag.word.location)
    if command.location is not None:
        provenance["/command"] = command.location
    complete = templated_command(host) is None
    described = {
        "origin": command.origin,
        "assumed": command.assumed,
        "args": [word.text for word in command.words],
        "complete": complete,
    }
    if command.origin == "unknown":
        described["unknown"] = command.note
    return described, by_key, flags


def templated_command(host):
    """What makes dockerd's command line a template's (it may hold flags dlint cannot see): the
    command itself, or the first unit or environment file read from a template; None when none."""
    from .fragments import EnvFile, UnitFile

    command = host.command
    if command is not None and command.from_template:
        return command
    return next((f for f in host.fragments if isinstance(f, (UnitFile, EnvFile)) and f.from_template), None)


def _unit(host, provenance: Dict[str, Location]) -> Optional[dict]:
    view = host.service
    if view is None:
        return None
    out = {"assumed": bool(getattr(view, "assumed", False))}
    for name in ("kill_mode", "delegate", "exec_reload", "type"):
        setting = getattr(view, name, None)
        if setting is None:
            continue
        value, location = (setting.value, setting.location) if hasattr(setting, "value") else (setting, None)
        out[name] = value
        if location is not None:
            provenance[pointer("unit", name)] = location
    return out


def _list_facts(items, base: str, provenance: Dict[str, Location], describe) -> list:
    out = []
    for index, item in enumerate(items):
        out.append(describe(item))
        if item.location is not None:
            provenance[f"/{base}/{index}"] = item.location
    return out


def _package_pin(packages: list) -> Optional[str]:
    """How far the engine can move unattended: held beats everything; an upgrade beats a pin."""
    pins = [p["pin"] for p in packages]
    if not pins:
        return None
    for pin in ("held", "upgrade", "none", "major", "minor", "patch"):
        if pin in pins:
            return pin
    return pins[-1]


def _socket_activated(host, config: dict, provenance: Dict[str, Location]) -> None:
    """``-H fd://`` makes dockerd serve every socket systemd hands it: the ListenStream= of
    docker.socket and of any socket unit with Service=docker.service. Those that are TCP (a port,
    an address:port) are listening addresses of this dockerd, added to ``hosts`` where they stand."""
    from .fragments import UnitFile

    hosts = config.get("hosts")
    if not isinstance(hosts, list) or not any(isinstance(h, str) and h.startswith("fd://") for h in hosts):
        return
    added = []
    for unit in host.of(UnitFile):
        if not (unit.target or "").endswith(".socket"):
            continue
        socket = [e for e in unit.entries if e.section == "Socket"]
        service = [e.value.strip() for e in socket if e.key == "Service"]
        if not (unit.target.rsplit("/", 1)[-1] == "docker.socket" or "docker.service" in service):
            continue
        for entry in socket:
            if entry.key != "ListenStream":
                continue
            value = entry.value.strip()
            if not value:
                added = []  # an empty ListenStream= resets the list
            elif re.fullmatch(r"\d+", value):
                added.append((f"tcp://0.0.0.0:{value}", entry.location))
            elif re.fullmatch(r"(?:\[[0-9A-Fa-f:.]+\]|[\w.-]+):\d+", value):
                added.append((f"tcp://{value}", entry.location))
    if added:
        config["hosts"] = list(hosts) + [address for address, _ in added]
        for index, (_, location) in enumerate(added, start=len(hosts)):
            provenance[pointer("config", "hosts") + f"/{index}"] = location


def build(host, engine: Engine) -> HostFacts:
    from .fragments import EnginePackage, ServiceAction, SwarmMembership

    provenance: Dict[str, Location] = {}
    file_config = _file_config(host, engine, provenance)
    command, flag_config, flags = _command(host, engine, provenance)
    config = dict(flag_config)
    config.update(file_config)  # a key in both is a conflict dockerd refuses; the file's value is shown
    for key in config:
        for base in ("file", "flags"):
            origin = pointer(base, key)
            if origin in provenance and (base == "file" or key not in file_config):
                provenance[pointer("config", key)] = provenance[origin]
                for sub, location in list(provenance.items()):
                    if sub.startswith(origin + "/"):
                        provenance[pointer("config", key) + sub[len(origin):]] = location
                break
    _socket_activated(host, config, provenance)
    if "/file" in provenance:
        provenance.setdefault("/config", provenance["/file"])
    data: Dict[str, Any] = {
        "host": host.name,
        "platform": host.platform,
        "engine": {"version": engine.version_text},
        "config": config,
        "file": file_config,
        "flags": flag_config,
        "sources": [{"path": path} for path in host.sources],
        "rootless": rootless(host),
    }
    if command is not None:
        data["command"] = command
    unit = _unit(host, provenance)
    if unit is not None:
        data["unit"] = unit
    swarm = [f for f in host.of(SwarmMembership) if not f.maybe]
    if swarm:
        data["swarm"] = {"role": swarm[0].role, "command": swarm[0].command}
        if swarm[0].location is not None:
            provenance["/swarm"] = swarm[0].location
    elif host.swarm_elsewhere is not None:
        # the repository makes some machine a swarm node, and dlint cannot tell whether it is this one
        data["swarm_elsewhere"] = True
    packages = _list_facts(
        host.of(EnginePackage), "packages", provenance,
        lambda p: {"name": p.name, "version": p.version, "pin": p.pin, "manager": p.manager},
    )
    if packages:
        data["packages"] = packages
        data["package_pin"] = _package_pin(packages)
    actions = _list_facts(host.of(ServiceAction), "service", provenance, lambda a: {"action": a.action, "first_boot": a.first_boot})
    if actions:
        data["service"] = actions
    written = _templated_flags(host, flags)
    # a flag's checks name it by its spelling (/flags/--log-level), the others by its key
    spellings = {flag.spelling for flag in flags if flag.key in written}
    return HostFacts(data, provenance, host.primary_location(), _templated_keys(host) | frozenset(written) | frozenset(spellings), written)


def _templated_keys(host) -> frozenset:
    """Keys of templated daemon.json content whose value holds an expansion dlint cannot evaluate:
    as it stands in the text (``$DNS``), or as it stood before a template was masked (the value
    maps back to ``{{ registry }}`` in the file the user edits)."""
    keys = set()
    for config in host.daemon_configs:
        if not config.templated or config.root is None:
            continue
        keys.update(getattr(config.document, "undecided", ()))  # set on some renderings only (variants.py)
        text = config.document.text
        for member in config.root.value:
            start, end = member.value.start, member.value.end
            for raw in (text[start:end], _source_text(config.document, start, end)):
                if raw and any(marker in raw for marker in _TEMPLATE_MARKERS):
                    keys.add(member.key)
            if _MASKED.search(text[start:end]):  # a member whose whole value a template decides
                keys.add(member.key)
    return frozenset(keys)


def _templated_flags(host, flags) -> Dict[str, str]:
    """Flags whose value is masked where a template or an expansion stands in the file the user
    edits (``--data-root=/mnt/${dir}`` that a sed writes into the unit): key -> the value as
    written there. A template decides them."""
    keys: Dict[str, str] = {}
    for flag in flags:
        if flag.key is None or not _MASK_RUN.search(flag.word.text):
            continue
        written = _text_at(host, flag.word.location, len(flag.word.text))
        if written and any(marker in written for marker in _TEMPLATE_MARKERS):
            keys[flag.key] = written.split("=", 1)[1] if written.startswith("--") and "=" in written else written
    return keys


def _text_at(host, location, length: int) -> str:
    """The text a location spans in the repository file it names, or ``length`` characters from
    it when it is a point ("" when not exact or not read)."""
    if location is None or not location.exact:
        return ""
    for fragment in host.fragments:
        root = fragment.document
        while root is not None and root.parent is not None:
            root = root.parent
        if root is not None and root.path == location.path:
            starts = root._line_starts()
            if location.end_line > len(starts):
                return ""
            start = starts[location.line - 1] + location.column - 1
            end = starts[location.end_line - 1] + location.end_column - 1
            return root.text[start : end if end > start else start + length]
    return ""


def _source_text(document, start: int, end: int) -> str:
    """The text of the outermost file that ``document.text[start:end]`` maps to exactly ("" when
    the map is not exact)."""
    location = document.location(start, end)
    root = document
    while root.parent is not None:
        root = root.parent
    if not location.exact or location.path != root.path:
        return ""
    starts = root._line_starts()
    if location.end_line > len(starts):
        return ""
    first = starts[location.line - 1] + location.column - 1
    last = starts[location.end_line - 1] + location.end_column - 1
    return root.text[first:last]


def facts_for(host, engine: Engine) -> HostFacts:
    key = (engine.version_text, engine.platform)
    if key not in host._facts:
        host._facts[key] = build(host, engine)
    return host._facts[key]

"""``dlint hosts``: each machine the repository provisions, and its effective dockerd configuration
with where every value comes from (the question of moby#21559)."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

from .. import __version__
from ..facts import pointer
from ..fragments import SwarmMembership
from ..hosts import describe_evidence

SCHEMA_VERSION = 1


def _where(facts, ptr: str) -> Dict[str, Any]:
    return _location(facts.locate(ptr))


def _location(loc) -> Dict[str, Any]:
    out = {"path": loc.path, "line": loc.line, "column": loc.column}
    if loc.trace:
        out["trace"] = [step.to_dict() for step in loc.trace]
    return out


def _unread(host) -> List[Dict[str, Any]]:
    """The daemon.json files of the host that dlint could not read, and why."""
    out = []
    for config in host.daemon_configs:
        if config.problem is None:
            continue
        why = config.opaque.why if config.opaque else config.problem.message
        out.append({"target": config.target or config.source.display, "why": why, "from": _location(config.document.location(config.problem.start))})
    return out


def _place(fragment):
    where = getattr(fragment, "location", None)
    return where if where is not None else fragment.document.start_location()


_MARKERS = ("{{", "{%", "${", "$")
_EXPRESSIONS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{[^}]*\}")


def _files(host) -> Dict[str, str]:
    """The text of each real file the host's fragments were read from, by path."""
    out: Dict[str, str] = {}
    for fragment in host.fragments:
        document = fragment.document
        while document.parent is not None:
            document = document.parent
        out.setdefault(document.path, document.text)
    return out


def _written(location, files: Dict[str, str], length: int = 0) -> str:
    """The text a location spans in its file, as the user wrote it, or ``length`` characters from
    a location that is a point ("" when not exact or unknown)."""
    text = files.get(location.path) if location is not None and location.exact else None
    if text is None:
        return ""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    if location.end_line > len(starts):
        return ""
    first = starts[location.line - 1] + location.column - 1
    last = starts[location.end_line - 1] + location.end_column - 1
    return " ".join(text[first : last if last > first else first + length].split())


def _as_written(value: Any, location, files: Dict[str, str]) -> Any:
    """A value a template decides, shown as its expression ({{ host }}) rather than as the mask
    dlint read it with; a value that holds no template marker is shown as read."""
    if not _templated(value):
        return value  # known, though a template gave it ({{ [] if x else y }}): shown as read
    written = _written(location, files, len(value) if isinstance(value, str) else 0)
    expression = _EXPRESSIONS.search(written)
    if expression and isinstance(value, str) and not value.strip('"').strip("x") and _EXPRESSIONS.sub("", written).strip("\"' "):
        return expression.group()  # a masked value whose location runs on past it (into the YAML after it)
    # a word the location only stands for (a flag of the packaged unit that a sed command edits)
    # spans words of the command: shown as read
    spans_words = isinstance(value, str) and value and not re.search(r"\s", value) and re.search(r"\s", _EXPRESSIONS.sub("", written))
    return written if not spans_words and any(m in written for m in _MARKERS) else value


def _templated(value: Any) -> bool:
    """A value read with a template's mask or markers in it (anywhere inside a list or dict)."""
    if isinstance(value, str):
        return "xxx" in value or any(m in value for m in _MARKERS)
    if isinstance(value, list):
        return any(_templated(v) for v in value)
    if isinstance(value, dict):
        return any(_templated(v) for v in value.values())
    return False


def _decided_by_templates(host, unknown, files: Dict[str, str]) -> Dict[str, str]:
    """Each daemon.json key a template decides: its value as written, or, for a key an {% if %}
    dlint cannot decide sets on some renderings only, that condition."""
    out: Dict[str, str] = {}
    for config in host.daemon_configs:
        undecided = getattr(config.document, "undecided", {})
        for member in config.root.value if config.root is not None and config.root.kind == "object" else ():
            if member.key in undecided:
                out[member.key] = f"(set only where {undecided[member.key]})"
            elif member.key in unknown:
                masked = config.document.text[member.value.start : member.value.end]
                written = _as_written(masked, config.document.location(member.value.start, member.value.end), files)
                written = "" if written == masked else written
                if written:
                    out[member.key] = written
    return out


def describe(host, context) -> Dict[str, Any]:
    """``context``: the scan's evaluation context; the host is described for the release it is
    judged for (its own pin, unless the user named one)."""
    context = context.for_host(host)
    facts = context.facts(host)
    data = facts.data
    config = {}
    files = _files(host) if facts.unknown or host.command is not None else {}
    templated = _decided_by_templates(host, facts.unknown, files) if facts.unknown else {}
    for key, value in sorted(data["config"].items()):
        via = "file" if key in data["file"] else "flag"
        if key in templated and via == "file":
            value = templated[key]  # shown as the template says it, not as the mask dlint read
        elif via == "flag" and key in facts.flags_written:
            value = facts.flags_written[key]
        entry = {"value": value, "via": via, "from": _where(facts, pointer("config", key))}
        if key in data["file"] and key in data["flags"]:
            entry["also_flag"] = _where(facts, pointer("flags", key))
        config[key] = entry
    out: Dict[str, Any] = {
        "name": host.name,
        "layout": host.layout,
        "platform": host.platform,
        "readable": host.readable,
        "candidate": host.candidate,
        "engine": _engine(context),
        "sources": host.sources,
        "config": config,
    }
    if host.variant_of is not None:
        out["variant_of"] = _location(host.variant_of.document.start_location())
    if host.undeployed:
        out["undeployed"] = host.undeployed
    if host.evidence is not None:
        out["evidence"] = {"what": describe_evidence(host.evidence), "from": _location(_place(host.evidence))}
    unread = _unread(host)
    if unread:
        out["unread"] = unread
    if host.ignored:
        why = "no dockerd reads it (rootless dockerd reads ~/.config/docker/daemon.json, rootful /etc/docker/daemon.json)"
        out["ignored"] = [{"target": f.target, "why": why, "from": _location(_place(f))} for f in host.ignored]
    command = data.get("command")
    if command is not None:
        out["command"] = dict(command, note=host.command.note if host.command else "")
        if host.command is not None and len(host.command.words) == len(command["args"]):
            out["command"]["args"] = [_as_written(w.text, w.location, files) for w in host.command.words]
        if "/command" in facts.provenance:
            out["command"]["from"] = _where(facts, "/command")
    if "unit" in data:
        out["unit"] = data["unit"]
    if "swarm" in data:
        out["swarm"] = dict(data["swarm"], **{"from": _where(facts, "/swarm")})
    else:
        maybe = next((f for f in host.of(SwarmMembership) if f.maybe and f.location is not None), None)
        if maybe is not None:  # runs only under a condition dlint cannot decide
            out["swarm"] = {"role": maybe.role, "command": maybe.command, "maybe": True, "from": _location(maybe.location)}
    if "packages" in data:
        out["packages"] = [dict(p, **{"from": _where(facts, f"/packages/{i}")}) for i, p in enumerate(data["packages"])]
        out["package_pin"] = data["package_pin"]
    if "service" in data:
        out["service"] = [dict(a, **{"from": _where(facts, f"/service/{i}")}) for i, a in enumerate(data["service"])]
    out["sources"] = _every_source(host.sources, out)
    return out


def _every_source(sources: List[str], described: Dict[str, Any]) -> List[str]:
    """The host's files, then every other repository file a value or its trace comes from (a
    role's defaults and vars): what one would read to see how the machine is set up."""
    found: List[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            path = node.get("path")
            if isinstance(path, str) and path and not path.startswith("<"):  # <packaged docker.service>
                found.append(path)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in described.items() if k != "sources"})
    extra = sorted(set(found) - set(sources))
    return list(sources) + extra


def _pins(version: str, release: str) -> bool:
    """Whether a package version is of that release (``5:26.1.4-1`` of 26.1)."""
    text = version.strip("'\"").lstrip("=v")
    text = text.split(":", 1)[1] if ":" in text.split(".", 1)[0] else text
    major, _, rest = release.partition(".")
    return text.startswith(f"{major}.{rest}") or text.startswith(f"{major}.0{rest}") or text.startswith(f"{major}.*") or text == major


def _engine(context) -> Dict[str, Any]:
    out: Dict[str, Any] = {"version": context.engine_version, "origin": context.version_origin}
    if context.pinned_at is not None:
        out["from"] = _location(context.pinned_at)
    return out


def document(hosts, context) -> Dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "dlint", "version": __version__},
        "engine": {"version": context.engine_version},
        "hosts": [describe(host, context) for host in hosts],
    }


def _once(entries) -> List[Dict[str, Any]]:
    """One line per place: a task file reached twice (directly and through an include) says the
    same thing once, with the first way it was reached."""
    seen = set()
    out = []
    for entry in entries:
        where = entry["from"]
        key = (json.dumps({k: v for k, v in entry.items() if k != "from"}, sort_keys=True), where["path"], where["line"], where["column"])
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def _loc(where: Dict[str, Any]) -> str:
    text = f"{where['path']}:{where['line']}:{where['column']}"
    if where.get("trace"):
        text += " (via " + " › ".join(f"{s['path']}:{s['line']} › {s['label']}" for s in where["trace"]) + ")"
    return text


def render_text(doc: Dict[str, Any]) -> str:
    lines: List[str] = []
    for host in doc["hosts"]:
        lines.append(f"{host['name']}  ({host['platform']}, {host['layout']}{'' if host['readable'] else ', unreadable'})")
        lines.append("  sources: " + ", ".join(host["sources"]))
        if host.get("undeployed"):
            lines.append(f"  not deployed: {host['undeployed']}; not judged")
        if host.get("variant_of"):
            lines.append(f"  a variant nobody installs (the repository installs {_loc(host['variant_of'])} instead): no machine runs it, so it is not judged")
        elif host.get("candidate"):
            lines.append("  a configuration the repository keeps; nothing in it installs this file (judged as a machine of its own)")
        if host.get("evidence"):
            lines.append(f"  a Docker host: {host['evidence']['what']}  {_loc(host['evidence']['from'])}")
        if host["engine"]["origin"] == "repository":
            pinned = next((p.get("version") for p in host.get("packages", ()) if p.get("version")), None)
            exact = pinned is None or _pins(pinned, host["engine"]["version"])
            said = "the release its install pins" if exact else f"the nearest release dlint knows to what its install pins ({pinned})"
            lines.append(f"  engine: judged as {host['engine']['version']}, {said}  {_loc(host['engine']['from'])}")
        for unread in _once(host.get("unread", ())):
            lines.append(f"  not read: {unread['target']}: {unread['why']}  {_loc(unread['from'])}")
        for ignored in host.get("ignored", ()):
            lines.append(f"  not its configuration: {ignored['target']}: {ignored['why']}  {_loc(ignored['from'])}")
        command = host.get("command")
        if command:
            origin = command["origin"] + (", assumed" if command["assumed"] else "")
            lines.append(f"  dockerd {' '.join(command['args'])}  [{origin}]")
            if command.get("note"):
                lines.append(f"    {command['note']}")
            elif command.get("complete") is False:
                lines.append("    assembled from a template: it may hold flags dlint cannot see (checks that need the whole command line are skipped)")
        unit = host.get("unit")
        if unit:
            shown = ", ".join(f"{k}={v}" for k, v in unit.items() if k != "assumed")
            if shown:
                lines.append(f"  unit: {shown}")
        if host.get("swarm"):
            swarm = host["swarm"]
            shown = f"maybe, {swarm['role']} (docker swarm {swarm['command']} under a condition dlint cannot decide)" if swarm.get("maybe") else f"{swarm['role']} (docker swarm {swarm['command']})"
            lines.append(f"  swarm: {shown}  {_loc(swarm['from'])}")
        for package in _once(host.get("packages", ())):
            version = f" {package['version']}" if package.get("version") else ""
            lines.append(f"  engine package: {package['name']}{version} [{package['pin']}]  {_loc(package['from'])}")
        for action in _once(host.get("service", ())):
            lines.append(f"  service: {action['action']}{' (first boot)' if action['first_boot'] else ''}  {_loc(action['from'])}")
        if host["config"]:
            lines.append("  effective configuration:")
            width = max(len(k) for k in host["config"])
            for key, entry in host["config"].items():
                value = json.dumps(entry["value"], ensure_ascii=False)
                if len(value) > 60:
                    value = value[:57] + "..."
                source = _loc(entry["from"]) + (" (flag)" if entry["via"] == "flag" else "")
                if "also_flag" in entry:
                    source += f"; also a flag at {_loc(entry['also_flag'])}"
                lines.append(f"    {key:<{width}} = {value:<24} {source}")
        elif (host.get("command") or {}).get("origin") == "unknown":
            lines.append("  effective configuration: unknown (dockerd's command line is unknown; no daemon.json key is set)")
        else:
            lines.append("  effective configuration: dockerd's defaults")
        lines.append("")
    lines.append(f"dlint: {len(doc['hosts'])} host{'s' if len(doc['hosts']) != 1 else ''} (engine {doc['engine']['version']})")
    return "\n".join(lines) + "\n"

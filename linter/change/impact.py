"""What a change does to one host's dockerd: the effective settings that differ between the host
at the base revision (``host.before``) and now, and how each is applied (reload or restart)."""

from __future__ import annotations

import json
from ..lazyclass import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Tuple

from ..location import Location

MISSING = type("Missing", (), {"__repr__": lambda self: "(not set)"})()
DATA = Path(__file__).resolve().parent.parent / "engine" / "data" / "live-restore.json"


@lru_cache(maxsize=None)
def live_restore_data() -> dict:
    with open(DATA, "rb") as handle:
        return json.load(handle)


@dataclass
class Change:
    key: str
    old: Any
    new: Any
    old_at: Optional[Location]  # at the base revision; None when the key was not set
    new_at: Location  # the changed key now, or where the host's configuration is when it was removed
    apply: str  # reload | restart | reload-fails (the key is also a flag: a reload is refused)

    @property
    def restart_only(self) -> bool:
        return self.apply != "reload"

    def said(self) -> str:
        return f"{self.key}: {shown(self.old)} -> {shown(self.new)}"


def shown(value: Any) -> str:
    return "(not set)" if value is MISSING else json.dumps(value, ensure_ascii=False, sort_keys=True)


def before_of(host):
    """The same machine at the base revision, when this is a change-aware run and it existed."""
    return getattr(host, "before", None)


def changes(host, context) -> List[Change]:
    """The effective settings that differ from the base revision. A value dlint cannot read on
    either side (a template, an unreadable file, an unknown command line) is no change."""
    old = before_of(host)
    if old is None or not host.readable or not old.readable:
        return []
    new_ctx, old_ctx = context.for_host(host), context.for_host(old)
    new_facts, old_facts = new_ctx.facts(host), old_ctx.facts(old)
    unknown = set(new_facts.unknown) | set(old_facts.unknown)
    complete = _complete(new_facts) and _complete(old_facts)
    engine = new_ctx.engine(host)
    new_cfg, old_cfg = new_facts.data["config"], old_facts.data["config"]
    out = []
    for key in sorted(set(new_cfg) | set(old_cfg)):
        before, after = old_cfg.get(key, MISSING), new_cfg.get(key, MISSING)
        if key in unknown or before == after:
            continue
        if engine.status(key).state == "ignored":
            continue  # dockerd of this release ignores the key: its change changes nothing (DKD006 says so)
        if MISSING in (before, after) and not complete:
            continue  # absent from a command line dlint cannot read is not known to be absent
        ptr = "/config/" + key.replace("~", "~0").replace("/", "~1")
        old_at = old_facts.locate(ptr) if before is not MISSING else None
        out.append(Change(key, before, after, old_at, new_facts.locate(ptr), _apply(key, engine, host.platform, new_facts, old_facts)))
    return out


def _complete(facts) -> bool:
    command = facts.data.get("command")
    return command is None or bool(command.get("complete", True)) and command.get("origin") != "unknown"


def _apply(key: str, engine, platform: str, new_facts, old_facts) -> str:
    """reload when dockerd's SIGHUP picks the key up from daemon.json in this release; restart
    when it is not reloadable or its command line changes; reload-fails when it is also a flag."""
    reloadable = set(engine.reloadable)
    if platform == "windows":
        reloadable -= set(live_restore_data()["reload_linux_only"])
    if key not in reloadable:
        return "restart"
    in_flags = key in new_facts.data["flags"] or key in old_facts.data["flags"]
    if in_flags and key in new_facts.data["file"]:
        return "reload-fails"
    return "restart" if in_flags else "reload"


def live_restore_on(host, context) -> bool:
    return context.for_host(host).facts(host).data["config"].get("live-restore") is True


def live_restore_known(host, context) -> bool:
    """live-restore's value is read (not decided by a template) on this host."""
    facts = context.for_host(host).facts(host)
    return host.readable and "live-restore" not in facts.unknown


def unjudged(host, context, base: str, head: Optional[str] = None) -> Optional[Tuple[str, Optional[Location], Optional[str], List[str]]]:
    """Why the change of a host paired with itself at the base revision ``base`` is not judged,
    or not fully: a side dlint could not read (a file that does not parse, a daemon.json a program
    writes), live-restore or other keys a template decides, a command line it cannot read, an
    engine pin it cannot read (said only where live-restore is on at both sides: else no upgrade is
    judged). (why, where, the revision ``where`` is in: None for the work tree, what is not judged:
    ["all"], or "settings" (the changed keys) and/or "pin" (the engine upgrade)), or None when both
    sides were read. ``head``: the new side's revision (None: the work tree)."""
    from ..unknowns import _first_reason

    old = before_of(host)
    if old is None:
        return None
    sides = ((old, f"at {base}", base), (host, f"at {head}" if head else "in the work tree", head))
    for side, label, rev in sides:
        if not side.readable:
            reason = _first_reason(side)
            if reason is None:
                return f"its configuration could not be read {label}", side.primary_location(), rev, ["all"]
            return f"{reason[0]} {label}", reason[1], rev, ["all"]
    said = {}  # what could not be read -> the sides it could not be read on
    where = None  # (place, its revision, on the new side): the first place, in the new tree if it is there
    pinned = all(live_restore_on(side, context) for side, _, _ in sides)  # else no upgrade is judged
    for side, label, rev in sides:
        facts = context.for_host(side).facts(side)
        keys = sorted(facts.unknown)
        if keys:
            # live-restore decides what every change policy judges; another key, what changes
            aspect = "all" if "live-restore" in keys else "settings"
            said.setdefault((aspect, f"a template decides {', '.join(keys)}"), []).append(label)
            where = _first(where, facts.locate("/config/" + keys[0].replace("~", "~0").replace("/", "~1")), side is host, rev)
        command = facts.data.get("command")
        if command is not None and not _complete(facts):
            note = command.get("unknown") or "it is assembled from a template"
            said.setdefault(("settings", f"dockerd's command line is not known ({note})"), []).append(label)
            where = _first(where, facts.locate("/command"), side is host, rev)
        pin = _unread_pin(side) if pinned else None
        if pin is not None:
            said.setdefault(("pin", f"the engine pin {pin.version} is no release dlint can read"), []).append(label)
            where = _first(where, pin.location, side is host, rev)
    if not said:
        return None
    location, rev, _ = where if where is not None else (None, None, False)
    aspects = sorted({aspect for aspect, _ in said})
    return "; ".join(f"{text} {' and '.join(labels)}" for (_, text), labels in said.items()), location, rev, aspects


def _first(where, location, new: bool, rev):
    """The place to name: the first on the new side, else the first at the base."""
    if location is None or (where is not None and (where[2] or not new)):
        return where
    return location, rev, new


def _unread_pin(host):
    """The engine install whose written version dlint cannot read (``{{ docker_version }}``)
    when no install of the host pins a release it can read; else None."""
    from ..engine.pinned import host_release, release_of
    from ..fragments import EnginePackage

    packages = host.of(EnginePackage)
    if host_release(packages) is not None:
        return None
    for package in reversed(list(packages)):
        if package.pin not in ("upgrade", "none") and package.name != "*" and package.version and release_of(package.version) is None:
            return package
    return None

"""What a change does to one host's dockerd: the effective settings that differ between the host
at the base revision (``host.before``) and now, and how each is applied (reload or restart)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional

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

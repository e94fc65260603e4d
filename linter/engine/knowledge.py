"""What dockerd knows, for one target engine version and platform, built from the data files.

Everything here is derived from ``data/daemon-keys.json`` (the key table) and ``data/engine.json``
(flattening, skip lists, flags, lifecycle, nested value shapes). Nothing about a specific key is
written in code: a new Docker release is a data change.
"""

from __future__ import annotations

import json
from ..lazyclass import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

from .versions import Version, in_range, parse_version


@dataclass(frozen=True)
class KeyFact:
    """One row of daemon-keys.json."""

    key: str
    json_type: str
    items_type: Optional[str]
    flag: Optional[str]
    platforms: Tuple[str, ...]
    reloadable: bool
    since: Optional[str]
    deprecated: Optional[str]
    removed: Optional[str]
    notes: str
    kind: str  # option | ignored | rejected


@dataclass(frozen=True)
class KeyStatus:
    """How dockerd of the target version and platform treats one top-level key.

    ``state`` is one of:
      option     a configuration option that takes effect
      ignored    accepted and silently without effect (singular flag names, top-level proxies, ...)
      deprecated an option that still works but is announced for removal
      error      dockerd refuses the key with its own message (``message``)
      unknown    not a directive at all: dockerd fails with "don't match any configuration option"
    ``reason`` says why for unknown keys: typo, not-yet (added later), removed, platform, rejected.
    """

    key: str
    state: str
    reason: str = ""
    message: str = ""
    breaks: str = ""
    fact: Optional[KeyFact] = None
    stage: Optional[dict] = None


def _load(name: str):
    with open(Path(__file__).parent / "data" / name, "rb") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def key_table() -> Dict[str, KeyFact]:
    rows = _load("daemon-keys.json")
    return {
        row["key"]: KeyFact(
            key=row["key"],
            json_type=row["json_type"],
            items_type=row.get("items_type"),
            flag=row.get("flag"),
            platforms=tuple(row.get("platforms") or ()),
            reloadable=bool(row.get("reloadable")),
            since=row.get("since"),
            deprecated=row.get("deprecated"),
            removed=row.get("removed"),
            notes=row.get("notes") or "",
            kind=row["kind"],
        )
        for row in rows
    }


@lru_cache(maxsize=None)
def engine_data() -> dict:
    return _load("engine.json")


def releases() -> List[str]:
    return list(engine_data()["releases"])


def newest_release() -> str:
    return max(releases(), key=parse_version)


def oldest_release() -> str:
    return min(releases(), key=parse_version)


def platforms() -> List[str]:
    return list(engine_data()["platforms"])


def _active(entries, version: Version) -> FrozenSet[str]:
    return frozenset(e["key"] for e in entries if in_range(version, e.get("since"), e.get("until")))


class Engine:
    """dockerd's view of daemon.json for one (version, platform)."""

    def __init__(self, version: str, platform: str = "linux"):
        self.version_text = version
        self.version = parse_version(version)
        self.platform = platform
        data = engine_data()
        self.table = key_table()
        self.flat_options = _active(data["flat_options"], self.version)
        self.skip_validate = _active(data["skip_validate"], self.version)
        self._lifecycle = data["lifecycle"]
        self.replacements: Dict[str, str] = data["replacements"]
        self.migrated: Dict[str, dict] = {
            key: entry
            for key, entry in data.get("migrated_keys", {}).items()
            if not key.startswith("$") and in_range(self.version, entry.get("since"), entry.get("until"))
        }
        self._directives = self._compute_directives()
        self._tags = {
            fact.key: fact
            for fact in self.table.values()
            if fact.kind in ("option", "rejected") and self._exists(fact) and self._decoded(fact.key)
        }
        self._tags_folded = {}
        for key in sorted(self._tags):
            self._tags_folded.setdefault(key.lower(), key)

    def __repr__(self) -> str:
        return f"Engine({self.version_text!r}, {self.platform!r})"

    # -- existence -------------------------------------------------------------------------------

    def _stage(self, key: str) -> Optional[dict]:
        for stage in self._lifecycle.get(key, ()):
            if isinstance(stage, dict) and in_range(self.version, stage.get("since"), stage.get("until")):
                return stage
        return None

    def _exists(self, fact: KeyFact) -> bool:
        """The key is present in this release and platform (before its removal, or kept by a stage)."""
        if self.platform not in fact.platforms:
            return False
        if fact.since and self.version < parse_version(fact.since):
            return False
        if fact.removed and self.version >= parse_version(fact.removed):
            return self._stage(fact.key) is not None
        return True

    def _decoded(self, key: str) -> bool:
        """The key is still a Config field: a stage that ignores a key has dropped the field, unless it says "decoded"."""
        stage = self._stage(key)
        return stage is None or stage["status"] != "ignored" or bool(stage.get("decoded"))

    def _compute_directives(self) -> FrozenSet[str]:
        """Names that pass dockerd's unknown-directive check: flag long names, named options, skip list."""
        names = set(self.skip_validate)
        for fact in self.table.values():
            if fact.kind == "rejected" or not self._exists(fact):
                continue
            if fact.flag:
                names.add(fact.key)
        return frozenset(names)

    def is_directive(self, key: str) -> bool:
        return key in self._directives

    @property
    def directives(self) -> FrozenSet[str]:
        return self._directives

    def json_tag(self, key: str) -> Optional[str]:
        """The Config field a top-level key decodes into (Go matches JSON tags case-insensitively).

        Rejected keys are fields too: their key fails dockerd's key check, unless their value is an
        object, which is flattened away before the check, and then still decoded into the field.
        """
        if key in self._tags:
            return key
        return self._tags_folded.get(key.lower())

    def fact(self, key: str) -> Optional[KeyFact]:
        return self.table.get(key)

    def default(self, key: str, missing=None):
        """What dockerd of this release does with ``key`` left out, where the facts say it
        (engine.json "defaults"); ``missing`` where they do not."""
        for entry in engine_data().get("defaults", {}).get(key, ()):
            if in_range(self.version, entry.get("since"), entry.get("until")):
                return entry["value"]
        return missing

    def is_bool_flag(self, key: str) -> bool:
        fact = self.table.get(key)
        return bool(fact and fact.flag and fact.json_type == "boolean" and self._exists(fact))

    # -- classification --------------------------------------------------------------------------

    def status(self, key: str) -> KeyStatus:
        fact = self.table.get(key)
        stage = self._stage(key)
        if stage is not None:
            state = stage["status"]
            if state in ("error", "error-if-set", "error-if-false"):
                return KeyStatus(key, state, "removed", stage.get("message", ""), stage.get("breaks", "config-load"), fact, stage)
            return KeyStatus(key, state, "removed" if state == "ignored" else "", stage.get("message", ""), "ignored" if state == "ignored" else "none", fact, stage)
        if fact is None:
            if key in self.skip_validate:
                return KeyStatus(key, "option", fact=None)
            return KeyStatus(key, "unknown", "typo")
        if fact.kind == "rejected":
            return KeyStatus(key, "unknown", "rejected", fact=fact)
        if self.platform not in fact.platforms:
            return KeyStatus(key, "unknown", "platform", fact=fact)
        if fact.since and self.version < parse_version(fact.since):
            return KeyStatus(key, "unknown", "not-yet", fact=fact)
        if fact.removed and self.version >= parse_version(fact.removed):
            return KeyStatus(key, "unknown", "removed", fact=fact)
        if fact.kind == "ignored":
            return KeyStatus(key, "ignored", fact=fact, breaks="ignored")
        if fact.deprecated and self.version >= parse_version(fact.deprecated):
            return KeyStatus(key, "deprecated", fact=fact, breaks="none")
        return KeyStatus(key, "option", fact=fact)

    # -- flags -----------------------------------------------------------------------------------

    @property
    def reloadable(self) -> FrozenSet[str]:
        """The options a SIGHUP applies in this release: the ``reloadable`` column, for the keys
        that are options here (a key a release ignores, such as allow-nondistributable-artifacts
        from 28.0, is reloaded by none: dockerd-facts.md 1.3 says up to 27.x)."""
        return frozenset(
            f.key for f in self.table.values()
            if f.reloadable and f.kind == "option" and self._exists(f) and self.status(f.key).state in ("option", "deprecated")
        )

    def flag_map(self) -> Dict[str, str]:
        return dict(self._flag_map())

    @lru_cache(maxsize=None)
    def _flag_map(self) -> Dict[str, str]:
        """Every dockerd flag spelling (``--label``, ``-H``) to the daemon.json key it sets."""
        mapping: Dict[str, str] = {}
        by_flag: Dict[str, List[KeyFact]] = {}
        for fact in self.table.values():
            if fact.flag and self._exists(fact):
                by_flag.setdefault(fact.flag, []).append(fact)
        ranges = engine_data().get("flag_ranges", {})
        for flag, facts in by_flag.items():
            span = ranges.get(flag)
            if span and not in_range(self.version, span.get("since"), span.get("until")):
                continue  # the key outlives (or predates) its flag
            # a list flag is named in the singular (--label) but its key is the plural option (labels)
            best = sorted(facts, key=lambda f: (f.kind != "option", f.key == flag[2:], f.key))[0]
            mapping[flag] = best.key
        for short, long_name in engine_data()["short_flags"].items():
            target = mapping.get("--" + long_name)
            if target:
                mapping[short] = target
        return mapping

    def flag_status(self, spelling: str) -> KeyStatus:
        """How this release treats a flag spelling (``--live-restore``, ``-g``): an ``option`` (its
        key), or ``unknown`` with the reason: typo, not-yet, removed, platform. ``message`` names the
        release that added or removed it."""
        key = self._flag_map().get(spelling)
        if key is not None:
            return KeyStatus(spelling, "option", fact=self.fact(key))
        history = flag_releases(spelling, self.platform)
        if history and parse_version(history[0]) > self.version:
            return KeyStatus(spelling, "unknown", "not-yet", history[0], fact=self.fact(engine(history[0], self.platform)._flag_map()[spelling]))
        if history:
            last = parse_version(history[-1])
            gone = next((r for r in releases_sorted() if parse_version(r) > last), self.version_text)
            return KeyStatus(spelling, "unknown", "removed", gone, fact=self.fact(engine(history[-1], self.platform)._flag_map()[spelling]))
        other = [p for p in platforms() if p != self.platform and flag_releases(spelling, p)]
        return KeyStatus(spelling, "unknown", "platform" if other else "typo", ", ".join(other))

    @property
    def flag_parse_checks(self) -> FrozenSet[str]:
        """Keys whose flag value the flag parser itself validates (a refusal before anything else)."""
        return frozenset(engine_data().get("flag_parse_checks", {}).get("keys", ()))

    # -- schema ----------------------------------------------------------------------------------

    def value_schema(self, key: str) -> dict:
        """JSON Schema of the value of one top-level key, as dockerd decodes it (null is always allowed)."""
        from .schema import value_schema

        return value_schema(self, key)

    def document_schema(self) -> dict:
        from .schema import document_schema

        return document_schema(self)


@lru_cache(maxsize=64)
def engine(version: str, platform: str = "linux") -> Engine:
    return Engine(version, platform)


def releases_sorted() -> List[str]:
    return sorted(releases(), key=parse_version)


@lru_cache(maxsize=512)
def flag_releases(spelling: str, platform: str) -> Tuple[str, ...]:
    """The releases dlint knows in which dockerd on ``platform`` registers the flag ``spelling``."""
    return tuple(r for r in releases_sorted() if spelling in engine(r, platform)._flag_map())

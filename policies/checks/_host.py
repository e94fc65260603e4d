"""Helpers for checks that judge a host's effective configuration (file keys and flags)."""

from __future__ import annotations

from typing import Any, Optional

from dlint_docker.engine.versions import Version, parse_version
from dlint_docker.fragments import SwarmMembership


def swarm_node(host, context) -> bool:
    """A machine that is, or may be, a swarm node: where a swarm check asks anything (its
    ``applies``); elsewhere no daemon.json makes it fire."""
    return bool(host.of(SwarmMembership)) or getattr(host, "swarm_elsewhere", None) is not None


class View:
    """The facts a check reads: the effective configuration, and where each value came from."""

    def __init__(self, host, context):
        self.host = host
        self.context = context
        self.engine = context.engine(host)
        self.facts = context.facts(host)
        self.config = self.facts.data["config"]
        self.version = self.engine.version
        self.version_text = self.engine.version_text

    def get(self, key: str, default: Any = None) -> Any:
        return self.config.get(key, default)

    def on(self, key: str) -> bool:
        return self.config.get(key) is True

    def off(self, key: str) -> bool:
        return self.config.get(key) is False

    def has(self, key: str) -> bool:
        return self.config.get(key) not in (None, "", [], {})

    def where(self, key: str, *path: Any):
        pointer = "/config/" + "/".join([key.replace("~", "~0").replace("/", "~1"), *map(str, path)])
        return self.facts.locate(pointer)

    def before(self, release: str) -> bool:
        return self.version < parse_version(release)

    def since(self, release: str) -> bool:
        return self.version >= parse_version(release)

    @property
    def live_restore(self) -> bool:
        return self.on("live-restore")

    @property
    def swarm(self) -> Optional[dict]:
        return self.facts.data.get("swarm")

    def judged(self) -> str:
        return f"Docker {self.version_text}"


def pointer(key: str, *path: Any) -> str:
    return "/config/" + "/".join([key.replace("~", "~0").replace("/", "~1"), *map(str, path)])


def version_of(text: str) -> Version:
    return parse_version(text)

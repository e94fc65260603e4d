"""Hosts: the fragments that describe one machine, and which platform it runs.

For daemon.json files alone, each file is a host. Later sources (systemd units, cloud-init, ...)
join the fragments of one machine here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from .fragments import DaemonConfig, Fragment, Unreadable
from .location import Location

_WINDOWS_MARKERS = ("programdata/docker/config/", "windows/")


@dataclass
class Host:
    name: str
    fragments: List[Fragment]
    platform: str = "linux"
    platform_origin: str = "default"  # default | config | path
    _facts: dict = field(default_factory=dict, repr=False)  # per engine: HostFacts

    @property
    def daemon_configs(self) -> List[DaemonConfig]:
        return [f for f in self.fragments if isinstance(f, DaemonConfig)]

    @property
    def readable(self) -> bool:
        """Every source of the host could be read, and read as dockerd reads it."""
        return not any(isinstance(f, Unreadable) for f in self.fragments) and all(c.readable for c in self.daemon_configs)

    def primary_location(self) -> Location:
        first = self.fragments[0]
        return first.document.start_location()


def platform_of(fragment: Fragment, configured: Optional[str]) -> tuple:
    if configured:
        return configured, "config"
    rel = fragment.source.rel.lower()
    if any(marker in rel for marker in _WINDOWS_MARKERS):
        return "windows", "path"
    return "linux", "default"


def assemble(fragments: List[Fragment], platform: Optional[str] = None) -> List[Host]:
    hosts = []
    for fragment in fragments:
        if isinstance(fragment, DaemonConfig):
            name, origin = platform_of(fragment, platform)
            hosts.append(Host(fragment.source.display, [fragment], name, origin))
    return hosts

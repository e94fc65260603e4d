"""DKD310: with the systemd cgroup driver, cgroup-parent must be a slice."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer
from .invalid_cgroup_driver import cgroup_driver


def check(host, context):
    view = View(host, context)
    parent = view.get("cgroup-parent")
    driver, _ = cgroup_driver(view)
    if not isinstance(parent, str) or not parent or driver != "systemd" or parent.endswith(".slice"):
        return
    yield Hit(
        f"with native.cgroupdriver=systemd, cgroup-parent must name a systemd slice: dockerd exits at start-up "
        f"({view.judged()}: 'cgroup-parent for systemd cgroup should be a valid slice named as \"xxx.slice\"')",
        pointer=pointer("cgroup-parent"),
        fix=f'use a slice name, e.g. "{parent.strip("/").replace("/", "-") or "docker"}.slice"',
    )

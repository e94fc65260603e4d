"""DKD407 (CIS 2.6): the aufs storage driver, on engines that still have it."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if view.get("storage-driver") != "aufs" or view.since("24.0"):
        return  # from 24.0 aufs is removed and DKD307 says so
    yield Hit(
        "the aufs storage driver is in use (CIS Docker Benchmark 2.6): it is deprecated, unmaintained upstream, and "
        "removed from Docker 24.0",
        pointer=pointer("storage-driver"),
    )

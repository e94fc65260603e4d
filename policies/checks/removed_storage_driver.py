"""DKD307: storage drivers removed from dockerd (aufs, overlay from 24.0; devicemapper from 25.0)."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer

_REMOVED = {"aufs": ("19.03", "24.0"), "overlay": ("18.09", "24.0"), "devicemapper": ("18.09", "25.0")}


def check(host, context):
    view = View(host, context)
    driver = view.get("storage-driver")
    if driver not in _REMOVED:
        return
    deprecated, removed = _REMOVED[driver]
    if view.since(removed):
        yield Hit(
            f"the {driver} storage driver was removed in Docker {removed}: dockerd exits at start-up ({view.judged()}: "
            f"\"[graphdriver] ERROR: the {driver} storage-driver has been deprecated and removed; visit "
            "https://docs.docker.com/go/storage-driver/ for more information\")",
            pointer=pointer("storage-driver"),
            fix='use "overlay2" (the images and containers of the old driver are not migrated: plan the move)',
        )
    else:
        yield Hit(
            f"the {driver} storage driver is deprecated since Docker {deprecated} and removed in {removed}: the next "
            "engine upgrade stops dockerd from starting",
            pointer=pointer("storage-driver"),
            severity="warning",
            breaks="none",
            fix='move to "overlay2" before upgrading the engine',
        )

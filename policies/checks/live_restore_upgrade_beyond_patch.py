"""DKD110: the engine pin moves across a minor or major release on a host with live-restore."""

from __future__ import annotations

import re

from dlint_docker.evaluate import host_engine
from dlint_docker.policy.model import Hit

from ._change import kept_on

_SERIES = re.compile(r"^(?:\d+:)?v?(\d+)\.(\d+)")


def _series(host):
    """((major, minor), package) of the engine pin, or None when it pins no readable release."""
    pinned = host_engine(host)
    if pinned is None:
        return None
    match = _SERIES.match((pinned[1].version or "").strip().strip("'\""))
    return ((int(match.group(1)), int(match.group(2))), pinned[1]) if match else None


def check(host, context):
    judged = kept_on(host, context)
    if judged is None:
        return
    old, _ = judged
    now, then = _series(host), _series(old)
    if now is None or then is None or now[0] == then[0]:
        return
    (series, package), (old_series, old_package) = now, then
    step = "major" if series[0] != old_series[0] else "minor"
    yield Hit(
        f"the engine pin moves from {old_package.version} to {package.version}, a {step} release, on a host with "
        "live-restore: live-restore survives patch upgrades only, so this upgrade restarts dockerd without reattaching "
        "the running containers; drain the host first",
        location=package.location,
        related=(old_package.location,) if old_package.location is not None else (),
    )

"""DKD309: a native.cgroupdriver exec-opt that dockerd does not support."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def cgroup_driver(view: View):
    """(driver, index in exec-opts) as set, or (None, None)."""
    found = (None, None)
    for index, option in enumerate(view.get("exec-opts") or []):
        if isinstance(option, str) and "=" in option:
            name, _, value = option.partition("=")
            if name.strip().lower() == "native.cgroupdriver":
                found = (value.strip(), index)
    return found


def check(host, context):
    view = View(host, context)
    driver, index = cgroup_driver(view)
    if driver is None or driver in ("cgroupfs", "systemd"):
        return
    if driver == "none":
        message = "native.cgroupdriver option none is internally used and cannot be specified manually"
    else:
        message = f"native.cgroupdriver option {driver} not supported"
    yield Hit(
        f"dockerd exits at start-up ({view.judged()}: \"{message}\")",
        pointer=pointer("exec-opts", index),
        fix='use "native.cgroupdriver=systemd" (with systemd and cgroup v2) or "native.cgroupdriver=cgroupfs"',
    )

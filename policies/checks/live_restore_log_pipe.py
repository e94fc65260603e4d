"""DKD108: live-restore on: while dockerd is down, a container's output beyond the pipe buffer blocks it."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def _outermost(document):
    while document.parent is not None:
        document = document.parent
    return document


def check(host, context):
    view = View(host, context)
    if not view.live_restore:
        return
    if any("pipe-max-size" in _outermost(f.document).text for f in host.fragments):
        return  # the host raises the pipe buffer itself
    yield Hit(
        "live-restore is on: while dockerd is down (a restart, an upgrade), nothing drains the containers' log pipes; "
        "a container that writes more than the 64 KiB pipe buffer blocks until dockerd is back",
        pointer=pointer("live-restore"),
        fix="keep dockerd's downtime short, and raise the kernel's limit for the pipes if containers log a lot "
        "(sysctl fs.pipe-max-size); log-opts mode=non-blocking does not help while dockerd is down",
    )

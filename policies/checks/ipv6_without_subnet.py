"""DKD303: ipv6 on the default bridge without fixed-cidr-v6 (before 28.0)."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if not view.on("ipv6") or view.has("fixed-cidr-v6") or view.since("28.0"):
        return
    yield Hit(
        f'"ipv6": true without "fixed-cidr-v6": dockerd exits at start-up ({view.judged()}: "IPv6 is enabled for the '
        'default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6")',
        pointer=pointer("ipv6"),
        fix='add "fixed-cidr-v6" with an IPv6 subnet for the default bridge (e.g. "fd00:dead:beef::/64")',
    )

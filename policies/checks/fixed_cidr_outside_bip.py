"""DKD313: fixed-cidr outside the bridge network that bip defines."""

from __future__ import annotations

import ipaddress

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    bip, fixed = view.get("bip"), view.get("fixed-cidr")
    if not isinstance(bip, str) or not isinstance(fixed, str) or not bip or not fixed:
        return
    try:
        bridge = ipaddress.ip_interface(bip).network
        pool = ipaddress.ip_network(fixed, strict=False)
    except ValueError:
        return  # a malformed value: dockerd's own parser reports it
    if pool.version == bridge.version and pool.subnet_of(bridge):
        return
    yield Hit(
        f"fixed-cidr {fixed} is not inside the bridge network {bridge} that bip {bip} defines: dockerd cannot allocate "
        "container addresses from it and fails when it sets up the default bridge (the exact message depends on the "
        "release; not confirmed on a running daemon)",
        pointer=pointer("fixed-cidr"),
        related=(view.where("bip"),),
        fix=f"choose a fixed-cidr inside {bridge}, or widen bip",
    )

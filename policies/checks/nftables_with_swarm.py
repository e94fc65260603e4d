"""DKD315: firewall-backend nftables on a swarm node (29.0+)."""

from __future__ import annotations

from dlint_docker.fragments import SwarmMembership
from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if view.get("firewall-backend") != "nftables" or view.swarm is None or view.before("29.0"):
        return
    if view.off("iptables"):
        return
    features = view.get("features") or {}
    if view.since("29.6") and isinstance(features, dict) and features.get("swarm-nftables") is True:
        return
    swarm_at = view.facts.locate("/swarm")
    yield Hit(
        f"firewall-backend nftables on a host that runs `docker swarm {view.swarm['command']}`: dockerd refuses swarm "
        f"mode with it ({view.judged()}: \"--firewall-backend=nftables is incompatible with swarm mode\")",
        pointer=pointer("firewall-backend"),
        related=(swarm_at,),
        fix='use the iptables backend on swarm nodes, or (29.6+) set "features": {"swarm-nftables": true}',
    )


def _swarm_node(host, context) -> bool:
    """Only a machine that is, or may be, a swarm node: elsewhere no daemon.json makes it fire."""
    return bool(host.of(SwarmMembership)) or getattr(host, "swarm_elsewhere", None) is not None


check.applies = _swarm_node

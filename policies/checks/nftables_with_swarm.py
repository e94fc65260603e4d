"""DKD315: firewall-backend nftables on a swarm node (29.0+)."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer, swarm_node


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


check.applies = swarm_node

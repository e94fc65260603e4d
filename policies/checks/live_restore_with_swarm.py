"""DKD102: live-restore on a host that inits or joins a swarm."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer, swarm_node


def check(host, context):
    view = View(host, context)
    if not view.live_restore or view.swarm is None:
        return
    swarm_at = view.facts.locate("/swarm")
    command = view.swarm["command"]
    yield Hit(
        f"live-restore is on, and this host runs `docker swarm {command}` (at {swarm_at}): dockerd refuses swarm "
        "init/join with live-restore (\"--live-restore daemon configuration is incompatible with swarm mode\"), and a "
        "swarm node with it exits at its next restart",
        pointer=pointer("live-restore"),
        related=(swarm_at,),
        fix='remove "live-restore" from this swarm node\'s configuration (swarm services are not restored by it anyway)',
    )


check.applies = swarm_node

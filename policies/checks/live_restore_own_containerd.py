"""DKD106: dockerd started by systemd without --containerd: it may run its own containerd."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View


def check(host, context):
    view = View(host, context)
    command = host.command
    if not view.live_restore or command is None or command.origin == "shell":
        return
    if command.assumed or (command.location is not None and command.location.path.startswith("<")):
        return  # a unit dlint assumes (the packaged one, an OS's own): not what the repository wrote
    if view.has("containerd") or not view.facts.data.get("command", {}).get("complete", True):
        return  # set, or possibly set by a templated part of the command line
    yield Hit(
        "live-restore is on, but dockerd is started without --containerd: when the system containerd socket is not "
        "ready, dockerd starts a containerd of its own as its child, which dies with dockerd and takes the containers "
        "with it",
        location=command.location or host.primary_location(),
        related=(view.where("live-restore"),),
        fix="add --containerd=/run/containerd/containerd.sock to ExecStart (and After=/Wants=containerd.service), as the packaged unit does",
    )

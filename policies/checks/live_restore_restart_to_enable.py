"""DKD107: provisioning turns live-restore on and then restarts docker, stopping every container."""

from __future__ import annotations

from dlint_docker.fragments import ServiceAction
from dlint_docker.policy.model import Hit

from ._host import View


def _after(action, enable_at, host) -> bool:
    """The restart comes after live-restore is written: later in the same file, or anywhere in a
    host that a provisioning tool groups (an Ansible role's handler)."""
    at = action.location
    if at.path == enable_at.path:
        return at.sort_key() > enable_at.sort_key()
    return host.layout == "group"


def _first_boot(document) -> bool:
    from dlint_docker.sources.cloudinit import first_boot  # the cloud-init reader: imported only for a restart

    return first_boot(document)


def check(host, context):
    view = View(host, context)
    if not view.live_restore:
        return
    written = [c for c in host.daemon_configs if c.root is not None and c.root.get("live-restore") is not None and c.target]
    if not written:
        return
    # the same file sets options only a restart applies: a reload would leave them unapplied, so
    # the restart is needed (turning live-restore on first is DKD112's, on a change-aware run)
    reloadable = set(view.engine.reloadable) | {"live-restore"}
    if any(member.key not in reloadable for config in written if config.root.kind == "object" for member in config.root.value):
        return
    enable_at = view.where("live-restore")
    for action in host.of(ServiceAction):
        if action.action != "restart" or action.location is None:
            continue
        if action.first_boot or _first_boot(action.document):
            continue  # first-boot provisioning runs before any container exists
        if not _after(action, enable_at, host):
            continue
        yield Hit(
            "this restart applies live-restore by stopping every running container: live-restore is reloadable, "
            "and `systemctl reload docker` (SIGHUP) turns it on without stopping anything",
            location=action.location,
            related=(enable_at,),
            fix="use `systemctl reload docker` (or notify a reload handler) after writing daemon.json",
        )
        return

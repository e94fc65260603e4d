"""DKD105: a docker unit whose KillMode kills the containers when dockerd stops."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View


def check(host, context):
    view = View(host, context)
    service = host.service
    if not view.live_restore or service is None or getattr(service, "assumed", False) and not service.dropins:
        return
    setting = service.kill_mode
    value = setting.value if setting is not None else "control-group"
    if value == "process":
        return
    where = setting.location if setting is not None else (service.unit.document.start_location() if service.unit else host.primary_location())
    how = f"KillMode={value}" if setting is not None else "no KillMode= (systemd's default, control-group)"
    yield Hit(
        f"live-restore is on, but docker.service has {how}: stopping or restarting dockerd kills every process in the "
        "unit's cgroup, containerd-shims and containers included, so there is nothing left to restore",
        location=where,
        related=(view.where("live-restore"),),
        fix="set KillMode=process in the [Service] section of docker.service (or a drop-in), as the packaged unit does",
    )

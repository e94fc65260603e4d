"""DKD111: the change touches restart-only settings on a host without live-restore."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._change import live_restore_on, shown, transition, was


def check(host, context):
    judged = transition(host, context)
    if judged is None:
        return
    old, changed = judged
    if live_restore_on(host, context) or live_restore_on(old, context):
        return  # with live-restore the drift and upgrade policies judge the restart
    restart = [c for c in changed if c.restart_only]
    if not restart:
        return
    reload = [c.key for c in changed if not c.restart_only]
    fails = [c.key for c in restart if c.apply == "reload-fails"]
    said = ", ".join(f"{c.key} to {shown(c.new)} (was {was(c, host)})" for c in restart)
    extra = f"; {', '.join(reload)} alone would apply with a reload (systemctl reload docker)" if reload and not fails else ""
    if fails:
        # dockerd refuses the whole reload on a flag/file conflict, keeping the old configuration
        extra += f"; {', '.join(fails)} is also a command-line flag: dockerd refuses a reload (and a start) with that conflict"
    first = restart[0]
    yield Hit(
        f"this change sets {said}, which dockerd applies only on a restart, and live-restore is off: applying it "
        f"stops every running container{extra}",
        location=first.new_at,
        pointer="/config/" + first.key,
        related=tuple(c.old_at for c in restart if c.old_at is not None),
    )

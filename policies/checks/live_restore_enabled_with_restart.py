"""DKD112: live-restore turned on in the same change as an option only a restart applies."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._change import live_restore_on, transition, was


def check(host, context):
    judged = transition(host, context)
    if judged is None:
        return
    old, changed = judged
    if not live_restore_on(host, context) or live_restore_on(old, context):
        return
    restart = [c for c in changed if c.restart_only and c.key != "live-restore"]
    enable = next((c for c in changed if c.key == "live-restore"), None)
    if not restart or enable is None:
        return
    yield Hit(
        f"this change turns live-restore on (was {was(enable, host)}) together with {', '.join(c.key for c in restart)}, which only a restart "
        "applies: that restart runs while live-restore is still off and stops every container; turn live-restore on "
        "with a reload first, then apply the rest",
        location=enable.new_at,
        pointer="/config/live-restore",
        # live-restore's place at the base revision (when it was set), then the restart-only keys now
        related=((enable.old_at,) if enable.old_at is not None else ()) + tuple(c.new_at for c in restart),
    )

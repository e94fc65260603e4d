"""DKD109: live-restore on, and the change alters an option it cannot carry across the restart."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._change import MISSING, kept_on, live_restore_data, shown, was


def check(host, context):
    judged = kept_on(host, context)
    if judged is None:
        return
    _, changed = judged
    drift = live_restore_data()["not_restored_if_changed"]
    now = {c.key for c in changed if c.new is not MISSING}
    config = context.for_host(host).facts(host).data["config"]
    for change in changed:
        rule = drift.get(change.key)
        if rule is None or (rule.get("unless") and rule["unless"] in config):
            continue
        yield Hit(
            f"{change.key} changes to {shown(change.new)} (was {was(change, host)}) on a host with live-restore: "
            f"applying it restarts dockerd and the running containers are not restored ({rule['why']}); drain the host first",
            location=change.new_at,
            pointer="/config/" + change.key,
            related=(change.old_at,) if change.old_at is not None else (),
            key=change.key if change.key in now else "",
        )

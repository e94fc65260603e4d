"""Helpers for checks that judge a change (a change-aware run: --diff-base, dlint diff)."""

from __future__ import annotations

from dlint_docker.change.impact import MISSING, before_of, changes, live_restore_data, live_restore_known, live_restore_on, shown


def transition(host, context):
    """(host at the base revision, the setting changes), or None outside a change-aware run or
    when live-restore's value is unknown on either side."""
    old = before_of(host)
    if old is None or not live_restore_known(host, context) or not live_restore_known(old, context):
        return None
    return old, changes(host, context)


def kept_on(host, context):
    """(host at the base revision, changes) when live-restore is on at both: the running
    containers rely on it across the restart the change brings; else None."""
    judged = transition(host, context)
    if judged is None or not (live_restore_on(host, context) and live_restore_on(judged[0], context)):
        return None
    return judged


def was(change, host) -> str:
    rev = getattr(host, "before_rev", None) or "the base revision"
    return f"{shown(change.old)} at {rev}" if change.old is not MISSING else f"not set at {rev}"


__all__ = ["MISSING", "changes", "kept_on", "live_restore_data", "live_restore_on", "shown", "transition", "was"]

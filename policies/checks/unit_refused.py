"""DKD204: systemd refuses docker.service as the repository writes it, so dockerd never starts."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

# the default remediation is about a second ExecStart= in a drop-in; a unit left with none needs one
_NO_EXEC_START = (
    "Give docker.service an `ExecStart=` line inside its `[Service]` section: systemd ignores lines "
    "before the first section header, and an empty `ExecStart=` only resets the list."
)


def check(host, context):
    view = host.service
    if view is None:
        return
    for problem in view.problems:
        if problem.kind != "refused":
            continue  # a masked unit is a decision, not a mistake: such a host is not checked at all
        yield Hit(
            f"systemd refuses docker.service: {problem.message}",
            location=problem.location,
            related=tuple(problem.related),
            key=problem.message,
            fix=_NO_EXEC_START if "has no ExecStart=" in problem.message else None,
        )

"""DKD204: systemd refuses docker.service as the repository writes it, so dockerd never starts."""

from __future__ import annotations

from linter.policy.model import Hit


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
        )

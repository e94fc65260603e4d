"""DKD304: ip6tables needs experimental before 27.0."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if not view.on("ip6tables") or view.on("experimental") or view.since("27.0"):
        return
    yield Hit(
        f'"ip6tables": true without "experimental": true: dockerd exits at start-up ({view.judged()}: "ip6tables rules '
        'are only available if experimental features are enabled")',
        pointer=pointer("ip6tables"),
        fix='add "experimental": true, or upgrade to Docker 27.0 or later, where ip6tables is a regular option (and on by default)',
    )

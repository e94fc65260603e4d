"""DKD311: the containers namespace and the plugins namespace are the same."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    containers = view.get("containerd-namespace") or "moby"
    plugins = view.facts.data["flags"].get("containerd-plugins-namespace") or "plugins.moby"
    if containers != plugins:
        return
    at = "containerd-namespace" if view.has("containerd-namespace") else "containerd-plugins-namespace"
    yield Hit(
        f"containerd-namespace and the plugins namespace are both \"{containers}\": dockerd exits at start-up "
        f"({view.judged()}: \"containers namespace and plugins namespace cannot be the same\")",
        pointer=pointer(at),
        fix='give containers their own namespace (the default is "moby", plugins use "plugins.moby")',
    )

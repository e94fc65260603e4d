"""DKD312: insecure-registries entries dockerd refuses at start and reload."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    registries = view.get("insecure-registries")
    if not isinstance(registries, list):
        return
    for index, entry in enumerate(registries):
        if not isinstance(entry, str) or "://" not in entry:
            continue
        scheme = entry.split("://", 1)[0]
        if scheme in ("http", "https"):
            continue  # stripped, with a warning
        yield Hit(
            f"dockerd exits at start-up, and a reload fails ({view.judged()}: \"insecure registry {entry} should not contain '://'\")",
            pointer=pointer("insecure-registries", index),
            fix="give the registry as host[:port] or a CIDR, without a scheme",
            key=f"/insecure-registries/{index}",
        )

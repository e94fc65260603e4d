"""DKD417 (CIS 2.17): seccomp turned off for every container, or no daemon-wide profile reviewed."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if host.platform != "linux":
        return
    profile = view.get("seccomp-profile")
    if profile == "unconfined":
        yield Hit(
            '"seccomp-profile": "unconfined" turns seccomp off for every container: any system call the kernel has is '
            "open to them (CIS Docker Benchmark 2.17)",
            pointer=pointer("seccomp-profile"),
            severity="warning",
            fix='remove it (Docker\'s default profile applies), or give a custom profile file',
        )
    elif not profile:
        yield Hit(
            "no daemon-wide seccomp profile: containers get Docker's default profile; CIS 2.17 (manual) asks to review "
            "whether a custom one is appropriate",
            pointer=pointer("seccomp-profile"),
        )

"""DKD305: a default-runtime that is neither built in nor defined in runtimes."""

from __future__ import annotations

import re

from dlint_docker.policy.model import Hit

from ._host import View, pointer

_BUILT_IN = {"runc", "io.containerd.runc.v2"}
_SHIM = re.compile(r"^io\.containerd\.[a-z0-9_-]+\.v[0-9]+$")


def check(host, context):
    view = View(host, context)
    name = view.get("default-runtime")
    if host.platform != "linux" or not isinstance(name, str) or not name:
        return
    runtimes = view.get("runtimes") or {}
    if name in _BUILT_IN or (isinstance(runtimes, dict) and name in runtimes):
        return
    if view.since("23.0") and _SHIM.match(name):
        return  # a containerd shim, which containerd resolves
    yield Hit(
        f"default-runtime \"{name}\" is neither a built-in runtime nor in \"runtimes\": dockerd exits at start-up, and "
        f"a reload that sets it fails ({view.judged()}: \"specified default runtime '{name}' does not exist\")",
        pointer=pointer("default-runtime"),
        fix=f'define "{name}" under "runtimes" ({{"path": "/usr/bin/{name}"}}), or use "runc"',
    )

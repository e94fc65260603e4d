"""DKD306: "runtimes" entries dockerd refuses at start and reload."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def _field(entry: dict, name: str):
    """A runtime's field as Go decodes it: the JSON name matches case-insensitively."""
    for key, value in entry.items():
        if key.lower() == name.lower():
            return value
    return None


def check(host, context):
    view = View(host, context)
    runtimes = view.get("runtimes")
    if host.platform != "linux" or not isinstance(runtimes, dict):
        return
    for name, entry in runtimes.items():
        if not isinstance(entry, dict):
            continue
        problem = None
        path, kind = _field(entry, "path"), _field(entry, "runtimeType")
        if name == "runc":
            problem = "runtime name 'runc' is reserved"
        elif view.since("23.0"):
            if not path and not kind:
                problem = f"runtime {name}: either a runtimeType or a path must be configured"
            elif path and kind:
                problem = f"runtime {name}: cannot configure both path and runtimeType for the same runtime"
            elif path and _field(entry, "options"):
                problem = f"runtime {name}: options cannot be used with a path runtime"
            elif kind and _field(entry, "runtimeArgs"):
                problem = f"runtime {name}: args cannot be used with a runtimeType runtime"
        elif not path:
            problem = f"runtime {name}: a path must be configured"
        if problem:
            yield Hit(
                f"dockerd refuses this runtime at start-up and on reload ({view.judged()}: \"{problem}\")",
                pointer=pointer("runtimes", name),
                fix='give each runtime either "path" (with "runtimeArgs") or "runtimeType" (with "options"), and do not name one "runc"',
                key=f"/runtimes/{name}",
            )

"""DKD104: live-restore on, but the engine can move past a patch release unattended."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View

_MOVES = {"none": "is installed without a version", "major": "is pinned to a major version only", "upgrade": "is upgraded with everything else"}


def check(host, context):
    view = View(host, context)
    if not view.live_restore:
        return
    packages = view.facts.data.get("packages") or []
    if any(p["pin"] == "held" for p in packages):
        return
    # one finding per package install (each is where its fix, the pin, goes)
    for index, package in enumerate(packages):
        if package["pin"] not in _MOVES:
            continue
        name, pin, managers = package["name"], package["pin"], package["manager"]
        moves = _MOVES[pin] if name == "*" or pin != "upgrade" else "is upgraded to the newest release on every run"
        name = "every package" if name == "*" else name
        at = view.facts.locate(f"/packages/{index}")
        yield Hit(
            f"live-restore is on, but {name} {moves} ({managers}): live-restore survives "
            "patch releases only, so an unattended minor or major engine upgrade restarts dockerd without reattaching "
            "the containers",
            location=at,
            related=(view.where("live-restore"),),
            fix="pin the engine to a release series (docker-ce=5:27.5.*) and hold it (apt-mark hold docker-ce docker-ce-cli), "
            "and upgrade minor releases deliberately, draining the host first",
            key=f"/packages/{index}",
        )

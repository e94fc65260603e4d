"""DKD302: "bridge" and "bip" (or, from 28.0, "bip6") are mutually exclusive."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if not view.has("bridge"):
        return
    for other, flag in (("bip", "--bip"), ("bip6", "--bip6")):
        if other == "bip6" and view.before("28.0"):
            continue
        if view.has(other):
            yield Hit(
                f'"bridge" and "{other}" are both set: dockerd exits at start-up ({view.judged()}: "You specified -b & '
                f'{flag}, mutually exclusive options. Please specify only one")',
                pointer=pointer(other),
                related=(view.where("bridge"),),
                fix=f'set "{other}" on the bridge itself, or drop "bridge" and let dockerd manage docker0 with "{other}"',
            )

"""DKD301: icc=false needs iptables (and, from 27.0 with IPv6, ip6tables)."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def check(host, context):
    view = View(host, context)
    if not view.off("icc"):
        return
    if view.off("iptables"):
        yield Hit(
            f"icc=false needs iptables, which is off: dockerd exits at start-up ({view.judged()}: \"You specified "
            "--iptables=false with --icc=false. ICC=false uses iptables to function. Please set --icc or --iptables to true\")",
            pointer=pointer("icc"),
            related=(view.where("iptables"),),
            fix='remove "iptables": false, or "icc": false',
        )
    elif view.since("27.0") and view.on("ipv6") and view.off("ip6tables"):
        yield Hit(
            f"icc=false with IPv6 needs ip6tables, which is off: dockerd exits at start-up ({view.judged()}: \"You "
            "specified --ip6tables=false with --icc=false. ICC=false uses ip6tables to function. Please set --icc or --ip6tables to true\")",
            pointer=pointer("icc"),
            related=(view.where("ip6tables"),),
            fix='remove "ip6tables": false, or "icc": false',
        )

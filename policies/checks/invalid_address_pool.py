"""DKD314: default-address-pools entries that dockerd cannot split into networks."""

from __future__ import annotations

import ipaddress

from dlint_docker.policy.model import Hit

from ._host import View, pointer


def _field(entry: dict, name: str):
    for key, value in entry.items():
        if key.lower() == name:
            return value
    return None


def _problem(entry: dict):
    base, size = _field(entry, "base"), _field(entry, "size")
    try:
        network = ipaddress.ip_network(base or "", strict=False)
    except ValueError:
        return f'base "{base}" is not a CIDR'
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        return f"size must be a prefix length, not {size!r}"
    if size < network.prefixlen:
        return f"size /{size} is larger than the pool {network} itself"
    if size > network.max_prefixlen:
        return f"size /{size} is beyond an IPv{network.version} address"
    return None


def check(host, context):
    view = View(host, context)
    pools = view.get("default-address-pools")
    if not isinstance(pools, list):
        return
    for index, entry in enumerate(pools):
        if not isinstance(entry, dict):
            continue
        problem = _problem(entry)
        if problem:
            yield Hit(
                f"default-address-pools[{index}]: {problem}; dockerd does not check this with --validate, and fails when it "
                f"sets up networks ({view.judged()})",
                pointer=pointer("default-address-pools", index),
                fix='give each pool a "base" CIDR and a "size" no smaller than its prefix, e.g. {"base": "10.200.0.0/16", "size": 24}',
                key=f"/default-address-pools/{index}",
            )

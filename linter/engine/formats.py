"""Value formats dockerd checks while decoding daemon.json (Go's net.IP, go-units sizes, netip)."""

from __future__ import annotations

import ipaddress
import re

_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)? ?[kKmMgGtTpP]?[iI]?[bB]?$")


def is_ip(text: str) -> bool:
    """Go net.ParseIP, as net.IP's UnmarshalText uses it: empty is allowed (no address)."""
    if text == "":
        return True
    if "%" in text or not text.isascii():
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_ip_nonempty(text: str) -> bool:
    return text != "" and is_ip(text)


def is_size(text: str) -> bool:
    """go-units RAMInBytes: ``64M``, ``1.5G``, ``64 MiB``; a JSON number is refused by the type."""
    return bool(_SIZE.match(text))


def is_prefix(text: str) -> bool:
    """netip.ParsePrefix (empty allowed: the field is left unset)."""
    if text == "":
        return True
    if "/" not in text or "%" in text or not text.isascii():
        return False
    address, _, bits = text.partition("/")
    if not bits.isdigit():
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return int(bits) <= ip.max_prefixlen


def is_cidr(text: str) -> bool:
    """Go net.ParseCIDR (no zones, host bits allowed)."""
    return text != "" and is_prefix(text)


CHECKS = {
    "ip": is_ip,
    "ip-nonempty": is_ip_nonempty,
    "size": is_size,
    "prefix": is_prefix,
}

DESCRIPTIONS = {
    "ip": "an IP address",
    "ip-nonempty": "an IP address",
    "size": 'a size such as "64M" or "1.5G"',
    "prefix": 'a CIDR prefix such as "10.10.0.0/16"',
}

"""Value formats dockerd checks while decoding daemon.json (Go's net.IP, go-units sizes, netip)."""

from __future__ import annotations

import ipaddress
import math
import re

# go-units up to 0.4: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$, then strconv.ParseFloat of the
# number (so a second dot fails)
_SIZE_REGEX = re.compile(r"[0-9]+(\.[0-9]+)? ?[kKmMgGtTpP]?[iI]?[bB]?\Z")
# strconv.ParseFloat's syntax (Go float literals; "_" only between digits, checked separately)
_GO_DECIMAL = re.compile(r"[+-]?(?=\.?[0-9])[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?\Z")
_GO_HEX = re.compile(r"[+-]?0[xX](?=[._]?[0-9a-fA-F])[0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?[pP][+-]?[0-9_]+\Z")


# Go's unicode.IsSpace, which strings.TrimSpace and bytes.TrimSpace use (str.strip would also drop \x1c-\x1f)
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def go_trim_space(text: str) -> str:
    return text.strip(GO_SPACE)


def _parses_as_ip(text: str, zones: bool) -> bool:
    """Empty is allowed (Go leaves the address unset); a zone (fe80::1%eth0) only where Go takes one."""
    if text == "":
        return True
    if not text.isascii() or text.endswith("%") or ("%" in text and not zones):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_ip(text: str) -> bool:
    """Go net.ParseIP, as net.IP's UnmarshalText uses it: no zones."""
    return _parses_as_ip(text, zones=False)


def is_netip_addr(text: str) -> bool:
    """Go netip.Addr's UnmarshalText: IPv6 may carry a zone."""
    return _parses_as_ip(text, zones=True)


def is_size_regex(text: str) -> bool:
    """go-units RAMInBytes up to go-units 0.4: ``64M``, ``1.5G``, ``64 MiB``, ``5iB``."""
    return bool(_SIZE_REGEX.match(text))


def _underscores_ok(literal: str) -> bool:
    """strconv's underscoreOK: an underscore only between digits (or after a 0x prefix)."""
    body = literal[1:] if literal[:1] in "+-" else literal
    hexa = body[:2].lower() == "0x"
    saw = "0" if hexa else "^"
    for ch in body[2:] if hexa else body:
        if ch.isdigit() or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def go_parse_float(literal: str):
    """strconv.ParseFloat(literal, 64) for finite values: the float, or None when Go refuses it."""
    if not literal.isascii():
        return None
    hexa = _GO_HEX.match(literal)
    if not hexa and not _GO_DECIMAL.match(literal):
        return None
    if "_" in literal and not _underscores_ok(literal):
        return None
    plain = literal.replace("_", "")
    value = float.fromhex(plain) if hexa else float(plain)
    return None if math.isinf(value) else value  # out of range


def is_size(text: str) -> bool:
    """go-units RAMInBytes from go-units 0.5: a Go float, an optional space, then b or k/m/g/t/p
    with an optional b or ib, case-insensitive; negative sizes are refused."""
    sep = max(text.rfind(ch) for ch in "0123456789. ")
    if sep == -1:
        return False
    if text[sep] == " ":
        number, suffix = text[:sep], text[sep + 1 :]
    else:
        number, suffix = text[: sep + 1], text[sep + 1 :]
    size = go_parse_float(number)
    if size is None or size < 0:
        return False
    if not suffix:
        return True
    if len(suffix.encode("utf-8")) > 3:
        return False
    suffix = suffix.lower().encode("utf-8")
    if suffix[:1] == b"b":
        return len(suffix) == 1
    if suffix[:1] not in (b"k", b"m", b"g", b"t", b"p"):
        return False
    return len(suffix) == 1 or suffix[1:] in (b"b", b"ib")


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
    "netip-addr": is_netip_addr,
    "size": is_size,
    "size-regex": is_size_regex,
    "prefix": is_prefix,
}

DESCRIPTIONS = {
    "ip": "an IP address",
    "netip-addr": "an IP address",
    "size": 'a size such as "64M" or "1.5G"',
    "size-regex": 'a size such as "64M" or "1.5G"',
    "prefix": 'a CIDR prefix such as "10.10.0.0/16"',
}

"""Value formats dockerd checks while decoding daemon.json (Go's net.IP, go-units sizes, netip)."""

from __future__ import annotations

import ipaddress
import math
import re
from ..lazyclass import dataclass
from typing import Optional, Tuple

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


_NETIP_BITS = re.compile(r"(0|[1-9][0-9]*)\Z")  # netip.ParsePrefix: no sign, no leading zero
_NET_BITS = re.compile(r"[0-9]+\Z")  # net.ParseCIDR: leading zeros allowed


def parse_cidr(text: str, netip: bool = True):
    """netip.ParsePrefix (or net.ParseCIDR with ``netip=False``): (address, network), or None."""
    address, slash, bits = text.partition("/")
    if not slash or "%" in address or not text.isascii() or not (_NETIP_BITS if netip else _NET_BITS).match(bits):
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if int(bits) > ip.max_prefixlen:
        return None
    return ip, ipaddress.ip_network(f"{ip}/{int(bits)}", strict=False)


def is_prefix(text: str) -> bool:
    """netip.ParsePrefix (empty allowed: the field is left unset)."""
    return text == "" or parse_cidr(text) is not None


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


# -- Go's net/url.Parse, as far as dockerd's hosts and registry-mirrors checks depend on it ---------


class GoURLError(ValueError):
    """url.Parse refused the text; ``str()`` is Go's message, ``parse "URL": reason``."""


@dataclass
class GoURL:
    scheme: str = ""
    opaque: str = ""
    user: Optional[str] = None  # the raw userinfo, None when there is no "@"
    host: str = ""  # unescaped, with the port
    path: str = ""
    raw_query: str = ""
    fragment: str = ""

    def _split(self) -> Tuple[str, str]:
        host, port = self.host, ""
        colon = host.rfind(":")
        if colon != -1 and _valid_optional_port(host[colon:]):
            host, port = host[:colon], host[colon + 1 :]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host, port

    def hostname(self) -> str:
        return self._split()[0]

    def port(self) -> str:
        return self._split()[1]


def go_quote(data: bytes) -> str:
    """strconv.Quote of a Go string (bytes)."""
    out = ['"']
    text = data.decode("utf-8", "surrogateescape")
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\"}
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in named:
            out.append(named[ch])
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out) + '"'


_HEX = b"0123456789abcdefABCDEF"
_HOST_OK = set(b"!$&'()*+,;=:[]<>\"-_.~")
_USERINFO_OK = set("-._:~!$&'()*+,;=%@")
_HOST, _ZONE, _PATH, _USER, _FRAGMENT = "host", "zone", "path", "user", "fragment"


def _should_escape_host(c: int) -> bool:
    return not (chr(c).isascii() and chr(c).isalnum()) and c not in _HOST_OK


def _unescape(s: bytes, mode: str) -> bytes:
    """net/url's unescape: the decoded bytes, or GoURLError with the bare reason."""
    i, out = 0, bytearray()
    while i < len(s):
        c = s[i]
        if c == 0x25:  # %
            if i + 2 >= len(s) or s[i + 1] not in _HEX or s[i + 2] not in _HEX:
                raise GoURLError("invalid URL escape " + go_quote(s[i : i + 3]))
            value = int(s[i + 1 : i + 3], 16)
            if mode == _HOST and value < 0x80 and s[i : i + 3] != b"%25":
                raise GoURLError("invalid URL escape " + go_quote(s[i : i + 3]))
            if mode == _ZONE and s[i : i + 3] != b"%25" and value != 0x20 and _should_escape_host(value):
                raise GoURLError("invalid URL escape " + go_quote(s[i : i + 3]))
            out.append(value)
            i += 3
            continue
        if mode in (_HOST, _ZONE) and c < 0x80 and _should_escape_host(c):
            raise GoURLError("invalid character " + go_quote(s[i : i + 1]) + " in host name")
        out.append(c)
        i += 1
    return bytes(out)


def _valid_optional_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= ch <= "9" for ch in port[1:]))


def _parse_host(host: str, strict_ip_literal: bool) -> str:
    raw = host.encode("utf-8", "surrogateescape")
    if strict_ip_literal and host.rfind("[") > 0:
        raise GoURLError("invalid IP-literal")
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise GoURLError("missing ']' in host")
        colon_port = host[close + 1 :]
        if not _valid_optional_port(colon_port):
            raise GoURLError(f"invalid port {go_quote(colon_port.encode('utf-8', 'surrogateescape'))} after host")
        inside = host[1:close]
        zone = inside.find("%25")
        if zone >= 0:
            literal = _unescape(inside[:zone].encode("utf-8", "surrogateescape"), _HOST) + _unescape(inside[zone:].encode("utf-8", "surrogateescape"), _ZONE)
        else:
            literal = _unescape(inside.encode("utf-8", "surrogateescape"), _HOST)
        if strict_ip_literal:
            # Go 1.24.8/1.25.2 (CVE-2025-47912): only an IPv6 address may stand in brackets
            address = literal.decode("utf-8", "surrogateescape")
            if not is_netip_addr(address) or address == "":
                raise GoURLError(f"invalid host: ParseAddr({go_quote(literal)}): unable to parse IP")
            if ":" not in address:
                raise GoURLError("invalid IP-literal")
        return "[" + literal.decode("utf-8", "surrogateescape") + "]" + colon_port
    colon = host.rfind(":")
    if colon != -1 and not _valid_optional_port(host[colon:]):
        raise GoURLError(f"invalid port {go_quote(host[colon:].encode('utf-8', 'surrogateescape'))} after host")
    return _unescape(raw, _HOST).decode("utf-8", "surrogateescape")


def _get_scheme(raw: str) -> Tuple[str, str]:
    for i, ch in enumerate(raw):
        if ch.isascii() and ch.isalpha():
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+-."):
            if i == 0:
                return "", raw
            continue
        if ch == ":":
            if i == 0:
                raise GoURLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def go_url_parse(raw: str, strict_ip_literal: bool = False) -> GoURL:
    """url.Parse (not via a request). ``strict_ip_literal``: the bracket checks of Go >= 1.24.8."""
    without_fragment, hash_sign, fragment = raw.partition("#")
    try:
        url = _parse(without_fragment, strict_ip_literal)
    except GoURLError as err:
        raise GoURLError(f"parse {go_quote(without_fragment.encode('utf-8', 'surrogateescape'))}: {err}") from None
    if hash_sign and fragment:
        try:
            url.fragment = _unescape(fragment.encode("utf-8", "surrogateescape"), _FRAGMENT).decode("utf-8", "surrogateescape")
        except GoURLError as err:
            raise GoURLError(f"parse {go_quote(raw.encode('utf-8', 'surrogateescape'))}: {err}") from None
    return url


def _parse(raw: str, strict_ip_literal: bool) -> GoURL:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        raise GoURLError("net/url: invalid control character in URL")
    url = GoURL()
    if raw == "*":
        url.path = "*"
        return url
    scheme, rest = _get_scheme(raw)
    url.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest, _, url.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if url.scheme:
            url.opaque = rest
            return url
        if ":" in rest.partition("/")[0]:
            raise GoURLError("first path segment in URL cannot contain colon")
    if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        at = authority.rfind("@")
        url.host = _parse_host(authority[at + 1 :], strict_ip_literal)
        if at >= 0:
            userinfo = authority[:at]
            if any(not (ch.isascii() and ch.isalnum()) and ch not in _USERINFO_OK for ch in userinfo):
                raise GoURLError("net/url: invalid userinfo")
            for part in userinfo.split(":", 1):
                _unescape(part.encode("utf-8", "surrogateescape"), _USER)
            url.user = userinfo
    url.path = _unescape(rest.encode("utf-8", "surrogateescape"), _PATH).decode("utf-8", "surrogateescape")
    return url

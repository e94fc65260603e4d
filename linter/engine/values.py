"""Value checks dockerd runs on daemon.json after decoding (its ``Validate()``), per version.

Each rule names the key, the engine versions it applies to, what ignoring it breaks, and returns
problems as (index inside the value or None, message quoting dockerd). The behaviour was read from
moby (daemon/config/config.go and opts/) and confirmed on Docker 26.1.5 and 28.5.2 with
``dockerd --validate``; the tests replay it against those binaries.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

from .formats import go_trim_space
from .versions import Version, in_range

Problem = Tuple[Optional[int], str]


@dataclass(frozen=True)
class ValueRule:
    key: str
    check: Callable[[Any, Version], Iterator[Problem]]
    since: Optional[str] = None
    until: Optional[str] = None
    breaks: str = "config-load"
    platform: Optional[str] = None


RULES: List[ValueRule] = []


def rule(key: str, since: Optional[str] = None, until: Optional[str] = None, breaks: str = "config-load", platform: Optional[str] = None):
    def register(func):
        RULES.append(ValueRule(key, func, since, until, breaks, platform))
        return func

    return register


def rules_for(key: str, version: Version, platform: str = "linux") -> List[ValueRule]:
    return [
        r
        for r in RULES
        if r.key == key and in_range(version, r.since, r.until) and r.platform in (None, platform)
    ]


def _strings(value) -> Iterator[Tuple[int, str]]:
    """The items of a []string as Go decodes them: a JSON null item is the zero value, ""."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item
            elif item is None:
                yield index, ""


@rule("log-level")
def _log_level(value, version):
    if not isinstance(value, str) or value == "":
        return
    levels = {"panic", "fatal", "error", "warn", "info", "debug", "trace"}
    if version < Version(25, 0):
        levels.add("warning")  # logrus.ParseLevel, before 25.0 fixed the list
    if value.lower() not in levels:
        yield None, f"invalid logging level: {value} (use one of: {', '.join(sorted(levels))})"


@rule("log-format", since="25.0")
def _log_format(value, version):
    if isinstance(value, str) and value not in ("", "text", "json"):
        yield None, f'invalid log format: {value} (use "text" or "json")'


# moby opts.domainRegexp, verbatim (its "(:?" groups allow a colon where a non-capturing group was
# meant); Go's "$" is the end of the text and its "\s" is ASCII white space
_DOMAIN = re.compile(
    r"(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?[\t\n\f\r ]*\Z"
)
_ALPHA = re.compile(r"[a-zA-Z]")


def domain_error(value: str) -> str:
    """moby's ValidateDNSSearch: empty when the search domain is accepted."""
    value = value.strip(" ")
    if value == ".":
        return ""
    match = _DOMAIN.match(value) if _ALPHA.search(value) else None
    if match is None or len(match.group(1)) >= 255:
        return f"{value} is not a valid domain"
    return ""


@rule("dns-search")
def _dns_search(value, version):
    for index, item in _strings(value):
        message = domain_error(item)
        if message:
            yield index, message


@rule("labels")
def _labels(value, version):
    seen = {}
    for index, item in _strings(value):
        if "=" not in item:
            yield index, f"bad attribute format: {item} (labels are key=value)"
            continue
        name, _, val = item.partition("=")
        if name in seen and seen[name] != val:
            yield index, f"conflict labels for {item} and {name}={seen[name]}"
        seen.setdefault(name, val)


def _non_negative(key: str, what: str):
    @rule(key)
    def _check(value, version):
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            yield None, f"invalid {what}: {value}"

    return _check


_non_negative("mtu", "default MTU")
_non_negative("max-concurrent-downloads", "max concurrent downloads")
_non_negative("max-concurrent-uploads", "max concurrent uploads")
_non_negative("max-download-attempts", "max download attempts")


@rule("node-generic-resources")
def _generic_resources(value, version):
    for index, item in _strings(value):
        if item.count("=") != 1:
            yield index, f"could not parse GenericResource: incorrect term {item}, missing '=' or malformed expression"


_PROTOS = ("tcp", "unix", "fd", "npipe")
_PORT = re.compile(r":[0-9]*$")


@rule("hosts")
def _hosts(value, version):
    for index, item in _strings(value):
        message = host_error(item)
        if message:
            yield index, f"invalid bind address ({item}): {message}"


def host_error(addr: str) -> str:
    """dockerd's ParseDaemonHost, for one -H/hosts value: empty when it is accepted."""
    if addr.strip() == "":
        return ""
    proto, sep, rest = addr.partition("://")
    if not sep:
        proto, rest = "tcp", addr
    if proto not in _PROTOS:
        return f"unsupported proto '{proto}'"
    if proto != "tcp" or rest == "":
        return ""
    parsed = urlsplit("tcp://" + rest)
    netloc = parsed.netloc
    host_port = netloc.rsplit("@", 1)[-1]
    if host_port.startswith("["):
        port_part = host_port[host_port.find("]") + 1 :]
    else:
        port_part = host_port[host_port.find(":") :] if ":" in host_port else ""
    if port_part and not _PORT.match(port_part):
        return f'parse "tcp://{rest}": invalid port "{port_part}" after host'
    if parsed.path not in ("", "/"):
        return "should not contain a path element"
    return ""


@rule("default-ipc-mode")
def _ipc_mode(value, version):
    if not isinstance(value, str) or value in ("", "shareable", "private"):
        return
    if value in ("host", "none") or value.startswith("container:"):
        yield None, f'IPC mode "{value}" is not supported as default value; use "shareable" or "private"'
    else:
        yield None, f'default IPC mode setting ({value}) is invalid; use "shareable" or "private"'


@rule("default-cgroupns-mode")
def _cgroupns_mode(value, version):
    if isinstance(value, str) and value not in ("", "host", "private"):
        yield None, f'default cgroup namespace mode ({value}) is invalid; use "host" or "private"'


@rule("fixed-cidr-v6")
def _fixed_cidr_v6(value, version):
    if not isinstance(value, str) or value == "":
        return
    try:
        if "%" in value or "/" not in value:
            raise ValueError
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        yield None, f"invalid fixed-cidr-v6: invalid CIDR address: {value}"
        return
    if network.version != 6 or network.network_address.ipv4_mapped is not None:
        yield None, f"invalid fixed-cidr-v6: '{value}' is not a valid IPv6 subnet"


@rule("features", until="28.0", platform="linux")
def _windows_dns_proxy(value, version):
    if isinstance(value, dict) and "windows-dns-proxy" in value:
        yield None, "feature option 'windows-dns-proxy' is only available on Windows"


@rule("network-diagnostic-port", since="28.0")
def _diagnostic_port(value, version):
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= 65535:
        yield None, f"invalid network-diagnostic-port ({value}): value must be between 0 and 65535"


@rule("exec-opts", since="28.0", platform="linux")
def _exec_opts(value, version):
    for index, item in _strings(value):
        name, sep, setting = item.partition("=")
        name = go_trim_space(name).lower()
        if not sep or not name or not go_trim_space(setting):
            yield index, f"invalid exec-opt ({item}): must be formatted 'opt=value'"
        elif name == "isolation":
            yield index, f"invalid exec-opt ({item}): option 'isolation' is only supported on windows"
        elif name != "native.cgroupdriver":
            yield index, f"invalid exec-opt ({item}): unknown option: '{name}'"


@rule("host-gateway-ips", since="28.0")
def _host_gateway_ips(value, version):
    seen = set()
    for index, item in _strings(value):
        # netip.Addr.Is4: a plain IPv4 address; "" (the zero Addr) and ::ffff:a.b.c.d count as IPv6
        family = 4 if item and ":" not in item else 6
        if family in seen:
            yield index, f"only one IPv{family} host gateway IP address can be specified"
            return
        seen.add(family)


def mirror_error(mirror: str) -> str:
    """dockerd's ValidateMirror: empty when the registry mirror URL is accepted."""
    parts = urlsplit(mirror)
    if parts.scheme not in ("http", "https"):
        if not parts.scheme:
            return f"no scheme specified for \"{mirror}\": must use either 'https://' or 'http://'"
        return f"unsupported scheme \"{parts.scheme}\" in \"{mirror}\": must use either 'https://' or 'http://'"
    if parts.username or parts.password:
        return "username/password not allowed in URI"
    if parts.query or parts.fragment or mirror.endswith(("?", "#")):
        return f'query or fragment at end of the URI "{mirror}"'
    return ""


@rule("registry-mirrors", since="28.3")
def _mirrors_validate(value, version):
    for index, item in _strings(value):
        message = mirror_error(item)
        if message:
            yield index, f"invalid mirror: {message}"


@rule("registry-mirrors", until="28.3", breaks="daemon-start")
def _mirrors_start(value, version):
    for index, item in _strings(value):
        message = mirror_error(item)
        if message:
            yield index, f"invalid mirror: {message} (dockerd --validate does not check this before 28.3; start-up fails)"

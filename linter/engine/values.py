"""Value checks dockerd runs on daemon.json after decoding (its ``Validate()``), per version.

Each rule names the key, the engine versions it applies to, what ignoring it breaks, and returns
problems as (index inside the value or None, message quoting dockerd). The behaviour was read from
moby (daemon/config/config.go and opts/) and confirmed on Docker 26.1.5 and 28.5.2 with
``dockerd --validate``; the tests replay it against those binaries.
"""

from __future__ import annotations

import ipaddress
import re
from ..lazyclass import dataclass
from typing import Any, Callable, Iterator, List, Optional, Tuple

from .formats import GoURLError, go_trim_space, go_url_parse, parse_cidr
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


def choices(key: str, version: Version) -> Optional[Tuple[Tuple[str, ...], bool]]:
    """(the words dockerd accepts, whether case is ignored) for a key whose string value is one of
    a few words besides "" (the checks below, and the enum of the schema editors read); None for
    any other key or release."""
    if key == "log-level":
        levels = ("panic", "fatal", "error", "warn", "info", "debug", "trace")
        # logrus.ParseLevel (case-insensitive) before 25.0 fixed the list, which also took "warning"
        return (levels + ("warning",) if version < Version(25, 0) else levels), True
    if key == "log-format" and version >= Version(25, 0):
        return ("text", "json"), False
    if key == "default-ipc-mode":
        return ("shareable", "private"), False
    if key == "default-cgroupns-mode":
        return ("host", "private"), False
    return None


@rule("log-level")
def _log_level(value, version):
    if not isinstance(value, str) or value == "":
        return
    levels, _ = choices("log-level", version)
    if value.lower() not in levels:
        yield None, f"invalid logging level: {value} (use one of: {', '.join(sorted(levels))})"


@rule("log-format", since="25.0")
def _log_format(value, version):
    if isinstance(value, str) and value != "" and value not in choices("log-format", version)[0]:
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


_RESERVED_LABELS = ("com.docker.", "io.docker.", "org.dockerproject.")


@rule("labels")
def _labels(value, version):
    seen = {}
    for index, item in _strings(value):
        if "=" not in item:
            yield index, f"bad attribute format: {item} (labels are key=value)"
            continue
        if item.lower().startswith(_RESERVED_LABELS):
            yield index, (
                f"label {item} is not allowed: the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use"
            )
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


_GO_INT64 = re.compile(r"[+-]?[0-9]+\Z")  # strconv.ParseInt(s, 10, 64), range checked below


def _go_int64(text: str) -> Optional[int]:
    if not _GO_INT64.match(text):
        return None
    number = int(text)
    return number if -(2**63) <= number < 2**63 else None


@rule("node-generic-resources")
def _generic_resources(value, version):
    """swarmkit genericresource.Parse: NAME=VALUE terms; one integer per name, or only names."""
    tokens = {}
    for index, item in _strings(value):
        if item.count("=") != 1:
            yield index, f"could not parse GenericResource: incorrect term {item}, missing '=' or malformed expression"
            return
        name, _, setting = item.partition("=")
        tokens.setdefault(go_trim_space(name), []).append((index, go_trim_space(setting)))
    for name, entries in tokens.items():
        numbers = [_go_int64(setting) for _, setting in entries]
        if len(entries) == 1 and numbers[0] is not None:
            if numbers[0] < 0:
                yield entries[0][0], f"could not parse GenericResource: cannot ask for negative resource {name}"
                return
        elif any(n is not None for n in numbers):
            shown = " ".join(setting for _, setting in entries)
            yield entries[0][0], f"could not parse GenericResource: mixed discrete and named resources in expression '{name}=[{shown}]'"
            return


# Go's net/url checks IP literals in brackets since Go 1.24.8/1.25.2 (CVE-2025-47912): dockerd
# 26.1.5 (Go 1.24.4) accepts tcp://[1.2.3.4]:2375, 28.5.2 (Go 1.24.9 upstream, 1.27 in Debian)
# refuses it. Which releases in between were built with a fixed Go is not known; 28.5 is the first
# release observed with it.
_STRICT_IP_LITERAL = Version(28, 5)
_DEFAULT_TCP_HOST, _DEFAULT_TCP_PORT = "localhost", "2375"
_DEFAULT_SOCKETS = {"unix": "/var/run/docker.sock", "npipe": "//./pipe/docker_engine"}


class _HostError(ValueError):
    pass


def _parse_daemon_host(address: str, version: Version) -> str:
    """moby opts.parseDaemonHost: the normalized address, or _HostError with dockerd's message."""
    proto, sep, rest = address.partition("://")
    if not sep and proto:
        proto, rest = "tcp", proto
    if proto == "tcp":
        tcp = address if "://" in address else "tcp://" + address
        try:
            url = go_url_parse(tcp, strict_ip_literal=version >= _STRICT_IP_LITERAL)
        except GoURLError as err:
            raise _HostError(f"invalid bind address ({address}): {err}") from None
        if url.scheme != "tcp":
            raise _HostError(f"invalid bind address ({address}): unsupported proto '{url.scheme}'")
        if url.path:
            raise _HostError(f"invalid bind address ({address}): should not contain a path element")
        port = url.port()
        if port and not 0 < int(port) < 2**63:  # strconv.Atoi, then port 0 is refused
            raise _HostError(f"invalid bind address ({address}): invalid port: {port}")
        host = url.hostname() or _DEFAULT_TCP_HOST
        host = f"[{host}]" if ":" in host else host  # net.JoinHostPort
        return f"tcp://{host}:{port or _DEFAULT_TCP_PORT}"
    if proto in ("unix", "npipe"):
        if "://" in rest:
            raise _HostError(f"invalid bind address ({address}): invalid {proto} address: {rest}")
        return f"{proto}://{rest or _DEFAULT_SOCKETS[proto]}"
    if proto == "fd":
        return address
    raise _HostError(f"invalid bind address ({address}): unsupported proto '{proto}'")


def host_error(addr: str, version: Version) -> str:
    """dockerd's check of one hosts value: empty when it is accepted.

    Validate() checks the value as written, then dockerd normalizes it (opts.ParseHost:
    tcp://[host]:port) and runs Validate() again, so the normalized form must parse too.
    """
    address = go_trim_space(addr)
    if not address:
        return ""
    try:
        _parse_daemon_host(_parse_daemon_host(address, version), version)
    except _HostError as err:
        return str(err)
    return ""


@rule("hosts")
def _hosts(value, version):
    for index, item in _strings(value):
        message = host_error(item, version)
        if message:
            yield index, message


@rule("default-ipc-mode")
def _ipc_mode(value, version):
    if not isinstance(value, str) or value == "" or value in choices("default-ipc-mode", version)[0]:
        return
    if value in ("host", "none") or value.startswith("container:"):
        yield None, f'IPC mode "{value}" is not supported as default value; use "shareable" or "private"'
    else:
        yield None, f'default IPC mode setting ({value}) is invalid; use "shareable" or "private"'


@rule("default-cgroupns-mode")
def _cgroupns_mode(value, version):
    if isinstance(value, str) and value != "" and value not in choices("default-cgroupns-mode", version)[0]:
        yield None, f'default cgroup namespace mode ({value}) is invalid; use "host" or "private"'


_LINK_LOCAL = ipaddress.ip_network("fe80::/64")


@rule("fixed-cidr-v6", until="27.0")
def _fixed_cidr_v6_net(value, version):
    """libnetwork ValidateFixedCIDRV6 up to 26.x: net.ParseCIDR, then not IPv4, and no clash with fe80::/64."""
    if not isinstance(value, str) or value == "":
        return
    parsed = parse_cidr(value, netip=False)
    if parsed is None:
        yield None, f"invalid fixed-cidr-v6: invalid CIDR address: {value}"
    elif parsed[0].version == 4 or parsed[0].ipv4_mapped is not None:
        yield None, "invalid fixed-cidr-v6: fixed-cidr-v6 is not an IPv6 subnet"
    elif parsed[1].network_address in _LINK_LOCAL and parsed[1].prefixlen != 64:
        yield None, "invalid fixed-cidr-v6: clash with the Link-Local prefix 'fe80::/64'"


@rule("fixed-cidr-v6", since="27.0")
def _fixed_cidr_v6_netip(value, version):
    """From 27.0: netip.ParsePrefix, then an IPv6 (not IPv4-mapped), not multicast, not overlapping fe80::/64 unless it is it."""
    if not isinstance(value, str) or value == "":
        return
    parsed = parse_cidr(value)
    if parsed is None:
        yield None, f'invalid fixed-cidr-v6: netip.ParsePrefix("{value}"): not a prefix'
    elif parsed[0].version == 4 or parsed[0].ipv4_mapped is not None:
        yield None, f"invalid fixed-cidr-v6: '{value}' is not a valid IPv6 subnet"
    elif parsed[0].is_multicast:
        yield None, f"invalid fixed-cidr-v6: multicast subnet '{value}' is not allowed"
    elif parsed[1] != _LINK_LOCAL and parsed[1].overlaps(_LINK_LOCAL):
        yield None, f"invalid fixed-cidr-v6: '{value}' clashes with the Link-Local prefix 'fe80::/64'"


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


def mirror_error(mirror: str, version: Version) -> str:
    """moby registry.ValidateMirror: empty when the registry mirror URL is accepted."""
    scheme, sep, _ = mirror.partition("://")
    if not sep or not scheme:
        return f"no scheme specified for \"{mirror}\": must use either 'https://' or 'http://'"
    try:
        url = go_url_parse(mirror, strict_ip_literal=version >= _STRICT_IP_LITERAL)
    except GoURLError as err:
        return f'"{mirror}" is not a valid URI: {err}'
    if url.scheme not in ("http", "https"):
        return f"unsupported scheme \"{url.scheme}\" in \"{mirror}\": must use either 'https://' or 'http://'"
    if url.raw_query or url.fragment:
        return f'query or fragment at end of the URI "{mirror}"'
    if url.user is not None:
        return "username/password not allowed in URI"
    return ""


@rule("registry-mirrors", since="28.3")
def _mirrors_validate(value, version):
    for index, item in _strings(value):
        message = mirror_error(item, version)
        if message:
            yield index, f"invalid mirror: {message}"


@rule("registry-mirrors", until="28.3", breaks="daemon-start")
def _mirrors_start(value, version):
    for index, item in _strings(value):
        message = mirror_error(item, version)
        if message:
            yield index, f"invalid mirror: {message} (dockerd --validate does not check this before 28.3; start-up fails)"

"""daemon.json variants for the differential test against real dockerd binaries (tests/test_oracle.py).

``cases()`` returns the same list of ``Case(name, data)`` on every call and in every process: the
only randomness is a ``random.Random`` with a fixed seed, used to derive typos of real keys.
Each case is written as ``daemon.json`` in its own folder and judged by dockerd --validate and by
dlint for every oracle version.

Every syntactically valid case with keys carries at least one real dockerd key (the ANCHOR added
by ``doc``): dlint deliberately skips a file named daemon.json whose keys are all unknown to every
dockerd release (a PM2 process file, say), while dockerd would reject it. test_oracle.py asserts
that skip separately.

Left out on purpose, because dockerd --validate's verdict depends on the machine, not the file:
  * tls, tlsverify, tlscacert, tlscert, tlskey (any value, also nested: "tlsverify" alone turns TLS on
    and --validate then loads certificate files);
  * userns-remap (looks the user up; "default" even creates the dockremap user);
  * userland-proxy-path (conflicts with the --userland-proxy-path the oracle command line passes);
  * cpu-rt-period / cpu-rt-runtime (checked against the host's cgroup version);
  * seccomp-profile with a file path, and anything else that names a file dockerd reads;
  * rootless: true (dockerd looks at the user and at RootlessKit's environment);
  * "validate" and "config-file" (they steer the oracle's own command line).
"""

from __future__ import annotations

import codecs
import json
import random
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Sequence, Tuple

SEED = 20240611

ANCHOR: Tuple[str, Any] = ("max-concurrent-uploads", 5)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes

    def text(self) -> str:
        return self.data.decode("utf-8", "backslashreplace")


class Raw(str):
    """A value written verbatim into the JSON text (numbers Python cannot print, broken pieces)."""


def _value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Pairs):
        return "{" + ", ".join(f"{json.dumps(k)}: {_value(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class Pairs(tuple):
    """An object written member by member, so that a key may repeat."""


def doc(*pairs: Tuple[str, Any], anchor: bool = True) -> bytes:
    """The JSON text of an object with these members in this order, plus the anchor key first."""
    members = list(pairs)
    if anchor and not any(k == ANCHOR[0] for k, _ in members):
        members.insert(0, ANCHOR)
    return (_value(Pairs(members)) + "\n").encode("utf-8")


def one(key: str, value: Any) -> bytes:
    return doc((key, value))


# Well-typed values of the options the cases use (none of them needs anything on the machine).
GOOD: Dict[str, Any] = {
    "authorization-plugins": ["authz-broker"],
    "bip": "172.30.0.1/16",
    "bridge": "docker1",
    "builder": {"gc": {"enabled": True, "defaultKeepStorage": "10GB"}},
    "cdi-spec-dirs": ["/etc/cdi"],
    "cgroup-parent": "docker.slice",
    "containerd": "/run/containerd/containerd.sock",
    "containerd-namespace": "moby",
    "cri-containerd": False,
    "data-root": "/var/lib/docker",
    "debug": True,
    "default-address-pools": [{"base": "10.10.0.0/16", "size": 24}],
    "default-cgroupns-mode": "private",
    "default-gateway": "172.30.0.1",
    "default-gateway-v6": "2001:db8::1",
    "default-ipc-mode": "private",
    "default-network-opts": {"bridge": {"com.docker.network.driver.mtu": "1400"}},
    "default-runtime": "runc",
    "default-shm-size": "64M",
    "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}},
    "dns": ["8.8.8.8", "2001:4860:4860::8888"],
    "dns-opts": ["ndots:2"],
    "dns-search": ["example.com"],
    "exec-opts": ["native.cgroupdriver=systemd"],
    "exec-root": "/var/run/docker",
    "experimental": False,
    "features": {"buildkit": True},
    "fixed-cidr": "172.30.1.0/24",
    "fixed-cidr-v6": "2001:db8:1::/64",
    "group": "docker",
    "hosts": ["unix:///var/run/docker.sock"],
    "icc": False,
    "init": True,
    "init-path": "/usr/libexec/docker/docker-init",
    "insecure-registries": ["registry.local:5000"],
    "ip": "0.0.0.0",
    "ip-forward": True,
    "ip-masq": True,
    "ip6tables": False,
    "iptables": True,
    "ipv6": False,
    "labels": ["env=prod"],
    "live-restore": True,
    "log-driver": "json-file",
    "log-format": "text",
    "log-level": "info",
    "log-opts": {"max-size": "10m", "max-file": "3"},
    "max-concurrent-downloads": 3,
    "max-concurrent-uploads": 5,
    "max-download-attempts": 5,
    "metrics-addr": "127.0.0.1:9323",
    "mtu": 1500,
    "network-control-plane-mtu": 1500,
    "network-diagnostic-port": 2000,
    "no-new-privileges": True,
    "node-generic-resources": ["gpu=1"],
    "pidfile": "/var/run/docker.pid",
    "proxies": {"http-proxy": "http://proxy.example.com:3128", "no-proxy": "localhost"},
    "raw-logs": False,
    "registry-mirrors": ["https://mirror.gcr.io"],
    "runtimes": {"custom": {"path": "/usr/local/bin/custom-runc"}},
    "selinux-enabled": False,
    "shutdown-timeout": 15,
    "storage-driver": "overlay2",
    "storage-opts": ["overlay2.size=10G"],
    "swarm-default-advertise-addr": "eth0",
    "userland-proxy": False,
}

_JSON_TYPES = {bool: "boolean", int: "integer", str: "string", list: "array", dict: "object"}


def _kind(value: Any) -> str:
    return _JSON_TYPES[type(value)]


def _wrong_values(value: Any) -> List[Tuple[str, Any]]:
    """Values of the wrong JSON type for a key whose good value is ``value``."""
    kind = _kind(value)
    if kind == "boolean":
        return [("string", "true"), ("number", 1)]
    if kind == "integer":
        return [
            ("string", str(value)),
            ("float", Raw(f"{value}.0")),
            ("exponent", Raw("1e3")),
            ("fraction", 1.5),
            ("huge", Raw("9223372036854775808")),
            ("bool", True),
        ]
    if kind == "string":
        return [("number", 5), ("bool", True), ("array", [value])]
    if kind == "array":
        return [("string", value[0]), ("number", 1), ("object", {"k": value[0]})]
    return [("string", "x"), ("array", [value]), ("number", 1)]


def typo_cases() -> List[Case]:
    """Typos of real keys, made deterministically by one edit each."""
    rng = random.Random(SEED)
    out: List[Case] = []
    seen = set(GOOD) | {"tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "userns-remap"}
    keys = sorted(GOOD)[::3]
    edits = ["swap", "drop", "underscore", "double", "plural"]
    for key in keys:
        for _ in range(4):
            edit = rng.choice(edits)
            i = rng.randrange(0, len(key) - 1)
            if edit == "swap":
                typo = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
            elif edit == "drop":
                typo = key[:i] + key[i + 1 :]
            elif edit == "underscore":
                typo = key.replace("-", "_") if "-" in key else key[:i] + "_" + key[i:]
            elif edit == "double":
                typo = key[:i] + key[i] + key[i:]
            else:
                typo = key[:-1] if key.endswith("s") else key + "s"
            if typo in seen or typo.startswith("tls"):
                continue
            seen.add(typo)
            out.append(Case(f"typo/{key}->{typo}", one(typo, GOOD[key])))
            break
    for typo, value in [
        ("tls-verify", True),
        ("live_restore", True),
        ("liverestore", True),
        ("log_level", "info"),
        ("storage_driver", "overlay2"),
        ("insecure-registry-mirrors", []),
        ("registry-mirror-urls", []),
        ("max-concurrent-download", 3),
        ("log-opts-max-size", "10m"),
        ("cgroupdriver", "systemd"),
        ("exec-opt ", ["native.cgroupdriver=systemd"]),
        (" debug", True),
        ("", 1),
    ]:
        out.append(Case(f"typo/{typo!r}", one(typo, value)))
    return out


def case_cases() -> List[Case]:
    out = []
    for key, value in [
        ("Debug", True),
        ("DEBUG", True),
        ("Live-Restore", True),
        ("LOG-LEVEL", "info"),
        ("Log-Opts", {"max-size": "10m"}),
        ("Hosts", ["unix:///var/run/docker.sock"]),
        ("Max-Concurrent-Downloads", 3),
        ("Labels", ["a=b"]),
    ]:
        out.append(Case(f"case/{key}", one(key, value)))
    out += [
        Case("case/log-opts-inner-upper", one("log-opts", {"Max-Size": "10m"})),
        Case("case/proxies-inner-upper", one("proxies", {"HTTP-PROXY": "http://p:3128"})),
        Case("case/ulimit-fields-lower", one("default-ulimits", {"nofile": {"name": "nofile", "hard": 10, "soft": 10}})),
        Case("case/ulimit-fields-upper", one("default-ulimits", {"nofile": {"NAME": "nofile", "HARD": 10, "SOFT": 10}})),
        Case("case/address-pool-fields-upper", one("default-address-pools", [{"Base": "10.10.0.0/16", "Size": 24}])),
        Case("case/builder-fields-upper", one("builder", {"GC": {"Enabled": True, "DefaultKeepStorage": "5GB"}})),
        Case("case/runtime-fields-upper", one("runtimes", {"x": {"PATH": "/usr/bin/x"}})),
        Case("case/features-inner-upper", one("features", {"BuildKit": True})),
        Case("case/wrapper-inner-upper", one("x", {"Debug": True})),
        # a wrong-case JSON tag with an object value passes the key check (flattened) and still decodes
        Case("case/Proxies-bad-inner", one("Proxies", {"http-proxy": 5})),
        Case("case/LOG-LEVEL-empty-object", one("LOG-LEVEL", {})),
        Case("case/Features-empty-object", one("Features", {})),
        Case("case/Debug-empty-object", one("Debug", {})),
        Case("case/Log-Opts-empty-object", one("Log-Opts", {})),
    ]
    return out


def type_cases() -> List[Case]:
    keys = sorted(GOOD)
    # every good value, a few keys per file
    out = [Case(f"type/good-{i // 5}", doc(*((k, GOOD[k]) for k in keys[i : i + 5]), anchor=False)) for i in range(0, len(keys), 5)]
    # one wrong type per key, rotating through the wrong kinds; every kind for a few keys
    for index, key in enumerate(keys):
        wrong = _wrong_values(GOOD[key])
        chosen = wrong if key in ("mtu", "debug", "dns", "log-level") else [wrong[index % len(wrong)]]
        for label, value in chosen:
            out.append(Case(f"type/{key}={label}", one(key, value)))
    out += [
        Case("type/null-bool", one("debug", None)),
        Case("type/null-string", one("log-level", None)),
        Case("type/null-array", one("hosts", None)),
        Case("type/null-object", one("log-opts", None)),
        Case("type/null-int", one("mtu", None)),
        Case("type/null-proxies", one("proxies", None)),
        Case("type/null-features", one("features", None)),
        Case("type/null-builder", one("builder", None)),
        Case("type/null-default-address-pools", one("default-address-pools", None)),
        Case("type/null-default-shm-size", one("default-shm-size", None)),
        Case("type/int-negative-zero", one("shutdown-timeout", Raw("-0"))),
        Case("type/int-min-int64", one("shutdown-timeout", Raw("-9223372036854775808"))),
        Case("type/int-below-min-int64", one("shutdown-timeout", Raw("-9223372036854775809"))),
        Case("type/int-max-int64", one("network-control-plane-mtu", Raw("9223372036854775807"))),
        Case("type/int-1E2", one("mtu", Raw("1E2"))),
        Case("type/float-overflow-anywhere", one("label", Raw("1e400"))),
        Case("type/float-overflow-in-log-opts", one("log-opts", {"max-size": Raw("-1e999")})),
        Case("type/array-item-number", one("dns-search", ["example.com", 5])),
        Case("type/array-item-null", one("labels", ["a=b", None])),
        Case("type/hosts-null-item", one("hosts", ["unix:///var/run/docker.sock", None])),
        Case("type/dns-search-null-item", one("dns-search", [None])),
        Case("type/mirrors-null-item", one("registry-mirrors", [None])),
        Case("type/generic-resources-null-item", one("node-generic-resources", [None])),
        Case("type/float-underflow-anywhere", one("x", {"debug": Raw("1e-400")})),
        Case("type/float-overflow-integer-literal", one("label", Raw("9" * 400))),
        Case("type/array-item-array", one("exec-opts", [["native.cgroupdriver=systemd"]])),
        Case("type/array-empty-object", one("labels", {})),
        Case("type/array-object-with-option", one("dns", {"debug": True})),
        Case("type/string-empty-object", one("log-level", {})),
        Case("type/string-object-with-option", one("log-level", {"debug": True})),
        Case("type/bool-empty-object", one("live-restore", {})),
        # log-opts
        Case("log-opts/number", one("log-opts", {"max-size": 10})),
        Case("log-opts/number-max-file", one("log-opts", {"max-size": "10m", "max-file": 3})),
        Case("log-opts/bool", one("log-opts", {"compress": True})),
        Case("log-opts/null-value", one("log-opts", {"max-size": None})),
        Case("log-opts/nested-object", one("log-opts", {"labels": {"a": "b"}})),
        Case("log-opts/array", one("log-opts", ["max-size=10m"])),
        Case("log-opts/string", one("log-opts", "max-size=10m")),
        Case("log-opts/empty", one("log-opts", {})),
        Case("log-opts/unknown-opt", one("log-opts", {"bogus": "x"})),
        Case("log-opts/bad-mode", one("log-opts", {"mode": "bogus", "max-size": "abc"})),
        # default-ulimits
        Case("ulimits/cli-form", one("default-ulimits", {"nofile": "64000:64000"})),
        Case("ulimits/array", one("default-ulimits", [{"Name": "nofile", "Hard": 1, "Soft": 1}])),
        Case("ulimits/hard-string", one("default-ulimits", {"nofile": {"Name": "nofile", "Hard": "64000", "Soft": 64000}})),
        Case("ulimits/soft-float", one("default-ulimits", {"nofile": {"Name": "nofile", "Hard": 10, "Soft": 1.5}})),
        Case("ulimits/unknown-field", one("default-ulimits", {"nofile": {"Name": "nofile", "Hard": 1, "Soft": 1, "Max": 2}})),
        Case("ulimits/unknown-name", one("default-ulimits", {"bogus": {"Name": "bogus", "Hard": 1, "Soft": 1}})),
        Case("ulimits/soft-above-hard", one("default-ulimits", {"nofile": {"Name": "nofile", "Hard": 1, "Soft": 2}})),
        Case("ulimits/empty-entry", one("default-ulimits", {"nofile": {}})),
        Case("ulimits/null-entry", one("default-ulimits", {"nofile": None})),
        Case("ulimits/empty", one("default-ulimits", {})),
        # default-address-pools
        Case("pools/object", one("default-address-pools", {"base": "10.10.0.0/16", "size": 24})),
        Case("pools/empty-object", one("default-address-pools", {})),
        Case("pools/strings", one("default-address-pools", ["10.10.0.0/16"])),
        Case("pools/size-string", one("default-address-pools", [{"base": "10.10.0.0/16", "size": "24"}])),
        Case("pools/base-number", one("default-address-pools", [{"base": 10, "size": 24}])),
        Case("pools/base-bogus", one("default-address-pools", [{"base": "bogus", "size": 24}])),
        Case("pools/base-no-mask", one("default-address-pools", [{"base": "10.10.0.0", "size": 24}])),
        Case("pools/base-empty", one("default-address-pools", [{"base": "", "size": 24}])),
        Case("pools/base-host-bits", one("default-address-pools", [{"base": "10.10.1.1/16", "size": 24}])),
        Case("pools/base-v6", one("default-address-pools", [{"base": "fd00::/48", "size": 64}])),
        Case("pools/base-mask-33", one("default-address-pools", [{"base": "10.10.0.0/33", "size": 24}])),
        Case("pools/base-mask-leading-zero", one("default-address-pools", [{"base": "10.10.0.0/016", "size": 24}])),
        Case("pools/missing-size", one("default-address-pools", [{"base": "10.10.0.0/16"}])),
        Case("pools/size-too-small", one("default-address-pools", [{"base": "10.10.0.0/16", "size": 8}])),
        Case("pools/unknown-field", one("default-address-pools", [{"base": "10.10.0.0/16", "size": 24, "gateway": "x"}])),
        Case("pools/empty-array", one("default-address-pools", [])),
        # features
        Case("features/string", one("features", {"buildkit": "yes"})),
        Case("features/number", one("features", {"buildkit": 1})),
        Case("features/null-value", one("features", {"buildkit": None})),
        Case("features/object-value", one("features", {"buildkit": {"enabled": True}})),
        Case("features/unknown-name", one("features", {"bogus-feature": True})),
        Case("features/array", one("features", ["buildkit"])),
        Case("features/cdi-false", one("features", {"cdi": False})),
        Case("features/containerd-snapshotter", one("features", {"containerd-snapshotter": True})),
        # builder
        Case("builder/unknown-inner", one("builder", {"bogus": 1})),
        Case("builder/gc-enabled-string", one("builder", {"gc": {"enabled": "true"}})),
        Case("builder/gc-policy-object", one("builder", {"gc": {"policy": {"all": True}}})),
        Case("builder/gc-policy-good", one("builder", {"gc": {"policy": [{"all": True, "keepStorage": "20GB"}]}})),
        Case("builder/keepstorage-number", one("builder", {"gc": {"defaultKeepStorage": 10}})),
        Case("builder/entitlements-bad", one("builder", {"entitlements": {"network-host": "yes"}})),
        Case("builder/string", one("builder", "x")),
        Case("builder/filter-strings", one("builder", {"gc": {"policy": [{"filter": ["type=source.local"], "keepStorage": "1GB"}]}})),
        Case("builder/filter-args-form", one("builder", {"gc": {"policy": [{"filter": {"type": {"source.local": True}}}]}})),
        Case("builder/filter-string", one("builder", {"gc": {"policy": [{"filter": "type=source.local"}]}})),
        Case("builder/filter-numbers", one("builder", {"gc": {"policy": [{"filter": [1]}]}})),
        Case("builder/reserved-space-number", one("builder", {"gc": {"policy": [{"reservedSpace": 10}]}})),
        Case("builder/default-max-used-number", one("builder", {"gc": {"defaultMaxUsedSpace": 10}})),
        Case("builder/history-good", one("builder", {"history": {"maxAge": "48h", "maxEntries": 100}})),
        Case("builder/history-max-entries-string", one("builder", {"history": {"maxEntries": "100"}})),
        Case("builder/history-max-age-number", one("builder", {"history": {"maxAge": 3600}})),
        Case("builder/history-string", one("builder", {"history": "x"})),
        # runtimes
        Case("runtimes/unknown-field", one("runtimes", {"x": {"path": "/a", "bogus": 1}})),
        Case("runtimes/path-number", one("runtimes", {"x": {"path": 5}})),
        Case("runtimes/args-string", one("runtimes", {"x": {"path": "/a", "runtimeArgs": "--debug"}})),
        Case("runtimes/string-entry", one("runtimes", {"x": "/usr/bin/x"})),
        Case("runtimes/array", one("runtimes", [{"path": "/a"}])),
        Case("runtimes/reserved-runc", one("runtimes", {"runc": {"path": "/usr/bin/runc"}})),
        Case("runtimes/empty-entry", one("runtimes", {"x": {}})),
        Case("runtimes/type-and-path", one("runtimes", {"x": {"path": "/a", "runtimeType": "io.containerd.runc.v2"}})),
        Case("runtimes/options-object", one("runtimes", {"x": {"runtimeType": "io.containerd.runc.v2", "options": {"BinaryName": "/a"}}})),
        Case("runtimes/options-string", one("runtimes", {"x": {"runtimeType": "io.containerd.runc.v2", "options": "x"}})),
        Case("runtimes/default-runtime-missing", doc(("default-runtime", "bogus"))),
        # default-network-opts
        Case("network-opts/string-value", one("default-network-opts", {"bridge": "x"})),
        Case("network-opts/number-inner", one("default-network-opts", {"bridge": {"com.docker.network.driver.mtu": 1400}})),
        Case("network-opts/array", one("default-network-opts", [])),
        # proxies
        Case("proxies/number", one("proxies", {"http-proxy": 5})),
        Case("proxies/unknown-inner", one("proxies", {"bogus": "x"})),
        Case("proxies/flag-inside", one("proxies", {"debug": True})),
        Case("proxies/empty", one("proxies", {})),
        Case("proxies/string", one("proxies", "http://proxy:3128")),
        Case("proxies/array", one("proxies", [])),
        Case("proxies/https-and-no-proxy", one("proxies", {"https-proxy": "https://u:p@proxy:3128", "no-proxy": "*.local"})),
        Case("proxies/underscore", one("proxies", {"http_proxy": "http://proxy:3128"})),
    ]
    return out


def nesting_cases() -> List[Case]:
    return [
        Case("nest/wrapper-empty", one("x", {})),
        Case("nest/wrapper-bool-flag", one("x", {"debug": True})),
        Case("nest/wrapper-bool-flag-string", one("x", {"debug": "notbool"})),
        Case("nest/wrapper-unknown", one("x", {"bogus": 1})),
        Case("nest/wrapper-negative-int", one("x", {"max-concurrent-downloads": -1})),
        Case("nest/wrapper-bad-log-level", one("x", {"log-level": "bogus"})),
        Case("nest/wrapper-bad-hosts", one("x", {"hosts": "ftp://x"})),
        Case("nest/wrapper-singular-flag", one("x", {"label": 1})),
        Case("nest/wrapper-short-flag", one("x", {"D": True})),
        Case("nest/wrapper-flat-option", one("x", {"log-opts": {"max-size": "10m"}})),
        Case("nest/wrapper-flat-option-bad", one("x", {"log-opts": {"max-size": 10}})),
        Case("nest/wrapper-two-levels", one("x", {"y": {"debug": True}})),
        Case("nest/wrapper-skip-validate", one("x", {"features": {"buildkit": True}})),
        Case("nest/wrapper-json-only-key", one("x", {"proxies": {"http-proxy": "x"}})),
        Case("nest/wrapper-rejected-key", one("x", {"default-init": "x"})),
        Case("nest/wrapper-typo", one("settings", {"live_restore": True})),
        Case("nest/wrapper-mixed", one("docker", {"debug": True, "bogus": 1})),
        Case("nest/wrapper-array", one("x", [{"bogus": 1}])),
        Case("nest/wrapper-string", one("x", "y")),
        Case("nest/wrapper-number", one("x", 1)),
        Case("nest/wrapper-null", one("x", None)),
        Case("nest/flag-name-as-wrapper", one("debug", {"live-restore": True})),
        Case("nest/log-opt-singular-object", one("log-opt", {"max-size": "10m"})),
        Case("nest/default-ulimit-singular-object", one("default-ulimit", {"nofile": {"Name": "nofile", "Hard": 1, "Soft": 1}})),
        Case("nest/add-runtime-object", one("add-runtime", {"x": {"path": "/a"}})),
        Case("nest/feature-singular-object", one("feature", {"buildkit": True})),
        Case("nest/label-empty-object", one("label", {})),
        Case("nest/label-object-with-option", one("label", {"debug": True})),
        Case("nest/default-network-opt-object", one("default-network-opt", {"bridge": {"a": "b"}})),
        Case("nest/swarm-raft-object", one("swarm-raft-heartbeat-tick", {})),
        Case("nest/http-proxy-in-wrapper", one("x", {"http-proxy": "http://p:3128"})),
        Case("nest/deep-array", one("dns-search", [[[[["x"]]]]])),
        Case("nest/deep-objects", one("builder", {"gc": {"policy": [{"filter": {"a": {"b": {"c": 1}}}}]}})),
    ]


def duplicate_cases() -> List[Case]:
    return [
        Case("dup/log-level-bad-then-good", doc(("log-level", "bogus"), ("log-level", "info"))),
        Case("dup/log-level-good-then-bad", doc(("log-level", "info"), ("log-level", "bogus"))),
        Case("dup/debug-bad-type-then-good", doc(("debug", "x"), ("debug", True))),
        Case("dup/debug-good-then-bad-type", doc(("debug", True), ("debug", "x"))),
        Case("dup/mtu-negative-then-good", doc(("mtu", -1), ("mtu", 1500))),
        Case("dup/mtu-good-then-negative", doc(("mtu", 1500), ("mtu", -1))),
        Case("dup/hosts-bad-then-good", doc(("hosts", ["ftp://x"]), ("hosts", ["unix:///var/run/docker.sock"]))),
        Case("dup/hosts-good-then-bad", doc(("hosts", ["unix:///var/run/docker.sock"]), ("hosts", ["ftp://x"]))),
        Case("dup/labels-conflict-across", doc(("labels", ["a=b"]), ("labels", ["a=c"]))),
        Case("dup/unknown-twice", doc(("bogus", 1), ("bogus", 2))),
        Case("dup/same-value", doc(("debug", True), ("debug", True))),
        Case("dup/log-opts-inner-bad-then-good", one("log-opts", Pairs([("max-size", 10), ("max-size", "10m")]))),
        Case("dup/log-opts-inner-good-then-bad", one("log-opts", Pairs([("max-size", "10m"), ("max-size", 10)]))),
        Case("dup/wrapper-bad-then-empty", doc(("x", {"bogus": 1}), ("x", {}))),
        Case("dup/wrapper-empty-then-bad", doc(("x", {}), ("x", {"bogus": 1}))),
        Case("dup/array-key-object-then-array", doc(("dns", {"bogus": 1}), ("dns", ["8.8.8.8"]))),
        Case("dup/array-key-array-then-object", doc(("dns", ["8.8.8.8"]), ("dns", {"debug": True}))),
        Case("dup/removed-then-good", doc(("graph", "/x"), ("data-root", "/x"))),
        Case("dup/ipc-bad-then-good", doc(("default-ipc-mode", "host"), ("default-ipc-mode", "private"))),
        Case("dup/shm-bad-then-good", doc(("default-shm-size", "abc"), ("default-shm-size", "64M"))),
        Case("dup/network-diag-bad-then-good", doc(("network-diagnostic-port", 70000), ("network-diagnostic-port", 2000))),
        Case("dup/mirrors-bad-then-good", doc(("registry-mirrors", ["ftp://x"]), ("registry-mirrors", ["https://x"]))),
        Case("dup/features-bad-then-good", one("features", Pairs([("buildkit", "yes"), ("buildkit", True)]))),
        Case("dup/wrapper-inner-dup-unknown", one("x", Pairs([("bogus", 1), ("bogus", 2)]))),
        Case("dup/proxies-null-then-object", doc(("proxies", None), ("proxies", {}))),
        Case("dup/proxies-object-then-null", doc(("proxies", {}), ("proxies", None))),
    ]


def _utf16(text: str, codec: str, bom: bytes = b"") -> bytes:
    return bom + text.encode(codec)


def syntax_cases() -> List[Case]:
    good = '{"debug": false, "log-level": "info"}'
    raw: List[Tuple[str, bytes]] = [
        ("trailing-comma-object", b'{"debug": false,}'),
        ("trailing-comma-array", b'{"debug": false, "dns": ["8.8.8.8",]}'),
        ("line-comment", b'{\n  // enable debug\n  "debug": true\n}'),
        ("block-comment", b'{"debug": /* on */ true}'),
        ("hash-comment", b'{\n# comment\n"debug": true}'),
        ("single-quotes", b"{'debug': true}"),
        ("single-quoted-value", b'{"log-level": \'info\'}'),
        ("unquoted-key", b'{debug: true}'),
        ("concatenated", b'{"debug": true}{"log-level": "info"}'),
        ("concatenated-newline", b'{"debug": true}\n{"log-level": "info"}\n'),
        ("unterminated-object", b'{"debug": true'),
        ("unterminated-string", b'{"log-level": "info}'),
        ("missing-colon", b'{"debug" true}'),
        ("missing-comma", b'{"debug": true "log-level": "info"}'),
        ("python-true", b'{"debug": True}'),
        ("nan", b'{"mtu": NaN}'),
        ("leading-zero", b'{"mtu": 01500}'),
        ("plus-number", b'{"mtu": +1500}'),
        ("hex-number", b'{"mtu": 0x5dc}'),
        ("trailing-dot", b'{"mtu": 1500.}'),
        ("tab-in-string", b'{"log-level": "in\tfo"}'),
        ("bad-escape", b'{"log-level": "\\info"}'),
        ("escaped-key", b'{"deb\\u0075g": true}'),
        ("lone-surrogate", b'{"debug": false, "labels": ["a=\\ud800"]}'),
        ("bom-utf8", codecs.BOM_UTF8 + good.encode()),
        ("bom-utf8-twice", codecs.BOM_UTF8 + codecs.BOM_UTF8 + good.encode()),
        ("utf16le-bom", _utf16(good, "utf-16-le", codecs.BOM_UTF16_LE)),
        ("utf16be-bom", _utf16(good, "utf-16-be", codecs.BOM_UTF16_BE)),
        ("utf16le-no-bom", _utf16(good, "utf-16-le")),
        ("utf16be-no-bom", _utf16(good, "utf-16-be")),
        ("utf16le-bom-bad", _utf16('{"debug": false,}', "utf-16-le", codecs.BOM_UTF16_LE)),
        ("utf16le-bom-unknown", _utf16('{"debug": false, "bogus": 1}', "utf-16-le", codecs.BOM_UTF16_LE)),
        ("invalid-utf8-value", b'{"debug": false, "labels": ["a=\xff"]}'),
        ("invalid-utf8-key", b'{"debug": false, "\xc3\x28": 1}'),
        ("latin1-value", '{"debug": false, "labels": ["caf\xe9=1"]}'.encode("latin-1")),
        ("utf8-non-ascii-value", '{"debug": false, "labels": ["café=1"]}'.encode()),
        ("nul-byte-outside", b'{"debug": false}\x00'),
        # broken so badly that the top level cannot be told: the dockerd option names still show
        ("missing-open-brace", b'"debug": true, "log-opts": {"max-size": "10m"}}'),
        ("shifted-quotes", b'{"max-concurrent-downloads"7 3, "x": {debug": true}, "hosts": ["unix:///x"]}'),
        ("empty", b""),
        ("whitespace", b" \n\t\r\n"),
        ("null", b"null"),
        ("null-padded", b"\n null \n"),
        ("empty-object", b"{}"),
        ("empty-array", b"[]"),
        ("array-of-object", b'[{"debug": true}]'),
        ("string", b'"x"'),
        ("number", b"1"),
        ("true", b"true"),
        ("crlf", b'{\r\n  "debug": true\r\n}\r\n'),
        ("vertical-tab-trim", b'\x0b{"debug": true}\x0b'),
        ("nbsp-trim", '\u00a0{"debug": true}\u00a0'.encode()),
        ("form-feed-inside", b'{\x0c"debug": true}'),
        ("deep-nesting", b'{"debug": false, "x": ' + b"[" * 200 + b"]" * 200 + b"}"),
        # encoding/json allows 10000 levels; the object counts as one
        ("depth-10000", b'{"debug": false, "x": ' + b"[" * 9999 + b"]" * 9999 + b"}"),
        ("depth-10001", b'{"debug": false, "x": ' + b"[" * 10000 + b"]" * 10000 + b"}"),
        ("bom-utf8-only", codecs.BOM_UTF8),
        ("bom-utf16-only", codecs.BOM_UTF16_LE),
        ("bom-null", codecs.BOM_UTF8 + b" null "),
        ("utf16le-bom-odd-byte", _utf16(good, "utf-16-le", codecs.BOM_UTF16_LE) + b"\x00"),
    ]
    return [Case(f"syntax/{name}", data) for name, data in raw]


def _values(key: str, items: Iterable[Tuple[str, Any]]) -> List[Case]:
    return [Case(f"value/{key}={label}", one(key, value)) for label, value in items]


def _same(values: Sequence[Any]) -> List[Tuple[str, Any]]:
    return [(json.dumps(v, ensure_ascii=False), v) for v in values]


def value_cases() -> List[Case]:
    out: List[Case] = []
    out += _values("log-level", _same(["debug", "INFO", "Warn", "warning", "fatal", "trace", "panic", "bogus", "", " info"]))
    out += _values("log-format", _same(["json", "text", "JSON", "xml", ""]))
    out += _values(
        "dns-search",
        _same(
            [
                ["example.com"],
                ["."],
                ["example.com."],
                ["-bad.com"],
                ["a..b"],
                ["1.2.3.4"],
                ["exa mple.com"],
                ["_srv.example.com"],
                [""],
                ["x" * 256],
                [":example.com"],
                [" example.com "],
                ["example.com\n"],
                ["123"],
                ["a_b.example.com"],
            ]
        ),
    )
    out += _values(
        "labels",
        _same(
            [
                ["env=prod", "team=infra"],
                ["novalue"],
                ["=v"],
                ["k="],
                ["a=b=c"],
                ["a=b", "a=c"],
                ["a=b", "a=b"],
                [""],
                ["com.docker.x=y"],
                ["IO.Docker.x=y"],
                ["com.dockerx=y"],
            ]
        ),
    )
    out += _values(
        "hosts",
        _same(
            [
                ["unix:///var/run/docker.sock"],
                ["unix://"],
                ["fd://"],
                ["fd://3"],
                ["tcp://0.0.0.0:2375"],
                ["tcp://127.0.0.1"],
                ["tcp://:2375"],
                ["tcp://[::1]:2375"],
                ["tcp://localhost:2375/path"],
                ["tcp://localhost:abc"],
                ["tcp://0.0.0.0:99999"],
                ["tcp://user@host:2375"],
                ["localhost:2375"],
                [":2375"],
                ["npipe:////./pipe/docker_engine"],
                ["ssh://host"],
                ["http://host:2375"],
                ["udp://host:2375"],
                [""],
                [" "],
                ["tcp://host:2375?x=1"],
                ["tcp://host:2375/"],
                ["tcp:///x"],
                ["tcp://0.0.0.0:0"],
                ["tcp://h:00"],
                ["tcp://h:99999999999999999999"],
                ["tcp://a b:2375"],
                ["tcp://h{x}:2375"],
                ["tcp://h%41:2375"],
                ["tcp://h%C3%A9:2375"],
                ["tcp://[::1"],
                ["tcp://[::1]"],
                ["tcp://[::1]x:2375"],
                ["tcp://[fe80::1%eth0]:2375"],
                ["tcp://[fe80::1%25eth0]:2375"],
                ["tcp://[1.2.3.4]:2375"],
                ["tcp://a[::1]:2375"],
                ["tcp://a:b:2375"],
                ["tcp://::1:2375"],
                ["tcp://u:p@h:2375"],
                ["tcp://u{@h:2375"],
                ["tcp://h:2375#frag"],
                ["tcp://h:2375#%zz"],
                ["unix:/path"],
                ["unix://unix://x"],
                [" tcp://h:2375 "],
                ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"],
            ]
        ),
    )
    out += _values("mtu", _same([-1, 0, 100000]))
    out += _values("max-concurrent-downloads", _same([-1, 0]))
    for key in ("network-control-plane-mtu", "max-concurrent-uploads", "max-download-attempts", "shutdown-timeout"):
        out += _values(key, _same([-1]))
    out += _values("network-diagnostic-port", _same([0, 65535, 65536, -1]))
    out += _values("default-ipc-mode", _same(["shareable", "private", "host", "none", "container:abc", "bogus", "", "Shareable"]))
    out += _values("default-cgroupns-mode", _same(["host", "private", "bogus", "", "Host"]))
    out += _values(
        "fixed-cidr-v6",
        _same(
            [
                "2001:db8::/64",
                "10.0.0.0/8",
                "bogus",
                "2001:db8::",
                "::ffff:10.0.0.0/104",
                "::ffff:1.2.3.4/64",
                "fe80::%eth0/64",
                "",
                "2001:db8::1/64",
                "fe80::/64",
                "fe80::/60",
                "fe00::/7",
                "ff02::/64",
                "::/0",
                "2001:db8::/064",
                "2001:db8::/129",
            ]
        ),
    )
    out += _values("fixed-cidr", _same(["bogus", "10.0.0.0"]))
    out += _values("bip", _same(["bogus", "172.17.0.1"]))
    out += _values(
        "node-generic-resources",
        _same(
            [
                ["gpu=1"],
                ["gpu"],
                ["a=b=c"],
                ["=1"],
                ["gpu="],
                ["NVIDIA-GPU=UUID1", "NVIDIA-GPU=UUID2"],
                [""],
                ["gpu=-1"],
                ["gpu=1", "gpu=2"],
                ["gpu=1", "gpu=a"],
                ["gpu=99999999999999999999"],
                [" gpu = 1"],
            ]
        ),
    )
    out += _values(
        "exec-opts",
        _same(
            [
                ["native.cgroupdriver=cgroupfs"],
                ["native.cgroupdriver=bogus"],
                ["isolation=hyperv"],
                ["bogus"],
                ["foo=bar"],
                [" native.cgroupdriver = systemd"],
                ["Native.CgroupDriver=systemd"],
                ["native.cgroupdriver="],
                ["=systemd"],
                [""],
            ]
        ),
    )
    out += _values(
        "registry-mirrors",
        _same(
            [
                ["https://mirror.example.com"],
                ["http://mirror.example.com:5000"],
                ["ftp://mirror.example.com"],
                ["mirror.example.com"],
                ["https://user:pass@mirror.example.com"],
                ["https://mirror.example.com?x=1"],
                ["https://mirror.example.com#frag"],
                ["https://mirror.example.com?"],
                ["https://mirror.example.com#"],
                ["https://user@mirror.example.com"],
                ["https://mirror.example.com:abc"],
                ["https://mirror.example.com/%zz"],
                ["https://[::1"],
                ["https://[1.2.3.4]"],
                ["1http://mirror.example.com"],
                ["://mirror.example.com"],
                [""],
            ]
        ),
    )
    out += _values("insecure-registries", _same([["ftp://registry:5000"], ["http://registry:5000"], ["10.0.0.0/8"], ["bogus host"]]))
    out += _values("ip", _same(["1.2.3.4", "::1", "bogus", "", "1.2.3.4%eth0", "01.2.3.4", "1.2.3.4/24", "::ffff:1.2.3.4"]))
    for key in ("default-gateway", "default-gateway-v6", "host-gateway-ip"):
        out += _values(key, _same(["bogus", "", "fe80::1%eth0"]))
    out += _values("dns", _same([["8.8.8.8"], ["bogus"], ["8.8.8.8:53"], [""], ["fe80::1%eth0"], ["2001:db8::1"]]))
    out += _values(
        "default-shm-size",
        _same(["64M", "1g", "64MiB", "64 MB", "1.5G", "64", "abc", "", "-1", "1.2.3M", "64k", "1e3", "64MB ", "64M\n", "5iB", ".5M", "+5M", "1_000", "-0", "5 M", "0x1p4", "5bb"]),
    )
    out += _values("storage-driver", _same(["aufs", "devicemapper", "overlay", "bogus"]))
    out += _values("seccomp-profile", _same(["unconfined", "builtin"]))
    out += _values("default-runtime", _same(["io.containerd.runc.v2", "bogus"]))
    out += _values("userland-proxy", _same([True]))
    out += _values("metrics-addr", _same(["bogus", "0.0.0.0:9323"]))
    out += _values(
        "host-gateway-ips",
        _same([["1.2.3.4"], ["bogus"], [""], ["", ""], [None], ["1.2.3.4", "1.2.3.5"], ["1.2.3.4", "::ffff:1.2.3.5"], ["1.2.3.4", "2001:db8::1"], ["fe80::1%eth0"]]),
    )
    out += [
        Case("value/host-gateway-ip-and-ips", doc(("host-gateway-ip", "1.2.3.4"), ("host-gateway-ips", ["1.2.3.5"]))),
        Case("value/icc-false-iptables-false", doc(("icc", False), ("iptables", False))),
        Case("value/ipv6-without-cidr", doc(("ipv6", True))),
        Case("value/bridge-and-bip", doc(("bridge", "br0"), ("bip", "172.30.0.1/16"))),
        Case("value/labels-conflict-three", doc(("labels", ["a=1", "b=2", "a=3"]))),
        Case("value/host-gateway-ip-wrapped-and-ips", doc(("x", {"host-gateway-ip": "1.2.3.4"}), ("host-gateway-ips", ["1.2.3.5"]))),
        Case("value/log-level-newline", doc(("log-level", "info\n"))),
    ]
    return out


def lifecycle_cases() -> List[Case]:
    """Removed, renamed, added-later, rejected and singular keys, and Windows-only settings."""
    items: List[Tuple[str, Any]] = [
        ("graph", "/var/lib/docker"),
        ("cluster-store", "consul://localhost:8500"),
        ("cluster-advertise", "eth0:2376"),
        ("cluster-store-opts", {"kv.path": "/x"}),
        ("oom-score-adjust", -500),
        ("oom-score-adjust", 0),
        ("api-cors-header", "*"),
        ("api-cors-header", ""),
        ("api-enable-cors", True),
        ("disable-legacy-registry", True),
        ("disable-legacy-registry", False),
        ("deprecated-key-path", "/etc/docker/key.json"),
        ("deprecated-key-path", 5),
        ("api-cors-header", 5),
        ("allow-nondistributable-artifacts", 5),
        ("allow-nondistributable-artifacts", ["registry.local:5000"]),
        ("allow-nondistributable-artifacts", "x"),
        ("min-api-version", "1.24"),
        ("default-stop-timeout", 10),
        ("bip6", "fd00::1/64"),
        ("allow-direct-routing", True),
        ("firewall-backend", "nftables"),
        ("ip-forward-no-drop", True),
        ("nri-opts", {"enable": True}),
        ("bridge-accept-fwmark", "0x1"),
        ("containerd-plugin-namespace", "plugins"),
        ("containerd-plugins-namespace", "plugins"),
        ("containerd-plugins-namespace", 5),
        ("swarm-raft-heartbeat-tick", 1),
        ("swarm-raft-election-tick", 10),
        ("default-init", "x"),
        ("resolv-conf", "/etc/resolv.conf"),
        ("label", ["a=b"]),
        ("label", 123),
        ("host", ["unix:///var/run/docker.sock"]),
        ("log-opt", "max-size=10m"),
        ("dns-opt", ["ndots:1"]),
        ("exec-opt", ["native.cgroupdriver=systemd"]),
        ("storage-opt", ["x=y"]),
        ("registry-mirror", "https://x"),
        ("insecure-registry", "x:5000"),
        ("authorization-plugin", "x"),
        ("default-ulimit", "nofile=1:1"),
        ("default-address-pool", "base=10.0.0.0/8,size=24"),
        ("node-generic-resource", "gpu=1"),
        ("cdi-spec-dir", "/etc/cdi"),
        ("default-network-opt", "bridge=a=b"),
        ("feature", "buildkit=true"),
        ("http-proxy", 5),
        ("https-proxy", "https://p:3128"),
        ("no-proxy", "localhost"),
        ("version", True),
        ("help", "x"),
        ("restart", False),
        ("restart", "x"),
        ("service-name", "docker"),
        ("register-service", True),
        ("run-service", True),
        ("D", True),
        ("H", ["unix:///var/run/docker.sock"]),
        ("data_root", "/x"),
        ("features", {"windows-dns-proxy": True}),
        ("features", {"windows-dns-proxy": False}),
        ("exec-opts", ["isolation=process"]),
    ]
    out = []
    for key, value in items:
        out.append(Case(f"lifecycle/{key}={json.dumps(value)}", one(key, value)))
    out.append(Case("lifecycle/graph-and-data-root", doc(("graph", "/a"), ("data-root", "/b"))))
    # an object is flattened away before the key check, unless the key is a flat option, as
    # cluster-store-opts still is long after its removal
    out.append(Case("lifecycle/graph-empty-object", one("graph", {})))
    out.append(Case("lifecycle/graph-object-with-option", one("graph", {"debug": True})))
    out.append(Case("lifecycle/graph-string-then-object", doc(("graph", "/x"), ("graph", {}))))
    out.append(Case("lifecycle/cluster-store-opts-empty-object", one("cluster-store-opts", {})))
    out.append(Case("lifecycle/disable-legacy-registry-object", one("disable-legacy-registry", {"init-path": [None]})))
    out.append(Case("lifecycle/wrapped-removed", one("x", {"graph": "/a"})))
    out.append(Case("lifecycle/wrapped-oom", one("x", {"oom-score-adjust": 10})))
    return out


def cases() -> List[Case]:
    """Every case, in a fixed order, with unique names."""
    out = typo_cases() + case_cases() + type_cases() + nesting_cases() + duplicate_cases() + syntax_cases() + value_cases() + lifecycle_cases()
    names = [c.name for c in out]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"case names repeat: {sorted(duplicates)}"
    return out


# Files named daemon.json that are not Docker daemon configurations at all: dlint skips them on
# purpose (no key is known to any dockerd), dockerd would refuse them. Asserted separately.
DECOYS: List[Case] = [
    Case("decoy/pm2", b'{"apps": [{"name": "api", "script": "server.js", "instances": 2}]}\n'),
    Case("decoy/app-settings", b'{"port": 8080, "daemon": true, "workers": 4}\n'),
    Case("decoy/broken-pm2", b'{"apps": [{"name": "api",}]}\n'),
]


if __name__ == "__main__":  # pragma: no cover - a listing for humans
    for case in cases():
        print(f"{case.name}\t{case.text()[:120]!r}")
    print(len(cases()), "cases")

"""Engine knowledge built from the facts: statuses per version and platform, flags, schema."""

from __future__ import annotations

import jsonschema
import pytest

from dlint_docker.engine.knowledge import engine, key_table, newest_release
from dlint_docker.engine.suggest import suggest
from dlint_docker.engine.versions import parse_version


def test_the_key_table_is_the_shared_facts():
    table = key_table()
    assert len(table) == 132
    assert {f.kind for f in table.values()} == {"option", "ignored", "rejected"}


def test_newest_release_is_the_default():
    assert newest_release() == "29.7"


@pytest.mark.parametrize(
    "version,platform,key,state,reason",
    [
        ("26.1", "linux", "live-restore", "option", ""),
        ("26.1", "windows", "live-restore", "unknown", "platform"),
        ("26.1", "linux", "label", "ignored", ""),
        ("26.1", "linux", "containerd-plugin-namespace", "unknown", "rejected"),
        ("24.0", "linux", "log-format", "unknown", "not-yet"),
        ("25.0", "linux", "log-format", "option", ""),
        ("20.10", "linux", "graph", "deprecated", ""),
        ("23.0", "linux", "graph", "error", "removed"),
        ("24.0", "linux", "graph", "unknown", "removed"),
        ("28.5", "linux", "allow-nondistributable-artifacts", "ignored", "removed"),
        ("26.1", "linux", "tls-verify", "unknown", "typo"),
    ],
)
def test_status(version, platform, key, state, reason):
    status = engine(version, platform).status(key)
    assert (status.state, status.reason) == (state, reason)


def test_flag_map_long_short_singular_plural():
    flags = engine("28.5").flag_map()
    assert flags["-H"] == flags["--host"] == "hosts"
    assert flags["--label"] == "labels"
    assert flags["-D"] == flags["--debug"] == "debug"
    assert flags["--live-restore"] == "live-restore"
    assert flags["--add-runtime"] == "runtimes"
    assert flags["--host-gateway-ip"] == "host-gateway-ips"
    assert engine("26.1").flag_map()["--host-gateway-ip"] == "host-gateway-ip"


def test_reloadable_set():
    reloadable = engine("26.1").reloadable
    assert {"live-restore", "debug", "labels", "insecure-registries", "registry-mirrors", "default-runtime"} <= reloadable
    assert "storage-driver" not in reloadable and "hosts" not in reloadable


# dockerd-facts.md 1.3 (moby@v26.1.5 daemon/reload.go, reload_unix.go; cmd/dockerd/daemon.go
# reloadConfig, which applies debug only: log-level is not reloaded)
FACTS_RELOAD_COMMON = {"debug", "labels", "live-restore", "max-concurrent-downloads", "max-concurrent-uploads", "max-download-attempts",
                       "shutdown-timeout", "features", "insecure-registries", "registry-mirrors", "network-diagnostic-port",
                       "authorization-plugins"}
FACTS_RELOAD_LINUX = {"runtimes", "default-runtime", "default-shm-size", "default-ipc-mode", "default-cgroupns-mode"}


@pytest.mark.parametrize("version, extra", [
    ("20.10", {"allow-nondistributable-artifacts", "cluster-store", "cluster-advertise", "cluster-store-opts"}),
    ("26.1", {"allow-nondistributable-artifacts"}),
    ("27.5", {"allow-nondistributable-artifacts"}),  # (<=27.x)
    ("28.0", set()),  # a no-op from 28.0: reloaded by none
    ("29.2", {"nri-opts"}),
    ("29.7", {"nri-opts", "default-stop-timeout"}),
])
def test_the_reloadable_set_is_that_of_the_facts(version, extra):
    assert engine(version).reloadable == FACTS_RELOAD_COMMON | FACTS_RELOAD_LINUX | extra
    assert "log-level" not in engine(version).reloadable


def test_windows_reloads_no_platform_option():
    from dlint_docker.change.impact import live_restore_data

    # reloadPlatform does nothing on Windows: the Linux-only reloads are data beside the key table
    assert set(live_restore_data()["reload_linux_only"]) == FACTS_RELOAD_LINUX
    assert engine("26.1", "windows").reloadable - FACTS_RELOAD_LINUX == FACTS_RELOAD_COMMON - {"live-restore"} | {"allow-nondistributable-artifacts"}


def test_json_tags_match_case_insensitively():
    assert engine("26.1").json_tag("Proxies") == "proxies"
    assert engine("26.1").json_tag("nonsense") is None


@pytest.mark.parametrize("version", ["20.10", "24.0", "26.1", "28.5", "29.7"])
@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_document_schema_is_valid_and_follows_flattening(version, platform):
    schema = engine(version, platform).document_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"debug": True, "wrapper": {"debug": False}})
    assert not validator.is_valid({"tls-verify": True})
    assert not validator.is_valid({"wrapper": {"bogus": 1}})
    assert validator.is_valid({"log-opts": {"anything": "goes"}})
    assert validator.is_valid({"live-restore": True}) is (platform == "linux")


def test_suggestions():
    options = [k for k, f in key_table().items() if f.kind == "option"]
    assert suggest("tls-verify", options) == "tlsverify"
    assert suggest("live_restore", options) == "live-restore"
    assert suggest("insecure-registry", options) == "insecure-registries"
    assert suggest("apps", options) is None


def test_versions():
    assert parse_version("v26.1.5+dfsg1") == (26, 1)
    assert parse_version("<=1.13") == (1, 13)
    assert str(parse_version("19.03")) == "19.03"
    with pytest.raises(ValueError):
        parse_version("latest")

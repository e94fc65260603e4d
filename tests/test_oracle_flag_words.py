"""Differential tests of dockerd's command line word by word: for each set of flag words, dlint
reports a config-load finding exactly when real dockerd --validate exits non-zero.

dlint reads the words from a drop-in that resets ExecStart, over a daemon.json that is valid on its
own; the oracle gets the same file and the same words. The words go after ``--validate
--config-file FILE``, so a value flag at the end cannot take --validate as its value (dockerd
would then start). Left out: words whose verdict depends on the machine (TLS files, userns-remap,
a TCP socket without TLS), and the structured flags dlint does not judge yet (--default-address-pool,
--default-ulimit, --add-runtime: their value syntax is their own).
"""

from __future__ import annotations

import json
import shlex
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

import pytest

from dlint_docker.scan import Options, run

from .helpers import write_tree
from .test_oracle import Oracle, _dockerd, oracles  # noqa: F401  (oracles is a fixture)

DAEMON_JSON = {"max-concurrent-uploads": 5}

WORDS = [
    # accepted
    "-H fd:// --containerd=/run/containerd/containerd.sock",
    "-Hunix:///var/run/docker.sock",
    "--live-restore",
    "-D",
    "-D=true",
    "--debug=false",
    "--iptables=false",
    "--iptables=0",
    "--ip-masq=F",
    "--mtu=1500",
    "--mtu 1400",
    "--mtu=0x10",
    "--mtu=1_500",
    "--shutdown-timeout=010",
    "--log-level=DEBUG",
    "-l warn",
    "-ldebug",
    "--label a=b --label=c=d",
    "--dns=8.8.8.8",
    "--dns 1.1.1.1 --dns-search example.com",
    "--ip=0.0.0.0",
    "--network-diagnostic-port=5",
    "--restart=false",
    "-r",
    "--allow-nondistributable-artifacts=registry.example:5000",
    "--api-cors-header=*",
    "--feature=cdi=true",
    "--bip6=fd00::1/64",
    "--containerd-plugins-namespace=plugins",
    "--http-proxy=http://proxy:3128",
    "--host-gateway-ip=10.0.0.1",
    "--cdi-spec-dir=/etc/cdi",
    "-s overlay2 --storage-opt overlay2.size=10G",
    "--exec-opt native.cgroupdriver=systemd",
    "--log-opt max-size=10m --log-driver=local",
    "--max-concurrent-downloads 5",
    "--registry-mirror=https://mirror.example",
    "--experimental --ip6tables",
    "--insecure-registry=registry.local:5000",
    "--data-root=/var/lib/docker --exec-root=/var/run/docker",
    "--default-shm-size=128M",
    "--log-format=json",
    # refused
    "--live-restor",
    "--tls-verify",
    "--live_restore",
    "--cluster-store=consul://10.0.0.1:8500",
    "--cluster-advertise eth0:2376",
    "-g /data",
    "--graph=/data",
    "--oom-score-adjust=-500",
    "--api-enable-cors",
    "--disable-legacy-registry",
    "--deprecated-key-path=/etc/docker/key.json",
    "--iptables false",
    "--live-restore true",
    "daemon",
    "-- --debug",
    "---debug",
    "-z",
    "-Dfalse",
    "--mtu=abc",
    "--mtu=",
    "--mtu=99999999999999999999",
    "--mtu",
    "--selinux-enabled=yes",
    "--debug=",
    "--log-level=verbose",
    "--log-level warning",
    "--log-format=xml",
    "--dns=8.8.8",
    "--ip=1.2.3",
    "--label=foo",
    "--label a=b --label a=c",
    "--label",
    "--max-concurrent-downloads=-1",
    "--registry-mirror=notaurl",
    "-H tcp://0.0.0.0:abc",
    "-H ssh://10.0.0.1",
    "--dns-search=-bad-",
    "--default-shm-size=abc",
]


@dataclass
class FlagsLast(Oracle):
    def command(self, config: Path, flags: Sequence[str] = ()) -> List[str]:
        proxy = self.dockerd.parent / "docker-proxy"
        return [str(self.dockerd), f"--userland-proxy-path={proxy}", "--validate", "--config-file", str(config), *flags]


def _dlint(root: Path, words: str, version: str) -> List[str]:
    write_tree(root, {
        "etc/docker/daemon.json": json.dumps(DAEMON_JSON),
        "etc/systemd/system/docker.service.d/override.conf": f"[Service]\nExecStart=\nExecStart=/usr/bin/dockerd {words}\n",
    })
    result = run(Options(cwd=root, engine_version=version))
    return [f"{f.rule} {f.message}" for f in result.findings if f.breaks == "config-load"]


@pytest.mark.parametrize("version", ["26.1", "28.5"])
def test_flag_words_match_dockerd(oracles, tmp_path, version):  # noqa: F811
    oracle = FlagsLast(version, oracles[version].dockerd)
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "daemon.json"
    config.write_text(json.dumps(DAEMON_JSON))

    def judge(index):
        return index, _dockerd(oracle, config, home, shlex.split(WORDS[index]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = dict(pool.map(judge, range(len(WORDS))))
    assert {v.rejected for v in verdicts.values()} == {True, False}, "the oracle should accept some words and refuse others"
    mismatches = []
    for index, verdict in sorted(verdicts.items()):
        ours = _dlint(tmp_path / f"tree-{index:03d}", WORDS[index], version)
        if bool(ours) != verdict.rejected:
            said = "; ".join(ours) or "nothing"
            mismatches.append(f"{WORDS[index]!r}: dockerd {'rejects' if verdict.rejected else 'accepts'} ({verdict.output[-160:]!r}), dlint says {said}")
    assert not mismatches, f"{len(mismatches)} of {len(WORDS)} differ from dockerd {version}:\n" + "\n".join(mismatches)

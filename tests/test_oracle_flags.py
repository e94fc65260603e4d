"""Differential tests of flag/file conflicts: dockerd started with flags next to a daemon.json.

dockerd --validate accepts dockerd's own flags beside it, so the oracle judges exactly the
combination a systemd unit makes. dlint sees the same flags in a drop-in that resets ExecStart,
over a daemon.json in a rootfs-like tree. Every daemon.json here is valid on its own; only the
combination can fail.
"""

from __future__ import annotations

import json
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dlint_docker.scan import Options, run

from .helpers import write_tree
from .test_oracle import Oracle, _dockerd, oracles  # noqa: F401  (oracles is a fixture)

FILES = [
    {"debug": True},
    {"hosts": ["unix:///var/run/docker.sock"]},
    {"host": ["unix:///var/run/docker.sock"]},
    {"containerd": "/run/containerd/containerd.sock"},
    {"live-restore": True},
    {"live-restore": False},
    {"labels": ["a=b"]},
    {"label": ["a=b"]},
    {"log-opts": {"max-size": "10m"}},
    {"log-level": "info"},
    {"runtimes": {"crun": {"path": "/usr/bin/crun"}}},
    {"max-concurrent-downloads": 3, "wrapper": {"debug": True}},  # a known key: a lone wrapper is no daemon.json to dlint
    {"proxies": {"http-proxy": "http://proxy:3128"}},
    {"storage-driver": "overlay2"},
    {"dns": ["1.1.1.1"]},
    {"max-concurrent-downloads": 3},
]

FLAGS = [
    "-H fd:// --containerd=/run/containerd/containerd.sock",
    "-D",
    "--debug=false",
    "--live-restore",
    "--label a=b",
    "--log-opt max-size=1m",
    "--log-level=debug",
    "--add-runtime crun=/usr/bin/crun",
    "--http-proxy http://other:3128",
    "-s overlay2",
    "--dns 8.8.8.8",
    "--max-concurrent-downloads 5",
]

CASES = [(i, j) for i in range(len(FILES)) for j in range(len(FLAGS))]


def _dlint(root: Path, daemon: dict, flags: str, version: str) -> bool:
    write_tree(root, {
        "etc/docker/daemon.json": json.dumps(daemon),
        "etc/systemd/system/docker.service.d/override.conf": f"[Service]\nExecStart=\nExecStart=/usr/bin/dockerd {flags}\n",
    })
    result = run(Options(cwd=root, engine_version=version))
    return any(f.breaks == "config-load" for f in result.findings)


@pytest.mark.parametrize("version", ["26.1", "28.5"])
def test_flag_file_conflicts_match_dockerd(oracles, tmp_path, version):  # noqa: F811
    oracle: Oracle = oracles[version]
    home = tmp_path / "home"
    home.mkdir()

    def judge(case):
        i, j = case
        folder = tmp_path / f"{i:02d}-{j:02d}"
        config = folder / "daemon.json"
        folder.mkdir()
        config.write_text(json.dumps(FILES[i]))
        return case, _dockerd(oracle, config, home, shlex.split(FLAGS[j]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = dict(pool.map(judge, CASES))
    mismatches = []
    for (i, j), verdict in verdicts.items():
        ours = _dlint(tmp_path / f"tree-{i:02d}-{j:02d}", FILES[i], FLAGS[j], version)
        if ours != verdict.rejected:
            mismatches.append(f"{json.dumps(FILES[i])} + {FLAGS[j]}: dockerd {'rejects' if verdict.rejected else 'accepts'} ({verdict.output[-200:]}), dlint {'rejects' if ours else 'accepts'}")
    assert not mismatches, f"{len(mismatches)} of {len(CASES)} differ from dockerd {version}:\n" + "\n".join(mismatches)

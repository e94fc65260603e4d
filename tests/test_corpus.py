"""dlint over the shared corpus of real files (read in place, never copied): no crash, and every
daemon.json that the corpus writes literally is found."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .helpers import REPO, cli

CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("DLINT_REQUIRE_ORACLES") == "1":
            pytest.fail(f"no corpus at {CORPUS}")
        pytest.skip(f"no corpus at {CORPUS} (it lives in the shared folder beside the repository)")
    return CORPUS


def test_scan_and_hosts_run_without_a_crash(corpus):
    for command in (["scan", "--format", "json", "."], ["hosts", "--format", "json", "."]):
        done = cli(*command, cwd=corpus)
        assert "Traceback" not in done.stderr and done.returncode in (0, 1, 3), done.stderr
        json.loads(done.stdout)


def test_every_literal_daemon_json_in_the_corpus_is_found(corpus):
    doc = json.loads(cli("hosts", "--format", "json", ".", cwd=corpus).stdout)
    hosts = {h["name"]: h for h in doc["hosts"]}
    # files that write /etc/docker/daemon.json with literal content (heredoc, echo, write_files)
    for name, key in (
        ("cloud-init/gmarco__terraform-hetzner-k8s__templates__init.sh", "exec-opts"),
        ("cloud-init/shibug__terraform-live__azure__dev__templates__docker.tpl", "log-driver"),
    ):
        assert key in hosts[name]["config"], (name, sorted(hosts[name]["config"]))
        assert hosts[name]["config"][key]["via"] == "file"
        assert hosts[name]["config"][key]["from"]["trace"], "found inside another document"
    # every standalone daemon.json the corpus holds is a host, except the PM2 decoy
    standalone = [p.relative_to(corpus).as_posix() for p in (corpus / "daemon.json").iterdir() if p.name.endswith(".json")]
    missing = [p for p in standalone if p not in hosts and "ArkEcosystem" not in p]
    assert not missing

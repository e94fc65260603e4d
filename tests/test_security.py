"""The scanned repository is hostile input: it cannot make dlint reach the network, read or write
outside it, import its code, or run without bound. Each test builds its repository in tmp_path and
runs dlint in a subprocess with limits on address space and CPU time (resource.setrlimit)."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .helpers import write_tree

MEMORY = 1536 << 20  # address space of one run; an import of every reader takes about 600 MB of it
CPU = 60  # seconds


def bounded(*args: str, cwd: Path, memory: int = MEMORY, cpu: int = CPU, env=None) -> subprocess.CompletedProcess:
    """``dlint ARGS`` in ``cwd`` under rlimits; also returns the CPU seconds it used."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    environment = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    environment.update(env or {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "linter", *args], cwd=cwd, capture_output=True, text=True, preexec_fn=limit, env=environment, timeout=cpu * 3
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return done


POLICY = """apiVersion: dlint.dev/v1alpha1
kind: Policy
metadata: {name: data-root-shape, id: ACME001}
spec:
  severity: warning
  breaks: none
  summary: data-root has our shape
  rationale: r
  remediation: m
  when:
    properties: {config: {required: [data-root]}}
  require:
    properties: {config: {properties: {data-root: REQUIRE}}}
  at: /config/data-root
  examples:
    pass: [{daemon.json: '{}'}]
    fail: []
"""


def policy_repo(tmp_path: Path, require: str, daemon: dict = None, extra: str = "") -> Path:
    text = POLICY.replace("REQUIRE", require) + extra
    daemon = daemon if daemon is not None else {"live-restore": True, "data-root": "/srv/docker"}
    return write_tree(tmp_path, {".dlint.yaml": "policy-paths: [p]\n", "p/x.yaml": text, "daemon.json": json.dumps(daemon)})


# -- repository policies ------------------------------------------------------------------------


class _Listener:
    """A TCP port on localhost that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connected = False
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connected = True
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def test_policy_ref_to_the_network_is_never_fetched(tmp_path):
    listener = _Listener()
    try:
        policy_repo(tmp_path, f"{{$ref: 'http://127.0.0.1:{listener.port}/schema.json'}}")
        done = bounded("scan", cwd=tmp_path)
    finally:
        listener.close()
    assert not listener.connected
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml:13:" in done.stderr and "does not resolve inside the policy" in done.stderr


@pytest.mark.parametrize("target", ["file:///dev/zero", "file:///etc/passwd", "other.json", "#/$defs/missing"])
def test_policy_ref_to_a_file_or_a_missing_place_is_a_policy_error(tmp_path, target):
    policy_repo(tmp_path, f"{{$ref: '{target}'}}")
    (tmp_path / "p" / "other.json").write_text('{"type": "string"}')
    done = bounded("scan", cwd=tmp_path, memory=MEMORY, cpu=30)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml:13:" in done.stderr and target in done.stderr


def test_policy_refs_inside_the_policy_and_to_dlint_schemas_resolve(tmp_path):
    require = "{$defs: {rooted: {pattern: '^/srv/'}}, properties: {config: {properties: {data-root: {$ref: '#/$defs/rooted'}}}}}"
    text = POLICY.replace("properties: {config: {properties: {data-root: REQUIRE}}}", require)
    policy_repo(tmp_path, "{}", {"live-restore": True, "data-root": "/var/lib/docker"}).joinpath("p/x.yaml").write_text(text)
    done = bounded("scan", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "ACME001"]
    assert (finding["path"], finding["line"], finding["column"]) == ("daemon.json", 1, 24)


def test_compiled_json_beside_repository_policies_does_not_skip_validation(tmp_path):
    import hashlib

    policy_repo(tmp_path, "{pattern: '^/srv/'}")
    bad = (tmp_path / "p" / "x.yaml").read_text().replace("severity: warning", "severity: fatal")
    (tmp_path / "p" / "x.yaml").write_text(bad)
    cache = {"format": 1, "sources": {"x.yaml": hashlib.sha256(bad.encode()).hexdigest()}, "resources": []}
    (tmp_path / "p" / "compiled.json").write_text(json.dumps(cache))
    done = bounded("scan", cwd=tmp_path)
    assert done.returncode == 2 and "x.yaml:5" in done.stderr and "fatal" in done.stderr


@pytest.mark.parametrize("entry", ["/etc", "../outside", "link", "p/../../outside"])
def test_policy_paths_stay_inside_the_repository(tmp_path, entry):
    repo = tmp_path / "repo"
    outside = write_tree(tmp_path / "outside", {"x.yaml": POLICY.replace("REQUIRE", "{pattern: x}")})
    write_tree(repo, {".dlint.yaml": f"fail-on: error\npolicy-paths: ['{entry}']\n", "daemon.json": "{}", "p/.keep": ""})
    (repo / "link").symlink_to(outside)
    done = bounded("scan", cwd=repo)
    assert done.returncode == 2, done.stderr
    assert ".dlint.yaml:2" in done.stderr and entry in done.stderr


def test_policy_message_substitutes_plain_names_only(tmp_path):
    message = "\nmessage: 'v={value} {value:>2000000000} {value.__class__} {value[0]} {{x}} {unknown}'"
    policy_repo(tmp_path, "{pattern: '^/var/'}", extra="").joinpath("p/x.yaml").write_text(
        POLICY.replace("REQUIRE", "{pattern: '^/var/'}").replace("  at: /config/data-root", "  at: /config/data-root" + message.replace("\n", "\n  "))
    )
    done = bounded("scan", "--format", "json", cwd=tmp_path, memory=MEMORY)
    assert done.returncode == 1, done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "ACME001"]
    assert finding["message"] == 'v="/srv/docker" {value:>2000000000} {value.__class__} {value[0]} {x} {unknown}'


def test_policy_pattern_runs_in_linear_time(tmp_path):
    value = "/" + "a" * 100_000 + "!"
    policy_repo(tmp_path, "{pattern: '^/(a+)+$'}", {"live-restore": True, "data-root": value})
    done = bounded("scan", "--format", "json", cwd=tmp_path, cpu=20)
    assert done.returncode == 1, done.stderr
    assert [f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "ACME001"] == ["data-root has our shape"]
    assert done.cpu < 15


def test_policy_pattern_re2_cannot_run_is_a_policy_error(tmp_path):
    policy_repo(tmp_path, "{pattern: '^(a)\\1$'}")
    done = bounded("scan", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml:13:" in done.stderr and "RE2" in done.stderr


def test_policy_that_refers_to_itself_without_end_is_exit_2_naming_it(tmp_path):
    policy_repo(tmp_path, "{}").joinpath("p/x.yaml").write_text(POLICY.replace("properties: {config: {properties: {data-root: REQUIRE}}}", "{$ref: '#'}"))
    done = bounded("scan", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml" in done.stderr and "ACME001" in done.stderr and "Traceback" not in done.stderr


def test_policy_with_exponential_schema_ends_within_its_budget(tmp_path):
    # each level tries the next one twice: 2**40 steps without a budget
    defs = ", ".join(f"d{i}: {{anyOf: [{{$ref: '#/$defs/d{i + 1}'}}, {{$ref: '#/$defs/d{i + 1}'}}]}}" for i in range(40))
    require = f"{{$defs: {{{defs}, d40: {{type: 'null'}}}}, $ref: '#/$defs/d0'}}"
    policy_repo(tmp_path, "{}").joinpath("p/x.yaml").write_text(POLICY.replace("properties: {config: {properties: {data-root: REQUIRE}}}", require))
    done = bounded("scan", cwd=tmp_path, cpu=60)
    assert done.returncode == 2, done.stderr
    assert "p/x.yaml" in done.stderr and "ACME001" in done.stderr and "schema steps" in done.stderr
    assert done.cpu < 45

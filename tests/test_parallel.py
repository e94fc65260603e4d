"""Reading files in a process pool gives what a serial run gives; a small run, and a one-file run,
never starts one; progress shows only where it should."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from dlint_docker import parallel
from dlint_docker.scan import Options, run

from .helpers import REPO, where

sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (bench/generate.py: a kubespray-like tree with every source kind)


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate.generate(root, 1)
    return root


@pytest.fixture(scope="module")
def serial(big_tree):
    return everything(run(Options(paths=[], cwd=big_tree, jobs=1)))


def everything(result):
    findings = [(f.rule, f.location.path, *where(f), f.message, f.host, tuple((r.line, r.column) for r in f.related)) for f in result.findings]
    hosts = [(h.name, tuple(sorted(h.sources))) for h in result.hosts]
    return findings, hosts, list(result.notes), result.exit_code


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked")
def test_a_pool_reads_exactly_what_a_serial_run_reads(big_tree, serial, monkeypatch):
    started = []
    original = parallel._in_pool
    monkeypatch.setattr(parallel, "_in_pool", lambda *a, **k: (started.append(a[5]), original(*a, **k))[1])
    pooled = run(Options(paths=[], cwd=big_tree))  # by the tree's size
    assert started and started[0] >= 2
    assert everything(pooled) == serial
    assert len(serial[0]) > 40  # a tree with findings of many kinds to compare


def test_a_warm_cache_gives_what_a_cold_run_gives(big_tree, serial, tmp_path_factory, monkeypatch):
    """What readers keep beside their fragments (where a cloud-init part came from: a restart at
    first boot stops no container) comes back with them."""
    monkeypatch.setenv("DLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    first = run(Options(paths=[], cwd=big_tree, cache=True, jobs=1))
    warm = run(Options(paths=[], cwd=big_tree, cache=True, jobs=1))
    assert everything(first) == everything(warm) == serial


def test_small_runs_and_one_file_stay_serial(big_tree):
    class Source:
        def __init__(self, size):
            self.data = b"x" * size

    assert parallel._workers([Source(10 << 20)], [0], None) == 1  # one file: never
    assert parallel._workers([Source(10 << 20)], [0], 4) == 1
    few = [Source(100 << 10) for _ in range(parallel.PARALLEL_MIN_FILES - 1)]
    assert parallel._workers(few, list(range(len(few))), None) == 1
    tiny = [Source(10) for _ in range(500)]
    assert parallel._workers(tiny, list(range(len(tiny))), None) == 1


class Terminal(io.StringIO):
    def isatty(self):
        return True


class FakeSource:
    display = "roles/docker/tasks/main.yml"


def test_progress_on_a_terminal_only_for_long_runs(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    quick = Terminal()
    meter = parallel.Progress(10, 0, None, quick)
    meter.show(FakeSource())
    meter.close()
    assert quick.getvalue() == ""  # under a second: nothing
    slow = Terminal()
    meter = parallel.Progress(10, 3, None, slow)
    meter.started -= 5
    meter.show(FakeSource())
    meter.close()
    assert "read 3 of 10 files (roles/docker/tasks)" in slow.getvalue() and slow.getvalue().endswith("\r")


def test_no_progress_in_a_pipe_or_on_ci_unless_asked(monkeypatch):
    pipe = io.StringIO()
    meter = parallel.Progress(10, 0, None, pipe)
    meter.started -= 5
    meter.show(FakeSource())
    assert pipe.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    ci = Terminal()
    meter = parallel.Progress(10, 0, None, ci)
    meter.started -= 5
    meter.show(FakeSource())
    assert ci.getvalue() == ""
    asked = io.StringIO()
    meter = parallel.Progress(10, 0, True, asked)
    meter.show(FakeSource())
    assert asked.getvalue() == "dlint: read 0 of 10 files (roles/docker/tasks)\n"  # a log: whole lines


def test_progress_flag_on_the_command_line(tmp_path):
    from .helpers import cli

    (tmp_path / "daemon.json").write_text('{"live-restore": true}\n')
    done = cli("scan", "--progress", "daemon.json", cwd=tmp_path)
    assert "dlint: read 0 of 1 files (.)" in done.stderr
    quiet = cli("scan", "daemon.json", cwd=tmp_path)
    assert "read 0 of" not in quiet.stderr

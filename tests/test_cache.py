"""The cache of what each file yields: a second run reads nothing again, a change is seen, a
corrupt or foreign entry is ignored, nothing is written inside the scanned tree or without asking."""

from __future__ import annotations

import os
import pickle

import pytest

from dlint_docker import cache as cache_module
from dlint_docker import scan as scan_module
from dlint_docker.scan import Options, run

from .helpers import at, cli, where, write_tree

DAEMON = '{"live-restore": false, "storage-drivr": "overlay2"}\n'
DEFAULTS = "---\ndocker_opts:\n  live-restore: false\n"
TASKS = (
    "---\n- name: daemon.json\n  ansible.builtin.copy:\n    content: \"{{ docker_opts | to_nice_json }}\"\n"
    "    dest: /etc/docker/daemon.json\n"
)
TREE = {
    "hosts/a/daemon.json": DAEMON,
    "roles/docker/defaults/main.yml": DEFAULTS,
    "roles/docker/tasks/main.yml": TASKS,
    "cloud/user-data.yml": "#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: '{\"icc\": true}'\n",
}


@pytest.fixture
def store(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DLINT_CACHE_DIR", str(folder))
    return folder


def findings(result):
    return sorted((f.rule, f.location.path, *where(f), f.message) for f in result.findings)


def cached_scan(root, **options):
    return run(Options(paths=[], cwd=root, cache=True, jobs=1, **options))


def entries(folder):
    return [p for p in folder.rglob("*") if p.is_file() and p.name != "key"]


def no_reading(monkeypatch):
    def refuse(source, kinds):
        raise AssertionError(f"read again: {source.rel}")

    monkeypatch.setattr(scan_module, "extract", refuse)


def test_a_second_run_reads_nothing_again(tmp_path, store, monkeypatch):
    write_tree(tmp_path, TREE)
    first = findings(cached_scan(tmp_path))
    assert ("DKD101", "roles/docker/defaults/main.yml", *at(DEFAULTS, "live-restore")) in [f[:4] for f in first]
    assert len(entries(store)) == 4
    no_reading(monkeypatch)
    assert findings(cached_scan(tmp_path)) == first


def test_without_asking_nothing_is_cached(tmp_path, store):
    write_tree(tmp_path, TREE)
    run(Options(paths=[], cwd=tmp_path))
    assert entries(store) == []


def test_a_one_file_run_does_not_use_the_cache(tmp_path, store):
    write_tree(tmp_path, TWO)
    run(Options(paths=["hosts/a/daemon.json"], cwd=tmp_path, cache=True))
    assert entries(store) == []


def test_no_cache_on_the_command_line(tmp_path, store):
    write_tree(tmp_path, TREE)
    done = cli("scan", "--no-cache", ".", cwd=tmp_path, env={"DLINT_CACHE_DIR": str(store)})
    assert done.returncode == 1 and "DKD101" in done.stdout
    assert entries(store) == []
    again = cli("scan", ".", cwd=tmp_path, env={"DLINT_CACHE_DIR": str(store)})
    assert again.stdout.split("dlint:")[0] == done.stdout.split("dlint:")[0] and entries(store)


def test_a_changed_file_is_read_again(tmp_path, store, monkeypatch):
    write_tree(tmp_path, TREE)
    assert [f for f in findings(cached_scan(tmp_path)) if f[1] == "cloud/user-data.yml" and f[0] == "DKD101"]
    (tmp_path / "cloud/user-data.yml").write_text(TREE["cloud/user-data.yml"].replace('true}', 'true, "live-restore": true}'))
    assert not [f for f in findings(cached_scan(tmp_path)) if f[1] == "cloud/user-data.yml" and f[0] == "DKD101"]


def test_a_change_elsewhere_reaches_a_reader_that_looks_there(tmp_path, store):
    """An Ansible task file's daemon.json comes from the role's defaults: its entry is keyed on the tree."""
    write_tree(tmp_path, TREE)
    before = [f for f in findings(cached_scan(tmp_path)) if f[0] == "DKD101" and f[1].startswith("roles/")]
    assert before
    (tmp_path / "roles/docker/defaults/main.yml").write_text("---\ndocker_opts:\n  live-restore: true\n")
    assert not [f for f in findings(cached_scan(tmp_path)) if f[0] == "DKD101" and f[1].startswith("roles/")]


TWO = {"hosts/a/daemon.json": DAEMON, "hosts/b/daemon.json": '{"live-restore": true}\n'}


def test_a_self_contained_file_stays_cached_when_others_change(tmp_path, store, monkeypatch):
    write_tree(tmp_path, TWO)
    first = findings(cached_scan(tmp_path))
    assert ("DKD101", "hosts/a/daemon.json", *at(DAEMON, '"live-restore"')) in [f[:4] for f in first]
    (tmp_path / "notes.txt").write_text("unrelated\n")
    no_reading(monkeypatch)
    assert findings(cached_scan(tmp_path)) == first


def test_a_corrupt_entry_is_ignored(tmp_path, store):
    write_tree(tmp_path, TREE)
    first = findings(cached_scan(tmp_path))
    for path in entries(store):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data[: len(data) - 3]))
    assert findings(cached_scan(tmp_path)) == first


def test_a_foreign_entry_is_never_unpickled(tmp_path, store):
    """An entry not signed with this cache's key (another user's, or planted) is not loaded: a
    pickle that would run code does not."""
    write_tree(tmp_path, TWO)
    first = findings(cached_scan(tmp_path))
    marker = tmp_path.parent / f"{tmp_path.name}-pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    body = pickle.dumps(Payload())
    for path in entries(store):
        path.write_bytes(b"\0" * 32 + body)  # no valid signature
    assert findings(cached_scan(tmp_path)) == first
    assert not marker.exists()
    (store / "key").write_bytes(os.urandom(32))  # another key: every entry is foreign
    assert findings(cached_scan(tmp_path)) == first


def test_never_written_inside_the_scanned_tree(tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    monkeypatch.setenv("DLINT_CACHE_DIR", str(tmp_path / ".cache" / "dlint"))
    first = findings(cached_scan(tmp_path))
    assert not (tmp_path / ".cache").exists()
    assert first == findings(run(Options(paths=[], cwd=tmp_path)))


def test_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_module.cache_dir() == tmp_path / "xdg" / "dlint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_module.cache_dir() == tmp_path / "home" / ".cache" / "dlint"


def test_an_unwritable_cache_is_a_slower_scan_not_an_error(tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    blocker = tmp_path.parent / f"{tmp_path.name}-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DLINT_CACHE_DIR", str(blocker / "dlint"))
    assert findings(cached_scan(tmp_path)) == findings(run(Options(paths=[], cwd=tmp_path)))

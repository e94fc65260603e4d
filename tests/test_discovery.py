"""Discovery: git's view of a work tree, .gitignore elsewhere, excludes, symlinks never followed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dlint_docker.discovery import discover, read_bounded
from dlint_docker.errors import UsageError
from dlint_docker.filtering import path_matcher
from dlint_docker.sources.daemon_json import DaemonJsonKind

from .helpers import write_tree

CONFIG = '{"live-restore": true}\n'


def _found(root: Path, paths=(), exclude=()):
    found = discover(list(paths), [DaemonJsonKind()], project_root=root, excluded=path_matcher(list(exclude)), cwd=root)
    return sorted(s.rel for s in found.sources), found


def _git(root: Path, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_walk_honours_gitignore_outside_git(tmp_path):
    write_tree(tmp_path, {
        "a/daemon.json": CONFIG,
        "build/daemon.json": CONFIG,
        "a/sub/daemon.json": CONFIG,
        "node_modules/x/daemon.json": CONFIG,
        ".gitignore": "build/\n",
        "a/.gitignore": "sub/\n",
    })
    rels, found = _found(tmp_path)
    assert rels == ["a/daemon.json"]
    assert found.files_seen >= 1


def test_git_work_tree_uses_gits_view(tmp_path):
    write_tree(tmp_path, {
        "tracked/daemon.json": CONFIG,
        "untracked/daemon.json": CONFIG,
        "ignored/daemon.json": CONFIG,
        ".gitignore": "ignored/\n",
    })
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "tracked/daemon.json", ".gitignore")
    rels, _ = _found(tmp_path)
    assert rels == ["tracked/daemon.json", "untracked/daemon.json"]


def test_git_config_cannot_run_a_program(tmp_path):
    marker = tmp_path / "pwned"
    write_tree(tmp_path, {"daemon.json": CONFIG})
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "core.fsmonitor", f"touch {marker}; false")
    _found(tmp_path)
    assert not marker.exists()


def test_symlinks_are_not_followed(tmp_path):
    write_tree(tmp_path, {"real/daemon.json": CONFIG})
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path / "real/daemon.json", tmp_path / "daemon.json")
    os.symlink(tmp_path, tmp_path / "real" / "loop")
    rels, _ = _found(tmp_path)
    assert rels == ["real/daemon.json"]


def test_explicit_symlink_is_skipped_with_a_note(tmp_path):
    write_tree(tmp_path, {"real.json": CONFIG})
    os.symlink(tmp_path / "real.json", tmp_path / "daemon.json")
    rels, found = _found(tmp_path, ["daemon.json"])
    assert rels == []
    assert any("symbolic link" in note for note in found.notes)


def test_excludes_apply_to_walks_and_explicit_files(tmp_path):
    write_tree(tmp_path, {"keep/daemon.json": CONFIG, "fixtures/bad/daemon.json": CONFIG})
    rels, _ = _found(tmp_path, exclude=["fixtures/"])
    assert rels == ["keep/daemon.json"]
    rels, found = _found(tmp_path, ["fixtures/bad/daemon.json"], exclude=["fixtures/"])
    assert rels == [] and any("excluded" in n for n in found.notes)


def test_explicit_file_that_is_not_a_docker_config_is_noted(tmp_path):
    write_tree(tmp_path, {"notes.txt": "hello"})
    rels, found = _found(tmp_path, ["notes.txt"])
    assert rels == [] and any("not a kind of file" in n for n in found.notes)


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        _found(tmp_path, ["nope"])


def test_fifo_is_never_opened_for_reading(tmp_path):
    fifo = tmp_path / "daemon.json"
    os.mkfifo(fifo)
    data, error = read_bounded(fifo, 1024)
    assert data is None and error == "not a regular file"


def test_size_limit(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_bytes(b" " * 2048)
    data, error = read_bounded(path, 1024)
    assert data is None and "too large" in error


def test_a_second_repository_on_the_command_line_is_read_against_its_own_root(tmp_path):
    """Files of a path outside the project are relative to their own work tree, so that what they
    reference (a role's defaults) is found there, and nothing outside it is read."""
    from .helpers import scan

    role = {
        "defaults/main.yml": "docker_daemon_options:\n  tls-verify: true\n",
        "tasks/main.yml": "- name: daemon.json\n  ansible.builtin.copy:\n    content: \"{{ docker_daemon_options | to_nice_json }}\"\n    dest: /etc/docker/daemon.json\n",
        "meta/main.yml": "galaxy_info:\n  role_name: docker\n",
    }
    write_tree(tmp_path / "first", {"daemon.json": '{"live-restore": true}'})
    write_tree(tmp_path / "role", role)
    for folder in ("first", "role"):
        _git(tmp_path / folder, "init", "-q")
    result = scan(tmp_path, ["first", "role"])
    unknown = [f for f in result.findings if f.rule == "DKD002"]
    assert [(f.location.path, f.location.line) for f in unknown] == [("role/defaults/main.yml", 2)]

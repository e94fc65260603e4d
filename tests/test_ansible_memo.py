"""What the Ansible reader keeps within one scan (file texts, real paths, where a task's file name
leads, the names a scope found) changes nothing it reads: a scan with it and one without give the
same findings, and every file is read from disk once however many plays apply its role."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from dlint_docker import builtin
from dlint_docker.hookspecs import hookimpl
from dlint_docker.scan import Options, run
from dlint_docker.sources import ansible
from dlint_docker.sources.ansible import AnsibleKind, _Files, _Layer, _Scope

from .helpers import where, write_tree


@pytest.fixture(autouse=True)
def kinds(monkeypatch):
    """The built-in kinds with ansible before cloud-init and shell (as in test_ansible.py)."""
    original = builtin.dlint_source_kinds

    @hookimpl
    def dlint_source_kinds():
        existing = [k for k in original() if k.name != "ansible"]
        index = next(i for i, k in enumerate(existing) if k.name == "cloud-init")
        return existing[:index] + [AnsibleKind()] + existing[index:]

    monkeypatch.setattr(builtin, "dlint_source_kinds", dlint_source_kinds)


TREE = {
    "ansible.cfg": "[defaults]\ninventory = inventory/prod/hosts.ini\n",
    "inventory/prod/hosts.ini": "[docker_hosts]\na\n[edge]\nb\n[all_docker:children]\ndocker_hosts\nedge\n",
    "inventory/prod/group_vars/all.yml": 'docker_version: "24.0.7"\nlog_max: "10m"\n',
    "inventory/prod/group_vars/docker_hosts.yml": (
        'docker_daemon_options: {"live-restore": true, "log-opts": {"max-size": "{{ log_max }}"}, "debugg": true}\n'
    ),
    "inventory/prod/group_vars/edge.yml": 'docker_daemon_options: {"storage-drivers": "overlay2"}\n',
    "site.yml": (
        "- hosts: docker_hosts\n  roles: [docker]\n"
        "- hosts: edge\n  vars: {log_max: \"20m\"}\n  roles: [docker]\n"
    ),
    "upgrade.yml": "- hosts: docker_hosts\n  tasks:\n    - include_tasks: roles/docker/tasks/extra.yml\n",
    "roles/docker/defaults/main.yml": "docker_daemon_options: {}\ndocker_restart: true\n",
    "roles/docker/tasks/main.yml": (
        "- include_tasks: facts.yml\n"
        '- apt: {name: "docker-ce={{ docker_version }}", state: present}\n'
        '- copy: {content: "{{ docker_daemon_options | to_nice_json }}", dest: /etc/docker/daemon.json}\n'
        "  when: docker_restart\n"
        "  notify: restart docker\n"
        "- include_tasks: extra.yml\n"
        "  when: engine_kind is defined\n"
    ),
    "roles/docker/tasks/facts.yml": "- set_fact: {engine_kind: docker}\n",
    "roles/docker/tasks/extra.yml": (
        "- template: {src: override.conf.j2, dest: /etc/systemd/system/docker.service.d/override.conf}\n"
    ),
    "roles/docker/templates/override.conf.j2": (
        "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --log-level {{ log_level | default('info') }} -H tcp://0.0.0.0:2375\n"
    ),
    "roles/docker/handlers/main.yml": "- name: restart docker\n  service: {name: docker, state: restarted}\n",
}


def everything(result):
    findings = [(f.rule, f.location.path, *where(f), f.message, f.host) for f in result.findings]
    hosts = [(h.name, tuple(sorted(h.sources))) for h in result.hosts]
    return findings, hosts, list(result.notes), result.exit_code


def test_a_scan_with_what_it_keeps_reads_what_one_without_reads(tmp_path, monkeypatch):
    root = write_tree(tmp_path, TREE)
    kept = everything(run(Options(paths=[], cwd=root, jobs=1)))
    monkeypatch.setattr(AnsibleKind, "_files", lambda self: None)  # every file read, every path resolved again
    monkeypatch.setattr(_Scope, "find", _Scope._search)  # every name searched again
    again = everything(run(Options(paths=[], cwd=root, jobs=1)))
    assert kept == again
    rules = {finding[0] for finding in kept[0]}
    assert "DKD002" in rules  # debugg, from group_vars/docker_hosts.yml through the role's copy
    assert len({finding[-1] for finding in kept[0]}) >= 2  # both machines


def test_every_file_is_read_once_however_many_plays_apply_its_role(tmp_path, monkeypatch):
    root = write_tree(tmp_path, TREE)
    reads: Counter = Counter()
    original = ansible.read_bounded
    monkeypatch.setattr(ansible, "read_bounded", lambda path, limit: (reads.update([os.fspath(path)]), original(path, limit))[1])
    run(Options(paths=[], cwd=root, jobs=1))
    assert reads, "the reader read no file of the repository itself"
    assert max(reads.values()) == 1, reads.most_common(3)


def test_a_file_changed_during_the_scan_is_read_again(tmp_path):
    path = write_tree(tmp_path, {"vars.yml": "a: 1\n"}) / "vars.yml"
    files = _Files()
    assert files.text(path) == "a: 1\n"
    path.write_text("a: 22\n")
    assert files.text(path) == "a: 22\n"


def test_real_paths_are_os_realpath(tmp_path):
    write_tree(tmp_path, {"a/b/c/f.yml": ""})
    (tmp_path / "b").mkdir()
    (tmp_path / "l1").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "a" / "l2").symlink_to("../b")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "rootlink").symlink_to("/")
    parts = ["a", "b", "c", "l1", "l2", "loop", "f.yml", "missing", "dangling", "rootlink", "..", "."]
    files = _Files()
    for first in parts:
        for second in parts:
            for third in ("", "c", "f.yml", "l2"):
                path = os.path.join(str(tmp_path), first, second, third)
                assert files.real(path) == os.path.realpath(path), path
    assert files.real("/") == "/"


def test_a_name_found_again_after_a_layer_with_an_escaped_key_is_composed(tmp_path):
    """A layer skipped because the name is not written in it may still define it (a quoted key
    with an escape): once that layer is composed for another name, the search runs again."""

    class Yaml:
        def __init__(self, text):
            self.root = ansible.compose(text)[0]

    escaped = '"\\x66oo": 1\nbar: 2\n'  # defines foo, writes no "foo"
    upper = _Layer(load=lambda: Yaml(escaped), text=escaped)
    lower = _Layer(load=lambda: Yaml("foo: 3\n"), text="foo: 3\n")
    scope = _Scope([upper, lower])
    assert scope.find("foo")[1].value == "3"  # the upper layer was not even composed
    assert scope.bind("x", None).find("bar")[1].value == "2"  # now it is: foo is its own
    assert scope.find("foo")[1].value == "1"
    assert _Scope([upper, lower]).find("foo")[1].value == "1"


def test_documents_of_one_text_share_their_line_starts():
    """The reader makes a Document of a vars file per variable it resolves from it: the line
    starts of the text are found once, and every document answers the same lines and columns."""
    from dlint_docker.document import Document

    text = "a: 1\nb: '{{ a }}'\n\nc: x\n" * 50
    first, second = Document(text, "vars.yml"), Document(text, "vars.yml", via=())
    copy_of_text = "".join(list(text))  # an equal text that is another object
    third = Document(copy_of_text, "other.yml")
    offsets = [0, 4, 5, 17, len(text) - 1, len(text)]
    assert [first.line_col(o) for o in offsets] == [second.line_col(o) for o in offsets] == [third.line_col(o) for o in offsets]
    assert first._starts is second._starts
    assert [first.location(o).line for o in offsets] == [third.location(o).line for o in offsets]


def test_a_vars_file_whose_first_200_lines_hold_no_key_is_composed_for_every_name():
    from dlint_docker.sources.ansible import _keys_start_lines

    text = "# comment\n" * 250 + "  my_opts:\n    live-restore: true\n"
    assert _keys_start_lines(text) is False  # not plain enough to tell: composed, never assumed absent

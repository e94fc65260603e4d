"""Fast paths that must answer exactly what the plain code they replace answers."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dlint_docker.sources.claims import _HOSTS_KEY, _NEEDLES, _PLAY_KEYS, _Needles, is_playbook_head

_PIECES = [b"include", b":", b" ", b"\t", b"\n", b"\r", b"-", b"x", b"_tasks", b"import", b"docker", b"daemon.json", b"moby-engine", b"#", b"\f", b"\v", b"--"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_ansible_needles_are_the_pattern(pieces):
    data = b"".join(pieces)
    assert _Needles().search(data) == bool(_NEEDLES.search(data)), data


def test_ansible_needles_examples():
    needles = _Needles()
    for data, found in [
        (b"- include: x.yml\n", True), (b"  -   include :\n", True), (b"x\n-\n include:", True), (b"x- include:", False),
        (b"foo include:", False), (b"\n--include:", False), (b"- name: a\n  include_tasks: b.yml", True),
        (b"myinclude_tasks: 1", False), (b"- hosts: all\n  roles: [a]\n", False), (b"", False),
    ]:
        assert needles.search(data) == found == bool(_NEEDLES.search(data)), data


_PLAY_PIECES = [b"hosts", b":", b" ", b"\n", b"\t", b"-", b"tasks", b"pre_tasks", b"roles", b"handlers", b"import_playbook", b"ansible.builtin.", b"x", b"#"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PLAY_PIECES), max_size=14))
def test_playbook_head_is_the_two_patterns(pieces):
    head = b"".join(pieces)
    assert is_playbook_head(head) == bool(_HOSTS_KEY.search(head) and _PLAY_KEYS.search(head)), head


# --- the Ansible project map's one read of each YAML file ---------------------------------------------

PROJECT = {
    "ansible.cfg": "[defaults]\nroles_path = roles\n",
    "inventory/hosts.ini": "[docker_hosts]\nnode1\n\n[edge]\nnode2\n",
    "inventory/group_vars/all.yml": "docker_live_restore: false\n",
    "site.yml": "- hosts: docker_hosts\n  roles: [docker]\n- hosts: edge\n  roles:\n    - role: docker\n",
    "roles/docker/defaults/main.yml": "docker_daemon_options:\n  live-restore: \"{{ docker_live_restore }}\"\n",
    "roles/docker/tasks/main.yml": (
        "- name: facts\n  ansible.builtin.set_fact:\n    docker_extra: 1\n    docker_more: \"x\"\n"
        "- set_fact: {flow_one: 1, flow_two: 2}\n- set_fact: pair_one=1 pair_two=2\n"
        "- command: docker info\n  register: docker_info\n"
        "- name: Write daemon.json\n  ansible.builtin.copy:\n    content: \"{{ docker_daemon_options | to_nice_json }}\"\n"
        "    dest: /etc/docker/daemon.json\n  when: docker_unset is not defined\n"
    ),
    "playbooks/other.yml": "- hosts: all\n  tasks:\n    - set_fact:\n        other_name: 1\n",
}


def test_set_names_from_the_kept_bytes_are_those_read_again(tmp_path, monkeypatch):
    from dlint_docker.sources import ansible_plays as plays
    from tests.helpers import write_tree

    root = write_tree(tmp_path, PROJECT)
    kept = plays.project(root, {})
    assert kept._setter_data is not None
    names = plays.set_names(kept)
    assert kept._setter_data is None  # read once, then let go
    monkeypatch.setattr(plays, "MAX_SETTER_BYTES", 0)  # nothing kept: the files are read again
    again = plays.project(root, {})
    assert again._setter_data is None
    assert plays.set_names(again) == names
    assert {"docker_extra", "docker_more", "flow_one", "flow_two", "pair_one", "pair_two", "docker_info", "other_name"} <= names


def test_a_task_file_scanned_alone_is_judged_as_in_the_whole_repository(tmp_path):
    from tests.helpers import cli_json, write_tree

    root = write_tree(tmp_path, PROJECT)
    target = "roles/docker/tasks/main.yml"
    whole = cli_json("--no-cache", "--fail-on", "never", ".", cwd=root)
    alone = cli_json("--no-cache", "--fail-on", "never", target, cwd=root)

    def through(report):
        """The findings at the task file or reached through it (a value it writes, set in defaults)."""
        return sorted(
            json.dumps({k: v for k, v in f.items() if k != "duration_seconds"}, sort_keys=True)
            for f in report["findings"]
            if f["path"] == target or any(step["path"] == target for step in f.get("trace", ()))
        )

    assert len(through(whole)) == 2  # one per machine the role lands on
    assert through(alone) == through(whole)
    assert len(alone["findings"]) == len(through(alone))


# --- the Ansible reader's "may this vars file define the name" ------------------------------------

from dlint_docker.sources.ansible import _keys_start_lines, _may_define, _root_items  # noqa: E402
from dlint_docker.yamlnodes import compose, is_map  # noqa: E402

_VARS_PIECES = [
    "name", "name_x", "x", ":", " ", "\n", "  ", "-", "'", '"', "\\", "<<", "&a", "*a", "!!str", "?", "{", "}", "[", "]",
    ",", "#", "---", "...", "%YAML 1.2", "|", ">", "\t", "\r", "\ufeff", "1", "true", "~", "\u2028",
]


def _defined(text):
    try:
        root, problem = compose(text)
    except AssertionError:  # ruamel's check of a %YAML directive's version: no mapping either way
        return set()
    if problem is not None or root is None or not is_map(root):
        return set()
    return set(_root_items(root, text)[0])


def _sound(text):
    """Every name the composed root defines, and that is written in the text (the reader composed
    only those before: a key not written as such, an escape, is found by _Layer.odd), is one
    _may_define says the text may define; a text it reads lexically has no such key."""
    for name in _defined(text):
        if name in text:
            assert _may_define(text, name), (text, name)
        else:
            assert not _keys_start_lines(text), (text, name)


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(_VARS_PIECES), max_size=18))
def test_may_define_never_misses_a_key(pieces):
    _sound("".join(pieces))


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["name", "x", "name_x"]), min_size=1, max_size=4), st.lists(st.sampled_from(_VARS_PIECES), max_size=10))
def test_may_define_never_misses_a_key_after_plain_lines(keys, tail):
    _sound("".join(f"{key}: 1\n" for key in keys) + "".join(tail))


def test_may_define_examples():
    plain = "---\n# vars\nname_x: 1\nother: '{{ name }}'\n\"quoted\": 2\n'single' : 3\nlist:\n- name: 4\n"
    assert _defined(plain) == {"name_x", "other", "quoted", "single", "list"}
    for name, may in [("name_x", True), ("other", True), ("quoted", True), ("single", True), ("name", False), ("list", True), ("absent", False)]:
        assert _may_define(plain, name) == may, name
    # texts dlint cannot read lexically answer "written anywhere in it", as before
    for text in ["  name: 1\n", "<<: *base\nx: 1\n", "&a name: 1\n", "? name\n: 1\n", "{name: 1}\n", '"na\\x6de": 1\n', "\ufeffname: 1\n", "x: 1\r\nname: 2\r\n", "--- !!map\nname: 1\n"]:
        assert _may_define(text, "name") == ("name" in text), text
        _sound(text)


_KEY_PIECES = ["name", "name_x", "x", ":", " ", "\n", "'", '"', "\t", "#", "-", "1", "é", "{{", "}}"]


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(_KEY_PIECES), max_size=20), st.sampled_from(["name", "name_x", "x", "_", "é", "x1"]))
def test_line_keys_answer_what_the_search_answers(pieces, name):
    from dlint_docker.sources.ansible import _may_define_scan

    text = "".join(pieces)
    assert _may_define(text, name) == _may_define_scan(text, name), (text, name)

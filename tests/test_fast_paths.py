"""Fast paths that must answer exactly what the plain code they replace answers."""

from __future__ import annotations

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

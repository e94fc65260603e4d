"""Fast paths that must answer exactly what the plain code they replace answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dlint_docker.sources.claims import _NEEDLES, _Needles

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

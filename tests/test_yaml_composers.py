"""The C composer (ruamel.yaml.clib) and the pure-Python one give the same nodes, marks, problems
and findings; the bounds hold on both paths and the C one is never handed what could crash it."""

from __future__ import annotations

import pytest

from dlint_docker import yamlnodes
from dlint_docker.yamlnodes import compose, compose_pure, tag_of, value_of

from .helpers import at, scan, where, write_tree

needs_c = pytest.mark.skipif(not yamlnodes.c_available(), reason="ruamel.yaml.clib not installed")


def shape(node, seen=None):
    """A node graph as plain data: kind, tag, style, marks and value of every node (an alias as
    the position of what it refers to)."""
    seen = set() if seen is None else seen
    if node is None:
        return None
    if id(node) in seen:
        return ("alias", node.start_mark.index)
    if node.id != "scalar":
        seen.add(id(node))
    base = (node.id, tag_of(node), node.start_mark.index, node.end_mark.index)
    if node.id == "scalar":
        return base + (node.style, value_of(node))
    if node.id == "sequence":
        return base + (node.flow_style, [shape(n, seen) for n in node.value])
    return base + (node.flow_style, [(shape(k, seen), shape(v, seen)) for k, v in node.value])


def problem(p):
    return None if p is None else (p.message, p.index)


INPUTS = [
    "a: 1\n",
    "a: é ✓ 𝄞\nb: 'q'\nc: \"dq\\n\"\n",
    "pkgs:\n\n# a comment\n# another\n\nnext: 1\n",  # an empty value before comments
    "a:\nb:   # c\n  - \n  -\nc:",
    "- x: &r {k: [1, 2]}\n  y: *r\n- <<: *r\n  z: 3\n",
    "d: >\n  folded\n  text\n\n  more\nl: |\n  line 1\n   line 2\nk: |-\n  x\n",
    "e: !!str 5\nf: !vault |\n  $ANSIBLE\ng: !foo {x: 1}\nh: !!binary aGk=\n",
    "a: yes\nb: on\nc: 0o17\nd: 017\ne: 1_000\nf: .inf\ng: ~\nh: 2001-01-01\n",
    "a: 1\r\nb:\r\n  - 2\r\n  - 3\r\n",
    "\ufeffa: 1\n",
    "[1, [2, [3, {a: b}]], {c: [d]}]\n",
    "? complex\n: value\n? [k]\n: v\n",
    "- - - nested\n    - seq\n",
    "a: &x 1\nb: &x 2\nc: *x\n",  # an anchor defined again: the last one wins
    "a: 1\na: 2\n",
    "key: value\n\tbad: tab\n",  # the dialects differ on tabs: both paths answer as the pure one
    'v: !Join [ "-", [ "Ref":"Id" , "vpc" ] ]\n',
    "%YAML 1.1\n---\na: yes\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "- a\n- b\n---\n- c\n",  # two documents: a problem
    "a: 1\n...\nb: 2\n",
    "a: 1\n--- \nb: [\n",
    '["a":b]\n',
    '{"a":1, "b":[1]}\n',
    "x: \"'::1'\" # it's\ny: '::'\n",
    "",
    "# only a comment\n",
    "a: *undefined\n",
    "[" * 70 + "]" * 70,  # deeper than MAX_DEPTH
    "a:" + "\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 80)),
]


@needs_c
@pytest.mark.parametrize("text", INPUTS)
def test_both_composers_give_the_same_nodes_marks_and_problems(text):
    root_c, problem_c = compose(text)
    root_pure, problem_pure = compose_pure(text)
    assert shape(root_c) == shape(root_pure)
    assert problem(problem_c) == problem(problem_pure)


@needs_c
def test_the_c_composer_is_used_when_it_can_answer():
    root, _ = compose("a: [1, 2]\n")
    assert type(root.start_mark).__module__ != "ruamel.yaml.error"  # a libyaml mark, not ruamel's


@pytest.mark.parametrize("depth", [70, 1500, 60000])
def test_deep_nesting_is_a_problem_not_a_crash(depth):
    """libyaml's composer recurses in C without a limit: nesting beyond the bound never reaches it."""
    nests = ("[" * depth + "]" * depth, "{{ " * depth + "x" + " }}" * depth, "".join(" " * i + "- x:\n" for i in range(0, min(depth, 3000), 2)))
    for text in nests:
        root, found = compose(text)
        assert root is None and "nested deeper than" in found.message


def test_alias_bomb_is_refused_on_both_paths():
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for i in range(1, 9):
        text += f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 10) + "]\n"
    # composing shares the aliased nodes: small either way, and the same graph
    assert shape(compose(text)[0]) == shape(compose_pure(text)[0])


def test_node_budget_counted_alike(monkeypatch):
    monkeypatch.setattr(yamlnodes, "MAX_NODES", 20)
    text = "[" + ", ".join(["x"] * 25) + "]\n"
    assert problem(compose(text)[1]) == problem(compose_pure(text)[1]) != None  # noqa: E711


TREE = {
    "user-data.yml": (
        "#cloud-config\n"
        "packages:\n\n# docker\n\nwrite_files:\n"
        "  - path: /etc/docker/daemon.json\n"
        "    content: |\n"
        "      {\"live-restore\": false, \"storage-drivr\": \"overlay2\"}\n"
    ),
    "roles/docker/defaults/main.yml": "---\ndocker_opts:\n  live-restore: false\n  log-driver: jsn-file\nunused:\n",
    "roles/docker/tasks/main.yml": (
        "---\n- name: daemon.json\n  ansible.builtin.copy:\n    content: \"{{ docker_opts | to_nice_json }}\"\n"
        "    dest: /etc/docker/daemon.json\n"
    ),
    "config.bu": (
        "variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n    - path: /etc/docker/daemon.json\n"
        "      contents:\n        inline: '{\"iptables\": false, \"icc\": false}'\n"
    ),
}


def findings(result):
    return sorted((f.rule, f.location.path, *where(f), f.message) for f in result.findings)


def test_findings_are_the_same_without_the_c_composer(tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    with_c = findings(scan(tmp_path))
    monkeypatch.setattr(yamlnodes, "_c_compose", lambda text: False)
    pure = findings(scan(tmp_path))
    assert with_c == pure
    assert ("DKD101", "user-data.yml", *at(TREE["user-data.yml"], "\"live-restore\"")) in [f[:4] for f in with_c]

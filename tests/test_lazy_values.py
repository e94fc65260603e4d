"""A mapping variable is evaluated member by member: a task that reads one entry of a large
templated dict (kubespray's ``downloads[item]``) renders that entry only, and what it reads is what
evaluating the whole dict would give."""

from __future__ import annotations

from dlint_docker import jinja
from dlint_docker.document import Document
from dlint_docker.sources import ansible
from dlint_docker.yamlnodes import Budget, Walk

from .helpers import at, scan, where, write_tree
from .test_ansible_memo import kinds  # noqa: F401  (the built-in kinds with the Ansible reader first)

ENTRIES = 300


def _role(extra_defaults: str = "") -> dict:
    entries = "".join(f"  item{i}:\n    size: \"{{{{ base_size }}}}-{i}\"\n    live: false\n" for i in range(ENTRIES))
    defaults = (
        "base_size: 10m\n"
        "daemon:\n"
        "  live: true\n"
        "  size: \"{{ base_size }}\"\n"
        "  loop_back: \"{{ daemon.loop_back }}\"\n"  # refers to itself: recursive, unknown
        "catalog:\n" + entries + extra_defaults
    )
    tasks = (
        "- apt: {name: docker-ce, state: present}\n"
        "- copy:\n"
        "    content: \"{{ {'live-restore': daemon.live, 'log-opts': {'max-size': catalog['item7'].size}} | to_json }}\"\n"
        "    dest: /etc/docker/daemon.json\n"
    )
    return {
        "site.yml": "- hosts: all\n  roles: [docker]\n",
        "roles/docker/defaults/main.yml": defaults,
        "roles/docker/tasks/main.yml": tasks,
    }


def test_one_member_of_a_large_dict_is_read_without_rendering_the_others(tmp_path, monkeypatch):
    write_tree(tmp_path, _role())
    rendered = []
    original = jinja.render

    def counting(mapped, *args, **kwargs):
        rendered.append(mapped.text)
        return original(mapped, *args, **kwargs)

    monkeypatch.setattr(jinja, "render", counting)
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD101"]  # daemon.live is true
    assert not [f for f in result.findings if f.rule in ("DKD003", "DKD005")]  # "10m-7" is a size dockerd reads as written
    sizes = [text for text in rendered if "base_size" in text and "-" in text]
    assert sizes == ['{{ base_size }}-7'] * len(sizes) and sizes  # item7 only, never the 299 others


def _defaults(tmp_path):
    """The role's defaults as the reader sees them: (values, their YAML, name -> nodes, a scope)."""
    write_tree(tmp_path, _role())
    text = (tmp_path / "roles/docker/defaults/main.yml").read_text()
    root = ansible.compose(text)[0]
    yaml = ansible._Yaml(text, root, Walk(text, Budget()), Document(text, "defaults.yml"), "defaults.yml")
    items = {k.value: (k, v) for k, v in root.value}
    return ansible._Values(Budget()), yaml, items, ansible._Scope([ansible._Layer(items, yaml)])


def test_a_member_read_alone_equals_the_member_of_the_whole_dict(tmp_path):
    values, yaml, items, scope = _defaults(tmp_path)
    whole = values.value(items["catalog"][1], yaml, scope)
    alone = values.value(items["catalog"][1], yaml, scope)
    assert isinstance(alone, jinja.LazyDict)
    one = alone.member("item7")
    assert one.python() == {"size": "10m-7", "live": False}
    assert alone.member("nothing").kind == "unknown"
    everything = whole.python()
    assert len(everything) == ENTRIES and everything["item7"] == one.python()
    assert alone.python() == everything  # made whole after a member was read: the same pairs


def test_a_member_that_refers_to_its_own_dict_is_unknown_and_the_others_known(tmp_path):
    values, yaml, items, scope = _defaults(tmp_path)
    resolve = values.resolver(scope)
    daemon = resolve("daemon", jinja.Location("t.yml", 1, 1, 1, 1))
    assert daemon.member("live").python() is True
    assert daemon.member("size").python() == "10m"
    assert not daemon.member("loop_back").known or daemon.member("loop_back").partial
    assert not values.active  # nothing is left marked as being resolved

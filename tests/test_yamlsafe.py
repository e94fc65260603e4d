"""dlint's own YAML (config, policies): positions kept, and nothing but YamlError on any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dlint_docker.yamlsafe import YamlError, load


def test_positions_by_path():
    data, positions = load("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert positions.find(("b", 1, "c")) == (4, 6)
    assert positions.find(("b", 0)) == (3, 5)
    assert positions.find(("missing",)) == (1, 1)


def test_alias_bomb_is_refused():
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for i in range(1, 8):
        text += f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 10) + "]\n"
    try:
        load(text)
    except YamlError as err:
        assert "nodes" in err.message
    else:  # pragma: no cover
        raise AssertionError("the bomb was expanded")


def test_duplicate_keys_are_an_error_with_a_line():
    try:
        load("a: 1\na: 2\n")
    except YamlError as err:
        assert err.line == 2
    else:  # pragma: no cover
        raise AssertionError("duplicate key accepted")


def test_deep_nesting_is_refused():
    try:
        load("[" * 200 + "]" * 200)
    except YamlError:
        pass
    else:  # pragma: no cover
        raise AssertionError("nesting accepted")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab:-[]{}&*!|>'\"#\n \t,?%@`0"), max_size=80))
def test_never_raises_anything_but_yamlerror(text):
    try:
        load(text)
    except YamlError:
        pass

"""The strict JSON reader: Go's verdicts and messages, exact positions, and no crash on any input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlint_docker.document import Document
from dlint_docker.jsonread import JSONError, parse, quote_char, to_python, top_level_keys_lenient


@pytest.mark.parametrize(
    "text,message,offset",
    [
        ('{"a":1,}', "invalid character '}' looking for beginning of object key string", 7),
        ('{"a":1}{', "invalid character '{' after top-level value", 7),
        ("[1,]", "invalid character ']' looking for beginning of value", 3),
        ('{"a" 1}', "invalid character '1' after object key", 5),
        ('{"a":tru}', "invalid character '}' in literal true (expecting 'e')", 8),
        ('{"a":01}', "invalid character '1' after object key:value pair", 6),
        ('{"a":1.}', "invalid character '}' after decimal point in numeric literal", 7),
        ('{"a":1e}', "invalid character '}' in exponent of numeric literal", 7),
        ('{"a":-}', "invalid character '}' in numeric literal", 6),
        ('{"a":"\\x"}', "invalid character 'x' in string escape code", 7),
        ('{"a":"\\u12G4"}', "invalid character 'G' in \\u hexadecimal character escape", 10),
        ('{"a":"\t"}', "invalid character '\\t' in string literal", 6),
        ("//x", "invalid character '/' looking for beginning of value", 0),
        ('{"a":1', "unexpected end of JSON input", 6),
        ("{'a':1}", "invalid character '\\'' looking for beginning of object key string", 1),
        ('{"a":[1 2]}', "invalid character '2' after array element", 8),
    ],
)
def test_go_messages_and_offsets(text, message, offset):
    with pytest.raises(JSONError) as err:
        parse(text)
    assert err.value.message == message
    assert err.value.offset == offset


def test_positions_of_keys_and_values():
    text = '{\n  "live-restore": true,\n  "hosts": ["unix:///x", "tcp://0.0.0.0:2375"]\n}\n'
    root = parse(text)
    doc = Document(text, "daemon.json")
    hosts = root.get("hosts")
    assert doc.line_col(hosts.key_start) == (3, 3)
    second = hosts.value.value[1]
    assert doc.line_col(second.start) == (3, 26)
    assert text[second.start : second.end] == '"tcp://0.0.0.0:2375"'


def test_duplicates_are_kept_in_order_and_last_wins():
    root = parse('{"a": 1, "b": 2, "a": 3}')
    assert [m.key for m in root.value] == ["a", "b", "a"]
    assert root.get("a").value.value == "3"
    assert to_python(root) == {"a": 3, "b": 2}


def test_numbers_keep_go_integer_semantics():
    value = to_python(parse('{"i": 3, "f": 1.0, "e": 1e3, "n": -0, "big": 99999999999999999999}'))
    assert value == {"i": 3, "f": 1.0, "e": 1000.0, "n": 0, "big": 99999999999999999999}
    assert isinstance(value["f"], float) and isinstance(value["e"], float) and isinstance(value["n"], int)


def test_lone_surrogate_becomes_replacement_character():
    assert to_python(parse('{"a": "\\ud800x"}')) == {"a": "\ufffdx"}


def test_deep_nesting_costs_no_stack():
    depth = 9_999
    text = "[" * depth + "]" * depth
    node = parse(text)
    assert node.kind == "array"
    value = to_python(node)
    assert isinstance(value, list)


def test_nesting_beyond_go_limit_is_refused():
    depth = 10_001
    with pytest.raises(JSONError) as err:
        parse("[" * depth + "]" * depth)
    assert err.value.message == "exceeded max depth"


def test_bounds_are_respected():
    text = "\x0c{\"a\": 1}\u00a0"
    root = parse(text, 1, len(text) - 1)
    assert to_python(root) == {"a": 1}


def test_quote_char_names_like_go():
    assert quote_char("\x00") == "'\\x00'"
    assert quote_char("\n") == "'\\n'"
    assert quote_char("'") == "'\\''"
    assert quote_char('"') == "'\"'"
    assert quote_char("é") == "'é'"


def test_lenient_keys_see_through_errors():
    assert top_level_keys_lenient('{"apps": [{"name": "x"}], "y": 1,}') == ["apps", "y"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_agrees_with_python_json_on_valid_documents(value):
    text = json.dumps(value, ensure_ascii=False)
    assert to_python(parse(text)) == json.loads(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('{}[]":,. \n\t0123456789-+eEtrufalsn\\/u"abcé\x00'), max_size=60))
def test_never_raises_anything_but_jsonerror(text):
    try:
        parse(text)
    except JSONError as err:
        assert 0 <= err.offset <= len(text)
    try:
        json.loads(text)
        python_ok = True
    except ValueError:
        python_ok = False
    try:
        parse(text)
        ours_ok = True
    except JSONError:
        ours_ok = False
    # Python's json accepts NaN/Infinity and lone surrogates the same way; otherwise verdicts agree
    if "N" not in text and "I" not in text:
        assert ours_ok == python_ok, text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_lenient_scan_never_raises(data):
    top_level_keys_lenient(data.decode("utf-8", "replace"))

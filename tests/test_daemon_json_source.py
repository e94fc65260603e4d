"""daemon.json recognised by name, confirmed by content, decoded as dockerd decodes it."""

from __future__ import annotations

import codecs

import pytest

from dlint_docker.sources.daemon_json import DaemonJsonKind, decode, read, trim_bounds

from .helpers import scan, write_tree


@pytest.mark.parametrize(
    "rel,claimed",
    [
        ("daemon.json", True),
        ("roles/docker/files/daemon.json", True),
        ("docker-daemon.json", True),
        ("daemon-prod.json", True),
        ("rootfs/etc/docker/key.json", True),
        ("etc/docker/daemon.json.j2", False),
        ("package.json", False),
        ("daemon.yaml", False),
    ],
)
def test_claims_by_name(rel, claimed):
    assert DaemonJsonKind().claims(rel, rel.rsplit("/", 1)[-1]) is claimed


def test_utf8_bom_and_utf16_with_bom_are_read():
    body = '{"live-restore": true}'
    for data in (codecs.BOM_UTF8 + body.encode(), codecs.BOM_UTF16_LE + body.encode("utf-16-le"), codecs.BOM_UTF16_BE + body.encode("utf-16-be")):
        text, problem = decode(data)
        assert problem is None
        root, problem = read(text)
        assert problem is None and root.get("live-restore") is not None


def test_utf16_without_bom_is_refused_like_dockerd():
    text, problem = decode('{"debug": true}'.encode("utf-16-le"))
    root, problem = read(text, problem)
    assert root is None
    assert problem.message == "invalid character '\\x00' looking for beginning of object key string"


def test_invalid_utf8_points_at_the_bad_byte():
    data = b'{"debug": true,\n "x": "\xc3"}'
    text, problem = decode(data)
    assert problem.kind == "encoding"
    assert problem.message == f"failed to decode configuration JSON at offset {len(data)}: encoding: invalid UTF-8"
    assert text[problem.start] == "\ufffd"


@pytest.mark.parametrize("text", ["", "  \n", "null", "\x0c null \u00a0"])
def test_empty_and_null_mean_no_configuration(text):
    assert read(text) == (None, None)


def test_top_level_must_be_an_object():
    root, problem = read("[]")
    assert problem.message == "json: cannot unmarshal array into Go value of type map[string]interface {}"
    _, problem = read('"x"')
    assert "cannot unmarshal string" in problem.message


def test_go_trimspace_is_not_python_strip():
    assert trim_bounds("\x1c{}") == (0, 3)  # Go does not trim U+001C; Python would
    assert trim_bounds("\x0b{}\x85") == (1, 3)


def test_decoy_named_daemon_json_is_skipped_with_a_note(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"apps": [{"name": "api", "script": "server.js"}],}\n'})
    result = scan(tmp_path)
    assert result.findings == []
    assert result.hosts == []
    assert any("not a Docker daemon configuration" in note for note in result.notes)


def test_file_of_typos_is_still_a_daemon_config(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"live_restore": true}\n'})
    result = scan(tmp_path)
    assert [f.name for f in result.findings if f.rule == "DKD002"] == ["unknown-key"]


def test_empty_daemon_json_is_a_configuration_without_live_restore(tmp_path):
    write_tree(tmp_path, {"etc/docker/daemon.json": ""})
    result = scan(tmp_path)
    assert [f.name for f in result.findings] == ["live-restore-disabled"]
    assert (result.findings[0].location.line, result.findings[0].location.column) == (1, 1)

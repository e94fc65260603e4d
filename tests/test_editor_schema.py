"""The JSON Schema of daemon.json that editors use: it accepts what dockerd accepts and rejects what
dockerd refuses for key and type reasons; docs/editors.md says how to map it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from .helpers import REPO, cli


def _validator(version: str = "26.1"):
    done = cli("schema", "daemon-json", "--engine-version", version)
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["$id"] and schema["properties"]["live-restore"]["description"]
    return jsonschema.Draft202012Validator(schema)


ACCEPTED = [
    {"live-restore": True, "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}},
    {"debug": None},
    {"proxies": {"http-proxy": "http://proxy:3128"}},  # a wrapper dockerd flattens
    {"default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]},
]
REFUSED = [
    {"debu": True},  # unknown key
    {"Debug": True},  # keys are case-sensitive
    {"debug": "yes"},  # type
    {"log-opts": {"max-file": 3}},  # log options are strings
    {"wrapper": {"bogus": 1}},  # a flattened member that is no option
]


@pytest.mark.parametrize("document", ACCEPTED)
def test_accepts_what_dockerd_accepts(document):
    assert list(_validator().iter_errors(document)) == []


@pytest.mark.parametrize("document", REFUSED)
def test_rejects_what_dockerd_refuses_for_keys_and_types(document):
    assert list(_validator().iter_errors(document)) != []


def test_the_examples_daemon_json_files():
    validator = _validator("26.1")
    good = json.loads((REPO / "examples/hosts/web/etc/docker/daemon.json").read_text())
    refused = json.loads((REPO / "examples/hosts/ci-runner/etc/docker/daemon.json").read_text())  # tls-verify, max-file: 3
    assert list(validator.iter_errors(good)) == []
    assert len(list(validator.iter_errors(refused))) == 2


def test_the_editors_page_maps_the_schema():
    text = (REPO / "docs" / "editors.md").read_text()
    assert '"json.schemas"' in text and "yaml-language-server: $schema=" in text and "--stdin-filename" in text

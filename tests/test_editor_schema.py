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


# -- the published schemas: one per engine release and platform, generated from the facts ------------

PUBLISHED = REPO / "linter" / "schemas" / "daemon-json"


def test_the_published_schemas_are_what_the_engine_facts_generate():
    from dlint_docker.engine.knowledge import platforms, releases
    from dlint_docker.engine.schema import published

    expected = published()
    assert set(expected) == {f"{v}-{p}.json" for v in releases() for p in platforms()}
    on_disk = {path.name: path.read_text("utf-8") for path in PUBLISHED.glob("*.json")}
    stale = sorted(name for name in set(expected) | set(on_disk) if expected.get(name) != on_disk.get(name))
    assert not stale, f"regenerate with `python -m dlint_docker.engine.schema`: {stale[:5]}"


def test_the_published_schemas_are_packaged_and_documented():
    text = (REPO / "pyproject.toml").read_text()
    assert '"schemas/daemon-json/*.json"' in text
    editors = (REPO / "docs" / "editors.md").read_text()
    assert "linter/schemas/daemon-json/" in editors and "python -m dlint_docker.engine.schema" in editors


@pytest.mark.parametrize("name", ["17.06-linux.json", "24.0-linux.json", "26.1-linux.json", "27.0-linux.json", "29.7-linux.json", "29.7-windows.json"])
def test_a_published_schema_carries_what_editors_show(name):
    schema = json.loads((PUBLISHED / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    version, platform = name[: -len(".json")].split("-")
    assert schema["$id"].endswith(f"/daemon-json/{name}") and version in schema["title"]
    properties = schema["properties"]
    assert all("markdownDescription" in entry for entry in properties.values()), [k for k, v in properties.items() if "markdownDescription" not in v]
    assert "**`debug`**" in properties["debug"]["markdownDescription"]
    if platform == "linux":
        assert properties["live-restore"]["default"] is False and "a reload applies it" in properties["live-restore"]["markdownDescription"]
        assert version == "17.06" or properties["default-ipc-mode"]["enum"] == ["shareable", "private", "", None]  # since 17.09
        assert properties["icc"]["default"] is True
        assert version < "20.10" or properties["ip6tables"]["default"] is (version >= "27.0")  # since 20.10
    levels = properties["log-level"]["anyOf"][0]["enum"]
    assert "info" in levels and ("warning" in levels) is (version < "25.0")
    assert properties["insecure-registry"]["deprecated"] is True  # a singular name dockerd ignores


CORPUS = REPO.parent / "shared" / "corpus"  # real files, read in place (never copied), where it is


def _daemon_configs():
    """Every daemon.json the examples, the shared corpus (when it is there) and the policy examples
    hold (embedded ones too), as dlint reads them: (where, text, engine version, platform)."""
    from dlint_docker.evaluate import Context
    from dlint_docker.scan import Options, prepare, run

    trees = [(REPO, "examples")] + ([(CORPUS, ".")] if CORPUS.is_dir() else [])
    for cwd, path in trees:
        result = run(Options(paths=[path], cwd=cwd))
        context = Context(result.setup.engine_version, frozenset(), result.setup.settings, result.setup.engine_origin)
        for host in result.hosts:
            version = context.for_host(host).engine(host).version_text
            for config in host.daemon_configs:
                yield str(config.document.location(0)), config.document.text, version, host.platform
    for policy in prepare(Options()).all_policies:
        for verdict, examples in policy.meta.examples.items():
            for index, example in enumerate(examples):
                for name, text in example["files"].items():
                    if name.endswith("daemon.json"):
                        yield f"{policy.meta.id} {verdict}[{index}] {name}", text, example.get("engine-version") or "29.7", example.get("platform") or "linux"


def test_every_example_daemon_json_is_judged_as_dlint_judges_it(tmp_path):
    """Where dlint (which the oracle tests hold to dockerd's verdict) accepts a file, its release's
    published schema accepts it; where dlint refuses it only for keys and types, the schema does too."""
    from dlint_docker.engine.schema import published_name
    from dlint_docker.scan import Options, run

    from .test_oracle import Case, _plain_json

    validators = {}
    judged = 0
    for where, text, version, platform in _daemon_configs():
        value = _plain_json(Case(where, text.encode("utf-8")))
        if value is None:
            continue
        (tmp_path / "daemon.json").write_text(text)
        findings = run(Options(paths=["daemon.json"], cwd=tmp_path, engine_version=version, platform=platform, select=["DKD0"])).findings
        refusing = [f for f in findings if f.breaks == "config-load"]
        # a JSON type ("must be a string, not a number") or a key; not a format or a value check
        if any(f.rule not in ("DKD002", "DKD003") or f.rule == "DKD003" and " must be " not in f.message for f in refusing):
            continue  # what the schema does not express (an IP address, a size, Validate())
        key = (version, platform)
        if key not in validators:
            validators[key] = jsonschema.Draft202012Validator(json.loads((PUBLISHED / published_name(*key)).read_text()))
        errors = [e.message for e in validators[key].iter_errors(value)]
        assert bool(errors) == bool(refusing), (where, [f.message for f in refusing], errors[:3])
        judged += 1
    assert judged > 40

"""The built-in policies' schemas compiled to Python agree with jsonschema: on the facts of every
policy example and on generated facts; dlint's value schemas likewise; and a one-file scan of a
daemon.json does not import jsonschema."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint_docker.engine import typecheck
from dlint_docker.engine.knowledge import engine, key_table, newest_release
from dlint_docker.policy import declarative
from dlint_docker.policy.compiled import Compiler, equal, policy_predicate
from dlint_docker.policy.declarative import DeclarativePolicy
from dlint_docker.scan import Options, prepare

from .helpers import scan, write_tree

POLICIES = prepare(Options()).all_policies
DECLARATIVE = [p for p in POLICIES if isinstance(p, DeclarativePolicy)]
SCHEMAS = [(p.meta.id, name, s) for p in DECLARATIVE for name, s in (("when", p.when), ("require", p.require), ("atItem", p.at_item)) if s is not None]


def reference(schema, value) -> bool:
    return declarative.compile_schema(schema).is_valid(value)


def test_every_builtin_schema_compiles():
    assert DECLARATIVE and SCHEMAS
    for policy_id, name, schema in SCHEMAS:
        assert policy_predicate(schema) is not None, f"{policy_id} spec.{name} needs jsonschema"


EXAMPLES = [
    pytest.param(example, id=f"{p.meta.id}-{verdict}-{i}")
    for p in POLICIES
    for verdict in ("fail", "pass")
    for i, example in enumerate(p.meta.examples.get(verdict, []))
]


@pytest.mark.parametrize("example", EXAMPLES)
def test_compiled_and_jsonschema_agree_on_every_example(tmp_path, monkeypatch, example):
    compared = []

    def both(self, schema, value):
        compiled = policy_predicate(schema)(value)
        assert compiled == reference(schema, value), (self.meta.id, schema, value)
        compared.append(value)
        return compiled

    monkeypatch.setattr(DeclarativePolicy, "_valid", both)
    write_tree(tmp_path, example["files"])
    scan(tmp_path, engine_version=example.get("engine-version"), platform=example.get("platform"))


# --- generated facts -----------------------------------------------------------------------------


def _names_and_values(schema, names: set, values: list) -> None:
    if isinstance(schema, dict):
        for key, sub in schema.items():
            if key in ("properties", "patternProperties"):
                names.update(k for k in sub if isinstance(k, str))
                for s in sub.values():
                    _names_and_values(s, names, values)
            elif key in ("const",):
                values.append(sub)
            elif key == "enum":
                values.extend(sub)
            elif key == "required":
                names.update(sub)
            else:
                _names_and_values(sub, names, values)
    elif isinstance(schema, list):
        for s in schema:
            _names_and_values(s, names, values)


NAMES: set = set()
VALUES: list = []
for _, _, _schema in SCHEMAS:
    _names_and_values(_schema, NAMES, VALUES)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5, -1.5]), st.text(max_size=4),
    st.sampled_from([v for v in VALUES if not isinstance(v, (dict, list))] or [None]),
)
facts = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(sorted(NAMES)), inner, max_size=6)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=facts, which=st.integers(0, 10_000))
def test_compiled_and_jsonschema_agree_on_generated_facts(value, which):
    _, _, schema = SCHEMAS[which % len(SCHEMAS)]
    assert policy_predicate(schema)(value) == reference(schema, value)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=facts)
def test_every_schema_agrees_on_one_generated_value(value):
    for _, _, schema in SCHEMAS:
        assert policy_predicate(schema)(value) == reference(schema, value)


def test_equality_is_jsonschemas():
    assert equal(1, 1.0) and not equal(True, 1) and not equal(0, False) and equal([1, {"a": 2}], [1.0, {"a": 2}])
    assert not equal("1", 1) and not equal(None, False)


def test_an_unknown_keyword_is_left_to_jsonschema():
    assert Compiler().compile({"$ref": "#/x"}) is None
    assert Compiler().compile({"properties": {"a": {"if": {}}}}) is None


# --- dlint's value schemas (daemon.json types) ---------------------------------------------------

ENGINE = engine(newest_release())
VALUE_SCHEMAS = [(key, ENGINE.value_schema(key)) for key in sorted(key_table())]
VALUE_SCHEMAS = [(k, s) for k, s in VALUE_SCHEMAS if s]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=False), st.text(max_size=6),
              st.sampled_from(["10m", "1.2.3.4", "10.0.0.0/8", "json-file", "unix:///x", "0.0.0.0:2375"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=values, which=st.integers(0, 10_000))
def test_value_schemas_compiled_agree_with_jsonschema(value, which):
    key, schema = VALUE_SCHEMAS[which % len(VALUE_SCHEMAS)]
    text = json.dumps(schema, sort_keys=True)
    predicate = typecheck._predicate(text)
    assert predicate is not None, key
    assert predicate(value) == typecheck._validator(text).is_valid(value), (key, value)


def test_one_file_daemon_json_scan_does_not_import_jsonschema(tmp_path):
    write_tree(tmp_path, {"daemon.json": '{"live-restore": false, "log-driver": "json-file", "log-opts": {"max-size": "10m"}}\n'})
    code = (
        "import sys\nfrom dlint_docker.cli import main\nsys.argv = ['dlint', 'scan', 'daemon.json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('JSONSCHEMA', 'jsonschema' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "DKD101" in done.stdout and "JSONSCHEMA False" in done.stdout, done.stdout + done.stderr

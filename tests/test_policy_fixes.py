"""A fix, followed literally, yields a configuration dlint accepts.

Two ways: each policy's fail example is paired with a pass example (its fixed form), which must
have no finding of the policy and no config-load finding the fail example did not have; and where a
finding's fix writes the whole corrected member (``replace it with "log-opts": {...}``), that member
is put in place of the key in daemon.json, and the re-scan must have no finding of that policy and
no new config-load finding (DKD006's "use log-opts" once kept a string that then failed DKD003).
"""

from __future__ import annotations

import json
from typing import Iterator, Tuple

import pytest

from dlint_docker.scan import Options, prepare

from .helpers import scan, write_tree

POLICIES = prepare(Options()).all_policies
REPLACE = "replace it with "


def _pairs():
    for policy in POLICIES:
        examples = policy.meta.examples
        fixed = examples.get("pass", [])
        for index, failing in enumerate(examples.get("fail", [])):
            if fixed:
                yield pytest.param(policy, failing, fixed[min(index, len(fixed) - 1)], id=f"{policy.meta.id}-{index}")


def _scan(root, example):
    write_tree(root, example["files"])
    return scan(root, profile="all", engine_version=example.get("engine-version"), platform=example.get("platform"))


def _config_load(result) -> set:
    return {f.rule for f in result.findings if f.breaks == "config-load"}


@pytest.mark.parametrize("policy,failing,fixed", list(_pairs()))
def test_fixed_example_has_no_finding_of_the_policy_and_no_new_config_load(tmp_path, policy, failing, fixed):
    before = _scan(tmp_path / "fail", failing)
    after = _scan(tmp_path / "fixed", fixed)
    assert not [f.message for f in after.findings if f.rule == policy.meta.id]
    new = _config_load(after) - _config_load(before)
    assert not new, [f"{f.rule}: {f.message}" for f in after.findings if f.rule in new]


def _member(fix: str) -> Tuple[str, object]:
    """The key and value a ``replace it with "key": value`` fix writes."""
    decoder = json.JSONDecoder()
    text = fix[len(REPLACE):]
    key, end = decoder.raw_decode(text)
    assert text[end:end + 2] == ": ", fix
    value, _ = decoder.raw_decode(text, end + 2)
    return key, value


def _literal_fixes() -> Iterator:
    for policy in POLICIES:
        for index, example in enumerate(policy.meta.examples.get("fail", [])):
            names = list(example["files"])
            if names == ["daemon.json"]:
                yield pytest.param(policy, example, id=f"{policy.meta.id}-{index}")


@pytest.mark.parametrize("policy,example", list(_literal_fixes()))
def test_a_fix_that_writes_the_member_yields_a_configuration_dlint_accepts(tmp_path, policy, example):
    before = _scan(tmp_path / "fail", example)
    literal = [f for f in before.findings if f.rule == policy.meta.id and (f.fix or "").startswith(REPLACE)]
    if not literal:
        pytest.skip("no fix of this example writes a whole member")
    for number, finding in enumerate(literal):
        config = json.loads(example["files"]["daemon.json"])
        old = finding.pointer.lstrip("/").replace("~1", "/").replace("~0", "~")
        config.pop(old)
        key, value = _member(finding.fix)
        config[key] = value
        after = _scan(tmp_path / f"fixed-{number}", {**example, "files": {"daemon.json": json.dumps(config)}})
        assert not [f.message for f in after.findings if f.rule == policy.meta.id], finding.fix
        new = _config_load(after) - _config_load(before)
        assert not new, (finding.fix, [f"{f.rule}: {f.message}" for f in after.findings if f.rule in new])

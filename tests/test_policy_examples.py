"""Every policy's own examples: each 'fail' example produces a finding of that policy, each 'pass'
example none, so the documentation cannot drift from the behaviour."""

from __future__ import annotations

import pytest

from dlint_docker.scan import Options, prepare

from .helpers import scan, write_tree

POLICIES = prepare(Options()).all_policies
CASES = [
    pytest.param(policy, verdict, index, example, id=f"{policy.meta.id}-{verdict}-{index}")
    for policy in POLICIES
    for verdict in ("fail", "pass")
    for index, example in enumerate(policy.meta.examples.get(verdict, []))
]


def test_every_builtin_policy_has_examples():
    for policy in POLICIES:
        assert policy.meta.examples.get("pass"), f"{policy.meta.id} has no passing example"
        if policy.meta.id != "DKD901":  # an unreadable file cannot be written as an example
            assert policy.meta.examples.get("fail"), f"{policy.meta.id} has no failing example"


@pytest.mark.parametrize("policy,verdict,index,example", CASES)
def test_example(tmp_path, policy, verdict, index, example):
    if "before" in example:  # a change: the files at a base revision, committed, then these
        from .test_change import commit

        commit(tmp_path, example["before"])
    write_tree(tmp_path, example["files"])
    result = scan(
        tmp_path,
        select=[policy.meta.id],
        engine_version=example.get("engine-version"),
        platform=example.get("platform"),
        diff_base="HEAD" if "before" in example else None,
    )
    own = [f for f in result.findings if f.rule == policy.meta.id]
    if verdict == "fail":
        assert own, f"{policy.meta.id} example {index} should fail but produced no finding"
        for finding in own:
            assert finding.location.line >= 1 and finding.location.column >= 1
    else:
        assert not own, f"{policy.meta.id} example {index} should pass: {[f.message for f in own]}"

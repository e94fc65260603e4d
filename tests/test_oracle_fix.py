"""dockerd's own verdict on what ``dlint fix`` writes: over the oracle generator's daemon.json
variants, a file whose config-load findings were all fixed must pass ``dockerd --validate``, for
both oracle versions; a second fix changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.fix import apply_fixes
from linter.scan import Options, prepare

from .oracle_cases import cases
from .test_oracle import SUITES, _dockerd, oracles  # noqa: F401 - the fixture

CASES = cases()


def _config_load(root: Path, version: str) -> list:
    from linter.scan import run

    result = run(Options(cwd=root, engine_version=version, profile="all", assume_packaged_unit=False))
    return [f"{f.rule}: {f.message}" for f in result.active if f.breaks == "config-load"]


@pytest.mark.parametrize("version", sorted(SUITES))
def test_every_fully_fixed_variant_passes_dockerd_validate(version, oracles, tmp_path):  # noqa: F811
    oracle = oracles[version]
    fixed = 0
    failures = []
    for index, case in enumerate(CASES):
        root = tmp_path / f"{index:04d}"
        root.mkdir()
        path = root / "daemon.json"
        path.write_bytes(case.data)
        options = Options(cwd=root, engine_version=version, profile="all", assume_packaged_unit=False)
        outcome = apply_fixes(options, prepare(options))
        if not outcome.count:
            continue
        fixed += 1
        data = path.read_bytes()
        assert apply_fixes(options, prepare(options)).count == 0, case.name
        assert path.read_bytes() == data, case.name
        if _config_load(root, version):
            continue  # something no fix repairs: dockerd still refuses it, rightly
        verdict = _dockerd(oracle, path, tmp_path)
        if verdict.rejected:
            failures.append(f"{case.name}: {data!r}: {verdict.output}")
    assert fixed >= 20
    assert not failures, "\n".join(failures)

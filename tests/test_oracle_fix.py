"""dockerd's own verdict on what ``dlint fix`` writes: over the oracle generator's daemon.json
variants, a file whose config-load findings were all fixed must pass ``dockerd --validate``, for
both oracle versions; a second fix changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlint_docker.fix import apply_fixes
from dlint_docker.scan import Options, prepare

from .oracle_cases import cases
from .test_oracle import SUITES, _dockerd, oracles  # noqa: F401 - the fixture

CASES = cases()


def _config_load(root: Path, version: str) -> list:
    from dlint_docker.scan import run

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


UNIT = "etc/systemd/system/docker.service.d/override.conf"
FLAG_CASES = {
    "hosts-against-packaged": {"etc/docker/daemon.json": '{\n  "hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]\n}\n'},
    "same-values": {
        "etc/docker/daemon.json": '{\n  "debug": true,\n  "live-restore": true,\n  "log-level": "warn"\n}\n',
        UNIT: "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -D --live-restore --containerd=/run/containerd/containerd.sock\n",
    },
}


def _exec_start(root: Path) -> list:
    """The flags of the unit's (or the packaged unit's) last ExecStart."""
    unit = root / UNIT
    line = "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"
    if unit.exists():
        line = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=") and x != "ExecStart="][-1]
    return line.split()[1:]


@pytest.mark.parametrize("version", sorted(SUITES))
@pytest.mark.parametrize("name", sorted(FLAG_CASES))
def test_flag_conflict_fixes_pass_dockerd_validate_with_the_units_flags(version, name, oracles, tmp_path):  # noqa: F811
    from .helpers import write_tree

    root = write_tree(tmp_path / "repo", FLAG_CASES[name])
    config = root / "etc/docker/daemon.json"
    oracle = oracles[version]
    assert _dockerd(oracle, config, tmp_path, _exec_start(root)).rejected
    options = Options(cwd=root, engine_version=version)
    assert apply_fixes(options, prepare(options)).count
    verdict = _dockerd(oracle, config, tmp_path, _exec_start(root))
    assert not verdict.rejected, verdict.output

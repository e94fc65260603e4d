"""Differential tests: dlint's verdict on a daemon.json must be real dockerd's verdict.

The oracles are dockerd binaries from Debian packages (trixie: Docker 26.1.5, sid: Docker 28.5.2),
fetched once by shared/oracles/fetch-dockerd into <repo>/.cache/oracles (or $DLINT_ORACLE_DIR) and
only ever run as ``dockerd --userland-proxy-path=DIR/docker-proxy --validate --config-file FILE``.
Without the binaries the tests are skipped, unless DLINT_REQUIRE_ORACLES=1 makes that a failure.

dockerd rejects a file when it exits non-zero; dlint rejects it when it reports a finding whose
``breaks`` is ``config-load`` for the binary's engine version. The cases are in oracle_cases.py.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest

from dlint_docker.engine.knowledge import engine
from dlint_docker.scan import Options, run

from .oracle_cases import DECOYS, Case, cases

REPO = Path(__file__).resolve().parent.parent
FETCH = REPO.parent / "shared" / "oracles" / "fetch-dockerd"
SUITES = {"26.1": "trixie", "28.5": "sid"}  # engine version judged -> Debian suite of the oracle
TIMEOUT = 30  # seconds for one dockerd --validate (it takes about 0.1 s)
FETCH_TIMEOUT = 600

CASES: List[Case] = cases()


@dataclass
class Oracle:
    version: str
    dockerd: Path

    def command(self, config: Path, flags: Sequence[str] = ()) -> List[str]:
        """dockerd --validate, with ``flags`` beside it as a unit's ExecStart would give them."""
        proxy = self.dockerd.parent / "docker-proxy"
        return [str(self.dockerd), f"--userland-proxy-path={proxy}", *flags, "--validate", "--config-file", str(config)]


@dataclass
class Verdict:
    rejected: bool
    output: str


def _oracle_dir() -> Path:
    override = os.environ.get("DLINT_ORACLE_DIR")
    return Path(override) if override else REPO / ".cache" / "oracles"


def _find_or_fetch(suite: str, folder: Path) -> Path:
    binary = folder / suite / "usr" / "sbin" / "dockerd"
    if os.access(binary, os.X_OK):
        return binary
    if not FETCH.is_file():
        raise RuntimeError(f"no dockerd in {folder / suite} and no fetch script at {FETCH}")
    try:
        done = subprocess.run(["bash", str(FETCH), suite, str(folder)], capture_output=True, text=True, timeout=FETCH_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RuntimeError(f"{FETCH} {suite} {folder} failed: {err}") from None
    lines = done.stdout.strip().splitlines()
    path = Path(lines[-1]) if done.returncode == 0 and lines else binary
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{FETCH} {suite} {folder} gave no dockerd (rc={done.returncode}): {done.stderr.strip()[-500:]}")
    return path


@pytest.fixture(scope="session")
def oracles() -> Dict[str, Oracle]:
    folder = _oracle_dir()
    found: Dict[str, Oracle] = {}
    problems = []
    for version, suite in SUITES.items():
        try:
            found[version] = Oracle(version, _find_or_fetch(suite, folder))
        except RuntimeError as err:
            problems.append(str(err))
    if problems:
        reason = "dockerd oracles unavailable: " + "; ".join(problems)
        if os.environ.get("DLINT_REQUIRE_ORACLES") == "1":
            pytest.fail(reason + " (DLINT_REQUIRE_ORACLES=1)")
        pytest.skip(reason + " (set DLINT_ORACLE_DIR to a folder holding trixie/ and sid/ unpacked, or allow the fetch)")
    return found


@pytest.fixture(scope="session")
def case_files(tmp_path_factory) -> Dict[str, Path]:
    """Every case as daemon.json in its own folder."""
    root = tmp_path_factory.mktemp("oracle-cases")
    files = {}
    for index, case in enumerate(CASES):
        folder = root / f"{index:04d}"
        folder.mkdir()
        path = folder / "daemon.json"
        path.write_bytes(case.data)
        files[case.name] = path
    return files


def _dockerd(oracle: Oracle, config: Path, home: Path, flags: Sequence[str] = ()) -> Verdict:
    # one OS thread and no garbage collection: a third less CPU for a run that lasts 20 ms
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home), "LANG": "C", "GOMAXPROCS": "1", "GOGC": "off"}
    try:
        done = subprocess.run(oracle.command(config, flags), cwd=config.parent, env=env, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Verdict(True, f"TIMEOUT after {TIMEOUT}s")
    output = (done.stderr + done.stdout).strip()
    if done.returncode == 0 and "configuration OK" not in output:
        return Verdict(True, f"rc=0 without 'configuration OK': {output}")
    return Verdict(done.returncode != 0, output)


@dataclass
class Judgement:
    """dlint's verdict on one case for one engine version."""

    rejected: bool
    skipped: List[str]
    findings: str


def _dlint(path: Path, version: str) -> Judgement:
    # dockerd --validate runs with no flags: judge the file alone, not under an assumed packaged unit
    result = run(Options(paths=[str(path)], engine_version=version, cwd=path.parent, assume_packaged_unit=False))
    return Judgement(
        rejected=any(f.breaks == "config-load" for f in result.findings),
        skipped=[n for n in result.notes if "skipped" in n],
        findings="\n".join(f"      {f.rule} [{f.breaks}] {f.message}" for f in result.findings) or "      (none)",
    )


@pytest.fixture(scope="session")
def verdicts(oracles, case_files, tmp_path_factory) -> Dict[Tuple[str, str], Tuple[Verdict, Judgement]]:
    """dockerd's verdict (parallel processes) and dlint's (this thread, meanwhile) for every (version, case)."""
    home = tmp_path_factory.mktemp("oracle-home")
    jobs = [(version, name) for version in oracles for name in case_files]
    with ThreadPoolExecutor(max_workers=max(4, 2 * (os.cpu_count() or 1))) as pool:
        pending = {job: pool.submit(_dockerd, oracles[job[0]], case_files[job[1]], home) for job in jobs}
        judged = {job: _dlint(case_files[job[1]], job[0]) for job in jobs}
        return {job: (pending[job].result(), judged[job]) for job in jobs}


@pytest.fixture(scope="session")
def dockerd_verdicts(verdicts) -> Dict[str, Dict[str, Verdict]]:
    out: Dict[str, Dict[str, Verdict]] = {}
    for (version, name), (truth, _) in verdicts.items():
        out.setdefault(version, {})[name] = truth
    return out


def _show(case: Case) -> str:
    text = case.text()
    return text if len(text) <= 400 else text[:400] + "..."


@pytest.mark.parametrize("version", sorted(SUITES))
def test_dlint_agrees_with_dockerd(version, verdicts):
    mismatches = []
    for case in CASES:
        truth, dlint = verdicts[(version, case.name)]
        if truth.rejected == dlint.rejected and not dlint.skipped:
            continue
        mismatches.append(
            f"  {case.name}: dockerd {'REJECTS' if truth.rejected else 'accepts'}, dlint {'rejects' if dlint.rejected else 'accepts'}"
            + (f" (dlint skipped the file: {dlint.skipped})" if dlint.skipped else "")
            + f"\n    file: {_show(case)!r}\n    dockerd: {truth.output}\n    dlint findings:\n{dlint.findings}"
        )
    assert not mismatches, f"{len(mismatches)} of {len(CASES)} cases disagree with dockerd {version}:\n" + "\n".join(mismatches)


def test_cases_are_deterministic_and_many():
    again = cases()
    assert [(c.name, c.data) for c in again] == [(c.name, c.data) for c in CASES]
    assert len(CASES) >= 300


@pytest.mark.parametrize("decoy", DECOYS, ids=[d.name for d in DECOYS])
def test_non_docker_daemon_json_is_skipped(tmp_path, decoy):
    """A daemon.json none of whose keys any dockerd knows is not judged (dockerd would refuse it)."""
    path = tmp_path / "daemon.json"
    path.write_bytes(decoy.data)
    for version in SUITES:
        result = run(Options(paths=[str(path)], engine_version=version, cwd=tmp_path, assume_packaged_unit=False))
        assert result.findings == [], [f.message for f in result.findings]
        assert any("skipped" in note and "not a Docker daemon configuration" in note for note in result.notes), result.notes


# -- the published JSON Schema ---------------------------------------------------------------------

KEY_OR_TYPE = ("don't match any configuration option", "cannot unmarshal")


def _plain_json(case: Case):
    """The case as Python data when a JSON Schema can judge it: one object, no duplicate keys, no
    non-integer number literals (JSON Schema's "integer" admits 1.0, Go does not); else None."""
    data = case.data
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data = data[len(bom) :].decode(codec, "replace").encode("utf-8")
            break
    duplicated = []

    def pairs(items):
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            duplicated.append(keys)
        return dict(items)

    def no_float(literal):
        raise ValueError(literal)

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_float=no_float, parse_constant=no_float)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or duplicated:
        return None
    return value


@pytest.mark.parametrize("version", sorted(SUITES))
def test_document_schema_is_valid_draft_2020_12(version):
    import jsonschema

    schema = engine(version).document_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("version", sorted(SUITES))
def test_document_schema_agrees_with_dockerd(version, oracles, dockerd_verdicts):
    """On key and type questions the schema alone gives dockerd's verdict; it never refuses a file dockerd accepts."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(engine(version).document_schema())
    mismatches = []
    judged = 0
    for case in CASES:
        value = _plain_json(case)
        if value is None:
            continue
        truth = dockerd_verdicts[version][case.name]
        key_or_type = truth.rejected and any(m in truth.output for m in KEY_OR_TYPE) and "float64" not in truth.output
        if truth.rejected and not key_or_type:
            continue  # a value check (Validate()), which the schema does not express
        judged += 1
        errors = [e.message for e in validator.iter_errors(value)]
        if bool(errors) != truth.rejected:
            mismatches.append(f"  {case.name}: dockerd {'REJECTS' if truth.rejected else 'accepts'}\n    file: {_show(case)!r}\n    dockerd: {truth.output}\n    schema: {errors[:3]}")
    assert judged > 200
    assert not mismatches, f"{len(mismatches)} cases where the {version} schema disagrees with dockerd:\n" + "\n".join(mismatches)

"""[tool.dlint] in pyproject.toml: the keys of .dlint.yaml; one of the two, said with -v; both is an
error naming both; engine-version as written (26.10 stays 26.10) and only releases that existed."""

from __future__ import annotations

import pytest

from dlint_docker.config import find, load
from dlint_docker.errors import ConfigError

from .helpers import cli, scan, write_tree

PYPROJECT = '''[project]
name = "infra"

[tool.dlint]
fail-on = "error"
select = ["DKD0"]
engine-version = "26.1"

[tool.dlint.severity]
DKD002 = "warning"

[[tool.dlint.exceptions]]
path = "legacy/daemon.json"
rule = "DKD003"
reason = "legacy host, tracked in OPS-1"
'''


def test_tool_dlint_is_read_with_the_keys_of_dlint_yaml(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "daemon.json": '{"debu": true}\n', "legacy/daemon.json": '{"debug": 1}\n'})
    settings = load(find(tmp_path))
    assert (settings.fail_on, settings.select, settings.engine_version, settings.severity) == ("error", ["DKD0"], "26.1", {"DKD002": "warning"})
    result = scan(tmp_path)
    assert {(f.rule, f.severity, f.waived is not None) for f in result.findings} == {("DKD002", "warning", False), ("DKD003", "error", True)}
    assert result.exit_code == 0  # fail-on error; the unknown key is a warning here
    done = cli("scan", "-v", cwd=tmp_path)
    assert f"note: configuration: {tmp_path / 'pyproject.toml'}" in done.stdout


def test_a_pyproject_without_tool_dlint_is_no_configuration(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.black]\nline-length = 100\n# [tool.dlint] in a comment\n', ".git/x": ""})
    assert find(tmp_path) is None


def test_both_in_one_folder_is_an_error_naming_both(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, ".dlint.yaml": "fail-on: error\n"})
    with pytest.raises(ConfigError, match=r"\.dlint\.yaml and .*pyproject\.toml"):
        find(tmp_path)
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and ".dlint.yaml" in done.stderr and "pyproject.toml" in done.stderr


def test_an_invalid_value_names_the_file_and_line(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT.replace('fail-on = "error"', "fail-on = 3")})
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and "pyproject.toml:5:1: invalid configuration at fail-on" in done.stderr


def test_broken_toml_is_a_configuration_error(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "[tool.dlint]\nfail-on = \n"})
    assert cli("scan", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("name, text", [
    (".dlint.yaml", "engine-version: 26.1\n"),
    ("pyproject.toml", "[tool.dlint]\nengine-version = 26.1\n"),
])
def test_an_unquoted_engine_version_is_read_as_written(tmp_path, name, text):
    write_tree(tmp_path, {name: text, "daemon.json": '{"live-restore": true}\n'})
    assert load(tmp_path / name).engine_version == "26.1"
    assert scan(tmp_path).setup.engine_version == "26.1"
    (tmp_path / name).write_text(text.replace("26.1", "26.10"))
    assert load(tmp_path / name).engine_version == "26.10"  # not the number 26.1
    done = cli("scan", cwd=tmp_path)
    assert done.returncode == 2 and "26.10 is no Docker Engine release" in done.stderr and "29.7" in done.stderr


@pytest.mark.parametrize("version", ["22.0", "21.3", "19.10", "26.10"])
def test_releases_that_never_existed_are_refused_with_the_known_ones(tmp_path, version):
    write_tree(tmp_path, {"daemon.json": "{}\n"})
    done = cli("scan", "--engine-version", version, cwd=tmp_path)
    assert done.returncode == 2 and "no Docker Engine release" in done.stderr and "20.10, 23.0" in done.stderr

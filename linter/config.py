"""``.dlint.yaml`` or ``[tool.dlint]`` in pyproject.toml (the same keys): found from the scanned
path up to the git root (or given with --config), validated against the schema the package ships,
with errors that point at the bad line. Both in one folder is an error naming both files."""

from __future__ import annotations

import json
import re
from dataclasses import field
from .lazyclass import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from .errors import ConfigError

NAMES = (".dlint.yaml", ".dlint.yml")
PYPROJECT = "pyproject.toml"
MAX_PYPROJECT_BYTES = 1024 * 1024
_TOOL_DLINT = re.compile(r"^[ \t]*\[\[?[ \t]*tool[ \t]*\.[ \t]*dlint[ \t]*[.\]]", re.M)
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "config.schema.json"


@dataclass
class Settings:
    root: Path  # the folder paths in the configuration are relative to
    path: Optional[Path] = None  # the file it was read from
    engine_version: Optional[str] = None
    platform: Optional[str] = None
    assume_packaged_unit: bool = True
    profile: Optional[str] = None
    select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    severity: Dict[str, str] = field(default_factory=dict)
    fail_on: Optional[str] = None
    exclude: List[str] = field(default_factory=list)
    allowed_keys: List[str] = field(default_factory=list)
    policy_paths: List[str] = field(default_factory=list)
    exceptions: List[dict] = field(default_factory=list)
    lines: Dict[tuple, int] = field(default_factory=dict)  # where each setting is, for messages


def find(start: Path) -> Optional[Path]:
    """The nearest .dlint.yaml at or above ``start``, not above the git root."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        found = _in_folder(candidate)
        if found is not None:
            return found
        if (candidate / ".git").exists():
            return None
    return None


def _in_folder(folder: Path) -> Optional[Path]:
    """The configuration file of ``folder``: .dlint.yaml, or pyproject.toml with [tool.dlint]."""
    yaml = next((folder / name for name in NAMES if (folder / name).is_file()), None)
    toml = folder / PYPROJECT
    in_toml = toml.is_file() and _has_tool_dlint(toml)
    if yaml is not None and in_toml:
        raise ConfigError(f"{yaml} and {toml} ([tool.dlint]) both configure dlint; keep one")
    return yaml if yaml is not None else (toml if in_toml else None)


def _has_tool_dlint(path: Path) -> bool:
    from .discovery import read_bounded

    data, _ = read_bounded(path, MAX_PYPROJECT_BYTES)
    return bool(data) and _TOOL_DLINT.search(data.decode("utf-8", "replace")) is not None


def load(path: Path) -> Settings:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the configuration: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration is not UTF-8 text") from None
    data, positions = _read_toml(path, text) if path.name == PYPROJECT else _read_yaml(path, text)
    if data is None:
        data = {}
    _engine_as_written(data, positions, text)
    _validate(path, data, positions)
    settings = Settings(root=path.parent.resolve(), path=path)
    settings.engine_version = data.get("engine-version")
    settings.platform = data.get("platform")
    settings.assume_packaged_unit = data.get("assume-packaged-unit", True)
    settings.profile = data.get("profile")
    settings.select = list(data.get("select", []))
    settings.ignore = list(data.get("ignore", []))
    settings.severity = dict(data.get("severity", {}))
    settings.fail_on = data.get("fail-on")
    settings.exclude = list(data.get("exclude", []))
    settings.allowed_keys = list(data.get("allowed-keys", []))
    settings.policy_paths = list(data.get("policy-paths", []))
    settings.exceptions = [dict(e) for e in data.get("exceptions", [])]
    settings.lines = {k: v[0] for k, v in positions.by_path.items()}
    return settings


def _read_yaml(path: Path, text: str):
    from .yamlsafe import YamlError
    from .yamlsafe import load as load_yaml

    try:
        return load_yaml(text)
    except YamlError as err:
        raise ConfigError(f"{path}:{err.line}:{err.column}: {err.message}") from None


def _read_toml(path: Path, text: str):
    """``[tool.dlint]`` of a pyproject.toml, with the line of each of its keys."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ConfigError(f"{path}: reading [tool.dlint] needs Python 3.11 or the tomli package; or use .dlint.yaml") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: {err}") from None
    data = document.get("tool", {}).get("dlint")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.dlint] must be a table")
    return data, _toml_positions(text)


_TOML_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*tool[ \t]*\.[ \t]*dlint[ \t]*(?:\.[ \t]*\"?([\w-]+)\"?)?[ \t]*\]")
_TOML_KEY = re.compile(r"^[ \t]*\"?([\w-]+)\"?[ \t]*=")


def _toml_positions(text: str):
    """Where the keys of [tool.dlint] are: its own keys, and its sub-tables ([tool.dlint.severity],
    [[tool.dlint.exceptions]]) by their headers."""
    from .yamlsafe import Positions

    positions = Positions()
    inside, counts = False, {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            inside, table = True, header.group(2)
            if table:
                index = counts.get(table, 0)
                positions.by_path.setdefault((table,), (number, 1))
                if header.group(1) == "[[":
                    positions.by_path[(table, index)] = (number, 1)
                    counts[table] = index + 1
                inside = False  # keys below belong to the sub-table
            continue
        if line.lstrip().startswith("["):
            inside = False
            continue
        key = _TOML_KEY.match(line)
        if inside and key:
            positions.by_path[(key.group(1),)] = (number, line.index(key.group(1)) + 1)
    return positions


def _engine_as_written(data: dict, positions, text: str) -> None:
    """``engine-version: 26.10`` unquoted is a number to YAML and TOML: take the text as written
    (26.10 must not become 26.1)."""
    value = data.get("engine-version")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    line, _ = positions.find(("engine-version",))
    lines = text.splitlines()
    written = re.search(r"engine-version\"?[ \t]*[:=][ \t]*(v?[0-9][0-9.]*)", lines[line - 1]) if 0 < line <= len(lines) else None
    data["engine-version"] = written.group(1) if written else str(value)


def _validate(path: Path, data, positions) -> None:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    line, column = positions.find(tuple(error.absolute_path))
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    message = error.message
    if error.validator == "additionalProperties" and not error.absolute_path:
        message += f"; the settings are: {', '.join(sorted(schema['properties']))}"
    raise ConfigError(f"{path}:{line}:{column}: invalid configuration at {where}: {message}")


def line_of(settings: Settings, *path) -> str:
    """``file:line`` of a setting, for error messages."""
    if settings.path is None:
        return "command line"
    line = settings.lines.get(tuple(path))
    return f"{settings.path}:{line}" if line else str(settings.path)

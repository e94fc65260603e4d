"""``.dlint.yaml``: found from the scanned path up to the git root (or given with --config),
validated against the schema the package ships, with errors that point at the bad line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .errors import ConfigError

NAMES = (".dlint.yaml", ".dlint.yml")
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
        for name in NAMES:
            path = candidate / name
            if path.is_file():
                return path
        if (candidate / ".git").exists():
            return None
    return None


def load(path: Path) -> Settings:
    from .yamlsafe import YamlError
    from .yamlsafe import load as load_yaml

    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the configuration: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration is not UTF-8 text") from None
    try:
        data, positions = load_yaml(text)
    except YamlError as err:
        raise ConfigError(f"{path}:{err.line}:{err.column}: {err.message}") from None
    if data is None:
        data = {}
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

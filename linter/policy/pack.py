"""Policy packs: a folder of policy resources (``*.yaml``), optionally with Python checks.

Parsing YAML costs milliseconds per file, too much for every run of a pre-commit hook, so a pack
may ship ``compiled.json``: the resources as JSON plus the BLAKE2b digest of each source file. It is used
only when every hash matches, so it can never be stale in effect; ``python -m dlint_docker.policy.pack
FOLDER`` rewrites it, and the test suite checks the built-in pack's copy is current.

A repository's own policies (``policy-paths``) are untrusted data: no compiled cache (it would
skip validation), only regular files up to ``MAX_POLICY_BYTES``, RE2 patterns, a step budget.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from ..errors import PolicyError
from .declarative import build, validate_resource
from .model import Policy

COMPILED = "compiled.json"
FORMAT = 2  # 2: BLAKE2b digests (1: SHA-256)
MAX_POLICY_BYTES = 1024 * 1024


def _sources(folder: Path) -> List[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file() and not p.is_symlink())


def _digest(data: bytes) -> str:
    """BLAKE2b (32 bytes) of a source file. hashlib's own ``_blake2``: importing ``hashlib`` loads
    OpenSSL, about 3 ms of every run, and only this check needs a digest in a clean one-file scan."""
    try:
        from _blake2 import blake2b
    except ImportError:  # a Python built without its own hash modules
        from hashlib import blake2b
    return blake2b(data, digest_size=32).hexdigest()


def parse_resources(path: Path, data: bytes, untrusted: bool = False) -> List[dict]:
    """The policy resources in one YAML file (``---`` separates several), validated."""
    from ..yamlsafe import YamlError, load

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text") from None
    resources = []
    for offset, body in _split_documents(text):
        try:
            resource, positions = load(body)
        except YamlError as err:
            raise PolicyError(f"{path}:{err.line + offset}:{err.column}: {err.message}") from None
        if resource is None:
            continue
        validate_resource(resource, f"{path}", _Shifted(positions, offset), untrusted)
        resources.append(resource)
    return resources


class _Shifted:
    def __init__(self, positions, offset: int):
        self.positions = positions
        self.offset = offset

    def find(self, path):
        line, column = self.positions.find(path)
        return line + self.offset, column


def _split_documents(text: str) -> List[Tuple[int, str]]:
    """YAML documents with the line offset of each (``---`` lines separate them)."""
    out, start, lines = [], 0, text.splitlines(keepends=True)
    current: List[str] = []
    for number, line in enumerate(lines):
        if line.rstrip() == "---":
            out.append((start, "".join(current)))
            current, start = [], number + 1
        else:
            current.append(line)
    out.append((start, "".join(current)))
    return [(offset, chunk) for offset, chunk in out if chunk.strip()]


def _read(path: Path, untrusted: bool) -> bytes:
    if not untrusted:
        return path.read_bytes()
    from ..discovery import read_bounded

    data, error = read_bounded(path, MAX_POLICY_BYTES)
    if data is None:
        raise PolicyError(f"{path}: {error}")
    return data


def read_folder(folder: Path) -> Tuple[List[dict], Dict[str, str]]:
    """All resources of a folder, from compiled.json when it matches the sources."""
    pairs, hashes = _read_pairs(folder, False)
    return [resource for _, resource in pairs], hashes


def _read_pairs(folder: Path, untrusted: bool) -> Tuple[List[Tuple[Path, dict]], Dict[str, str]]:
    """All resources of a folder with the file of each, from compiled.json when it matches the
    sources (never for an ``untrusted`` folder)."""
    files = _sources(folder)
    contents = {p.name: _read(p, untrusted) for p in files}
    hashes = {name: _digest(data) for name, data in contents.items()}
    compiled = folder / COMPILED
    if not untrusted and compiled.is_file():
        try:
            cache = json.loads(compiled.read_text("utf-8"))
        except (OSError, ValueError):
            cache = {}
        if cache.get("format") == FORMAT and cache.get("sources") == hashes:
            return [(folder, resource) for resource in cache["resources"]], hashes
    resources: List[Tuple[Path, dict]] = []
    for path in files:
        resources.extend((path, resource) for resource in parse_resources(path, contents[path.name], untrusted))
    return resources, hashes


def load_folder(folder: Path, origin: str, checks: Optional[Dict[str, Callable]] = None, untrusted: bool = False) -> List[Policy]:
    """The policies of a pack folder; ``untrusted`` (a repository's own): each named by its file
    (``origin`` is then the folder as the configuration names it)."""
    resources, _ = _read_pairs(folder, untrusted)
    if untrusted:
        return [build(resource, origin + path.name, None, untrusted=True) for path, resource in resources]
    return [build(resource, origin, checks) for _, resource in resources]


def compile_folder(folder: Path) -> Path:
    files = _sources(folder)
    resources: List[dict] = []
    hashes = {}
    for path in files:
        data = path.read_bytes()
        hashes[path.name] = _digest(data)
        resources.extend(parse_resources(path, data))
    target = folder / COMPILED
    payload = {"format": FORMAT, "sources": hashes, "resources": resources}
    target.write_text(json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    return target


if __name__ == "__main__":  # python -m dlint_docker.policy.pack FOLDER
    for name in sys.argv[1:] or ["policies"]:
        print(compile_folder(Path(name)))

"""The plugin manager: built-in sources and formats, installed packs, explicitly named plugins.

Python plugins come only from installed packages (the ``dlint`` entry-point group) or from a module
named with ``--plugin``; nothing is imported from a scanned repository. Entry points are found by
reading ``entry_points.txt`` of the distributions on ``sys.path`` directly: importing
``importlib.metadata`` alone costs several times Python's start-up, which a pre-commit hook pays
on every commit. (The test suite checks both ways agree.)

The working directory is usually the scanned repository, and it is on ``sys.path`` when Python
runs with ``-c``, an empty ``PYTHONPATH`` entry or embedded: such entries are left out of the
entry-point scan and of the imports of what it names, so a ``*.dist-info`` or a module committed
in the repository is never read or imported. Only an absolute ``PYTHONPATH`` entry, which the user
sets and a repository cannot, keeps the working directory (running dlint from its own checkout).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from contextlib import contextmanager
from .lazyclass import dataclass
from typing import Dict, Iterable, List, Sequence

from .errors import PolicyError, UsageError

GROUP = "dlint_docker"  # the entry-point group of policy packs: the import package's name
_ID = re.compile(r"^[A-Z][A-Z0-9]{1,7}[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class EntryPoint:
    name: str
    value: str
    distribution: str


def _normalise(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def installed_path() -> List[str]:
    """``sys.path`` without the working directory ('' and '.' are it too), unless the user named
    that folder on ``PYTHONPATH`` by its absolute path (a checkout run as
    ``PYTHONPATH=$PWD python -m dlint_docker``: its own pack, not an installed copy's)."""
    cwd = os.path.realpath(os.getcwd())
    named = {os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if os.path.isabs(p)}
    return [folder for folder in sys.path if folder not in ("", ".") and (os.path.realpath(folder) != cwd or cwd in named)]


@contextmanager
def _installed_only():
    """Imports see only installed code while entry points are loaded."""
    saved = list(sys.path)
    sys.path[:] = installed_path()
    try:
        yield
    finally:
        sys.path[:] = saved


def entry_points(group: str = GROUP) -> List[EntryPoint]:
    """Entry points of ``group`` from the installed distributions (first one of a name wins)."""
    found: List[EntryPoint] = []
    seen = set()
    for folder in installed_path():
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            dist = _normalise(name.rsplit(".", 1)[0].split("-", 1)[0])
            if dist in seen:
                continue
            seen.add(dist)
            path = os.path.join(folder, name, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            found.extend(_parse_entry_points(text, group, dist))
    return found


def _parse_entry_points(text: str, group: str, dist: str) -> Iterable[EntryPoint]:
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == group and "=" in line:
            name, _, value = line.partition("=")
            yield EntryPoint(name.strip(), value.strip(), dist)


def _load(value: str):
    module_name, _, attr = value.partition(":")
    module = importlib.import_module(module_name.strip())
    if attr:
        for part in attr.strip().split("."):
            module = getattr(module, part)
    return module


def manager(extra: Sequence[str] = ()):
    import pluggy

    from . import builtin, hookspecs

    pm = pluggy.PluginManager("dlint")  # the hook markers' project name (hookspecs)
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name="dlint-core")
    for ep in entry_points():
        try:
            with _installed_only():
                plugin = _load(ep.value)
        except Exception as err:  # a broken installed plugin must not take the linter down
            raise PolicyError(f"cannot load the plugin {ep.name!r} ({ep.value}) of {ep.distribution}: {err}") from None
        if pm.is_registered(plugin):
            continue
        pm.register(plugin, name=f"{ep.distribution}:{ep.name}")
    for module in extra:
        try:
            plugin = _load(module)
        except Exception as err:
            raise UsageError(f"--plugin {module}: cannot import it: {err}") from None
        if not pm.is_registered(plugin):
            pm.register(plugin, name=f"--plugin {module}")
    return pm


def collect_policies(pm) -> List:
    """Every policy of every plugin; ids and names must be well formed and unique."""
    policies = []
    by_id: Dict[str, object] = {}
    by_name: Dict[str, object] = {}
    for batch in pm.hook.dlint_policies():
        for policy in batch or ():
            meta = policy.meta
            if not _ID.match(meta.id):
                raise PolicyError(f"policy id {meta.id!r} ({meta.origin}) is not of the form ABC123")
            if not _NAME.match(meta.name):
                raise PolicyError(f"policy name {meta.name!r} ({meta.origin}) is not kebab-case")
            for table, key in ((by_id, meta.id), (by_name, meta.name)):
                if key in table:
                    other = table[key].meta.origin
                    raise PolicyError(f"policy {key} is defined twice: in {other} and in {meta.origin}")
                table[key] = policy
            policies.append(policy)
    policies.sort(key=lambda p: p.meta.id)
    return policies


def collect_source_kinds(pm) -> List:
    kinds = []
    for batch in pm.hook.dlint_source_kinds():
        kinds.extend(batch or ())
    return kinds


def collect_formats(pm) -> Dict[str, object]:
    formats: Dict[str, object] = {}
    for batch in reversed(pm.hook.dlint_output_formats()):
        formats.update(batch or {})
    return formats

"""Which Terraform module folders of a repository some configuration calls.

A folder of ``.tf`` files under a ``modules/`` folder (or beside folders that calls reach:
``platform/_module/x`` when ``../_module/y`` is called) is a module: its resources exist only where a
``module "x" { source = "./modules/x" }`` block calls it. When the repository calls its own modules
from somewhere (so it is a configuration, not a library of modules) and no block calls this one
(its call commented out, as in a config that keeps a service switched off), no machine runs its
resources: they are *not deployed*, said once, not judged (DESIGN.md, the host model).

Read lexically, comments blanked: ``source = "./..."`` or ``"../..."`` inside a ``module`` block of
any ``.tf`` file; registry and git sources name no folder of the repository. Bounded: at most
MAX_FILES files of at most MAX_BYTES each.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from ..discovery import MAX_BYTES, iter_files, read_bounded

MAX_FILES = 20_000
# an unclosed string ends at its line, an unclosed /* at the end of the text: every match
# succeeds where it starts, so the scan is linear (no retry to the end from each '"' or '/*')
_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*(?:"|(?=\n)|\Z)|(#|//)[^\n]*|/\*.*?(?:\*/|\Z)', re.S)
_MODULE = re.compile(r'\bmodule\s+"[^"\n]*"\s*\{')
_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"\n]*|[\w-]+(?:/[\w.-]+)*)"', re.M)


def local_source(source: str, here: str, exists) -> bool:
    """A module ``source`` that names a folder of the repository: ``./x``/``../x``, or a bare
    relative path (``modules/cluster``: Terraform 0.11 read it as one) when that folder exists
    (``exists(folder)``); a registry address (``ns/name/provider``) otherwise."""
    if source.startswith(("./", "../")):
        return True
    if "::" in source or "://" in source or not re.fullmatch(r"[\w-]+(?:/[\w.-]+)*", source):
        return False
    folder = posixpath.normpath(posixpath.join(here, source))
    return folder != ".." and not folder.startswith("../") and exists(folder)  # never looked up outside
_ARGUMENT = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=", re.M)


def _blank(text: str) -> str:
    """Comments replaced by spaces (strings kept: a '#' inside one is no comment)."""
    return _COMMENT.sub(lambda m: m.group(0) if m.group(1) is None and not m.group(0).startswith("/*") else " " * len(m.group(0)), text)


def module_calls(root: str) -> Tuple[bool, FrozenSet[str], Dict[str, FrozenSet[str]]]:
    """(whether any local module call exists, the folders, relative to root, that calls reach,
    and for each such folder the names some call of it sets: an argument, or an attribute of a
    block inside the call, counted as set too)."""
    called = set()
    passed: Dict[str, set] = {}
    seen = 0
    for path in iter_files(Path(root)):
        if not isinstance(path, Path) or path.suffix != ".tf":
            continue
        seen += 1
        if seen > MAX_FILES:
            break
        data, _ = read_bounded(path, MAX_BYTES)
        if not data or b"module" not in data:
            continue
        text = _blank(data.decode("utf-8", "replace"))
        folder = posixpath.dirname(os.path.relpath(path, root).replace(os.sep, "/"))
        for block in _MODULE.finditer(text):
            body = text[block.end() : block.end() + 4000].split("\n}", 1)[0]
            source = _SOURCE.search(body)
            if source and local_source(source.group(1), folder, lambda f: os.path.isdir(os.path.join(root, f))):
                target = posixpath.normpath(posixpath.join(folder, source.group(1)))
                called.add(target)
                passed.setdefault(target, set()).update(_ARGUMENT.findall(body))
    return bool(called), frozenset(called), {folder: frozenset(names) for folder, names in passed.items()}


def _calls_of(rel: str, path: str, memo: Dict[str, tuple]) -> Optional[tuple]:
    """The module calls of the repository a file belongs to (``memo``: found once per root and
    scan), or None for a file outside any folder of one."""
    whole = path.replace(os.sep, "/")
    if not posixpath.dirname(rel) or not whole.endswith("/" + rel):
        return None
    root = whole[: len(whole) - len(rel) - 1]
    if root not in memo:
        try:
            memo[root] = module_calls(root)
        except (OSError, ValueError, RecursionError):
            memo[root] = (False, frozenset(), {})
    return memo[root]


def unset_in_calls(rel: str, path: str, name: str, memo: Dict[str, tuple]) -> bool:
    """Whether the module folder of a repository file is called, and no call of it sets the
    variable ``name``: its default is what every call gets."""
    calls = _calls_of(rel, path, memo)
    if calls is None:
        return False
    _, called, passed = calls
    folder = posixpath.dirname(rel)
    return folder in called and name not in passed.get(folder, frozenset())


def uncalled_module(rel: str, path: str, memo: Dict[str, tuple]) -> Optional[str]:
    """The module folder of a repository file (``modules/minecraft`` for
    ``modules/minecraft/main.tf``) when the repository calls its own modules and none calls this
    one; None otherwise. ``memo``: the calls of each root, found once per scan."""
    folder = posixpath.dirname(rel)
    named = "modules" in folder.split("/")
    # a folder of modules: named so, or (for a .tf file) one beside folders calls reach
    # (platform/_module/x); any other file asks for no walk of the repository
    calls = _calls_of(rel, path, memo) if named or rel.endswith(".tf") else None
    if calls is None:
        return None
    any_call, called, _ = calls
    if not any_call or folder in called:
        return None
    parent = posixpath.dirname(folder)
    if not named and not (parent and any(posixpath.dirname(c) == parent for c in called)):
        return None
    return folder


# ``user_data = var.X`` (also "${var.X}", base64encode(var.X)) of a resource in a module's files: the
# module block that calls it passes its machines' user data as the argument X
_PASSED = re.compile(
    r'^\s*(user_data|user_data_base64|custom_data|metadata_startup_script)\s*=\s*"?(?:\$\{)?\s*'
    r'(?:base64encode\(\s*)?var\.([A-Za-z_][\w-]*)\s*\)?\s*\}?"?\s*$',
    re.M,
)
_MAX_MODULE_FILES = 200
_RESOURCE = re.compile(r'^\s*resource\s+"([\w-]+)"', re.M)
_IMAGE_VAR = re.compile(r'^\s*image\s*=\s*"?(?:\$\{)?\s*var\.([A-Za-z_][\w-]*)\s*\}?"?\s*$', re.M)


def module_texts(files, source: str) -> List[str]:
    """The texts of the ``.tf`` files of a called folder (a local ``source``, inside the project
    only) that name a ``var.``, comments blanked."""
    return list(_module_texts(files, source))


def _module_texts(files, source: str):
    if not local_source(source, files.folder, lambda f: os.path.isdir(files.root / f)):
        return
    folder = _called_folder(files, files.folder, source)
    if folder is None:
        return
    for text in _folder_texts(files, folder):
        if "var." in text:
            yield text


def _called_folder(files, here: str, source: str) -> Optional[str]:
    """The repository folder a local ``source`` names from the folder ``here`` ("." for the root),
    when it is inside the project."""
    folder = posixpath.normpath(posixpath.join(here, source))
    if folder == ".":
        return folder  # the repository's root module (an example calling "../../")
    inside = files.inside([folder])
    return inside[0] if inside else None


def _folder_texts(files, folder: str):
    """The ``.tf`` texts of a folder of the project, comments blanked."""
    try:
        entries = sorted(os.scandir(files.root / folder), key=lambda e: e.name)
    except (OSError, ValueError):
        return
    for entry in entries[:_MAX_MODULE_FILES]:
        if not entry.name.endswith(".tf") or not entry.is_file(follow_symlinks=False):
            continue
        data, _ = read_bounded(Path(entry.path), MAX_BYTES)
        if data:
            yield _blank(data.decode("utf-8", "replace"))


# ``source = "./modules/x"`` of a module block: a module the folder's configuration calls
_LOCAL_SOURCE = _SOURCE
_MAX_CALLED = 16


def called_folders(files, source: str) -> Optional[Tuple[str, ...]]:
    """The folders a module call with a local ``source`` instantiates: that folder and the local
    modules it calls in turn (each ending with "/", "" for the root). None when the folder is not
    in the repository (the call then deploys nothing: Terraform stops at init); () for a source
    that is not a local path."""
    if not local_source(source, files.folder, lambda f: os.path.isdir(files.root / f)):
        return () if not source.startswith(("./", "../")) else None
    first = _called_folder(files, files.folder, source)
    if first is None or not os.path.isdir(files.root / first):
        return None
    found: List[str] = []
    todo = [first]
    while todo and len(found) < _MAX_CALLED:
        folder = todo.pop(0)
        if folder in found:
            continue
        found.append(folder)
        for text in _folder_texts(files, folder):
            for match in _LOCAL_SOURCE.finditer(text):
                if not local_source(match.group(1), folder, lambda f: os.path.isdir(files.root / f)):
                    continue
                inner = _called_folder(files, folder, match.group(1))
                if inner is not None and inner not in found and os.path.isdir(files.root / inner):
                    todo.append(inner)
    return tuple("" if f == "." else f.rstrip("/") + "/" for f in found)


def passed_user_data(texts: Sequence[str]) -> Dict[str, str]:
    """The arguments of a module call that its module's resources use as user data (argument ->
    the resource attribute), read lexically from the ``.tf`` files of the called folder."""
    out: Dict[str, str] = {}
    for text in texts:
        for match in _PASSED.finditer(text):
            out.setdefault(match.group(2), match.group(1))
    return out


def passed_images(texts: Sequence[str], types) -> Dict[str, str]:
    """The arguments of a module call that a resource of one of ``types`` of its module boots as
    its image (``image = var.image``): argument -> resource type (a file with one such type)."""
    out: Dict[str, str] = {}
    for text in texts:
        found = {match.group(1) for match in _RESOURCE.finditer(text)} & set(types)
        if len(found) == 1:
            for match in _IMAGE_VAR.finditer(text):
                out.setdefault(match.group(1), next(iter(found)))
    return out

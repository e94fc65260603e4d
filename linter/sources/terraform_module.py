"""The files of one Terraform module (the ``*.tf`` of one folder), as the Terraform reader needs them.

Terraform reads every ``.tf`` file of a folder as one module: a resource in ``main.tf`` may use a
``data "template_file"`` of ``data.tf``, a ``local`` of ``locals.tf``, and a ``null_resource`` in
``provision.tf`` may provision an ``aws_instance`` of ``main.tf``. This module indexes those
blocks (what each file defines, and what refers to what, comments left out) so that the reader
of one file can follow a reference into another. Files are read as the reader reads references:
regular files inside the project only, no symbolic link. The index of a folder is kept while its
files are unchanged (a scan reads every file of the folder, each of which asks for it).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import field
from ..lazyclass import dataclass
from typing import Dict, List, Set, Tuple

from ..budget import Overrun
from ..document import Document
from ..hcl import Attribute, Block, Files, Hcl

MAX_MODULE_FILES = 200  # .tf files of one folder indexed
_CACHE: Dict[tuple, "Module"] = {}
_CACHE_SIZE = 8

# data.TYPE.NAME, local.NAME, var.NAME and TYPE.NAME of a resource, in text without comments
_REFERENCE = re.compile(r"(?<![\w.-])(?:(data)\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)|(local|var)\.([A-Za-z_][\w-]*)|([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*))")


@dataclass
class Unit:
    """One ``.tf`` file of the module."""

    rel: str
    display: str
    hcl: Hcl
    clean: str  # its text with comments blanked (same offsets)


@dataclass
class Module:
    units: List[Unit] = field(default_factory=list)
    resources: Dict[Tuple[str, str], Tuple[Unit, Block]] = field(default_factory=dict)
    data: Dict[Tuple[str, str], Tuple[Unit, Block]] = field(default_factory=dict)
    locals: Dict[str, Tuple[Unit, Attribute]] = field(default_factory=dict)
    variables: Dict[str, Tuple[Unit, Block]] = field(default_factory=dict)
    machine_data: Set[Tuple[str, str]] = field(default_factory=set)  # data sources a resource or module block reaches
    mentioned: Set[Tuple[str, str]] = field(default_factory=set)  # data sources something other than themselves names
    resource_locals: Set[str] = field(default_factory=set)  # locals a resource block reaches (a module block passes them on)
    named_locals: Set[str] = field(default_factory=set)  # locals something other than themselves names

    def add(self, unit: Unit) -> None:
        hcl = unit.hcl
        self.units.append(unit)
        for block in hcl.top_blocks(("resource", "data", "locals", "variable")):
            if block.type == "resource" and len(block.labels) == 2:
                self.resources.setdefault((block.labels[0], block.labels[1]), (unit, block))
            elif block.type == "data" and len(block.labels) == 2:
                self.data.setdefault((block.labels[0], block.labels[1]), (unit, block))
            elif block.type == "variable" and len(block.labels) == 1:
                self.variables.setdefault(block.labels[0], (unit, block))
            elif block.type == "locals":
                for name, attribute in hcl.attributes(block.body).items():
                    self.locals.setdefault(name, (unit, attribute))

    def references(self, unit: Unit, node) -> List[Tuple[str, ...]]:
        """What a node's text names: ("data", type, name), ("local", name), ("var", name), ("resource", type, name)."""
        start, end = unit.hcl.span(node)
        found = []
        for match in _REFERENCE.finditer(unit.clean, start, end):
            if match.group(1):
                found.append(("data", match.group(2), match.group(3)))
            elif match.group(4):
                found.append((match.group(4), match.group(5)))
            elif (match.group(6), match.group(7)) in self.resources:
                found.append(("resource", match.group(6), match.group(7)))
        return found

    def link(self) -> None:
        """Which data sources a machine (a resource or module block) reaches, through data
        sources and locals; and which ones anything names at all."""
        pending: List[Tuple[str, ...]] = []
        from_resources: List[Tuple[str, ...]] = []
        for unit in self.units:
            for block in unit.hcl.top_blocks(("resource", "module", "output", "locals", "data")):
                own = ("data", *block.labels) if block.type == "data" else None
                names = [r for r in self.references(unit, block.node) if r != own]
                self.mentioned |= {(r[1], r[2]) for r in names if r[0] == "data"}
                if block.type in ("resource", "module"):
                    pending.extend(names)
                if block.type == "resource":
                    from_resources.extend(names)
                self.named_locals |= self._named_locals(unit, block)
        self.machine_data = self._reach(pending)[0]
        self.resource_locals = self._reach(from_resources)[1]

    def _named_locals(self, unit: Unit, block: Block) -> Set[str]:
        """The locals a block names; in a locals block, each attribute's own name left out."""
        if block.type != "locals":
            return {r[1] for r in self.references(unit, block.node) if r[0] == "local"}
        named: Set[str] = set()
        for name, attribute in unit.hcl.attributes(block.body).items():
            named |= {r[1] for r in self.references(unit, attribute.node) if r[0] == "local" and r[1] != name}
        return named

    def _reach(self, pending: List[Tuple[str, ...]]) -> Tuple[Set[Tuple[str, str]], Set[str]]:
        """The data sources and locals the references reach, through data sources and locals."""
        data: Set[Tuple[str, str]] = set()
        locals_: Set[str] = set()
        seen: Set[Tuple[str, ...]] = set()
        while pending:
            reference = pending.pop()
            if reference in seen:
                continue
            seen.add(reference)
            if reference[0] == "data" and (reference[1], reference[2]) in self.data:
                data.add((reference[1], reference[2]))
                unit, block = self.data[(reference[1], reference[2])]
                pending.extend(self.references(unit, block.node))
            elif reference[0] == "local" and reference[1] in self.locals:
                locals_.add(reference[1])
                unit, attribute = self.locals[reference[1]]
                pending.extend(self.references(unit, attribute.node))
        return data, locals_


def _clean(hcl: Hcl) -> str:
    """The text with every comment blanked, newlines kept."""
    text = hcl.text
    pieces = []
    cursor = 0
    stack = [hcl.root]
    spans = []
    while stack:
        node = stack.pop()
        if node.type == "comment":
            spans.append(hcl.span(node))
        else:
            stack.extend(node.children)
    for start, end in sorted(spans):
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _siblings(files: Files) -> List[Tuple[str, str, int, int]]:
    """(name, rel, mtime, size) of the regular ``.tf`` files beside the source, in name order."""
    inside_folder = files.folder
    folder = files.root / inside_folder if inside_folder else files.root
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    found = []
    for name in names:
        if not name.endswith(".tf") or len(found) >= MAX_MODULE_FILES:
            continue
        try:
            info = os.lstat(folder / name)
        except OSError:
            continue
        if not os.path.isfile(folder / name) or os.path.islink(folder / name):
            continue
        inside = posixpath.join(inside_folder, name) if inside_folder else name
        rel = f"{files.prefix}/{inside}" if files.prefix else inside
        found.append((name, rel, info.st_mtime_ns, info.st_size))
    return found


def module_of(files: Files, own_display: str) -> Module:
    """The module the source belongs to: every ``.tf`` file of its folder, its own included."""
    siblings = _siblings(files)
    folder = posixpath.dirname(own_display)
    key = (str(files.root), files.prefix, files.folder, folder, tuple(siblings))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    module = Module()
    for name, rel, _, _ in siblings:
        text, _error = files.read(rel)
        if text is None:
            continue
        try:
            hcl = Hcl(Document(text, posixpath.join(folder, name) if folder else name))
        except Overrun:  # as an unreadable sibling: that file is DKD901 on its own
            continue
        module.add(Unit(rel, hcl.document.path, hcl, _clean(hcl)))
    module.link()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = module
    return module

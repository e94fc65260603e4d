"""Ubuntu's autoinstall (Subiquity): a ``#cloud-config`` whose ``autoinstall:`` key is read by the
installer, not by cloud-init on the installed machine (provisioning-facts: Ubuntu Server
autoinstall reference).

What the installed machine gets:
- ``packages``: installed into it (apt), like cloud-init's ``packages``;
- ``late-commands``: shell run by the installer after the install, with the new system mounted
  at ``/target``; ``curtin in-target --target /target -- CMD`` runs CMD inside it. Each command is
  read as a script of the machine with ``/target`` taken off its paths and the curtin prefix off
  its start (the text left maps exactly to the file);
- ``/cdrom`` is the install medium: a ``/cdrom/NAME`` a command copies is the repository file NAME
  beside the user-data, when there is one (the medium is built from that folder), said in the trace.

``user-data`` (cloud-config for the installed system's first boot) and ``early-commands`` (the
installer's own environment) are not read; a note says so for the first.
"""

from __future__ import annotations

import posixpath
import re
from typing import Dict, Optional

from ..document import Document, TraceStep
from ..hcl import Files
from ..mapped import Mapped, embedded_document
from ..yamlnodes import is_map, is_scalar, is_seq, mapping_of, scalar_offsets, span_of, value_of
from . import Embedded, Placed

_IN_TARGET = re.compile(r"^\s*curtin\s+in-target\s+(?:(?:--target[= ]\S+|-t\s+\S+)\s+)?--\s+")
_TARGET_ROOT = re.compile(r"(?<![\w/.-])/target(?=/|\s|$|['\"])")
_CDROM = re.compile(r"(?<![\w/.-])/cdrom/([\w.+-]+)")


def read(reader, node) -> None:
    """``autoinstall:`` of the user-data ``reader`` reads (a cloudinit._Reader)."""
    if not is_map(node):
        return
    fields = mapping_of(node)
    if "packages" in fields and is_seq(fields["packages"][1]):
        for item in fields["packages"][1].value:
            reader.package(item, "autoinstall")
    if "user-data" in fields:
        reader.note("autoinstall", "autoinstall.user-data (the installed system's first-boot cloud-config) is not read", fields["user-data"][0].start_mark.index)
    late = fields.get("late-commands", (None, None))[1]
    if not is_seq(late):
        return
    commands = []
    for number, item in enumerate(late.value):
        mapped = _mapped(reader, item) if is_scalar(item) and not reader.work.exhausted else None
        if mapped is not None:
            commands.append((number, item, _in_target(mapped)))
    medium = _medium(reader, {name for _, _, command in commands for name in _CDROM.findall(command.text)})
    for number, item, command in commands:
        placed = {f"/cdrom/{name}": medium[name] for name in _CDROM.findall(command.text) if name in medium}
        document = embedded_document(reader.doc, command, f"autoinstall.late-commands[{number}]", span_of(item))
        reader.out.embedded.append(Embedded(document, "shell", placed=placed))


def _mapped(reader, item) -> Optional[Mapped]:
    """The command as the installer runs it, each character mapped to the file (a scalar whose
    lines dlint cannot map, with escapes, is mapped to its start)."""
    value = str(value_of(item))
    if not reader.spend(len(value)):
        return None
    offsets = scalar_offsets(reader.walk.text, item) if not reader.masked else None
    mapped = Mapped()
    lines = value.split("\n")
    if offsets and len(offsets) >= len(lines):
        for index, line in enumerate(lines):
            mapped.add(line, offsets[index])
            if index + 1 < len(lines):
                mapped.produce("\n", offsets[index] + len(line))
    else:
        mapped.produce(value, item.start_mark.index)
    return mapped


def _in_target(mapped: Mapped) -> Mapped:
    """``mapped`` without the curtin in-target prefix and with /target off its paths."""
    text = mapped.text
    start = 0
    prefix = _IN_TARGET.match(text)
    if prefix:
        start = prefix.end()
    out = Mapped()
    for match in _TARGET_ROOT.finditer(text, start):
        mapped.copy_into(out, start, match.start())
        start = match.end()
        if start >= len(text) or text[start] != "/":
            out.produce("/", match.start())  # /target itself is the new system's root
    mapped.copy_into(out, start, len(text))
    return out


def _medium(reader, names) -> Dict[str, Placed]:
    """The repository files beside the user-data that the commands name as /cdrom/NAME."""
    source = reader.context.source
    if not names or reader.doc.parent is not None or reader.doc.via or not source.rel:
        return {}
    files = Files(reader.context)
    own = posixpath.basename(source.rel.replace("\\", "/"))
    where = reader.doc.start_location()
    found: Dict[str, Placed] = {}
    for name in sorted(names)[:64]:
        if name == own or not files.present(posixpath.join(files.folder, name) if files.folder else name, regular=True):
            continue
        rel, display = files.located(posixpath.join(files.folder, name) if files.folder else name)
        text, _ = files.read(rel)
        if text is not None:
            step = TraceStep(where.path, where.line, where.column, f"on the install medium as /cdrom/{name} (the repository file beside the user-data)")
            found[name] = Placed(rel, Document(text, display, via=(step,)))
    return found

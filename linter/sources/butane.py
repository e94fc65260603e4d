"""Butane configs and Container Linux Configs: the YAML that ``butane`` (or ``ct``) turns into
Ignition JSON (provisioning-facts §7.1, §7.2, §7.4).

A Butane config names its ``variant`` (fcos, flatcar, openshift, r4e, fiot) and ``version``; a
Container Linux Config (CLC, read by the archived ``ct``) has neither. Both carry the engine's
configuration the same way, and what lands where another source kind reads goes round the flow
again as an embedded document:

* ``storage.files[]`` whose ``path`` is a daemon.json, a docker.service drop-in or an environment
  file: ``contents.inline`` (the text itself), ``contents.local`` (a file of the repository, named
  relative to ``--files-dir``: taken relative to the config's own folder, and only inside the
  project), ``contents.source`` data URLs (percent-encoded or base64, then ``compression: gzip``);
  Butane's ``append[]`` fragments are appended, and so is a CLC file with ``append: true``;
* ``systemd.units[]`` named docker.service or docker.socket: ``contents`` (or ``contents_local``)
  written to ``/etc/systemd/system/<name>``, ``dropins[]`` to ``/etc/systemd/system/<name>.d/<name>``;
  ``mask: true`` links the unit to /dev/null (an empty unit: masked);
* a CLC's ``docker: flags: [...]``: ``ct`` writes the drop-in ``20-clct-docker.conf`` holding
  ``[Service]`` and ``Environment="DOCKER_OPTS=<the flags joined by one space>"`` (CT
  ``config/types/docker.go``). Those flags reach dockerd only through Container Linux's own
  docker.service, whose ExecStart expands ``$DOCKER_OPTS`` (§2.6).

The operating system's own files (``ignition.with_os_files``): a config that writes anything for
the engine also yields, as synthetic documents, the docker.service its OS ships (Container Linux's
for a CLC and the flatcar variant; Fedora's moby-engine unit for fcos, with the
``/etc/sysconfig/docker`` that turns ``--live-restore`` on, unless the config writes that file).
The config's own docker.service, in ``/etc/systemd/system``, wins over them.

Positions: YAML is composed with ruamel.yaml through cloud-init's bounded composer (node marks
give character offsets), so a block ``|`` scalar or a one-line scalar without escapes maps back
line by line, a percent-encoded data URL character by character, and each flag of
``docker.flags`` to itself inside the drop-in; the drop-in's own words (``[Service]``,
``Environment=``) point at the ``flags`` key. ``>`` scalars, escapes, base64 and gzip point at the
holding value (``Location.exact`` False). A file pulled in by ``contents.local`` is read as itself,
reached ``via`` the config (its findings point into it, with the config in their trace), and is
not judged again on its own.

Templates (``worker.yaml.tmpl`` for Terraform): a config that is not YAML until rendered is read
with its expressions masked at the same length; embedded texts are taken from the real text and
marked templated when they hold template markers.

Notes (Extraction.notes) start with a word: ``invalid-yaml:``, ``template:``, ``template-masked:``,
``butane:`` (what Butane or ct refuse or do not say), ``local:``, ``remote:``, ``data-url:``,
``budget:``.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional, Tuple

from ..discovery import MAX_BYTES, read_bounded
from ..document import Document
from ..location import TraceStep
from ..source import Source
from ..yamlnodes import compose, is_map, is_scalar, is_seq, mapping_of, scalar_offsets, span_of, unmasked, value_of
from . import Extraction, ReadContext, SourceKind, kind_for_target
from .claims import ButaneClaims
from .cloudinit import has_template_markers, mask_templates
from .ignition import UNIT_FOLDER, ConfigReader, bytes_to_text, is_data_url, line_offsets_to_chars, mapped_document, with_os_files

NAME = "butane"
# Butane variant -> stable versions (facts §7.1); experimental ones end in -experimental
STABLE_VERSIONS: Dict[str, Tuple[str, ...]] = {
    "fcos": ("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0", "1.6.0", "1.7.0"),
    "flatcar": ("1.0.0", "1.1.0"),
    "openshift": tuple(f"4.{minor}.0" for minor in range(8, 23)),
    "r4e": ("1.0.0", "1.1.0"),
    "fiot": ("1.0.0",),
}
CLC_DROPIN = "20-clct-docker.conf"

_BOOL_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})


def project_root(source: Source) -> Optional[Path]:
    """The folder that ``source.rel`` is relative to, when the file lies inside it."""
    parts = PurePosixPath(source.rel).parts
    path = Path(source.path)
    if not parts or len(path.parts) <= len(parts) or tuple(path.parts[-len(parts) :]) != parts:
        return None
    root = path.parents[len(parts) - 1]
    if str(root) == root.anchor:  # rel is the absolute path of a file outside the project
        return None
    return root


class ButaneKind(ButaneClaims, SourceKind):
    name = NAME
    summary = "Butane configs and Container Linux Configs (*.bu, *.fcc, *.clc, YAML with variant/version): storage.files, docker.service units and drop-ins, docker.flags"

    def read(self, document: Document, context: ReadContext) -> Extraction:
        reader = _Reader(document, context)
        try:
            reader.run()
        except RecursionError:
            reader.note("invalid-yaml", "nested too deep to read")
        return reader.out


class _Reader(ConfigReader):
    tool = "Butane"

    def __init__(self, document: Document, context: ReadContext):
        super().__init__(document, context)
        self.composed = document.text  # what was composed (template expressions masked: same lengths)
        self.clc = False

    def entries(self, node, key: str):
        """(index, fields, node) of each mapping in the list ``node[key]``, within the budget."""
        items = mapping_of(node).get(key, (None, None))[1] if is_map(node) else None
        if not is_seq(items):
            return
        for number, entry in enumerate(items.value):
            if not self.spend(1):
                return
            if is_map(entry):
                yield number, mapping_of(entry), entry

    def string(self, node) -> Optional[str]:
        """A scalar as Butane's string fields take it (from the real text), or None for null."""
        if not is_scalar(node):
            return None
        if node.style is None and node.value in _NULL:
            return None
        value = value_of(node)
        if self.masked:
            offsets = scalar_offsets(self.composed, node)
            if offsets:
                value = unmasked(self.text, offsets, value)
        return value

    @staticmethod
    def truthy(node) -> bool:
        return is_scalar(node) and node.style is None and node.value in _BOOL_TRUE

    def scalar_doc(self, node, label: str) -> Document:
        offsets = scalar_offsets(self.composed, node)
        value = value_of(node)
        if offsets and self.masked:
            value = unmasked(self.text, offsets, value)
        return Document(value, self.doc.path, parent=self.doc, label=label, line_offsets=offsets, anchor=span_of(node))

    # -- the config --------------------------------------------------------------------------------

    def run(self) -> None:
        root, problem = compose(self.text)
        if problem is not None:
            masked = mask_templates(self.text) if has_template_markers(self.text) else None
            second = None
            if masked is not None:
                root, second = compose(masked)
            if masked is None or second is not None:
                if has_template_markers(self.text):
                    self.note("template", f"not valid YAML ({problem.message}) and it holds template markers; unanalysable until rendered", problem.index)
                else:
                    self.note("invalid-yaml", f"{problem.message}; Butane refuses this config", problem.index)
                    self.refused(f"not valid YAML ({problem.message}): Butane refuses this config", problem.index)
                return
            self.masked, self.composed = True, masked
            message = f"not valid YAML until its template is rendered ({problem.message}); read with its template expressions masked"
            self.note("template-masked", message, problem.index)
        if root is None:
            return
        if not is_map(root):
            self.note("butane", "not a YAML mapping; Butane refuses it", root.start_mark.index)
            return
        top = mapping_of(root)
        self.clc = "variant" not in top
        system = "container-linux" if self.clc else self.header(top)
        self.files(top.get("storage", (None, None))[1])
        self.units(top.get("systemd", (None, None))[1])
        if self.clc and "docker" in top:
            self.docker_flags(*top["docker"])
        with_os_files(self.out, system)

    def header(self, top) -> str:
        """The variant, after notes on what Butane would refuse."""
        key, node = top["variant"]
        variant = self.string(node) or ""
        version = self.string(top.get("version", (None, None))[1]) or ""
        if variant not in STABLE_VERSIONS and variant != "rhcos":
            self.note("butane", f"variant {variant!r} is not one Butane knows; Butane refuses this config", key.start_mark.index)
        elif version.endswith("-experimental"):
            self.note("butane", f"{variant} {version} is an experimental spec, for testing only", key.start_mark.index)
        elif variant in STABLE_VERSIONS and version not in STABLE_VERSIONS[variant]:
            self.note("butane", f"no translator for variant {variant} version {version or '(none)'}; Butane refuses this config", key.start_mark.index)
        return variant

    # -- storage.files ---------------------------------------------------------------------------

    def files(self, storage) -> None:
        for number, fields, entry in self.entries(storage, "files"):
            path = self.string(fields.get("path", (None, None))[1])
            if not path or not path.startswith("/"):
                continue
            target = posixpath.normpath(path)
            kind = kind_for_target(target)
            if kind is None:
                continue
            label = f"storage.files[{number}]"
            contents = fields.get("contents", (None, None))[1]
            append = fields.get("append", (None, None))[1]
            if self.clc:
                filesystem = self.string(fields.get("filesystem", (None, None))[1])
                if filesystem not in (None, "root"):
                    self.note("butane", f"{label} is written to the file system {filesystem!r}, not the root: not read as {target}", entry.start_mark.index)
                    continue
                self.contents(contents, f"{label}.contents", kind, target, self.truthy(append))
                continue
            self.contents(contents, f"{label}.contents", kind, target, False)
            if is_seq(append):
                for index, fragment in enumerate(append.value):
                    if not self.spend(1):
                        return
                    self.contents(fragment, f"{label}.append[{index}]", kind, target, True)

    def contents(self, node, label: str, kind: str, target: str, append: bool) -> None:
        if not is_map(node):
            return
        fields = mapping_of(node)
        given = {name: fields[name][1] for name in ("inline", "local", "source", "remote") if name in fields and self.present(fields[name][1])}
        compression = self.string(fields.get("compression", (None, None))[1]) or ""
        if len(given) > 1:
            self.note("butane", f"{label} has {' and '.join(given)}: only one may be given; Butane refuses this config", node.start_mark.index)
            return
        if "inline" in given:
            inline = given["inline"]
            if compression:
                self.note("butane", f"{label}.inline with compression {compression}: taken as already compressed; not read", inline.start_mark.index)
                return
            self.embed(self.scalar_doc(inline, f"{label}.inline"), kind, target, append=append)
        elif "local" in given:
            self.local(given["local"], f"{label}.local", kind, target, append, compression)
        elif "source" in given:
            self.source(given["source"], f"{label}.source", kind, target, append, compression)
        elif "remote" in given:
            self.note("remote", f"{label}.remote: {target} is fetched at boot; not read", given["remote"].start_mark.index)

    def present(self, node) -> bool:
        return node is not None and not (is_scalar(node) and node.style is None and node.value in _NULL)

    def source(self, node, label: str, kind: str, target: str, append: bool, compression: str) -> None:
        url = self.string(node)
        if url is None:
            return
        if not is_data_url(url):
            self.not_a_data_url(label, target, url, node.start_mark.index)
            return
        lines = scalar_offsets(self.composed, node)
        offsets = line_offsets_to_chars(url, lines) if lines else None
        self.data_url(url, offsets, compression, label, span_of(node), kind, target, append)

    # -- contents.local ------------------------------------------------------------------------------

    def local(self, node, label: str, kind: str, target: str, append: bool, compression: str = "") -> None:
        """A file of the repository, named relative to ``--files-dir``: the config's folder, else the
        repository's root when the name is found only there."""
        name = self.string(node)
        if not name:
            return
        where = node.start_mark.index
        if compression:
            self.note("local", f"{label}: {name} with compression {compression}: taken as already compressed; not read", where)
            return
        source = self.context.source
        root = project_root(source)
        if root is None or posixpath.isabs(name) or has_template_markers(name):
            self.note("local", f"{label}: {name}: not a file dlint can find in the project (relative to --files-dir); not read", where)
            return
        candidate = Path(os.path.normpath(Path(source.path).parent / name))
        relative_to_root = False
        at_root = Path(os.path.normpath(Path(root) / name))
        inside_root = str(at_root).startswith(str(root).rstrip(os.sep) + os.sep)  # never a stat outside the tree
        if not candidate.is_file() and inside_root and at_root.is_file():
            # --files-dir is often the repository's root (a Makefile there runs butane on configs below)
            candidate, relative_to_root = at_root, True
        real_root = os.path.realpath(root)
        real = os.path.realpath(candidate)
        if not (real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)):
            self.note("local", f"{label}: {name} lies outside the project; not read", where)
            return
        data, error = read_bounded(candidate, MAX_BYTES)
        if data is None:
            self.note("local", f"{label}: {name}: {error}; not read (butane --files-dir must hold it)", where)
            return
        text, _, valid = bytes_to_text(data, None)
        if not valid:
            self.note("local", f"{label}: {name} is not valid UTF-8", where)
        holder = self.doc.location(*span_of(node))
        via = holder.trace + (TraceStep(holder.path, holder.line, holder.column, label),)
        shown = source.display.replace("\\", "/")
        if relative_to_root:  # the display of the scan's root, then the name
            rel = source.rel.replace("\\", "/")
            base = shown[: len(shown) - len(rel)] if shown.endswith(rel) else ""
            display = posixpath.normpath(posixpath.join(base, name)) if base else posixpath.normpath(name)
        else:
            display = posixpath.normpath(posixpath.join(posixpath.dirname(shown), name))
        rel = candidate.relative_to(root).as_posix() if candidate.is_relative_to(root) else None
        document = Document(text, display, via=via)
        self.embed(document, kind, target, append=append, reference=rel)

    # -- systemd.units -------------------------------------------------------------------------------

    def units(self, systemd) -> None:
        for number, fields, unit in self.entries(systemd, "units"):
            name = self.string(fields.get("name", (None, None))[1])
            if not name or "/" in name:
                continue
            target = f"{UNIT_FOLDER}/{name}"
            label = f"systemd.units[{number}]"
            kind = kind_for_target(target)
            if kind is not None:
                self.unit_text(fields, label, kind, target)
            for index, dropin_fields, _ in self.entries(unit, "dropins"):
                dropin_name = self.string(dropin_fields.get("name", (None, None))[1])
                if not dropin_name or "/" in dropin_name:
                    continue
                dropin_target = f"{UNIT_FOLDER}/{name}.d/{dropin_name}"
                dropin_kind = kind_for_target(dropin_target)
                if dropin_kind is not None:
                    self.unit_text(dropin_fields, f"{label}.dropins[{index}]", dropin_kind, dropin_target, mask=False)

    def unit_text(self, fields, label: str, kind: str, target: str, mask: bool = True) -> None:
        masked = fields.get("mask", (None, None))[1]
        if mask and self.truthy(masked):
            # Ignition links the unit to /dev/null: an empty unit file masks it
            self.embed(Document("", self.doc.path, parent=self.doc, label=f"{label}.mask", anchor=span_of(masked)), kind, target)
            return
        contents = fields.get("contents", (None, None))[1]
        local = fields.get("contents_local", (None, None))[1]
        if self.present(contents) and self.present(local):
            self.note("butane", f"{label} has contents and contents_local: only one may be given; Butane refuses this config", contents.start_mark.index)
        elif self.present(contents) and is_scalar(contents):
            self.embed(self.scalar_doc(contents, f"{label}.contents"), kind, target)
        elif self.present(local) and not self.clc:
            self.local(local, f"{label}.contents_local", kind, target, False)

    # -- Container Linux Config: docker.flags ----------------------------------------------------------

    def docker_flags(self, key, docker) -> None:
        """ct's drop-in ``20-clct-docker.conf``, each flag mapped to its place in the YAML."""
        if not is_map(docker):
            return
        flags_key, flags = mapping_of(docker).get("flags", (key, None))
        anchor = flags_key.start_mark.index
        chars: List[str] = []
        offsets: List[int] = []

        def put(text: str, where) -> None:
            chars.append(text)
            offsets.extend(where if isinstance(where, list) else [where] * len(text))

        put('[Service]\nEnvironment="DOCKER_OPTS=', anchor)
        items = flags.value if is_seq(flags) else []
        for number, flag in enumerate(items):
            if not self.spend(1):
                break
            value = self.string(flag) if is_scalar(flag) else None
            value = value or ""
            if number:
                put(" ", flag.start_mark.index)
            lines = scalar_offsets(self.composed, flag) if is_scalar(flag) else None
            put(value, line_offsets_to_chars(value, lines) if lines and "\n" not in value else flag.start_mark.index)
        put('"', items[-1].end_mark.index if items else anchor)
        text = "".join(chars)
        span = span_of(flags) if flags is not None else span_of(key)
        document = mapped_document(self.doc, text, offsets, f"docker.flags ({CLC_DROPIN})", span)
        self.embed(document, "systemd", f"{UNIT_FOLDER}/docker.service.d/{CLC_DROPIN}")

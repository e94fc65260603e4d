"""Packer templates: what each build's provisioners put on the image (provisioning-facts §6).

Three forms are read: HCL2 (``*.pkr.hcl``, parsed with tree-sitter-hcl through ``linter.hcl``), its
JSON variant (``*.pkr.json``: ``{"build": {"provisioner": [{"shell": {...}}]}}``) and legacy JSON
templates (``{"builders": [...], "provisioners": [...]}``, Go-template strings). One build is one
machine: its documents carry the group ``<template> › build.<name>`` (``build[<n>]`` when unnamed
and not alone; the template's path for a legacy template, whose provisioners serve every builder).

- ``shell`` provisioner: ``inline`` is one script (Packer writes the commands to one file, one a
  line), each position mapped to its string; ``script``/``scripts`` name repository files, read as
  shell documents of their own (paths relative to the template's folder, else to the project root:
  Packer resolves them against its working directory); ``content`` is shell text;
- ``file`` provisioner: ``content``, ``source`` or ``sources`` uploaded to a ``destination`` that
  another kind reads (``/etc/docker/daemon.json``; a destination ending in ``/`` takes the source's
  name) becomes a document of that kind.

Template expressions (``${var.x}`` in HCL, ``{{user `x`}}`` in legacy JSON) are not evaluated: the
document is templated. ``${path.root}``, ``{{template_dir}}`` and ``{{pwd}}`` in paths name the
template's folder. Nothing is executed; files outside the project are never read.
"""

from __future__ import annotations

import posixpath
import re
from typing import Dict, List, Optional, Tuple

from .. import jsonread
from ..document import Document
from ..hcl import Embedder, Evaluator, Files, Hcl, Inline, Text, ami_pattern, has_sequences, joined_script, upload_target
from ..mapped import Mapped
from ..fragments import ContainerImage, EnginePackage, ImageLayer
from . import Extraction, Placed, ReadContext, SourceKind
from .claims import PackerClaims

NAME = "packer"

_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LEGACY_FOLDER = re.compile(r"\{\{\s*(?:template_dir|pwd)\s*\}\}")
# where uploads wait for a shell provisioner to move them into place (file.mdx): not configuration


class PackerKind(PackerClaims, SourceKind):
    name = NAME
    summary = "Packer templates (*.pkr.hcl, *.pkr.json, legacy JSON): shell and file provisioners of each build"

    def read(self, document: Document, context: ReadContext) -> Extraction:
        out = Extraction()
        files = Files(context, fallback_to_root=True)
        try:
            if document.text.lstrip().startswith("{"):
                _JsonTemplate(document, files, out).run()
                out.fragments += image_layers(document, context)
            else:
                template = _HclTemplate(document, files, out)
                template.run()
                out.fragments.extend(template.hcl.syntax_problems(context.source, "Packer"))
        except RecursionError:
            out.notes.append(f"{NAME}: {document.start_location()}: nested too deep to read")
        return out


# ------------------------------------------------------------------------------------------
# Provisioners, whatever the syntax


class _Provisioners:
    """The shell and file provisioners of one build; ``ev`` reads values in the template's syntax."""

    def __init__(self, document: Document, files: Files, out: Extraction, ev):
        self.doc = document
        self.ev = ev
        self.embedder = Embedder(document, files, out, ev.note)
        self.files = files
        self.placed: Dict[str, Dict[str, Placed]] = {}  # build -> machine path -> repository file uploaded there
        self.playbooks: Dict[str, List[str]] = {}  # build -> display paths of the playbooks its ansible provisioners run

    def provisioner(self, type_: str, fields: Dict[str, object], label: str, group: str) -> None:
        ev = self.ev
        if type_ == "shell":
            placed = dict(self.placed.get(group, {}))  # what earlier file provisioners uploaded
            if "inline" in fields:
                script = ev.script(fields["inline"], (f"{label}.inline",))
                if script is not None:
                    self.embedder.add(script, _shell, group=group, placed=placed)
            if "content" in fields:
                for value in ev.values(fields["content"], (f"{label}.content",)):
                    self.embedder.add(value, _shell, group=group, placed=placed)
            for name in ("script", "scripts"):
                for item in self.paths(fields, name):
                    ref = ev.file_ref(item, name, (label,), shown='script "{path}"')
                    if ref is not None:
                        self.embedder.add(ref, _shell, group=group, placed=placed)
        elif type_ in ("ansible", "ansible-local"):
            for name in ("playbook_file", "playbook_files"):
                for item in self.paths(fields, name):
                    raw = ev.path(item)
                    found = self.files.resolve(raw) if raw else None
                    if isinstance(found, tuple):
                        self.playbooks.setdefault(group, []).append(found[1])
        elif type_ in ("chef-solo", "chef-client", "puppet-masterless", "puppet-server"):
            self.configuration_tool(type_, fields, group)
        elif type_ == "file":
            destination = ev.path(fields["destination"]) if "destination" in fields else None
            if not destination:
                return
            destination = destination.replace("\\", "/")
            if "content" in fields:
                target = destination + "pkr-file-content" if destination.endswith("/") else destination
                self.embedder.written(ev.values(fields["content"], (f"{label}.content",)), target, group=group)
            for name in ("source", "sources"):
                for item in self.paths(fields, name):
                    target = upload_target(destination, ev.path(item))
                    ref = ev.file_ref(item, name, (label,), shown='source "{path}"')
                    if ref is None:
                        continue
                    self.embedder.uploaded(ref, target, self.placed.setdefault(group, {}), group=group)

    def configuration_tool(self, type_: str, fields: Dict[str, object], group: str) -> None:
        """A Chef run list with a ``docker`` recipe, a Puppet manifest that includes the ``docker``
        class: the engine is installed there by code dlint does not read (an engine of unknown
        configuration, never "not a Docker host")."""
        ev = self.ev
        found = None
        if type_.startswith("chef"):
            for item in (ev.items(fields["run_list"]) or []) if "run_list" in fields else []:
                text = ev.path(item) or ""
                if _CHEF_DOCKER.search(text):
                    found = (f"Chef's {text} recipe, which dlint does not read", ev.start(item))
                    break
        elif "manifest_file" in fields:
            raw = ev.path(fields["manifest_file"])
            resolved = self.files.resolve(raw) if raw else None
            text = self.files.read(resolved[0])[0] if isinstance(resolved, tuple) else None
            if text is not None and _PUPPET_DOCKER.search(text):
                found = (f"the Puppet class docker of {resolved[1]}, which dlint does not read", ev.start(fields["manifest_file"]))
        if found is not None:
            manager, offset = found
            self.embedder.out.fragments.append(EnginePackage(self.files.source, self.doc, manager=manager, name="docker-ce", pin="unseen", location=self.doc.location(offset), group=group))

    def image(self, group: str) -> ContainerImage:
        """The build ``group`` makes a container image (its sources are all Packer's docker builder)."""
        return ContainerImage(self.files.source, self.doc, playbooks=tuple(self.playbooks.get(group, ())), group=group)

    def paths(self, fields: Dict[str, object], name: str) -> list:
        if name not in fields:
            return []
        if name.endswith("s"):
            items = self.ev.items(fields[name])
            if items is None:
                self.ev.note(self.ev.start(fields[name]), f"{name}: not a literal list; not read")
            return items or []
        return [fields[name]]


# recipe[docker], docker::install, docker: the docker cookbook (not docker_compose, not mydocker)
_CHEF_DOCKER = re.compile(r"(?:^|recipe\[)docker(?:::[\w-]+)?(?:\]|$)")
# include docker / include ::docker / class { 'docker': ... } in a Puppet manifest
_PUPPET_DOCKER = re.compile(r"(?m)^\s*(?:include\s+['\"]?(?:::)?docker\b(?!::)|class\s*\{\s*['\"](?:::)?docker['\"]\s*:)")


def _shell(text: str) -> str:
    return "shell"


# ------------------------------------------------------------------------------------------
# HCL2


class _HclTemplate:
    def __init__(self, document: Document, files: Files, out: Extraction):
        self.doc = document
        self.hcl = Hcl(document)
        self.ev = Evaluator(self.hcl, files, NAME, notes=out.notes)
        self.provisioners = _Provisioners(document, files, out, self.ev)
        self.files = files
        self.out = out

    def ami_names(self) -> Dict[str, str]:
        """``source.amazon-ebs.x`` -> the pattern of its ``ami_name`` (a variable with a literal
        default put in; anything else templated is any text)."""
        hcl = self.hcl
        defaults: Dict[str, str] = {}
        for block in hcl.top_blocks(("variable",)):
            default = hcl.attributes(block.body).get("default")
            text = hcl.string(default.expr) if default is not None else None
            if block.labels and text is not None and not text.templated and len(text.text) < 256:
                defaults[block.labels[0]] = text.text
        out: Dict[str, str] = {}
        for block in hcl.top_blocks(("source",)):
            if len(block.labels) != 2 or not block.labels[0].startswith("amazon-"):
                continue
            name = hcl.attributes(block.body).get("ami_name")
            if name is None:
                continue
            raw = hcl.source(name.expr).strip()
            if not (raw.startswith('"') and raw.endswith('"')):
                continue
            raw = re.sub(r"\$\{\s*var\.([A-Za-z0-9_-]+)\s*\}", lambda m: defaults.get(m.group(1), "*"), raw[1:-1])
            out[f"source.{block.labels[0]}.{block.labels[1]}"] = ami_pattern(raw)
        return out

    def run(self) -> None:
        hcl = self.hcl
        for offset in hcl.errors():
            self.ev.note(offset, "syntax error; what parses around it is still read")
        builds = hcl.top_blocks(("build",))
        amis = self.ami_names()
        for number, build in enumerate(builds):
            name = hcl.attributes(build.body).get("name")
            text = hcl.string(name.expr) if name is not None else None
            if text is not None and not text.templated:
                address = f"build.{text.text}"
            else:
                address = "build" if len(builds) == 1 else f"build[{number}]"
            group = f"{self.doc.path} › {address}"
            sources = hcl.attributes(build.body).get("sources")
            used_sources = []  # None for one dlint cannot name
            for item in hcl.tuple_items(sources.expr) or () if sources is not None else ():
                used = hcl.string(item)
                used_sources.append(None if used is None or used.templated else used.text)
                if used is not None and not used.templated and used.text in amis:
                    self.out.fragments.append(ImageLayer(self.files.source, self.doc, output=amis[used.text], group=group))
            used_sources += [block.labels[0] if block.labels else None for block in hcl.blocks(build.body, "source")]
            for provisioner in hcl.blocks(build.body, "provisioner"):
                type_ = provisioner.labels[0] if provisioner.labels else ""
                fields = {name: attribute.expr for name, attribute in hcl.attributes(provisioner.body).items()}
                self.provisioners.provisioner(type_, fields, f'{address} › provisioner "{type_}"', group)
            if used_sources and all(name is not None and name.startswith("source.docker.") for name in used_sources):
                self.out.fragments.append(self.provisioners.image(group))


# ------------------------------------------------------------------------------------------
# JSON: legacy templates and HCL2's JSON syntax


class _JsonValues:
    """Evaluator's interface over JSON nodes: strings are literal text (Go templates in a legacy
    template, ``${...}`` in HCL2 JSON make them templated)."""

    def __init__(self, document: Document, files: Files, notes: List[str], legacy: bool):
        self.doc = document
        self.files = files
        self.notes = notes
        self.legacy = legacy

    def note(self, offset: int, message: str) -> None:
        self.notes.append(f"{NAME}: {self.doc.location(offset)}: {message}")

    @staticmethod
    def start(node) -> int:
        return node.start

    def text(self, node) -> Optional[Text]:
        if node is None or node.kind != "string":
            return None
        source = self.doc.text
        value = Mapped()
        start, end = node.start + 1, node.end - 1
        cursor = start
        for match in _JSON_ESCAPE.finditer(source, start, end):
            value.add(source[cursor : match.start()], cursor)
            if match.group(1):
                value.produce(chr(int(match.group(1), 16)), match.start())
            else:
                value.produce(_JSON_SIMPLE.get(match.group(2), match.group(2)), match.start())
            cursor = match.end()
        value.add(source[cursor:end], cursor)
        templated = "{{" in value.text if self.legacy else has_sequences(value.text)
        return Text(value, (node.start, node.end), templated)

    def values(self, node, labels: Tuple[str, ...]) -> list:
        text = self.text(node)
        if text is None:
            self.note(node.start, f"{' › '.join(labels)}: not a string; not read")
            return []
        return [Inline(text, labels)]

    def items(self, node) -> Optional[list]:
        if node.kind == "string":
            return [node]
        return list(node.value) if node.kind == "array" else None

    def script(self, node, labels: Tuple[str, ...]) -> Optional[Inline]:
        items = self.items(node)
        texts = [self.text(item) for item in items or ()]
        if items is None or any(text is None for text in texts):
            self.note(node.start, f"{' › '.join(labels)}: not a list of strings; not read")
            return None
        return joined_script(texts, (node.start, node.end), labels) if texts else None

    def path(self, node) -> Optional[str]:
        text = self.text(node)
        if text is None:
            return None
        value = text.text
        if self.legacy:
            value = _LEGACY_FOLDER.sub(".", value)
            return None if "{{" in value else value
        value = re.sub(r"\$\{\s*path\.(?:root|cwd)\s*\}", ".", value)
        return None if has_sequences(value) else value

    def file_ref(self, node, function: str, labels: Tuple[str, ...], shown: str):
        label = " › ".join(labels)
        raw = self.path(node)
        if raw is None:
            self.note(node.start, f"{label}: {function} is not a literal path; the file is not read")
            return None
        ref = self.files.ref(raw, (node.start, node.end), labels, shown)
        if isinstance(ref, str):
            self.note(node.start, f"{label}: {function} {raw!r}: {ref}")
            return None
        return ref


class _JsonTemplate:
    def __init__(self, document: Document, files: Files, out: Extraction):
        self.doc = document
        self.files = files
        self.out = out

    def run(self) -> None:
        text = self.doc.text
        try:
            root = jsonread.parse(text, 0, len(text))
        except jsonread.JSONError as err:
            self.out.notes.append(f"{NAME}: {self.doc.location(err.offset)}: not valid JSON ({err.message}); not read")
            return
        if root.kind != "object":
            return
        if root.get("provisioners") is not None or root.get("builders") is not None:
            self.legacy(root)
        elif root.get("build") is not None:
            self.hcl_json(root)
        else:
            self.out.notes.append(f"{NAME}: {self.doc.start_location()}: no builders, provisioners or build; not a Packer template")

    def legacy(self, root) -> None:
        ev = _JsonValues(self.doc, self.files, self.out.notes, legacy=True)
        provisioners = _Provisioners(self.doc, self.files, self.out, ev)
        member = root.get("provisioners")
        if member is None or member.value.kind != "array":
            return
        group = self.doc.path
        for number, item in enumerate(member.value.value):
            fields = _fields(item)
            type_node = fields.pop("type", None)
            type_ = type_node.value if type_node is not None and type_node.kind == "string" else ""
            provisioners.provisioner(type_, fields, f'provisioners[{number}] "{type_}"', group)
        builders = root.get("builders")
        types = [_fields(b).get("type") for b in builders.value.value] if builders is not None and builders.value.kind == "array" else []
        if types and all(t is not None and t.kind == "string" and t.value == "docker" for t in types):
            self.out.fragments.append(provisioners.image(group))

    def hcl_json(self, root) -> None:
        """HCL2's JSON syntax: ``build`` an object or a list of them; a block type maps labels to
        bodies, and each body may be a list of bodies."""
        ev = _JsonValues(self.doc, self.files, self.out.notes, legacy=False)
        provisioners = _Provisioners(self.doc, self.files, self.out, ev)
        builds = _bodies(root.get("build").value)
        for number, build in enumerate(builds):
            fields = _fields(build)
            name = fields.get("name")
            if name is not None and name.kind == "string" and not has_sequences(name.value):
                address = f"build.{name.value}"
            else:
                address = "build" if len(builds) == 1 else f"build[{number}]"
            group = f"{self.doc.path} › {address}"
            block = fields.get("provisioner")
            for labelled in _bodies(block) if block is not None else ():
                for member in labelled.value if labelled.kind == "object" else ():
                    for body in _bodies(member.value):
                        provisioners.provisioner(member.key, _fields(body), f'{address} › provisioner "{member.key}"', group)


_USER = re.compile(r"\{\{\s*user\s+`([^`]+)`\s*\}\}")
_IMAGE_FILE = re.compile(r"\.(?:ovf|ova|vmx|qcow2|img|raw|vdi|vmdk|box)$", re.I)


def image_layers(document: Document, context: ReadContext) -> List[ImageLayer]:
    """A legacy template's builders that start from an image on disk (virtualbox-ovf, vmware-vmx,
    qemu with a disk image): where they write and what they start from, with the template's user
    variables put in (anything else, ``{{env `X`}}``, kept as written, alike in both templates)."""
    try:
        root = jsonread.parse(document.text, 0, len(document.text))
    except jsonread.JSONError:
        return []
    if root.kind != "object" or root.get("builders") is None or root.get("builders").value.kind != "array":
        return []
    variables = {k: v.value for k, v in _fields(root.get("variables").value if root.get("variables") is not None else None).items() if v.kind == "string"}

    def render(text: str) -> str:
        for _ in range(4):  # a variable that names another
            grown = _USER.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
            if len(grown) > 4096:  # bounded: a variable that names itself must not grow without end
                break
            text = grown
        return posixpath.normpath(text) if text else ""

    out = []
    for builder in root.get("builders").value.value:
        fields = _fields(builder)
        kind = fields.get("type")
        name = fields.get("name") or kind
        if kind is None or kind.kind != "string" or name is None or name.kind != "string":
            continue
        output = fields.get("output_directory")
        written = render(output.value) if output is not None and output.kind == "string" else f"output-{name.value}"
        ami = fields.get("ami_name")
        if ami is not None and ami.kind == "string":  # an Amazon image: found by name (ami_pattern)
            written = ami_pattern(_USER.sub(lambda m: variables.get(m.group(1), m.group(0)) if len(variables.get(m.group(1), "")) < 256 else "*", ami.value))
        disk = fields.get("disk_image")
        started = fields.get("iso_url") if kind.value.startswith("qemu") and disk is not None and disk.value is True else fields.get("source_path")
        source = render(started.value) if started is not None and started.kind == "string" and "://" not in started.value else ""
        source = posixpath.dirname(source) if _IMAGE_FILE.search(source) else source
        out.append(ImageLayer(context.source, document, output=written, start=source, group=document.path))
    return out


def _fields(node) -> Dict[str, object]:
    """An object's members by name (the last one of a name, as Go's encoding/json keeps)."""
    if node is None or node.kind != "object":
        return {}
    return {member.key: member.value for member in node.value}


def _bodies(node) -> list:
    if node is None:
        return []
    if node.kind == "array":
        return [item for item in node.value if item.kind == "object"]
    return [node] if node.kind == "object" else []

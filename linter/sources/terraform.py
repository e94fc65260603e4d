"""Terraform: the user data each resource gives a machine, and the files its provisioners write.

A ``.tf`` file is parsed with tree-sitter-hcl (``linter.hcl``). Each ``resource`` (and ``module``)
block is one machine, named ``<file> › <type>.<name>``; every document found for it carries that
name as its ``group``, so what cloud-init, a script or a daemon.json says joins one host
(provisioning-facts §5.3):

- user data: ``user_data``, ``user_data_base64`` (aws), ``custom_data`` and ``user_data``
  (azurerm; ``os_profile.custom_data`` of the older VM resources), ``metadata["user-data"]`` (google), ``metadata.user_data`` (oci),
  ``extra_config["guestinfo.userdata"]`` and ``vapp.properties["user-data"]`` (vsphere), ``user_data``
  of launch templates, droplets, servers... -- read by the cloud-init kind (which also runs a ``#!``
  script as cloud-init does); ``metadata_startup_script`` and ``metadata["startup-script"]`` (GCE's
  own agent runs them) -- read as shell;
- values: heredocs, quoted strings, ``base64encode``/``base64gzip`` looked through, ``file()``,
  ``filebase64()`` and ``templatefile()`` (the file becomes a document of its own, reached ``via``
  the call), ``local.NAME``, ``data.cloudinit_config.NAME.rendered`` (its ``part`` blocks, as the
  provider renders them: one MIME message when every part stands in this file, so that cloud-init's
  merging of several cloud-config parts applies; each part on its own otherwise, with a note) and
  ``data.template_file.NAME.rendered`` (its ``template``, templated);
- ``provisioner "remote-exec"``: ``inline`` as one script (Terraform joins the commands), ``script``
  and ``scripts`` as referenced files; ``provisioner "file"`` and ``local_file``: ``content`` or
  ``source`` written to a ``destination``/``filename`` another kind reads (a daemon.json).

A conditional whose branches both give user data (``var.x ? templatefile(..) : data.x.rendered``)
makes two machines, ``<file> › <address> (if <condition>)`` and ``(unless <condition>)``; a null
branch gives nothing. Template directives that open a template (``%{ if x ~}`` before
``#cloud-config``) are blanked, same length, so that the header they guard is seen.

The other ``.tf`` files of the folder are the same module (``terraform_module``): a resource
reads data sources and locals wherever the module defines them (the document of that file starts
where the resource named it). A ``null_resource``/``terraform_data`` whose ``connection`` host
names one resource provisions that resource's host (machines-facts §2.2). A counted resource is
one host for all its instances, named so (``aws_instance.node[count]``). Provisioners run in
order on the host: an upload lands at its ``destination``, or where a later ``inline``
``mv``/``cp``/``install`` puts it (that item is then left out of the script read as shell); an
uploaded file a later ``inline`` runs is read as shell. A resource whose image names Flatcar,
Container Linux or Fedora CoreOS runs that OS's docker.service (``ignition.with_os_files``).

A data source that a machine of the module reaches is read there; one that nothing names is on no
machine (a note); one only an output or local names is read as a machine of its own. Variables,
resource attributes, other functions are not known: their ``${...}`` stays in the text as written
(the document is templated), or a note says what was not read. Nothing is evaluated or executed;
files outside the project are never read. Terraform 0.11's commas after arguments and quoted
argument names are read as 0.11 read them, with a note (``hcl.Hcl``).
"""

from __future__ import annotations

import posixpath
import re
from typing import Dict, List, Optional, Tuple

from ..fragments import CalledModules, EnginePackage, ImageLayer
from ..document import Document
from ..hcl import Embedder, Evaluator, FileRef, Files, Hcl, Inline, Text, Traversal, ami_pattern, inline_document, joined_script, upload_target, user_data_kind
from ..location import TraceStep
from ..mapped import Mapped
from . import Embedded, Extraction, ReadContext, SourceKind, kind_for_target
from .claims import TerraformClaims
from .cloudinit import DECLARED_TYPES, declare_type
from .ignition import with_os_files
from .terraform_module import Module, Unit, module_of
from .terraform_calls import called_folders, module_texts, passed_images, passed_user_data, unset_in_calls

NAME = "terraform"

USER_DATA_ATTRIBUTES = ("user_data", "user_data_base64", "custom_data")
STARTUP_ATTRIBUTES = ("metadata_startup_script",)
MAP_ATTRIBUTES = ("metadata", "extra_config")
USER_DATA_KEYS = frozenset({"user-data", "user_data", "guestinfo.userdata"})
STARTUP_KEYS = frozenset({"startup-script"})
CLOUDINIT_DATA = ("cloudinit_config", "template_cloudinit_config")
RENDERED_DATA = CLOUDINIT_DATA + ("template_file",)
LOCAL_FILES = ("local_file", "local_sensitive_file")
DEFAULT_BOUNDARY = "MIMEBOUNDARY"
CONNECTED = ("null_resource", "terraform_data")  # provision the machine their connection names
# attributes that name the image a machine boots
IMAGE_ATTRIBUTES = frozenset({"ami", "image", "image_id", "image_name", "source_image", "source_image_id", "offer", "publisher", "sku", "family", "template", "template_name", "os_type", "image_family"})
_FEDORA_COREOS = re.compile(r"fedora[-_ ]?coreos|\bfcos\b", re.I)
_CONTAINER_LINUX = re.compile(r"flatcar|coreos|container[-_ ]linux|kinvolk", re.I)


# owners of public images (aliases, and Canonical's, Amazon's and Debian's accounts): an image of
# theirs is not one the repository's Packer templates build
_PUBLIC_OWNERS = frozenset({"amazon", "aws-marketplace", "microsoft", "099720109477", "137112412989", "136693071363", "125523088429", "309956199498"})


def own_ami_pattern(hcl, data) -> Optional[str]:
    """The ``ami:`` pattern of the names a ``data "aws_ami"`` finds, when it looks among the
    account's own images (``owners`` not only public accounts) by a ``name`` filter; None otherwise."""
    attributes = hcl.attributes(data.body)
    owners = attributes.get("owners")
    listed = [hcl.string(item) for item in hcl.tuple_items(owners.expr) or ()] if owners is not None else []
    if listed and all(item is not None and not item.templated and item.text in _PUBLIC_OWNERS for item in listed):
        return None
    for inner in hcl.blocks(data.body, "filter"):
        fields = hcl.attributes(inner.body)
        name = hcl.string(fields["name"].expr) if "name" in fields else None
        if name is None or name.templated or name.text != "name" or "values" not in fields:
            continue
        values = hcl.tuple_items(fields["values"].expr) or []
        if len(values) == 1:
            raw = hcl.source(values[0]).strip()
            if raw.startswith('"') and raw.endswith('"'):
                return ami_pattern(raw[1:-1])
    return None


# (resource type, image) -> (engine package, pin, what installs it): provider images built with the
# engine in them, each docker-ce from download.docker.com, unpinned, started by its packaged unit,
# no daemon.json: Hetzner's docker-ce app (hetznercloud/apps, apps/hetzner/docker-ce/scripts/
# docker.sh); DigitalOcean's docker-20-04 1-Click (digitalocean/droplet-1-clicks,
# docker-20-04/scripts/010-docker)
ENGINE_IMAGES = {
    ("hcloud_server", "docker-ce"): ("docker-ce", "none", "Hetzner's docker-ce app image"),
    ("digitalocean_droplet", "docker-20-04"): ("docker-ce", "none", "DigitalOcean's docker-20-04 1-Click image"),
}


class TerraformKind(TerraformClaims, SourceKind):
    name = NAME
    summary = "Terraform (*.tf): user data of each resource (cloud-init, scripts, templatefile(), cloudinit_config), provisioners, local_file"
    def read(self, document: Document, context: ReadContext) -> Extraction:
        reader = _Reader(document, context)
        reader.calls = self.__dict__.setdefault("_calls", {})  # the repository's module calls, found once per scan
        try:
            reader.run()
        except RecursionError:
            reader.note(0, "nested too deep to read")
        return reader.out


class _Scope:
    """Where values are read: a file of the module (the reader's own, or another one reached from
    a resource, whose document carries the way there)."""

    def __init__(self, hcl: Hcl, ev: Evaluator, document: Document):
        self.hcl = hcl
        self.ev = ev
        self.document = document


class _Reader:
    def __init__(self, document: Document, context: ReadContext):
        self.doc = document
        self.context = context
        self.out = Extraction()
        self.hcl = Hcl(document)
        self.files = Files(context)
        self.ev = Evaluator(self.hcl, self.files, NAME, notes=self.out.notes, outer_locals=self.outer_local)
        self.own = _Scope(self.hcl, self.ev, document)
        self.embedder = Embedder(document, self.files, self.out, self.note)
        self.data: Dict[Tuple[str, str], object] = {}
        self.used: set = set()
        self.resolving: set = set()  # data sources being resolved (a cycle is refused)
        self._module: Optional[Module] = None
        self.own_rel = context.source.rel.replace("\\", "/") if context.depth == 0 else None
        self.calls: Dict[str, tuple] = {}
        self.current: Tuple[object, Optional[str]] = (None, None)  # the resource read now (block, address): each.value's

    def note(self, offset: int, message: str, document: Optional[Document] = None) -> None:
        if document is None or document is self.doc:
            self.ev.note(offset, message)
        else:
            self.out.notes.append(f"{NAME}: {document.location(offset)}: {message}")

    @property
    def module(self) -> Module:
        """The other files of this folder: only for a file of the repository (not a document
        embedded in another)."""
        if self._module is None:
            self._module = module_of(self.files, self.doc.path) if self.own_rel is not None else Module()
        return self._module

    def elsewhere(self, unit: Unit) -> bool:
        return unit.rel != self.own_rel

    def run(self) -> None:
        hcl = self.hcl
        for offset, what in hcl.repaired:
            self.note(offset, f"{what} (Terraform 0.11 syntax, which 0.12 and later refuse): read as 0.11 read it")
        for offset in hcl.errors():
            self.note(offset, "syntax error; what parses around it is still read")
        self.out.fragments.extend(hcl.syntax_problems(self.context.source, "Terraform"))
        blocks = hcl.top_blocks(("resource", "data", "module"))
        for block in blocks:
            if block.type == "data" and len(block.labels) == 2:
                self.data.setdefault((block.labels[0], block.labels[1]), block)
        for block in blocks:
            if block.type == "resource" and len(block.labels) == 2:
                self.machine(block, f"{block.labels[0]}.{block.labels[1]}")
            elif block.type == "module" and len(block.labels) == 1:
                self.machine(block, f"module.{block.labels[0]}")
        for (type_, name), block in self.data.items():
            if type_ in RENDERED_DATA and (type_, name) not in self.used:
                self.unused_data(type_, name, block)
        if self.own_rel is not None:
            self.unreached_templates()

    def unreached_templates(self) -> None:
        """A daemon.json template that ``templatefile()`` renders in a local no resource reads, or
        in an output (a module that only renders user data for its callers): the configuration
        that module writes, a machine of its own (``docker.tf › local.docker``)."""
        done = set()
        for block in self.hcl.top_blocks(("locals", "output")):
            for name, attribute in self.hcl.attributes(block.body).items():
                if block.type == "locals" and name in self.module.resource_locals:
                    continue
                if block.type == "locals" and name not in self.module.named_locals:
                    self.unused_local(name, attribute)
                    continue
                address = f"local.{name}" if block.type == "locals" else f"output.{''.join(block.labels[:1])}"
                for args in _calls(self.hcl, attribute.expr, "templatefile"):
                    raw = self.ev.path(args[0]) if args else None
                    if raw is None or raw in done or not _daemon_template(raw):
                        continue
                    done.add(raw)
                    ref = self.ev.file_ref(args[0], "templatefile", (address,))
                    if ref is not None:
                        self.embedder.add(ref, lambda text: "daemon-json", target=DAEMON_JSON, group=self.host(address))

    def unused_data(self, type_: str, name: str, block) -> None:
        """A data source no resource of this file uses: read where another file's resource uses
        it; nowhere when nothing names it (no machine gets it); else a machine of its own (a
        module's output, say)."""
        address = f"data.{type_}.{name}"
        if self.own_rel is not None:
            if (type_, name) in self.module.machine_data:
                return
            if (type_, name) not in self.module.mentioned:
                self.note(self.hcl.span(block.node)[0], f"{address}: nothing in this module uses it, so no machine gets it; not read")
                self.unused_files(block, address)
                return
        self.resolving.add((type_, name))
        self.rendered(self.own, (type_, name), (f"{address}.rendered",), self.host(address), "user-data")
        self.resolving.discard((type_, name))

    def unused_files(self, block, address: str) -> None:
        """The files an unused template_file renders are on no machine: no machine of their own
        either (a ``#cloud-config`` template that a commented-out ``user_data`` once used)."""
        template = self.hcl.attributes(block.body).get("template")
        if template is None:
            return
        for value in self.ev.values(template.expr, (f"{address}.template",)):
            if isinstance(value, FileRef):
                self.out.references.add(value.rel)

    def unused_local(self, name: str, attribute) -> None:
        """The files a local nothing names renders or reads are on no machine: no machine of their
        own either (a ``#cloud-config`` template a removed ``user_data`` once used)."""
        for function in ("templatefile", "file"):
            for args in _calls(self.hcl, attribute.expr, function):
                raw = self.ev.path(args[0]) if args else None
                found = self.files.resolve(raw) if raw is not None else None
                if found is not None and not isinstance(found, str):
                    self.out.references.add(found[0])

    def host(self, address: str, display: Optional[str] = None) -> str:
        return f"{display or self.doc.path} › {address}"

    def group_of(self, block, address: str, display: Optional[str] = None) -> str:
        """The host of a resource: every instance of a counted one is alike for dlint, so one host
        says so (``aws_instance.node[count]``)."""
        attributes = self.scope_hcl(display).attributes(block.body)
        for meta in ("count", "for_each"):
            if meta in attributes:
                return self.host(f"{address}[{meta}]", display)
        return self.host(address, display)

    def scope_hcl(self, display: Optional[str]) -> Hcl:
        if display is None or display == self.doc.path:
            return self.hcl
        return next(unit.hcl for unit in self.module.units if unit.display == display)

    # -- the module: other files of the folder -------------------------------------------------

    def scope_for(self, unit: Unit, where_from, labels: Tuple[str, ...]) -> _Scope:
        """A file of the module reached from ``where_from`` (a value, or (document, span)): its
        document starts where it was reached."""
        if not self.elsewhere(unit):
            return self.own
        document, span = where_from
        where = document.location(*span)
        step = TraceStep(where.path, where.line, where.column, " › ".join(labels))
        origin = Document(unit.hcl.text, unit.display, via=where.trace + (step,))
        ev = Evaluator(unit.hcl, self.files, NAME, notes=self.out.notes, origin=origin, outer_locals=self.outer_local)
        return _Scope(unit.hcl, ev, origin)

    def outer_local(self, name: str, evaluator: Evaluator, span, labels):
        """``local.NAME`` of another file of the module (for outer_locals of hcl.Evaluator)."""
        if self.own_rel is None or name not in self.module.locals:
            return None
        unit, attribute = self.module.locals[name]
        document = evaluator.origin or evaluator.hcl.document
        scope = self.scope_for(unit, (document, span), labels)
        if scope is self.own:
            return None  # the evaluator has it already
        return scope.ev, attribute, (f"local.{name}",)

    def data_source(self, key: Tuple[str, str]):
        """(unit or None for this file, block) of a data source of the module."""
        if key in self.data:
            return None, self.data[key]
        if self.own_rel is not None and key in self.module.data:
            unit, block = self.module.data[key]
            return unit, block
        return None

    # -- one machine ---------------------------------------------------------------------------

    def machine(self, block, address: str) -> None:
        hcl = self.hcl
        group = self.group_of(block, address)
        self.current = (block, address)
        if block.type == "module" and not self.module_machine(block, address, group):
            return
        first = len(self.out.embedded)
        attributes = hcl.attributes(block.body)
        for name in USER_DATA_ATTRIBUTES + STARTUP_ATTRIBUTES:
            if name in attributes:
                role = "startup" if name in STARTUP_ATTRIBUTES else "user-data"
                self.user_data(attributes[name].expr, (f"{address}.{name}",), group, role)
        if block.type == "module":
            # an argument the called module gives its machines as user data (config = ... where
            # the module's aws_instance has user_data = var.config)
            for name, used in self.passed(attributes).items():
                if name in attributes and name not in USER_DATA_ATTRIBUTES + STARTUP_ATTRIBUTES:
                    role = "startup" if used in STARTUP_ATTRIBUTES else "user-data"
                    self.user_data(attributes[name].expr, (f"{address}.{name} (its module's {used})",), group, role)
        for name in MAP_ATTRIBUTES:
            if name in attributes:
                self.user_data_map(attributes[name].expr, f"{address}.{name}", group)
        for vapp in hcl.blocks(block.body, "vapp"):
            properties = hcl.attributes(vapp.body).get("properties")
            if properties is not None:
                self.user_data_map(properties.expr, f"{address}.vapp.properties", group)
        for profile in hcl.blocks(block.body, "os_profile"):  # azurerm_virtual_machine(_scale_set), the older resources
            custom_data = hcl.attributes(profile.body).get("custom_data")
            if custom_data is not None:
                self.user_data(custom_data.expr, (f"{address}.os_profile.custom_data",), group, "user-data")
        if block.labels and block.labels[0] in LOCAL_FILES:
            self.local_file(attributes, address, group)
        if block.labels and block.labels[0] in CONNECTED:
            group = self.connected(block) or group
        Provisioning(self, block, address, group).run()
        self.operating_system(block, group, first)
        self.image_layer(block, group)
        self.engine_image(block, attributes, group)

    def module_machine(self, block, address: str, group: str) -> bool:
        """A module call: its machine is one of the called modules' (said by a CalledModules
        fragment). False when its local source is not in the repository: Terraform stops at init,
        so the call deploys nothing (said with -v)."""
        source = self.hcl.attributes(block.body).get("source")
        text = self.hcl.string(source.expr) if source is not None and self.own_rel is not None else None
        if text is None or text.templated:
            return True
        folders = called_folders(self.files, text.text)
        if folders is None:
            self.note(self.hcl.span(source.expr)[0], f"{address}: its source {text.text} is not in the repository: Terraform stops at init, so it deploys nothing; not read")
            for name, attribute in self.hcl.attributes(block.body).items():  # the files it names: used (by nothing), no machines of their own
                for value in self.ev.values(attribute.expr, (f"{address}.{name}",)) if name != "source" else ():
                    if isinstance(value, FileRef):
                        self.out.references.add(value.rel)
            return False
        if folders:
            self.out.fragments.append(CalledModules(self.context.source, self.doc, folders=folders, group=group))
        return True

    def engine_image(self, block, attributes, group: str) -> None:
        """A provider's image that comes with the engine installed (Hetzner's ``docker-ce`` app):
        the machine is a Docker host, as that image is built (ENGINE_IMAGES)."""
        kind, image = (block.labels[0] if block.labels else "", attributes.get("image"))
        if block.type == "module":  # an argument its module's machine boots: image = var.image
            passed = passed_images(self.called(attributes), {t for t, _ in ENGINE_IMAGES})
            name = next((n for n in passed if n in attributes), None)
            kind, image = (passed[name], attributes[name]) if name is not None else ("", None)
        text = self.hcl.string(image.expr) if image is not None else None
        made = ENGINE_IMAGES.get((kind, text.text)) if text is not None and not text.templated else None
        if made is None:
            return
        name, pin, said = made
        location = self.doc.location(*self.hcl.span(image.expr))
        self.out.fragments.append(EnginePackage(self.context.source, self.doc, manager=said, name=name, pin=pin, location=location, group=group))

    def passed(self, attributes) -> Dict[str, str]:
        return passed_user_data(self.called(attributes))

    def called(self, attributes) -> List[str]:
        """The texts of the ``.tf`` files of the folder a module call's literal ``source`` names,
        read once per source (for the user data and the images its arguments give)."""
        source = attributes.get("source")
        text = self.hcl.string(source.expr) if source is not None and self.own_rel is not None else None
        if text is None or text.templated:
            return []
        known = self.__dict__.setdefault("_called", {})
        if text.text not in known:
            known[text.text] = module_texts(self.files, text.text)
        return known[text.text]

    def connected(self, block) -> Optional[str]:
        """The host a null_resource or terraform_data provisions: the resource its
        ``connection { host = ... }`` names (machines-facts §2.2), when it names one."""
        if self.own_rel is None:
            return None
        named = set()
        for connection in self.hcl.blocks(block.body, "connection"):
            host = self.hcl.attributes(connection.body).get("host")
            if host is None:
                continue
            own = next(unit for unit in self.module.units if not self.elsewhere(unit)) if self.module.units else None
            if own is None:
                return None
            named |= {(r[1], r[2]) for r in self.module.references(own, host.expr) if r[0] == "resource"}
        if len(named) != 1:
            return None
        (key,) = named
        unit, target = self.module.resources[key]
        return self.group_of(target, f"{key[0]}.{key[1]}", unit.display)

    def user_data_map(self, expr, label: str, group: str) -> None:
        items = self.hcl.object_items(expr)
        if items is None:
            return
        for key, _, value in items:
            if key in USER_DATA_KEYS or key in STARTUP_KEYS:
                role = "startup" if key in STARTUP_KEYS else "user-data"
                self.user_data(value, (f'{label}["{key}"]',), group, role)

    def user_data(self, expr, labels: Tuple[str, ...], group: str, role: str) -> None:
        for value in self.ev.values(expr, labels):
            self.payload(value, group, role)

    def kind_of(self, role: str):
        return _shell if role == "startup" else user_data_kind

    def payload(self, value, group: str, role: str, target: Optional[str] = None) -> None:
        """``target``: the file on the machine the value is written to (a file provisioner's
        destination), read as that file's kind; else the value is run (user data, a script)."""
        group += "".join(f" ({branch})" for branch in value.variant)
        if isinstance(value, Traversal):
            self.traversal(value, group, role, target)
        elif target is not None:
            self.embedder.written([value], target, group=group)
        else:
            self.embedder.add(value, self.kind_of(role), group=group)

    def traversal(self, value: Traversal, group: str, role: str, target: Optional[str] = None) -> None:
        parts = value.parts
        label = " › ".join(value.labels)
        document = value.document or self.doc
        if parts[0] == "data" and len(parts) >= 4 and parts[3] == "rendered" and parts[1] in RENDERED_DATA:
            key = (parts[1], parts[2])
            if key in self.resolving:
                self.note(value.span[0], f"{label}: data.{key[0]}.{key[1]} refers to itself; not read", document)
                return
            found = self.data_source(key)
            if found is None:
                self.note(value.span[0], f"{label}: data.{key[0]}.{key[1]} is not defined in this module; not read here", document)
                return
            unit, block = found
            address = f"data.{key[0]}.{key[1]}.rendered"
            if unit is None or unit.display == document.path:  # in the file the value stands in
                scope, labels = (self.own if document is self.doc else self.scope_of(value)), value.labels + (address,)
                if document is self.doc:
                    self.used.add(key)
            else:  # another file of the module: its document starts where the value names it
                scope, labels = self.scope_for(unit, (document, value.span), value.labels), (address,)
            self.resolving.add(key)
            try:
                self.rendered(scope, key, labels, group, role, block, target)
            finally:
                self.resolving.discard(key)
            return
        if parts[:2] == ["each", "value"] and len(parts) == 3 and document is self.doc and self.for_each_values(value, group, role):
            return
        if parts[0] == "var" and len(parts) == 2:
            default = self.variable_default(parts[1])
            if default is not None:
                unit, attribute = default
                scope = self.scope_for(unit, (document, value.span), value.labels)
                for each in scope.ev.values(attribute.expr, value.labels + (f"var.{parts[1]} (its default: no call of the module sets it)",)):
                    self.payload(each, group, role, target)
                return
        shown = ".".join(parts)
        self.note(value.span[0], f"{label}: {shown} is not known before Terraform runs; not read", document)

    def for_each_values(self, value: Traversal, group: str, role: str) -> bool:
        """``custom_data = each.value.NAME`` of a resource whose ``for_each`` is a literal map of
        objects (``local.vms = { sonar = { custom_data = filebase64(...) } }``): each key is a
        machine of its own (``azurerm_linux_virtual_machine.vm["sonar"]``), given that key's NAME.
        False when the map is not literal (said by the caller)."""
        block, address = self.current
        for_each = self.hcl.attributes(block.body).get("for_each") if block is not None else None
        if for_each is None:
            return False
        evaluator, node = self.ev.through_locals(for_each.expr, value.labels)
        entries = evaluator.hcl.object_items(node)
        if not entries:
            return False
        name = value.parts[2]
        found = False
        for key, _, entry in entries:
            fields = {k: v for k, _, v in evaluator.hcl.object_items(entry) or []}
            if name not in fields:
                continue
            found = True
            machine = group.replace(f"{address}[for_each]", f'{address}["{key}"]')
            for each in evaluator.values(fields[name], value.labels + (f'each.value.{name} (for_each key "{key}")',)):
                self.payload(each, machine, role)
        return found

    def variable_default(self, name: str):
        """(unit, default attribute) of a variable of this module that every call of it leaves
        to its default; None when a call may set it, nothing calls the module, or it has none."""
        if self.own_rel is None or name not in self.module.variables:
            return None
        unit, block = self.module.variables[name]
        default = unit.hcl.attributes(block.body).get("default")
        if default is None or not unset_in_calls(self.own_rel, str(self.context.source.path), name, self.calls):
            return None
        return unit, default

    def scope_of(self, value) -> _Scope:
        """The scope a value of another file came from (its data sources are its module's)."""
        unit = next(u for u in self.module.units if u.display == value.document.path)
        return _Scope(unit.hcl, Evaluator(unit.hcl, self.files, NAME, notes=self.out.notes, origin=value.document, outer_locals=self.outer_local), value.document)

    # -- data sources that render user data ----------------------------------------------------

    def rendered(self, scope: _Scope, key: Tuple[str, str], labels: Tuple[str, ...], group: str, role: str, block=None, target: Optional[str] = None) -> None:
        block = block if block is not None else self.data[key]
        attributes = scope.hcl.attributes(block.body)
        if key[0] == "template_file":
            template = attributes.get("template")
            if template is None:
                self.note(scope.hcl.span(block.node)[0], f"{' › '.join(labels)}: no literal template; not read", scope.document)
                return
            values = scope.ev.values(template.expr, labels + ("template",))
            missing = self.undeclared(scope, block, values)
            if missing:
                self.note(scope.hcl.span(block.node)[0], f"{' › '.join(labels)}: the template uses ${{{missing}}}, which its vars do not declare: Terraform refuses to render it, so no machine gets it; not read", scope.document)
                self.out.references |= {value.rel for value in values if isinstance(value, FileRef)}  # nor a machine of its own
                return
            for value in values:
                if isinstance(value, Inline):
                    value.text.templated = value.text.templated or "${" in value.text.text or "%{" in value.text.text
                elif isinstance(value, FileRef):
                    value.template = True  # template_file renders what file() read
                self.payload(value, group, role, target)
            return
        self.cloudinit_config(scope, block, attributes, labels, group)

    def undeclared(self, scope: _Scope, block, values) -> Optional[str]:
        """A bare ``${name}`` of the template that a literal ``vars`` (attribute or 0.11 block) does
        not declare: the template provider fails on it ("unknown variable accessed")."""
        hcl = scope.hcl
        given = hcl.attributes(block.body).get("vars")
        if given is not None:
            items = hcl.object_items(given.expr)
            if items is None:
                return None
            declared = {key for key, _, _ in items}
        else:
            blocks = hcl.blocks(block.body, "vars")
            declared = {name for each in blocks for name in hcl.attributes(each.body)}
        for value in values:
            # an inline template's own ${} are Terraform's (escaped $${} arrive unescaped): only a file's text is the template's
            text = self.files.read(value.rel)[0] if isinstance(value, FileRef) else None
            if text is None:
                return None
            for match in _TEMPLATE_NAME.finditer(text):
                if match.group(1) not in declared:
                    return match.group(1)
        return None

    def cloudinit_config(self, scope: _Scope, block, attributes, labels: Tuple[str, ...], group: str) -> None:
        """The provider's MIME message (provisioning-facts §5.4), or its parts one by one."""
        hcl = scope.hcl
        parts = []
        for number, part in enumerate(hcl.blocks(block.body, "part")):
            fields = hcl.attributes(part.body)
            content = fields.get("content")
            if content is None:
                continue
            values = scope.ev.values(content.expr, labels + (f"part[{number}].content",))
            parts.append((part, fields, values))
        if any(b.labels[:1] == ["part"] for b in hcl.blocks(block.body, "dynamic")):
            self.note(hcl.span(block.node)[0], f"{' › '.join(labels)}: dynamic part blocks are not read", scope.document)
        if not parts:
            return
        if all(len(values) == 1 and isinstance(values[0], Inline) and values[0].document is (scope.ev.origin) for _, _, values in parts):
            self.mime(scope, block, attributes, parts, labels, group)
            return
        if sum(1 for _, _, values in parts if values) > 1:
            message = "parts that are not all in this file are read one by one; cloud-init's merging of several cloud-config parts is not modelled"
            self.note(hcl.span(block.node)[0], f"{' › '.join(labels)}: {message}", scope.document)
        for _, fields, values in parts:
            declared = (self.literal(hcl, fields, "content_type") or "").strip().lower()
            for value in values:
                first = len(self.out.embedded)
                if isinstance(value, Inline) and not value.text.text.strip():
                    continue  # an empty part (a conditional's "" branch): cloud-init reads nothing
                if declared in DECLARED_TYPES and not isinstance(value, Traversal):
                    # cloud-init routes a part by the type it declares, whatever its first line says
                    group_of = group + "".join(f" ({branch})" for branch in value.variant)
                    self.embedder.add(value, lambda text: "cloud-init", group=group_of)
                    for embedded in self.out.embedded[first:]:
                        declare_type(embedded.document, declared)
                else:
                    self.payload(value, group, "user-data")

    def literal(self, hcl: Hcl, fields, name: str) -> Optional[str]:
        attribute = fields.get(name)
        text = hcl.string(attribute.expr) if attribute is not None else None
        return text.text if text is not None and not text.templated else None

    def mime(self, scope: _Scope, block, attributes, parts, labels: Tuple[str, ...], group: str) -> None:
        """The MIME message terraform-provider-cloudinit renders: headers made up, each part's
        content mapped to where it stands."""
        hcl = scope.hcl
        start, end = hcl.span(block.node)
        boundary = self.literal(hcl, attributes, "boundary") or DEFAULT_BOUNDARY
        message = Mapped()
        message.produce(f'Content-Type: multipart/mixed; boundary="{boundary}"\nMIME-Version: 1.0\n\n', start)
        templated = False
        for part, fields, (value,) in parts:
            headers = [f"Content-Type: {self.literal(hcl, fields, 'content_type') or 'text/plain'}", "Mime-Version: 1.0", "Content-Transfer-Encoding: 7bit"]
            filename = self.literal(hcl, fields, "filename")
            if filename:
                headers.append(f'Content-Disposition: attachment; filename="{filename}"')
            merge_type = self.literal(hcl, fields, "merge_type")
            if merge_type:
                headers.append(f"X-Merge-Type: {merge_type}")
            message.produce(f"--{boundary}\n" + "\n".join(headers) + "\n\n", hcl.span(part.node)[0])
            message.extend(value.text.value)
            message.produce("\n", value.text.span[1])
            templated = templated or value.text.templated
        message.produce(f"--{boundary}--\n", max(start, end - 1))
        document = inline_document(scope.document, Inline(Text(message, (start, end), templated), labels))
        self.out.embedded.append(Embedded(document, "cloud-init", templated=templated, group=group))

    # -- files written ---------------------------------------------------------------------------

    def destination(self, fields, name: str) -> Optional[str]:
        attribute = fields.get(name)
        if attribute is None:
            return None
        path = self.ev.path(attribute.expr)
        return path.replace("\\", "/") if path else None

    def uploaded(self, fields, label: str) -> List[object]:
        """What a file provisioner or local_file writes: ``content`` values, or the ``source`` file."""
        values: List[object] = []
        for name in ("content", "sensitive_content"):
            if name in fields:
                values.extend(self.ev.values(fields[name].expr, (f"{label}.{name}",)))
        if "source" in fields:
            ref = self.ev.file_ref(fields["source"].expr, "source", (label,), shown='source "{path}"')
            if ref is not None:
                values.append(ref)
        return values

    def local_file(self, attributes, address: str, group: str) -> None:
        target = self.destination(attributes, "filename")
        if target:
            values = self.uploaded(attributes, address)
            self.embedder.written(values, target, group=group)

    # -- the operating system a resource boots -------------------------------------------------

    def operating_system(self, block, group: str, first: int) -> None:
        """Flatcar, Container Linux or Fedora CoreOS, when the image the resource boots says so:
        dockerd starts from that OS's own docker.service, not docker-ce's (machines-facts §7.1).
        Added only when what the resource gives the machine concerns the engine."""
        added = self.out.embedded[first:]
        if not any(e.group == group and "docker" in e.document.text for e in added):
            return
        system = self.image_system(block)
        if system is None:
            return
        at = len(self.out.embedded)
        shipped = Extraction(embedded=[e for e in added if e.group == group])
        with_os_files(shipped, system)
        for item in shipped.embedded:
            if item.document.path.startswith("<") and item not in added:
                item.group = group
                self.out.embedded.insert(at, item)
                at += 1

    def image_system(self, block) -> Optional[str]:
        texts = [self.hcl.source(node) for node in self.image_values(block.body, 0)]
        own = next((u for u in self.module.units if not self.elsewhere(u)), None) if self.own_rel is not None else None
        for node in self.image_values(block.body, 0):
            if own is None:
                break
            for reference in self.module.references(own, node):
                if reference[0] == "data" and (reference[1], reference[2]) in self.module.data:
                    unit, data = self.module.data[(reference[1], reference[2])]
                    texts.append(unit.clean[slice(*unit.hcl.span(data.node))])
                elif reference[0] == "var" and reference[1] in self.module.variables:
                    unit, variable = self.module.variables[reference[1]]
                    texts.append(unit.clean[slice(*unit.hcl.span(variable.node))])
        text = "\n".join(texts)
        if _FEDORA_COREOS.search(text):
            return "fcos"
        if _CONTAINER_LINUX.search(text):
            return "flatcar"
        return None

    def image_layer(self, block, group: str) -> None:
        """A machine that boots an image of the account's own found by name (``ami =
        data.aws_ami.x.id``, the data source filtering ``name`` with ``owners = ["self"]``) may
        boot the image a Packer template of the repository builds under a name that fits: an
        ImageLayer that starts from that name (hosts.py joins them)."""
        if not any("aws_ami" in self.hcl.source(node) for node in self.image_values(block.body, 0)):
            return  # the module's files are looked at only for such a lookup
        own = next((u for u in self.module.units if not self.elsewhere(u)), None) if self.own_rel is not None else None
        if own is None:
            return
        for node in self.image_values(block.body, 0):
            for reference in self.module.references(own, node):
                if reference[0] != "data" or reference[1] != "aws_ami" or (reference[1], reference[2]) not in self.module.data:
                    continue
                unit, data = self.module.data[(reference[1], reference[2])]
                pattern = own_ami_pattern(unit.hcl, data)
                if pattern is not None:
                    self.out.fragments.append(ImageLayer(self.context.source, self.doc, start=pattern, group=group))
                    return

    def image_values(self, body, depth: int):
        """The expressions that name the image a resource boots (``ami``, ``image``, an Azure
        ``source_image_reference``, a GCE ``boot_disk.initialize_params.image``...)."""
        for name, attribute in self.hcl.attributes(body).items():
            if name in IMAGE_ATTRIBUTES:
                yield attribute.expr
        if depth < 3:
            for inner in self.hcl.blocks(body):
                if inner.type not in ("provisioner", "connection"):
                    yield from self.image_values(inner.body, depth + 1)


class Provisioning:
    """The provisioners of one resource, in order, on one host: files uploaded land at their
    ``destination``, or where a later ``mv``/``cp`` of ``inline`` puts them; an uploaded file that
    ``inline`` runs is read as a script; ``inline``, ``script`` and ``scripts`` are read as shell."""

    def __init__(self, reader: _Reader, block, address: str, group: str):
        self.reader = reader
        self.hcl = reader.hcl
        self.address = address
        self.group = group
        self.blocks = self.hcl.blocks(block.body, "provisioner")
        self.commands = self.inline_commands()
        self.followed: set = set()  # inline items dlint followed itself (a move of an uploaded file)

    def inline_commands(self) -> List[Tuple[int, int, object]]:
        """(provisioner number, item number, Text) of every ``inline`` item."""
        found = []
        for number, block in enumerate(self.blocks):
            if block.labels[:1] != ["remote-exec"]:
                continue
            inline = self.hcl.attributes(block.body).get("inline")
            for index, item in enumerate(self.hcl.tuple_items(inline.expr) or () if inline is not None else ()):
                text = self.hcl.string(item)
                if text is not None:
                    found.append((number, index, text))
        return found

    def run(self) -> None:
        for number, block in enumerate(self.blocks):
            type_ = block.labels[0] if block.labels else ""
            fields = self.hcl.attributes(block.body)
            label = f'{self.address} › provisioner "{type_}"'
            if type_ == "file":
                self.file(number, fields, label)
            elif type_ == "remote-exec":
                self.remote_exec(number, fields, label)

    def file(self, number: int, fields, label: str) -> None:
        reader = self.reader
        destination = reader.destination(fields, "destination")
        if not destination:
            return
        source = reader.ev.path(fields["source"].expr) if "source" in fields else None
        landed = upload_target(destination, source)
        target, moves = self.follow(landed, number)
        values = reader.uploaded(fields, label)
        if kind_for_target(target) is not None:
            self.followed |= moves
            for value in values:
                if moves:
                    value.labels = value.labels[:-1] + (value.labels[-1] + f", moved to {target}",)
                if isinstance(value, Traversal):  # content = data.template_file.x.rendered: that template there
                    reader.traversal(value, self.group, "user-data", target)
                else:
                    reader.embedder.written([value], target, group=self.group)
        elif self.runs(landed, number):
            for value in values:
                if isinstance(value, Traversal):  # content = data.template_file.x.rendered: that template
                    reader.traversal(value, self.group, "startup")
                else:
                    reader.embedder.add(value, _shell, group=self.group)

    def follow(self, path: str, after: int) -> Tuple[str, set]:
        """Where later ``mv``/``cp``/``install`` items of ``inline`` put the file at ``path``, and
        those items."""
        moves = set()
        for number, index, text in self.commands:
            if number <= after:
                continue
            move = _move(text.text)
            if move is None or move[1] != path:
                continue
            program, _, destination = move
            if destination.endswith("/") or (kind_for_target(destination.rstrip("/") + "/" + posixpath.basename(path)) and not kind_for_target(destination)):
                destination = destination.rstrip("/") + "/" + posixpath.basename(path)
            moves.add((number, index))
            path = destination
        return path, moves

    def runs(self, path: str, after: int) -> bool:
        """A later ``inline`` item runs the file at ``path`` (``bash /root/x.sh``, ``/root/x.sh``,
        ``./x.sh``, ``sudo sh x.sh``)."""
        name = posixpath.basename(path)
        return any(number > after and _runs(text.text, path, name) for number, _, text in self.commands)

    def remote_exec(self, number: int, fields, label: str) -> None:
        reader = self.reader
        if "inline" in fields:
            script = self.inline_script(number, fields["inline"].expr, (f"{label}.inline",))
            if script is not None:
                reader.embedder.add(script, _shell, group=self.group)
        for name in ("script", "scripts"):
            if name not in fields:
                continue
            items = self.hcl.tuple_items(fields[name].expr) if name == "scripts" else [fields[name].expr]
            for item in items or ():
                ref = reader.ev.file_ref(item, name, (label,), shown='script "{path}"')
                if ref is not None:
                    reader.embedder.add(ref, _shell, group=self.group)

    def inline_script(self, number: int, expr, labels: Tuple[str, ...]) -> Optional[Inline]:
        """The ``inline`` commands joined into the one script Terraform runs, without the moves
        dlint followed itself (the file moved is read where it lands)."""
        script = self.reader.ev.script(expr, labels)
        if script is None or not any(n == number for n, _ in self.followed):
            return script
        kept = [text for n, index, text in self.commands if n == number and (n, index) not in self.followed]
        return joined_script(kept, self.hcl.span(expr), labels) if kept else None


DAEMON_JSON = "/etc/docker/daemon.json"
TEMPLATE_SUFFIXES = (".tftpl", ".tpl", ".tmpl")
MAX_CALL_NODES = 20000  # nodes of one expression searched for calls


_TEMPLATE_NAME = re.compile(r"(?<!\$)\$\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}")  # ${name}, not $${name}


def _daemon_template(path: str) -> bool:
    """A template file named as a daemon.json is (``daemon.json.tpl``, ``docker-daemon.json.tftpl``)."""
    name = posixpath.basename(path)
    for suffix in TEMPLATE_SUFFIXES:
        if name.endswith(suffix):
            stripped = name[: -len(suffix)]
            return stripped.endswith(".json") and "daemon" in stripped
    return False


def _calls(hcl: Hcl, node, function: str) -> List[list]:
    """The argument lists of every call of ``function`` inside an expression."""
    found = []
    stack = [node]
    seen = 0
    while stack and seen < MAX_CALL_NODES:
        current = stack.pop()
        seen += 1
        if current.type == "function_call":
            call = hcl.call(current)
            if call is not None and call[0] == function:
                found.append(call[1])
        stack.extend(reversed(current.children))
    return found


_SEPARATORS = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
_RUNNERS = frozenset({"bash", "sh", "dash", "zsh", "source", ".", "exec"})
_LEADERS = frozenset({"then", "else", "do", "sudo", "time", "!", "{"})  # words before the command run


def _words(command: str) -> List[str]:
    """The words of a simple command, after ``sudo`` (with its options) and ``VAR=value`` words."""
    words = command.split()
    while words and (words[0] == "sudo" or "=" in words[0] and not words[0].startswith(("-", "/", "."))):
        words.pop(0)
        while words and words[0].startswith("-") and words[0] != "--":
            words.pop(0)
    return words


def _move(item: str) -> Optional[Tuple[str, str, str]]:
    """(program, source, destination) of an ``inline`` item that is one plain mv, cp or install."""
    if re.search(r"[;&|<>`$\"'\\]", item):
        return None
    words = _words(item)
    if not words or words[0] not in ("mv", "cp", "install"):
        return None
    operands = []
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = words[0] == "install" and word in ("-m", "-o", "-g", "--mode", "--owner", "--group")
        else:
            operands.append(word)
    if len(operands) != 2:
        return None
    return words[0], posixpath.normpath(operands[0]), operands[1] if operands[1].endswith("/") else posixpath.normpath(operands[1])


def _runs(item: str, path: str, name: str) -> bool:
    for command in _SEPARATORS.split(item):
        words = _words(command)
        while words and words[0] in _LEADERS:  # then /tmp/x.sh; sudo -E /tmp/x.sh
            words = words[1:]
            while words and words[0].startswith("-"):
                words.pop(0)
        command = " ".join(words)
        if words and words[0] in _RUNNERS:
            words = words[1:]
            while words and words[0].startswith("-"):
                words.pop(0)
        if words and (words[0] == path or words[0] in (f"./{name}", f"~/{name}", f"$HOME/{name}") or (words[0] == name and command.split()[0] in _RUNNERS)):
            return True
    return False


def _shell(text: str) -> str:
    return "shell"

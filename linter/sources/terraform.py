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

A data source that no resource of this file uses is read as a machine of its own. Variables,
resource attributes, other functions and data sources of other files are not known: their
``${...}`` stays in the text as written (the document is templated), or a note says what was not
read. Nothing is evaluated or executed; files outside the project are never read.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from ..document import Document
from ..hcl import Embedder, Evaluator, FileRef, Files, Hcl, Inline, Text, Traversal, inline_document, upload_target, user_data_kind
from ..mapped import Mapped
from . import Embedded, Extraction, ReadContext, SourceKind

NAME = "terraform"

_NEEDLES = re.compile(
    rb"docker|daemon\.json|user_data|user-data|custom_data|startup.script|templatefile|cloudinit_config|remote-exec|guestinfo\.userdata|provisioner"
)
USER_DATA_ATTRIBUTES = ("user_data", "user_data_base64", "custom_data")
STARTUP_ATTRIBUTES = ("metadata_startup_script",)
MAP_ATTRIBUTES = ("metadata", "extra_config")
USER_DATA_KEYS = frozenset({"user-data", "user_data", "guestinfo.userdata"})
STARTUP_KEYS = frozenset({"startup-script"})
CLOUDINIT_DATA = ("cloudinit_config", "template_cloudinit_config")
RENDERED_DATA = CLOUDINIT_DATA + ("template_file",)
LOCAL_FILES = ("local_file", "local_sensitive_file")
DEFAULT_BOUNDARY = "MIMEBOUNDARY"


class TerraformKind(SourceKind):
    name = NAME
    summary = "Terraform (*.tf): user data of each resource (cloud-init, scripts, templatefile(), cloudinit_config), provisioners, local_file"
    needles = _NEEDLES

    def claims(self, rel: str, basename: str):
        return basename.endswith(".tf")

    def read(self, document: Document, context: ReadContext) -> Extraction:
        reader = _Reader(document, context)
        try:
            reader.run()
        except RecursionError:
            reader.note(0, "nested too deep to read")
        return reader.out


class _Reader:
    def __init__(self, document: Document, context: ReadContext):
        self.doc = document
        self.context = context
        self.out = Extraction()
        self.hcl = Hcl(document)
        self.files = Files(context)
        self.ev = Evaluator(self.hcl, self.files, NAME, notes=self.out.notes)
        self.embedder = Embedder(document, self.files, self.out, self.note)
        self.data: Dict[Tuple[str, str], object] = {}
        self.used: set = set()
        self.resolving: set = set()  # data sources being resolved (a cycle is refused)

    def note(self, offset: int, message: str) -> None:
        self.ev.note(offset, message)

    def run(self) -> None:
        hcl = self.hcl
        for offset in hcl.errors():
            self.note(offset, "syntax error; what parses around it is still read")
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
                address = f"data.{type_}.{name}"
                self.resolving.add((type_, name))
                self.rendered((type_, name), (f"{address}.rendered",), self.host(address), "user-data")
                self.resolving.discard((type_, name))

    def host(self, address: str) -> str:
        return f"{self.doc.path} › {address}"

    # -- one machine ---------------------------------------------------------------------------

    def machine(self, block, address: str) -> None:
        hcl = self.hcl
        group = self.host(address)
        attributes = hcl.attributes(block.body)
        for name in USER_DATA_ATTRIBUTES + STARTUP_ATTRIBUTES:
            if name in attributes:
                role = "startup" if name in STARTUP_ATTRIBUTES else "user-data"
                self.user_data(attributes[name].expr, (f"{address}.{name}",), group, role)
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
        for provisioner in hcl.blocks(block.body, "provisioner"):
            self.provisioner(provisioner, address, group)

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

    def payload(self, value, group: str, role: str) -> None:
        group += "".join(f" ({branch})" for branch in value.variant)
        if isinstance(value, Traversal):
            self.traversal(value, group, role)
        else:
            self.embedder.add(value, self.kind_of(role), group=group)

    def traversal(self, value: Traversal, group: str, role: str) -> None:
        parts = value.parts
        label = " › ".join(value.labels)
        if parts[0] == "data" and len(parts) >= 4 and parts[3] == "rendered" and parts[1] in RENDERED_DATA:
            key = (parts[1], parts[2])
            if key in self.resolving:
                self.note(value.span[0], f"{label}: data.{key[0]}.{key[1]} refers to itself; not read")
                return
            if key in self.data:
                self.used.add(key)
                self.resolving.add(key)
                try:
                    self.rendered(key, value.labels + (f"data.{key[0]}.{key[1]}.rendered",), group, role)
                finally:
                    self.resolving.discard(key)
                return
            self.note(value.span[0], f"{label}: data.{key[0]}.{key[1]} is not defined in this file; not read here")
            return
        shown = ".".join(parts)
        self.note(value.span[0], f"{label}: {shown} is not known before Terraform runs; not read")

    # -- data sources that render user data ----------------------------------------------------

    def rendered(self, key: Tuple[str, str], labels: Tuple[str, ...], group: str, role: str) -> None:
        block = self.data[key]
        attributes = self.hcl.attributes(block.body)
        if key[0] == "template_file":
            template = attributes.get("template")
            if template is None:
                self.note(self.hcl.span(block.node)[0], f"{' › '.join(labels)}: no literal template; not read")
                return
            for value in self.ev.values(template.expr, labels + ("template",)):
                if isinstance(value, Inline):
                    value.text.templated = value.text.templated or "${" in value.text.text or "%{" in value.text.text
                elif isinstance(value, FileRef):
                    value.template = True  # template_file renders what file() read
                self.payload(value, group, role)
            return
        self.cloudinit_config(block, attributes, labels, group)

    def cloudinit_config(self, block, attributes, labels: Tuple[str, ...], group: str) -> None:
        """The provider's MIME message (provisioning-facts §5.4), or its parts one by one."""
        hcl = self.hcl
        parts = []
        for number, part in enumerate(hcl.blocks(block.body, "part")):
            fields = hcl.attributes(part.body)
            content = fields.get("content")
            if content is None:
                continue
            values = self.ev.values(content.expr, labels + (f"part[{number}].content",))
            parts.append((part, fields, values))
        if any(b.labels[:1] == ["part"] for b in hcl.blocks(block.body, "dynamic")):
            self.note(hcl.span(block.node)[0], f"{' › '.join(labels)}: dynamic part blocks are not read")
        if not parts:
            return
        if all(len(values) == 1 and isinstance(values[0], Inline) for _, _, values in parts):
            self.mime(block, attributes, parts, labels, group)
            return
        if sum(1 for _, _, values in parts if values) > 1:
            message = "parts that are not all in this file are read one by one; cloud-init's merging of several cloud-config parts is not modelled"
            self.note(hcl.span(block.node)[0], f"{' › '.join(labels)}: {message}")
        for _, _, values in parts:
            for value in values:
                self.payload(value, group, "user-data")

    def literal(self, fields, name: str) -> Optional[str]:
        attribute = fields.get(name)
        text = self.hcl.string(attribute.expr) if attribute is not None else None
        return text.text if text is not None and not text.templated else None

    def mime(self, block, attributes, parts, labels: Tuple[str, ...], group: str) -> None:
        """The MIME message terraform-provider-cloudinit renders: headers made up, each part's
        content mapped to where it stands."""
        hcl = self.hcl
        start, end = hcl.span(block.node)
        boundary = self.literal(attributes, "boundary") or DEFAULT_BOUNDARY
        message = Mapped()
        message.produce(f'Content-Type: multipart/mixed; boundary="{boundary}"\nMIME-Version: 1.0\n\n', start)
        templated = False
        for part, fields, (value,) in parts:
            headers = [f"Content-Type: {self.literal(fields, 'content_type') or 'text/plain'}", "Mime-Version: 1.0", "Content-Transfer-Encoding: 7bit"]
            filename = self.literal(fields, "filename")
            if filename:
                headers.append(f'Content-Disposition: attachment; filename="{filename}"')
            merge_type = self.literal(fields, "merge_type")
            if merge_type:
                headers.append(f"X-Merge-Type: {merge_type}")
            message.produce(f"--{boundary}\n" + "\n".join(headers) + "\n\n", hcl.span(part.node)[0])
            message.extend(value.text.value)
            message.produce("\n", value.text.span[1])
            templated = templated or value.text.templated
        message.produce(f"--{boundary}--\n", max(start, end - 1))
        document = inline_document(self.doc, Inline(Text(message, (start, end), templated), labels))
        self.out.embedded.append(Embedded(document, "cloud-init", templated=templated, group=group))

    # -- files written ---------------------------------------------------------------------------

    def destination(self, fields, name: str) -> Optional[str]:
        attribute = fields.get(name)
        if attribute is None:
            return None
        path = self.ev.path(attribute.expr)
        return path.replace("\\", "/") if path else None

    def written(self, fields, target: str, label: str, group: str) -> None:
        """``content`` or ``source`` written to ``target``, when another kind reads that file."""
        values: List[object] = []
        for name in ("content", "sensitive_content"):
            if name in fields:
                values.extend(self.ev.values(fields[name].expr, (f"{label}.{name}",)))
        self.embedder.written(values, target, group=group)
        if "source" in fields:
            source = fields["source"].expr
            ref = self.ev.file_ref(source, "source", (label,), shown='source "{path}"')
            if ref is not None:
                self.embedder.written([ref], upload_target(target, self.ev.path(source)), group=group)

    def local_file(self, attributes, address: str, group: str) -> None:
        target = self.destination(attributes, "filename")
        if target:
            self.written(attributes, target, address, group)

    def provisioner(self, block, address: str, group: str) -> None:
        hcl = self.hcl
        type_ = block.labels[0] if block.labels else ""
        fields = hcl.attributes(block.body)
        label = f'{address} › provisioner "{type_}"'
        if type_ == "file":
            target = self.destination(fields, "destination")
            if target:
                self.written(fields, target, label, group)
        elif type_ == "remote-exec":
            if "inline" in fields:
                script = self.ev.script(fields["inline"].expr, (f"{label}.inline",))
                if script is not None:
                    self.embedder.add(script, _shell, group=group)
            for name in ("script", "scripts"):
                if name not in fields:
                    continue
                items = hcl.tuple_items(fields[name].expr) if name == "scripts" else [fields[name].expr]
                for item in items or ():
                    ref = self.ev.file_ref(item, name, (label,), shown='script "{path}"')
                    if ref is not None:
                        self.embedder.add(ref, _shell, group=group)


def _shell(text: str) -> str:
    return "shell"

"""cloud-init user-data: recognised and taken apart as cloud-init does (provisioning-facts §1).

A blob is gunzipped when it is gzip, parsed as MIME when ``mime-version:`` stands in its first
4096 bytes, and otherwise typed by its first characters (``#cloud-config``, ``#!``, ...). What it
holds goes round the flow again as embedded documents: each MIME part or archive item, each
``write_files`` entry that lands where another source kind reads (a daemon.json, a docker.service
drop-in), each ``runcmd``/``bootcmd`` item as shell. Docker engine packages and ``package_upgrade``
become ``EnginePackage`` fragments.

Positions: YAML is composed with ruamel.yaml (nodes with marks; ``Mark.index`` is a character index
into the str given), so every embedded document maps back exactly into the outer text when its text
stands there literally (block ``|`` scalars, one-line scalars without escapes, MIME parts without a
transfer encoding), and to the span of the holding value otherwise (``>``, escapes, base64, gzip).

Several cloud-config parts are merged the way cloud-init merges them (§1.3): by default a later
part's keys replace earlier ones wholesale, so an earlier ``runcmd`` that a later part replaces
never runs and is not read.

Notes (Extraction.notes) start with a word: ``template:`` (not YAML, holds template markers, and
still not YAML with them masked: unanalysable), ``template-masked:`` (not YAML until rendered; read
with each ``${..}``/``{{..}}`` overwritten and directive lines blanked, lengths kept),
``invalid-yaml:``, ``not-user-data:``, ``merge:``, ``runcmd-not-a-list:``, ``runcmd-bad-item:``
(shellify's TypeError: nothing of it runs), ``write_files:``, ``mime:``, ``include:``, ``budget:``.
``origin(document)`` tells which cloud-init section an embedded document comes from, and
``first_boot(document)`` whether it runs before any container exists.

Limits: YAML nesting deeper than yamlnodes.MAX_DEPTH and more than MAX_NODES nodes end in a note;
decoding (base64, gzip) stops at MAX_DECODED bytes; the text of all documents one read makes, aliases
expanded, stops at a work budget.
"""

from __future__ import annotations

import base64
import binascii
import email
import posixpath
import re
import zlib
from dataclasses import field
from ..lazyclass import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple
from weakref import WeakKeyDictionary

from ..document import Document
from ..templating import DIRECTIVES, expression_end
from ..fragments import DockerdCommand, EnginePackage, SyntaxProblem, UnitUnknown, Word
from ..source import Source
from ..yamlnodes import Budget, Walk, YamlProblem, compose, is_map, is_scalar, is_seq, mapping_of, scalar_offsets, span_of, tag_of, unmasked, value_of
from . import autoinstall
from . import HEAD_BYTES, Embedded, Extraction, Placed, ReadContext, SourceKind, kind_for_target, still_templated
from .claims import CloudInitClaims
from .coreos_cloudinit import define_blocks, is_go_directive, read_units, readable_block, writes_engine_files

NAME = "cloud-init"
MAX_DECODED = 8 * 1024 * 1024
MAX_PARTS = 1000

# Notes start with a word saying what happened; these two the lead turns into findings.
NOTE_TEMPLATE = "template:"  # not YAML, and it holds template markers: unanalysable, not broken
NOTE_INVALID_YAML = "invalid-yaml:"

TEMPLATE_MARKERS = ("{{", "{%", "${", "%{")
# ``${VAR}`` in a command is the shell's own expansion: the shell kind deals with it
_SHELL_TEMPLATE_MARKERS = ("{{", "{%", "%{")

ENGINE_PACKAGES = frozenset({"docker-ce", "docker.io", "docker-engine", "moby-engine", "docker"})

# CI handlers/__init__.py INCLUSION_TYPES_MAP, matched longest first on the lower-cased,
# left-stripped payload (type_from_starts_with)
_INCLUSION_TYPES = {
    "#include": "text/x-include-url",
    "#include-once": "text/x-include-once-url",
    "#!": "text/x-shellscript",
    "#cloud-config": "text/cloud-config",
    "#part-handler": "text/part-handler",
    "#cloud-boothook": "text/cloud-boothook",
    "#cloud-config-archive": "text/cloud-config-archive",
    "#cloud-config-jsonp": "text/cloud-config-jsonp",
    "## template: jinja": "text/jinja2",
    "text/x-shellscript-per-boot": "text/x-shellscript-per-boot",
    "text/x-shellscript-per-instance": "text/x-shellscript-per-instance",
    "text/x-shellscript-per-once": "text/x-shellscript-per-once",
}
_PREFIXES = sorted(_INCLUSION_TYPES, key=len, reverse=True)
_RETYPED = ("text/plain", "text/x-not-multipart", "text/x-shellscript")  # CI TYPE_NEEDED + shellscript
_GZIP_TYPES = frozenset(
    {
        "application/gzip",
        "application/gzip-compressed",
        "application/gzipped",
        "application/x-compress",
        "application/x-compressed",
        "application/x-gunzip",
        "application/x-gzip",
        "application/x-gzip-compressed",
    }
)
_SCRIPT_ORIGINS = {
    "text/x-shellscript": "scripts_user",
    "text/x-shellscript-per-instance": "scripts_per_instance",
    "text/x-shellscript-per-once": "scripts_per_once",
    "text/x-shellscript-per-boot": "scripts_per_boot",
}
# what runs while the machine is first provisioned, before any container (scripts_per_boot runs
# at every boot, in the final stage, after dockerd and its restart-policy containers are up)
FIRST_BOOT_ORIGINS = frozenset(
    {"bootcmd", "runcmd", "write_files", "write_files_deferred", "boothook", "scripts_user", "scripts_per_instance", "scripts_per_once"}
)

_JINJA_LINE = re.compile(r"##\s*template:\s*jinja\s*$", re.IGNORECASE)


_SCRIPT_START = re.compile(r"#!\s*(?:/usr)?/bin/(?:env\s+)?(?:ba|da|k|z)?sh\b")


def content_type(text: str, default: Optional[str] = None) -> Optional[str]:
    """cloud-init's ``type_from_starts_with``: the MIME type a payload's first characters give."""
    lowered = text.lstrip()[:32].lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            return _INCLUSION_TYPES[prefix]
    return default


def is_mime(text: str) -> bool:
    return b"mime-version:" in text[:HEAD_BYTES].encode("utf-8", "replace")[:HEAD_BYTES].lower()


def has_template_markers(text: str, markers: Sequence[str] = TEMPLATE_MARKERS) -> bool:
    return any(m in text for m in markers)


# --- where an embedded document comes from ------------------------------------------------------


@dataclass
class _Info:
    ctype: Optional[str] = None  # declared (trusted) or detected type of a MIME part / archive item
    origin: Optional[str] = None  # runcmd, bootcmd, write_files, boothook, scripts_user, ...
    headers: Dict[str, str] = field(default_factory=dict)
    composed: Optional[tuple] = None  # cached (root node or None, error or None)
    keep: Optional[Dict[str, Optional[Set[Optional[int]]]]] = None  # what survives merging
    dropped: str = ""  # why nothing of this part is merged


_INFO: "WeakKeyDictionary[Document, _Info]" = WeakKeyDictionary()


# a type a MIME part (or a Terraform cloudinit_config part) declares that cloud-init reads without
# the header its text would need on its own (a script part still needs its #! to run)
DECLARED_TYPES = frozenset({"text/cloud-config"})


def declare_type(document: Document, ctype: str) -> None:
    """The content type a part declares: cloud-init reads the part as that type, whatever its
    first line says (a cloud-config without its #cloud-config header)."""
    info = _INFO.get(document)
    if info is None:
        info = _INFO[document] = _Info()
    info.ctype = ctype


def origin(document: Optional[Document]) -> Optional[str]:
    """The cloud-init section an embedded document (or one of its ancestors) comes from:
    ``runcmd``, ``bootcmd``, ``write_files``, ``write_files_deferred``, ``boothook``,
    ``scripts_user``, ``scripts_per_boot``, ... or None when it does not come from cloud-init."""
    while document is not None:
        info = _INFO.get(document)
        if info is not None and info.origin:
            return info.origin
        document = document.parent
    return None


def first_boot(document: Optional[Document]) -> bool:
    """True when the document runs (or is written) while cloud-init first provisions the machine,
    before any container exists."""
    return origin(document) in FIRST_BOOT_ORIGINS


# --- decoding -----------------------------------------------------------------------------------


class DecodeError(Exception):
    pass


def gunzip(data: bytes, limit: int = MAX_DECODED) -> bytes:
    """gzip.GzipFile(...).read() with a bound: members in sequence, zero padding between them."""
    out: List[bytes] = []
    total = 0
    first = True
    while True:
        if not first:
            data = data.lstrip(b"\x00")
            if not data:
                break
        if data[:2] != b"\x1f\x8b":
            raise DecodeError("Not a gzipped file")
        first = False
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = inflater.decompress(data, limit - total + 1)
        except zlib.error as err:
            raise DecodeError(str(err)) from None
        total += len(chunk)
        if total > limit or inflater.unconsumed_tail:
            raise DecodeError(f"decompressed size over {limit} bytes")
        if not inflater.eof:
            raise DecodeError("Compressed file ended before the end-of-stream marker was reached")
        out.append(chunk)
        data = inflater.unused_data
    return b"".join(out)


def _decode_text(data: bytes, charset: Optional[str] = None) -> str:
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


# write_files encodings (CI cc_write_files.canonicalize_extraction)
_ENCODINGS = {
    "gz": ("gzip",),
    "gzip": ("gzip",),
    "gz+base64": ("base64", "gzip"),
    "gzip+base64": ("base64", "gzip"),
    "gz+b64": ("base64", "gzip"),
    "gzip+b64": ("base64", "gzip"),
    "b64": ("base64",),
    "base64": ("base64",),
    "text/plain": (),
    "": (),
}


# --- positions ------------------------------------------------------------------------------------


def _line_offsets(start: int, text: str) -> List[int]:
    offsets = [start]
    i = text.find("\n")
    while i != -1:
        offsets.append(start + i + 1)
        i = text.find("\n", i + 1)
    return offsets


_TEMPLATE_OPENER = re.compile(r"\$\{|%\{|\{\{|\{%|\{#")
_TEMPLATE_EXPRESSION = re.compile(r"\$\{[^}]*\}|%\{[^}]*\}|\{\{.*?\}\}|\{%.*?%\}")


def mask_templates(text: str) -> Optional[str]:
    """``text`` with each template expression (``${..}``, ``{{..}}``) overwritten by ``x`` and each
    line holding only directives (``%{ if .. }``, ``{% for .. %}``) blanked, keeping every length and
    line break, so that positions in it are positions in ``text``. None when there is none, or one
    does not close."""
    spans = []
    i, n = 0, len(text)
    while True:
        match = _TEMPLATE_OPENER.search(text, i)
        if match is None:
            break
        start, opener = match.start(), match.group()
        end = expression_end(text, start, opener)
        if end is None:
            return None
        spans.append((start, end, opener in DIRECTIVES or (opener == "{{" and is_go_directive(text, start))))
        i = end
    if not spans:
        return None
    out = list(text)
    directive = bytearray(n)
    blanked: set = set()  # starts of the lines that hold only directives
    for start, end, is_directive in spans:
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = "x"
        if is_directive:
            directive[start:end] = b"\x01" * (end - start)
    for start, end, is_directive in spans:
        if not is_directive:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = n if line_end < 0 else line_end
        if all(directive[k] or text[k] in " \t\r" for k in range(line_start, line_end)):
            for k in range(line_start, line_end):
                if directive[k]:
                    out[k] = " "
            blanked.add(line_start)
    return _blank_lines_emptied("".join(out), blanked)


def _blank_lines_emptied(text: str, blanked: set) -> str:
    """Each run of lines that were only directives made empty, their spaces moved to the end of
    the line before the run: every other character keeps its offset, and a ``|`` block that a
    ``%{ for }`` line starts does not begin with a line of too many spaces (YAML refuses that)."""
    out = list(text)
    starts = sorted(blanked)
    index = 0
    while index < len(starts):
        first = starts[index]
        run = [first]
        while index + 1 < len(starts) and starts[index + 1] == text.find("\n", run[-1]) + 1:
            index += 1
            run.append(starts[index])
        index += 1
        if first == 0:
            continue  # no line before it
        end = text.find("\n", run[-1])
        end = len(text) if end < 0 else end
        region = text[first - 1 : end]  # the newline before the run, through its last line
        spaces = len(region) - region.count("\n")
        out[first - 1 : end] = list(" " * spaces + "\n" * region.count("\n"))
    return "".join(out)


# --- merging several cloud-config parts (§1.3) ----------------------------------------------------

_TRACKED = ("bootcmd", "write_files", "runcmd", "packages", "package_upgrade", "apt_upgrade")
_DEFAULT_MERGE = "dict(replace)+list()+str()"
_MERGERS = ("dict", "list", "str")


def _string_mergers(spec: str) -> List[Tuple[str, List[str]]]:
    """CI mergers.string_extract_mergers; ValueError for a malformed one."""
    parsed = []
    for name in spec.split("+"):
        name = name.lower().strip().replace("-", "_")
        if not name:
            continue
        match = re.match(r"(^[a-zA-Z_][A-Za-z0-9_]*)\((.*?)\)$", name)
        if not match:
            raise ValueError(f"Matcher identifier '{name}' is not in the right format")
        name, ops = match.groups()
        parsed.append((name, [o.strip().lower() for o in ops.strip().split(",") if o.strip()]))
    return parsed


def _merger_name(name: str) -> str:
    return name[2:] if name.startswith("m_") else name


def _merge_spec(walk: Walk, root, headers: Dict[str, str]) -> List[Tuple[str, List[str]]]:
    """The part's mergers: merge_how (or merge_type) in the part, then the Merge-Type header."""
    parsed: List[Tuple[str, List[str]]] = []
    top = mapping_of(root)
    raw = top.get("merge_how") or top.get("merge_type")
    if raw is not None and walk.kind(raw[1]) != "null":
        node = raw[1]
        if is_scalar(node):
            parsed = _string_mergers(str(walk.scalar(node)))
        elif is_seq(node):
            for item in node.value:
                if is_map(item):
                    fields = mapping_of(item)
                    name = walk.text_of(fields.get("name", (None, None))[1]) or ""
                    settings = fields.get("settings", (None, None))[1]
                    opts = [str(walk.scalar(o)) for o in settings.value] if is_seq(settings) else []
                    name = name.replace("-", "_").strip()
                elif is_seq(item) and item.value:
                    name = walk.text_of(item.value[0]) or ""
                    opts = [str(walk.scalar(o)) for o in item.value[1:] if is_scalar(o)]
                else:
                    raise ValueError("merge_how item is neither a mapping nor a list")
                if name:
                    parsed.append((name, opts))
    header = headers.get("merge-type") or headers.get("x-merge-type") or ""
    parsed.extend(_string_mergers(header))
    for name, _ in parsed:
        if _merger_name(name) not in _MERGERS:
            raise ValueError(f"no merger named {name!r}")
    return parsed or _string_mergers(_DEFAULT_MERGE)


@dataclass
class _MergePart:
    info: _Info
    walk: "Walk"
    root: object  # mapping node
    spec: Optional[List[Tuple[str, List[str]]]]
    error: str = ""


def _plan_merge(parts: List[_MergePart]) -> None:
    """Which tracked keys and items of each part survive cloud-init's merging; sets info.keep."""
    state: Dict[str, List[Tuple[int, Optional[int]]]] = {}
    for number, part in enumerate(parts):
        part.info.keep = {}
        if part.spec is None:
            part.info.dropped = f"cloud-init fails to merge this part ({part.error})"
            continue
        first = {}
        for name, opts in part.spec:
            first.setdefault(_merger_name(name), opts)
        if "dict" not in first:
            part.info.dropped = "its merge spec has no dict() merger, so cloud-init merges nothing of it"
            continue
        dict_opts, list_opts = first["dict"], first.get("list")
        replace = "replace" in dict_opts
        recurse_list = "recurse_array" in dict_opts or "recurse_list" in dict_opts
        for key, (_, node) in mapping_of(part.root).items():
            if key not in _TRACKED:
                continue
            new = [(number, i) for i in range(len(node.value))] if is_seq(node) else [(number, None)]
            if key in state and part.walk.kind(node) == "null" and "allow_delete" in dict_opts:
                del state[key]
            elif key not in state or replace:
                state[key] = new
            elif is_seq(node) and recurse_list and list_opts is not None:
                method = next((m for m in ("append", "prepend", "replace", "no_replace") if m in list_opts), "replace")
                old = state[key]
                if method == "append":
                    state[key] = old + new
                elif method == "prepend":
                    state[key] = new + old
                elif method == "replace":
                    state[key] = new[: len(old)] + old[len(new) :]  # index by index, no longer than before
    for key, tokens in state.items():
        for number, item in tokens:
            keep = parts[number].info.keep
            keep.setdefault(key, set()).add(item)


# --- the source kind --------------------------------------------------------------------------------


class CloudInitKind(CloudInitClaims, SourceKind):
    name = NAME
    summary = "cloud-init user-data (#cloud-config, MIME multipart, gzip, Jinja): write_files, runcmd, bootcmd, packages"

    def extract(self, source: Source) -> Extraction:
        data = source.data or b""
        if data[:2] != b"\x1f\x8b":
            return super().extract(source)
        outer = Document("", source.display)
        try:
            inner = gunzip(data)
        except DecodeError as err:
            return Extraction(notes=[f"gzip: {source.display}: does not gunzip ({err}); cloud-init would read it as it is"])
        document = Document(_decode_text(inner), source.display, parent=outer, label="gzip", anchor=(0, 0))
        return Extraction(embedded=[Embedded(document, NAME)])

    def read(self, document: Document, context: ReadContext) -> Extraction:
        reader = _Reader(document, context)
        try:
            reader.run()
        except RecursionError:
            reader.note(NOTE_INVALID_YAML[:-1], "nested too deep to read")
        return reader.out


_TYPE_NOTES = {
    "text/cloud-config-jsonp": ("json-patch", "a JSON patch of the merged cloud-config; not analysed"),
    "text/x-include-url": ("include", "#include fetches user-data from URLs at boot; not followed"),
    "text/x-include-once-url": ("include", "#include-once fetches user-data from URLs at boot; not followed"),
    "text/part-handler": ("part-handler", "a Python part handler; not analysed"),
}


class _Reader:
    def __init__(self, document: Document, context: ReadContext):
        self.doc = document
        self.text = document.text
        self.context = context
        self.info = _INFO.get(document) or _Info()
        self.templated = bool(context.templated)
        self.out = Extraction()
        self.work = Budget()
        self.walk = Walk(self.text, self.work)
        self.noted_budget = False
        self.masked = False
        self.scripts: Dict[str, Placed] = {}  # shell scripts write_files puts on the machine, by path

    # -- helpers -----------------------------------------------------------------------------

    def note(self, word: str, message: str, index: int = 0, document: Optional[Document] = None) -> None:
        document = document or self.doc
        location = document.location(max(0, min(index, len(document.text))))
        if self.masked and word != "template-masked":
            message += " (as read with its template expressions masked)"
        self.out.notes.append(f"{word}: {location}: {message}")

    def spend(self, amount: int) -> bool:
        if self.work.spend(amount):
            return True
        if not self.noted_budget:
            self.noted_budget = True
            self.note("budget", "more embedded text than dlint reads from one document (aliases?); the rest is not read")
        return False

    def sub(self, text: str, label: str, offsets: Optional[List[int]], anchor: Tuple[int, int], parent: Optional[Document] = None) -> Document:
        self.spend(len(text) + 1)
        return Document(text, self.doc.path, parent=parent or self.doc, label=label, line_offsets=offsets, anchor=anchor)

    def scalar_doc(self, node, label: str, parent: Optional[Document] = None) -> Document:
        parent = parent or self.doc
        composed = self.walk.text if parent is self.doc else parent.text
        offsets = scalar_offsets(composed, node)
        value = value_of(node)
        if offsets and parent is self.doc and self.masked:
            value = unmasked(self.text, offsets, value)
        return self.sub(value, label, offsets, span_of(node), parent)

    def embed(self, document: Document, kind: str, *, origin: Optional[str] = None, info: Optional[_Info] = None, target=None, append=False, templated=False) -> None:
        if self.work.exhausted:
            self.spend(0)
            return
        if info is None and origin:
            info = _Info(origin=origin)
        if info is not None:
            _INFO[document] = info
        templated = templated or (self.templated and still_templated(document.text, self.context.template_syntax))
        placed = self.scripts if kind == "shell" and origin in ("runcmd", "scripts_user") else {}
        self.out.embedded.append(Embedded(document, kind, target=target, append=append, templated=templated, placed=dict(placed)))

    # -- what kind of user-data ------------------------------------------------------------------

    def run(self) -> None:
        ctype = self.info.ctype
        if ctype is None:
            if is_mime(self.text):
                self.parts(self.mime_parts())
                return
            ctype = content_type(self.text)
        self.dispatch(ctype)

    def dispatch(self, ctype: Optional[str]) -> None:
        if ctype == "text/cloud-config":
            self.cloud_config()
        elif ctype == "text/jinja2":
            self.jinja()
        elif ctype == "text/cloud-config-archive":
            self.parts(self.archive_parts(self.doc))
        elif ctype in _SCRIPT_ORIGINS or ctype == "text/cloud-boothook":
            self.script(ctype, self.doc)
        elif ctype in _TYPE_NOTES:
            self.note(*_TYPE_NOTES[ctype])
        elif ctype is None and self.text.startswith("\ufeff") and content_type(self.text[1:]):
            self.note("not-user-data", "starts with a byte-order mark, so cloud-init does not recognise its header and ignores it")
        elif ctype is None:
            if not self.go_blocks():
                self.note("not-user-data", "no cloud-init header (#cloud-config, #!, ...): cloud-init ignores it")
        else:
            self.note("mime", f"type {ctype} has no cloud-init handler; ignored")

    def go_blocks(self) -> bool:
        """A Go template of ``{{ define "x" }}`` blocks: each block that is a cloud-config is read
        at its place in the file (the text rendered by that name); False when there is none."""
        found = False
        for name, start, end in define_blocks(self.text):
            if content_type(self.text[start:end]) != "text/cloud-config":
                continue
            body, offsets, dropped = readable_block(self.text, start, end)
            for span in dropped:
                self.left_out(span)
            document = self.sub(body, f'{{{{ define "{name}" }}}}', offsets, (start, end))
            self.embed(document, NAME, info=_Info(ctype="text/cloud-config"))
            found = True
        return found

    def left_out(self, span: Tuple[int, int]) -> None:
        """A Go template branch not read (it is not YAML with the others): said; when it writes a
        file of the engine, dockerd's command line is unknown."""
        line = self.text.count("\n", 0, span[0]) + 1
        message = f"the Go template branch from line {line} is not YAML together with the other branches; read without it"
        self.note("go-template", message, span[0])
        if writes_engine_files(self.text, span):
            why = f"a Go template branch (line {line}) that dlint could not read names a file of the engine"
            location = self.doc.location(*span)
            self.out.fragments.append(UnitUnknown(self.context.source, self.doc, target="/etc/systemd/system/docker.service", why=why, location=location))

    def script(self, ctype: str, document: Document) -> None:
        """A script: run as it is (by its own #! line); a boothook minus its prefix (CI boot_hook.py)."""
        text = document.text
        start = 0
        if ctype == "text/cloud-boothook" and text.startswith("#cloud-boothook"):
            start = len("#cloud-boothook")
        body = text[start:]
        if ctype == "text/cloud-boothook" and "\r\n" in body:  # cloud-init writes dos2unix(payload)
            document = self.sub(body.replace("\r\n", "\n"), "boothook", None, (start, len(text)), document)
        elif start or document is self.doc:
            label = "boothook" if ctype == "text/cloud-boothook" else "user-data script"
            document = self.sub(body, label, _line_offsets(start, body), (start, len(text)), document)
        origin = "boothook" if ctype == "text/cloud-boothook" else _SCRIPT_ORIGINS[ctype]
        self.embed(document, "shell", origin=origin)

    def jinja(self) -> None:
        """``## template: jinja``: rendered at boot with instance data, then typed by what follows."""
        self.templated = True
        text = self.text
        newline = text.find("\n")
        first = text if newline < 0 else text[:newline]
        start = (len(text) if newline < 0 else newline + 1) if _JINJA_LINE.match(first.strip()) else 0
        rest = text[start:]
        ctype = content_type(rest)
        if ctype is None or ctype == "text/jinja2":
            self.note("jinja", "what this Jinja template renders to has no cloud-init header that dlint can read; not analysed", start)
        elif ctype in _SCRIPT_ORIGINS or ctype == "text/cloud-boothook":
            self.script(ctype, self.sub(rest, "Jinja template", _line_offsets(start, rest), (start, len(text))))
        else:
            self.dispatch(ctype)  # the header line is a YAML comment: the whole text is read

    # -- MIME and archives ---------------------------------------------------------------------

    def mime_parts(self) -> List[Tuple[Document, str, Dict[str, str]]]:
        """Each leaf part as (document, type, headers), typed as cloud-init types it (§1.1)."""
        text = self.text
        try:
            message = email.message_from_string(text)
            leaves = [p for p in message.walk() if (p.get_content_maintype() or "").lower() != "multipart"]
        except Exception as err:  # noqa: BLE001 - the email package raises many kinds
            self.note("mime", f"not a readable MIME message ({err})")
            return []
        found: List[Tuple[Document, str, Dict[str, str]]] = []
        cursor = 0
        for number, part in enumerate(leaves, 1):
            if number > MAX_PARTS or self.work.exhausted:
                self.note("mime", f"more than {MAX_PARTS} parts, or too much text; the rest is not read")
                break
            raw = part.get_payload(decode=False)
            if not isinstance(raw, str):
                continue
            position = text.find(raw, cursor) if raw else -1
            if position >= 0:
                cursor = position + len(raw)
            anchor = (position, position + len(raw)) if position >= 0 else (0, len(text))
            declared = part.get_content_type()
            headers = {k.lower(): str(v) for k, v in part.items()}
            encoding = headers.get("content-transfer-encoding", "").strip().lower()
            label = f"MIME part {number}"
            if declared in _GZIP_TYPES or encoding in ("base64", "quoted-printable"):
                try:
                    data = part.get_payload(decode=True) or b""
                except Exception:  # noqa: BLE001
                    data = raw.encode("utf-8", "replace")
                how = [encoding] if encoding in ("base64", "quoted-printable") else []
                if declared in _GZIP_TYPES:
                    try:
                        data = gunzip(data)
                    except DecodeError as err:
                        self.note("mime", f"{label}: {declared} does not gunzip ({err}); cloud-init stops on it", anchor[0])
                        continue
                    how.insert(0, "gzip")
                    declared = "text/plain"
                payload = _decode_text(data, part.get_content_charset())
                document = self.sub(payload, f"{label} ({'+'.join(how)})", None, anchor)
            else:
                payload = raw
                document = self.sub(payload, label, _line_offsets(position, raw) if position >= 0 else None, anchor)
            ctype = declared
            if ctype in _RETYPED:
                ctype = content_type(payload) or ctype
            if ctype == "text/cloud-config-archive":
                found.extend(self.archive_parts(document))
            else:
                found.append((document, ctype, headers))
        return found

    def archive_parts(self, document: Document) -> List[Tuple[Document, str, Dict[str, str]]]:
        """``#cloud-config-archive``: a YAML list of strings or {content, type, ...} (CI _explode_archive)."""
        root, problem = compose(document.text)
        if problem is not None:
            self.yaml_problem(problem, document)
            return []
        if not is_seq(root):
            if root is not None:
                self.note("archive", "a cloud-config-archive that is not a YAML list; cloud-init ignores it", root.start_mark.index, document)
            return []
        walk = Walk(document.text, self.work)
        found = []
        for number, item in enumerate(root.value):
            if self.work.exhausted or len(found) >= MAX_PARTS:
                break
            headers: Dict[str, str] = {}
            if walk.kind(item) == "str":
                content, ctype = item, None
            elif is_map(item):
                fields = mapping_of(item)
                content = fields.get("content", (None, None))[1]
                ctype = walk.text_of(fields.get("type", (None, None))[1]) if "type" in fields else None
                headers = {k.lower(): (walk.text_of(v) or "") for k, (_, v) in fields.items() if k not in ("content", "type")}
            else:
                continue
            label = f"archive[{number}]"
            kind = walk.kind(content)
            if kind == "binary":
                ctype = ctype or "application/octet-stream"
            if kind in ("null", "seq", "map", "binary", "other"):
                part = self.sub("", label, None, span_of(content if content is not None else item), document)
            elif kind == "str":
                part = self.scalar_doc(content, label, document)
            else:
                part = self.sub(walk.text_of(content) or "", label, None, span_of(content), document)
            if not ctype or "/" not in ctype:
                ctype = content_type(part.text, "text/cloud-config")
            found.append((part, ctype.lower(), headers))
        return found

    def parts(self, parts: List[Tuple[Document, str, Dict[str, str]]]) -> None:
        """Parts in order: cloud-config ones merged as cloud-init merges them, each read in turn."""
        merging: List[_MergePart] = []
        for document, ctype, headers in parts:
            info = _Info(ctype=ctype, headers=headers)
            _INFO[document] = info
            if ctype == "text/cloud-config":
                root, problem = compose(document.text)
                info.composed = (root, problem)
                if is_map(root):
                    walk = Walk(document.text, self.work)
                    try:
                        spec, error = _merge_spec(walk, root, headers), ""
                    except ValueError as err:
                        spec, error = None, str(err)
                    merging.append(_MergePart(info, walk, root, spec, error))
        _plan_merge(merging)
        for document, ctype, _ in parts:
            if ctype in ("text/cloud-config", "text/jinja2"):
                self.embed(document, NAME, info=_INFO[document], templated=ctype == "text/jinja2")
            elif ctype in _SCRIPT_ORIGINS or ctype == "text/cloud-boothook":
                self.script(ctype, document)
            elif ctype in _TYPE_NOTES:
                self.note(_TYPE_NOTES[ctype][0], f"{document.label}: {_TYPE_NOTES[ctype][1]}", 0, document)
            else:
                self.note("mime", f"{document.label}: type {ctype} has no cloud-init handler; ignored", 0, document)

    # -- #cloud-config ------------------------------------------------------------------------------

    def yaml_problem(self, problem: YamlProblem, document: Optional[Document] = None) -> None:
        document = document or self.doc
        if has_template_markers(document.text):
            message = f"not valid YAML ({problem.message}) and it holds template markers; unanalysable until rendered"
            self.note(NOTE_TEMPLATE[:-1], message, problem.index, document)
        else:
            self.note(NOTE_INVALID_YAML[:-1], f"{problem.message}; cloud-init ignores this cloud-config", problem.index, document)
            self.refused(f"not valid YAML ({problem.message}): cloud-init ignores this cloud-config", problem.index, document)

    def refused(self, message: str, index: int, document: Optional[Document] = None) -> None:
        """The tool refuses the file: DKD904 at ``index`` (what it configures is unknown)."""
        document = document or self.doc
        location = document.location(max(0, min(index, len(document.text))))
        self.out.fragments.append(SyntaxProblem(self.context.source, document, reason=message, location=location))

    def cloud_config(self) -> None:
        root, problem = self.info.composed or compose(self.text)
        if problem is not None:
            masked = mask_templates(self.text) if has_template_markers(self.text) else None
            if masked is not None:
                root, second = compose(masked)
            if masked is None or second is not None:
                self.yaml_problem(problem)
                return
            self.masked = True
            self.walk = Walk(masked, self.work, original=self.text)
            message = f"not valid YAML until its template is rendered ({problem.message}); read with its template expressions masked"
            self.note("template-masked", message, problem.index)
        if root is None:
            return
        if not is_map(root):
            self.note("not-a-mapping", "a cloud-config that is not a YAML mapping; cloud-init ignores it", root.start_mark.index)
            return
        refused = self.walk.refused_tag(root)
        if refused is not None:
            message = f"could not determine a constructor for the tag {tag_of(refused)!r} (PyYAML safe_load); cloud-init ignores this cloud-config"
            self.note(NOTE_INVALID_YAML[:-1], message, refused.start_mark.index)
            return
        if self.info.keep is None:  # on its own: only its own merge spec can drop it
            try:
                spec, error = _merge_spec(self.walk, root, self.info.headers), ""
            except ValueError as err:
                spec, error = None, str(err)
            _plan_merge([_MergePart(self.info, self.walk, root, spec, error)])
        if self.info.dropped:
            self.note("merge", f"not applied: {self.info.dropped}", root.start_mark.index)
            return
        top = mapping_of(root)
        if "autoinstall" in top:  # Ubuntu's installer reads it, not cloud-init
            autoinstall.read(self, top["autoinstall"][1])
            return
        for key, (key_node, value) in top.items():
            if key in _TRACKED and key not in (self.info.keep or {}) and self.walk.kind(value) != "null":
                self.note("merge", f"{key} is replaced by a later part when cloud-init merges the parts; not read", key_node.start_mark.index)
        # in the order things happen (§1.7): bootcmd and write_files in the init stage; packages,
        # deferred write_files, then runcmd in the final stage
        for args, kwargs in self.command_list(top, "bootcmd"):
            self.embed(*args, **kwargs)
        later = self.write_files(top)
        runcmd = self.command_list(top, "runcmd")
        self.packages(top)
        _rancher_docker(self, top)
        for args, kwargs in later + runcmd:
            self.embed(*args, **kwargs)
        read_units(self, top)

    def kept(self, key: str, index: Optional[int]) -> bool:
        keep = self.info.keep or {}
        return key in keep and index in keep[key]

    # -- runcmd, bootcmd ------------------------------------------------------------------------

    def command_list(self, top, name: str) -> list:
        """Each item is shell (§1.5): a string verbatim, a list as single-quoted argv."""
        if name not in top:
            return []
        key, node = top[name]
        walk = self.walk
        if walk.kind(node) == "null":
            return []
        if not is_seq(node):
            message = f"{name} is a {walk.kind(node)}, not a list; cloud-init's shellify raises TypeError and runs none of it"
            self.note(f"{name}-not-a-list", message, key.start_mark.index)
            return []
        for number, item in enumerate(node.value):
            kind = walk.kind(item)
            if kind not in ("str", "seq", "null"):
                message = f"{name}[{number}] is a {kind}; cloud-init's shellify raises TypeError and runs none of {name}"
                self.note(f"{name}-bad-item", message, item.start_mark.index)
                return []
        items = []
        for number, item in enumerate(node.value):
            if self.work.exhausted:
                break
            if not self.kept(name, number) or walk.kind(item) == "null":
                continue
            label = f"{name}[{number}]"
            if is_scalar(item):
                document = self.scalar_doc(item, label)
            else:
                words = []
                for element in item.value:
                    value = walk.python(element)
                    words.append("'" + str(value).replace("'", "'\\''") + "'")
                    if not self.spend(len(words[-1])):
                        break
                document = self.sub(" ".join(words), label + " (argv)", None, span_of(item))
            templated = has_template_markers(document.text, _SHELL_TEMPLATE_MARKERS)
            items.append(((document, "shell"), {"origin": name, "templated": templated}))
        return items

    # -- write_files -------------------------------------------------------------------------------

    def write_files(self, top) -> list:
        """Entries written where another kind reads (§1.4); the deferred ones are returned."""
        if "write_files" not in top:
            return []
        key, node = top["write_files"]
        walk = self.walk
        if not is_seq(node):
            if walk.kind(node) != "null":
                self.note("write_files", "write_files is not a list; cloud-init writes nothing", key.start_mark.index)
            return []
        deferred = []
        for number, entry in enumerate(node.value):
            if self.work.exhausted:
                break
            if not is_map(entry):
                message = f"write_files[{number}] is not a mapping; cloud-init fails there and writes no later entry"
                self.note("write_files", message, entry.start_mark.index)
                break
            fields = mapping_of(entry)
            path_node = fields.get("path", (None, None))[1]
            path = walk.text_of(path_node) if walk.kind(path_node) != "null" else None
            if not path or not self.kept("write_files", number):
                continue
            target = posixpath.normpath(path if path.startswith("/") else "/" + path)
            kind = kind_for_target(target)
            if kind is None:
                self.script_file(number, entry, fields, target)
                continue
            made = self.file_content(number, entry, fields)
            if made is None:
                break  # cloud-init raises: this entry and the later ones are not written
            if is_map(fields.get("source", (None, None))[1]):
                message = f"write_files[{number}] is fetched from source.uri at boot; its inline content is only the fallback"
                self.note("write_files", message, entry.start_mark.index)
            append = walk.truthy(fields.get("append", (None, None))[1])
            defer = walk.truthy(fields.get("defer", (None, None))[1])
            markers = TEMPLATE_MARKERS if kind == "daemon-json" else _SHELL_TEMPLATE_MARKERS
            origin = "write_files_deferred" if defer else "write_files"
            args = ((made, kind), {"origin": origin, "target": target, "append": append, "templated": has_template_markers(made.text, markers)})
            if defer:
                deferred.append(args)
            else:
                self.embed(*args[0], **args[1])
        return deferred

    def script_file(self, number: int, entry, fields, target: str) -> None:
        """A shell script written anywhere else (``/opt/docker/install.sh``): read when runcmd runs it."""
        content = fields.get("content", (None, None))[1]
        if content is None or not is_scalar(content):
            return
        if target.endswith(".sh") or _SCRIPT_START.match(str(value_of(content))) or "encoding" in fields:
            made = self.file_content(number, entry, fields)
            if made is not None and (target.endswith(".sh") or _SCRIPT_START.match(made.text)):
                self.scripts[target] = Placed("", made)

    def file_content(self, number: int, entry, fields) -> Optional[Document]:
        """The text cloud-init writes for one entry, as a document; None when cloud-init fails."""
        walk = self.walk
        label = f"write_files[{number}].content"
        content = fields.get("content", (None, None))[1]
        encoding_node = fields.get("encoding", (None, None))[1]
        encoding = (walk.text_of(encoding_node) or "").lower().strip() if walk.kind(encoding_node) != "null" else ""
        steps = _ENCODINGS.get(encoding)
        if steps is None:
            message = f"write_files[{number}]: unknown encoding {encoding!r}; cloud-init assumes text/plain"
            self.note("write_files", message, encoding_node.start_mark.index)
            steps = ()
        kind = walk.kind(content)
        if kind == "null":
            return self.sub("", f"write_files[{number}] (no content)", None, span_of(entry))
        if kind not in ("str", "binary"):
            self.note("write_files", f"{label} is a {kind}, not text; cloud-init fails to write it", content.start_mark.index)
            return None
        if kind == "str" and not steps:
            return self.scalar_doc(content, label)
        data = walk.scalar(content)
        try:
            for step in steps:
                if step == "base64":
                    data = base64.b64decode(data)
                else:
                    data = gunzip(data if isinstance(data, bytes) else data.encode("utf-8"))
        except (binascii.Error, ValueError, DecodeError) as err:
            message = f"{label} does not decode as {encoding} ({err}); cloud-init fails there and writes no later entry"
            self.note("write_files", message, content.start_mark.index)
            return None
        if isinstance(data, str):
            data = data.encode("utf-8")
        text = _decode_text(data)
        shown = encoding if steps else "!!binary"
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            self.note("write_files", f"{label} ({shown}) is not valid UTF-8 once decoded", content.start_mark.index)
        return self.sub(text, f"{label} ({shown})", None, span_of(content))

    # -- packages ------------------------------------------------------------------------------------

    def packages(self, top) -> None:
        walk = self.walk
        if "packages" in top:
            _, node = top["packages"]
            if is_seq(node):
                items = [item for number, item in enumerate(node.value) if self.kept("packages", number)]
            else:
                items = [node] if walk.kind(node) == "str" and self.kept("packages", None) else []
            for item in items:
                if not self.spend(1):
                    return
                if is_map(item):
                    for manager, (_, listed) in mapping_of(item).items():
                        if manager in ("apt", "snap") and is_seq(listed):
                            for inner in listed.value:
                                self.package(inner)
                else:
                    self.package(item)
        # package_upgrade (apt_upgrade) is not read as an upgrade of the engine: the module runs
        # once per instance, on first boot, and upgrades before it installs `packages:`, so it
        # never moves an engine that containers run on (cc_package_update_upgrade_install)

    def package(self, item, manager: str = NAME) -> None:
        walk = self.walk
        version: Optional[str] = None
        if is_seq(item):
            if not item.value or len(item.value) > 2 or not is_scalar(item.value[0]):
                return
            name = walk.text_of(item.value[0])
            if len(item.value) == 2 and is_scalar(item.value[1]) and walk.scalar(item.value[1]):
                version = walk.text_of(item.value[1])  # "%s=%s" % (name, version): str() of a YAML 1.1 value
        else:
            name = walk.text_of(item) if walk.kind(item) == "str" else None
            if name:
                name, version = split_package(name)
        if not name or name not in ENGINE_PACKAGES:
            return
        location = self.doc.location(*span_of(item))
        self.out.fragments.append(
            EnginePackage(self.context.source, self.doc, manager=manager, name=name, version=version, pin=pin_level(version), location=location)
        )


# ------------------------------------------------------------------------------------------
# RancherOS: ``rancher: docker:`` is dockerd's command line (machines-facts §7.3)

_ROS_STRINGS = {"bridge": "--bridge", "bip": "--bip", "config_file": "--config-file", "containerd": "--containerd", "exec_root": "--exec-root", "group": "--group",
                "graph": "--graph", "log_driver": "--log-driver", "pid_file": "--pidfile", "registry_mirror": "--registry-mirror", "storage_driver": "--storage-driver"}
_ROS_LISTS = {"host": "--host", "insecure_registry": "--insecure-registry"}
_ROS_BOOLS = {"debug": "--debug", "live_restore": "--live-restore", "restart": "--restart", "selinux_enabled": "--selinux-enabled", "userland_proxy": "--userland-proxy"}
_ROS_TLS = ["--tlsverify", "--tlscacert=/etc/docker/tls/ca.pem", "--tlscert=/etc/docker/tls/server-cert.pem", "--tlskey=/etc/docker/tls/server-key.pem", "-H=0.0.0.0:2376"]


def _rancher_docker(reader: "_Reader", top) -> None:
    """The user engine's flags RancherOS generates from ``rancher.docker``, with its defaults
    (group docker, the unix socket, log-opts max-size 25m and max-file 2); a value dlint cannot read
    makes the command line unknown (UnitUnknown), never the packaged unit's. Flag order does not
    matter: RancherOS builds it from a Go map."""
    rancher = top.get("rancher")
    if rancher is None or not is_map(rancher[1]) or "docker" not in mapping_of(rancher[1]):
        return
    key, docker = mapping_of(rancher[1])["docker"]
    doc, walk = reader.doc, reader.walk
    at_key = doc.location(*span_of(key))
    if not is_map(docker):
        return _rancher_unknown(reader, at_key, "is not a mapping")
    fields = mapping_of(docker)
    words = {"--group": [Word("--group", at_key), Word("docker", at_key)], "--host": [Word("--host", at_key), Word("unix:///var/run/docker.sock", at_key)]}
    log_opts = {"max-size": Word("max-size=25m", at_key), "max-file": Word("max-file=2", at_key)}
    tls, tail = False, []
    for name, (name_node, value) in fields.items():
        where = doc.location(*span_of(value)) if value is not None else at_key
        if name in _ROS_STRINGS or name in _ROS_BOOLS:
            if not is_scalar(value) or walk.kind(value) in ("null", "other"):
                return _rancher_unknown(reader, where, f"sets {name} to a value dlint cannot read")
            if name in _ROS_BOOLS:
                flag = _ROS_BOOLS[name]
                words[flag] = [Word(flag if walk.truthy(value) else f"{flag}=false", where)]
            else:
                words[_ROS_STRINGS[name]] = [Word(_ROS_STRINGS[name], doc.location(*span_of(name_node))), Word(walk.text_of(value), where)]
        elif name in _ROS_LISTS or name in ("extra_args", "tls_args"):
            items = value.value if is_seq(value) else None
            if items is None or not all(is_scalar(item) for item in items):
                return _rancher_unknown(reader, where, f"sets {name} to a value dlint cannot read")
            texts = [(walk.text_of(item), doc.location(*span_of(item))) for item in items]
            if name in _ROS_LISTS:
                words[_ROS_LISTS[name]] = [w for text, at in texts for w in (Word(_ROS_LISTS[name], at), Word(text, at))]
            elif name == "extra_args":
                tail = [Word(text, at) for text, at in texts]
            else:
                words["tls_args"] = [Word(text, at) for text, at in texts]
        elif name == "log_opts":
            if not is_map(value) or not all(is_scalar(v) for _, (_, v) in mapping_of(value).items()):
                return _rancher_unknown(reader, where, "sets log_opts to a value dlint cannot read")
            for opt, (_, opt_value) in mapping_of(value).items():
                log_opts[opt] = Word(f"{opt}={walk.text_of(opt_value)}", doc.location(*span_of(opt_value)))
        elif name == "tls":
            tls = is_scalar(value) and walk.truthy(value)
    tls_words = words.pop("tls_args", None) or [Word(text, at_key) for text in _ROS_TLS]
    args = [w for flag in words.values() for w in flag]
    args += [w for opt in log_opts.values() for w in (Word("--log-opt", opt.location), opt)]
    args += (tls_words if tls else []) + tail
    reader.out.fragments.append(
        DockerdCommand(reader.context.source, doc, words=args, origin="rancheros", location=at_key, note="RancherOS generates it from rancher.docker", from_template=reader.masked)
    )


def _rancher_unknown(reader: "_Reader", where, why: str) -> None:
    reader.out.fragments.append(UnitUnknown(reader.context.source, reader.doc, target="rancher.docker", why=why, location=where))


_NAME_VERSION = re.compile(r"^(docker-ce|docker-engine|moby-engine|docker\.io|docker)-(\d[\w.:~+*-]*)$")


def split_package(item: str) -> Tuple[str, Optional[str]]:
    """``name=version`` (apt), ``name-version`` (yum/dnf) or ``name/release``; else the name alone."""
    item = item.strip()
    if "=" in item:
        name, version = item.split("=", 1)
        return name.strip(), version.strip() or None
    match = _NAME_VERSION.match(item)
    if match:
        return match.group(1), match.group(2)
    if "/" in item:
        return item.split("/", 1)[0], None
    return item, None


_VERSION = re.compile(r"^(?:\d+:)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$")


def pin_level(version: Optional[str]) -> str:
    """patch (X.Y.Z, or an exact package version), minor (X.Y, X.Y.*), major (X, X.*), none."""
    if not version:
        return "none"
    version = _TEMPLATE_EXPRESSION.sub("0.0.0", version)  # set when rendered: taken as exact
    glob = any(c in version for c in "*?[")
    match = _VERSION.match(version)
    if not match:
        return "none" if glob else "patch"  # an exact version string, whatever its shape
    count = sum(1 for g in match.groups()[:3] if g is not None)
    rest = match.group(4)
    if rest and not glob:
        return "patch"  # a fourth component or a package revision (24.0-1, 17.03.2~ce-0~ubuntu)
    return {3: "patch", 2: "minor", 1: "major"}.get(count, "none")

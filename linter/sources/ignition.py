"""Ignition configs: the JSON a Fedora CoreOS, Flatcar or RHCOS machine reads at first boot
(provisioning-facts §7.3).

What lands where another source kind reads goes round the flow again as an embedded document:
``storage.files[]`` whose ``path`` is a daemon.json, a docker.service drop-in or an environment
file (``contents.source`` and each ``append[]`` fragment, when they are data URLs), and
``systemd.units[]`` named docker.service or docker.socket (``contents``, ``dropins[].contents``,
written to ``/etc/systemd/system``). Other sources (``https://``, ``s3://``, ...) are fetched at
boot: a note says so.

Positions: the config is parsed with ``linter.jsonread`` (every value keeps its offsets). A JSON
string maps back character by character, escapes included (``\\n``, ``\\"``, ``\\u0026``), so a unit
in ``contents`` is exact; so is a percent-encoded data URL (``data:,%7B%22live-restore...``), each
decoded character pointing at its ``%XX`` or at itself. Base64 and gzip point at the value that
holds them (``Location.exact`` False).

Data URLs are decoded as Ignition's decoder (vincent-petithory/dataurl) does: ``data:`` then an
optional media type and parameters, ``;base64`` last; without it, ASCII only, ``%XX`` escapes
(``+`` is a plus sign); with it, standard padded base64. ``compression: gzip`` is gunzipped.

Templates: a config kept as a Terraform or Go template (``${...}``, ``%{...}``, ``{{...}}``) that is
not JSON until rendered is read with each expression masked at the same length (inside a string by
``x``, elsewhere by a JSON value), and every document found in it is marked templated. A config
that is still not JSON is read, as far as possible, with comments and trailing commas blanked;
Ignition itself refuses it, and a note says so.

Ignition 2.x files name a ``filesystem``; only ``root`` is the machine's root file system. Version
2.x ``append: true`` appends ``contents``; 3.x ``append`` is a list of fragments. Units go to
``/etc/systemd/system``; ``mask: true`` links one to /dev/null (an empty unit: masked).

The operating system's own files: how what a config writes reaches dockerd depends on the
docker.service the OS ships, not docker-ce's. When a config writes anything for the engine, the
files its OS ships are added as synthetic documents (named ``<...>``, never pointed at by a
finding), unless the config writes the same file itself: Container Linux and Flatcar's unit (its
ExecStart expands ``$DOCKER_OPTS``, how ct's ``docker.flags`` work) for Ignition 2.x, Container
Linux Configs and Butane's flatcar variant; Fedora CoreOS's moby-engine unit, which expands
``$OPTIONS`` from an ``/etc/sysconfig/docker`` that turns ``--live-restore`` on by default, for
Butane's fcos variant (provisioning-facts §2.6; only the command lines and that default are
sourced, the rest is assumed). Ignition 3.x does not say which OS reads it: nothing is added.

Notes (Extraction.notes) start with a word: ``invalid-json:``, ``template:``,
``template-masked:``, ``not-ignition:``, ``ignition:``, ``remote:``, ``data-url:``, ``budget:``.

The helpers for mapped documents, JSON strings, data URLs and the reader's bookkeeping
(``ConfigReader``) are shared with ``butane``.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from ..lazyclass import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from .. import jsonread
from ..document import Document
from ..fragments import SyntaxProblem
from ..templating import DIRECTIVES, expression_end
from . import Embedded, Extraction, ReadContext, SourceKind, kind_for_target, still_templated
from .claims import IgnitionClaims
from .cloudinit import TEMPLATE_MARKERS, DecodeError, gunzip, has_template_markers, mask_templates

NAME = "ignition"
MAX_ITEMS = 10_000  # files, fragments, units and drop-ins one read looks at
MAX_WORK = 16 * 1024 * 1024  # characters of embedded text one read may produce

UNIT_FOLDER = "/etc/systemd/system"  # where Ignition (and Butane through it) writes units
_SHELL_SAFE_MARKERS = ("{{", "{%", "%{")  # ``${VAR}`` in a unit is systemd's own expansion



# --- what the operating system ships ---------------------------------------------------------------


@dataclass(frozen=True)
class OsFile:
    """A file the operating system ships that decides how the provisioned configuration reaches
    dockerd, as dlint assumes it: a synthetic document (its display starts with ``<``, so findings
    never point into it)."""

    display: str
    target: str
    kind: str
    text: str


def _os_unit(system: str, environment_file: str, exec_start: str) -> str:
    return f"""\
# dlint's summary of the docker.service {system} ships, as dlint assumes it
[Unit]
Description=Docker Application Container Engine
Requires=docker.socket

[Service]
Type=notify
EnvironmentFile=-{environment_file}
ExecStart={exec_start}
ExecReload=/bin/kill -s HUP $MAINPID
# as in moby's contrib unit, which it derives from (assumed)
Delegate=yes
KillMode=process

[Install]
WantedBy=multi-user.target
"""


# Container Linux (and Flatcar) docker.service: its command line expands $DOCKER_OPTS, which is how
# ct's docker.flags reach dockerd (facts §2.6; the rest of the unit is UNCERTAIN, facts §8)
CONTAINER_LINUX_UNIT = OsFile(
    "<Container Linux docker.service>",
    "/usr/lib/systemd/system/docker.service",
    "systemd",
    _os_unit(
        "Container Linux (and Flatcar)",
        "/run/flannel/flannel_docker_opts.env",
        "/usr/bin/dockerd --host=fd:// --containerd=/var/run/docker/libcontainerd/docker-containerd.sock"
        " $DOCKER_SELINUX $DOCKER_OPTS $DOCKER_CGROUPS $DOCKER_OPT_BIP $DOCKER_OPT_MTU $DOCKER_OPT_IPMASQ",
    ),
)
# Fedora CoreOS runs Fedora's moby-engine: its unit expands $OPTIONS from /etc/sysconfig/docker,
# which turns live-restore on by default (facts §2.6: coreos/fedora-coreos-tracker#573 and two more;
# the exact unit line is UNCERTAIN)
FEDORA_COREOS_UNIT = OsFile(
    "<Fedora CoreOS docker.service>",
    "/usr/lib/systemd/system/docker.service",
    "systemd",
    _os_unit("Fedora CoreOS (moby-engine)", "/etc/sysconfig/docker", "/usr/bin/dockerd --host=fd:// --exec-opt native.cgroupdriver=systemd $OPTIONS"),
)
FEDORA_COREOS_SYSCONFIG = OsFile(
    "<Fedora CoreOS /etc/sysconfig/docker>",
    "/etc/sysconfig/docker",
    "envfile",
    """\
# dlint's summary of the /etc/sysconfig/docker that Fedora CoreOS ships (moby-engine)
OPTIONS="--selinux-enabled --log-driver=journald --live-restore"
""",
)
OS_FILES: Dict[str, Tuple[OsFile, ...]] = {
    "container-linux": (CONTAINER_LINUX_UNIT,),
    "flatcar": (CONTAINER_LINUX_UNIT,),
    "fcos": (FEDORA_COREOS_UNIT, FEDORA_COREOS_SYSCONFIG),
}


def with_os_files(out: Extraction, system: Optional[str]) -> None:
    """When a config writes anything that configures the engine, add the files its operating system
    ships for the engine, unless the config replaces them (a file appended to comes first)."""
    if not out.embedded or system not in OS_FILES:
        return
    for shipped in OS_FILES[system]:
        same = [index for index, item in enumerate(out.embedded) if item.target == shipped.target]
        if any(not out.embedded[index].append for index in same):
            continue
        item = Embedded(Document(shipped.text, shipped.display), shipped.kind, target=shipped.target)
        out.embedded.insert(same[0] if same else len(out.embedded), item)


# --- documents mapped character by character -------------------------------------------------------


def pieces_of(offsets: Sequence[int]) -> Tuple[List[int], List[int]]:
    """``Document`` pieces from the parent offset of each character: a new piece wherever the next
    character does not follow the previous one in the parent."""
    starts: List[int] = []
    sources: List[int] = []
    previous = None
    for index, offset in enumerate(offsets):
        if previous is None or offset != previous + 1:
            starts.append(index)
            sources.append(offset)
        previous = offset
    return starts, sources


def mapped_document(parent: Document, text: str, offsets: Optional[Sequence[int]], label: str, anchor: Tuple[int, int]) -> Document:
    """A document embedded in ``parent``: exact when ``offsets`` (one per character) are known,
    else every position is that of ``anchor``, the span of the holding value."""
    if offsets is None:
        return Document(text, parent.path, parent=parent, label=label, anchor=anchor)
    if not offsets:
        return Document(text, parent.path, parent=parent, label=label, pieces=([0], [anchor[0]]), anchor=anchor)
    return Document(text, parent.path, parent=parent, label=label, pieces=pieces_of(offsets), anchor=anchor)


def line_offsets_to_chars(value: str, line_offsets: Sequence[int]) -> List[int]:
    """Per-character offsets of a text whose lines start at ``line_offsets`` in the parent."""
    out: List[int] = []
    for line, base in zip(value.split("\n"), line_offsets):
        out.extend(range(base, base + len(line) + 1))  # the line and its newline
    return out[: len(value)]


# --- JSON strings -------------------------------------------------------------------------------

_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")


def json_string_chars(text: str, start: int, end: int) -> Tuple[str, List[int]]:
    """The decoded value of the JSON string ``text[start:end]`` (quotes included) and the offset in
    ``text`` of each of its characters (an escape maps to its backslash). Lenient: what is not a
    valid escape is taken as it stands. Surrogate escapes pair as in Go; a lone one is U+FFFD."""
    chars: List[str] = []
    offsets: List[int] = []
    i, stop = start + 1, max(start + 1, end - 1)
    while i < stop:
        c = text[i]
        if c == "\\" and i + 1 < stop:
            escape = text[i + 1]
            if escape in _SIMPLE_ESCAPES:
                chars.append(_SIMPLE_ESCAPES[escape])
                offsets.append(i)
                i += 2
                continue
            if escape == "u" and i + 6 <= stop and all(h in _HEX for h in text[i + 2 : i + 6]):
                code = int(text[i + 2 : i + 6], 16)
                j = i + 6
                if 0xD800 <= code < 0xDC00 and text.startswith("\\u", j) and j + 6 <= stop and all(h in _HEX for h in text[j + 2 : j + 6]):
                    low = int(text[j + 2 : j + 6], 16)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        j += 6
                if 0xD800 <= code < 0xE000:
                    code = 0xFFFD
                chars.append(chr(code))
                offsets.append(i)
                i = j
                continue
        chars.append(c)
        offsets.append(i)
        i += 1
    return "".join(chars), offsets


# --- data URLs (RFC 2397, as vincent-petithory/dataurl decodes them) -------------------------------


class DataURLError(ValueError):
    pass


@dataclass
class Decoded:
    """The bytes a URL gives, and the parent offset of each byte when it maps exactly."""

    data: bytes
    offsets: Optional[List[int]]
    how: str  # "data URL", "base64", ...


_URL_CHAR_EXCLUDED = frozenset(' <>#"{}|\\^[]`')


def _url_char(c: str) -> bool:
    return c <= "\x7f" and not (c < " " or c == "\x7f") and c not in _URL_CHAR_EXCLUDED


_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def is_data_url(url: str) -> bool:
    return url.startswith("data:")


def decode_data_url(url: str, offsets: Optional[Sequence[int]] = None) -> Decoded:
    """Decode ``data:[<mediatype>][;base64],<data>``. ``offsets`` are the parent offsets of the
    URL's characters; percent-encoded data keeps them per byte. Raises DataURLError with what the
    decoder says."""
    if not url.startswith("data:"):
        raise DataURLError("missing data prefix")
    comma = url.find(",")
    if comma < 0:
        raise DataURLError("missing comma before data")
    header = url[5:comma]
    params = [p.strip() for p in header.split(";")]
    is_base64 = len(params) > 1 and params[-1] == "base64"
    for param in params[1:-1] if is_base64 else params[1:]:
        if "=" not in param:
            raise DataURLError("unterminated parameter sequence")
    body = url[comma + 1 :]
    if is_base64:
        bad = next((c for c in body if c not in _BASE64_CHARS), None)
        if bad is not None:
            raise DataURLError("invalid data character")
        try:
            return Decoded(base64.b64decode(body, validate=True), None, "base64")
        except (binascii.Error, ValueError) as err:
            raise DataURLError(f"illegal base64 data ({err})") from None
    data = bytearray()
    byte_offsets: List[int] = []
    base = comma + 1
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if not _url_char(c):
            if ord(c) > 0x7F:
                raise DataURLError("rfc2396: non-ASCII char detected")
            raise DataURLError("invalid data character")
        if c == "%":
            pair = body[i + 1 : i + 3]
            if len(pair) < 2:
                raise DataURLError("rfc2396: unexpected end of unescape sequence")
            if not all(h in _HEX for h in pair):
                raise DataURLError("rfc2396: invalid char 0x25 in unescape sequence")
            data.append(int(pair, 16))
            step = 3
        else:
            data.append(ord(c))
            step = 1
        if offsets is not None:
            byte_offsets.append(offsets[base + i])
        i += step
    return Decoded(bytes(data), byte_offsets if offsets is not None else None, "data URL")


def bytes_to_text(data: bytes, offsets: Optional[Sequence[int]]) -> Tuple[str, Optional[List[int]], bool]:
    """UTF-8 text, each character's offset (that of its first byte) when known, and whether the
    bytes were valid UTF-8 (invalid ones are replaced, and the map dropped)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), None, False
    if offsets is None:
        return text, None, True
    char_offsets = [offsets[k] for k, byte in enumerate(data) if byte & 0xC0 != 0x80]
    return text, (char_offsets if len(char_offsets) == len(text) else None), True


class ContentError(ValueError):
    pass


@dataclass
class Content:
    """What a ``source`` URL writes: the text, the parent offset of each character when the map is
    exact, how it was encoded (for the trace label), and whether it holds template expressions."""

    text: str
    offsets: Optional[List[int]]
    how: str
    templated: bool = False


def decode_source(url: str, compression: str, offsets: Optional[Sequence[int]]) -> Content:
    """The text a file's ``source`` data URL gives after ``compression``. ``offsets``: the parent
    offset of each character of ``url``. Template expressions (``${...}``) in percent-encoded data
    stay as they are written; in base64 or compressed data nothing can be known, and the text is
    the encoded data itself. Raises ContentError (a data URL Ignition refuses, or bad gzip)."""
    masked = mask_templates(url) if has_template_markers(url) else None
    if has_template_markers(url) and masked is None:
        raise ContentError("it holds a template expression that does not close")
    comma = url.find(",")
    if masked is not None and comma >= 0 and (compression or url[:comma].endswith(";base64")):
        return Content(url[comma + 1 :], None, "template", True)
    probe = masked if masked is not None else url
    try:
        decoded = decode_data_url(probe, range(len(probe)))
    except DataURLError as err:
        raise ContentError(f"not a data URL Ignition decodes ({err})") from None
    data, local, how = decoded.data, decoded.offsets, decoded.how
    if compression == "gzip":
        try:
            data = gunzip(data)
        except DecodeError as err:
            raise ContentError(f"compression gzip, but it does not gunzip ({err})") from None
        local, how = None, how + "+gzip"
    elif compression:
        raise ContentError(f"compression {compression!r} is not one Ignition knows (null or gzip)")
    text, char_local, valid = bytes_to_text(data, local)
    if not valid:
        how += ", not UTF-8"
    if masked is not None and char_local is not None:
        # a masked character decoded to itself (``x``): put back what the template says there
        text = "".join(url[p] if masked[p] != url[p] else ch for ch, p in zip(text, char_local))
    char_offsets = [offsets[p] for p in char_local] if offsets is not None and char_local is not None else None
    return Content(text, char_offsets, how, masked is not None)


def template_markers(kind: str, template_file: bool) -> Tuple[str, ...]:
    """The markers that make embedded text of ``kind`` templated: ``${`` is systemd's (and the
    shell's) own syntax in a unit, unless the whole file is a template."""
    return TEMPLATE_MARKERS if kind == "daemon-json" or template_file else _SHELL_SAFE_MARKERS


def is_template_name(basename: str) -> bool:
    return basename.lower().endswith((".tpl", ".tftpl", ".tmpl", ".j2", ".jinja", ".jinja2"))


# --- masking templates and salvaging broken JSON -------------------------------------------------

_OPENERS = re.compile(r"\$\$\{|\$\{|%\{|\{\{|\{%|\{#")


def mask_json_templates(text: str) -> Optional[str]:
    """``text`` with each template expression masked at the same length, so that a JSON template
    parses: inside a JSON string by ``x``; elsewhere by ``"xx"`` (or ``0`` and blanks when it spans
    lines); directives (``%{ if }``, ``{% for %}``) by blanks. ``$${`` (Terraform's escape) stays.
    None when there is none, or one does not close."""
    out = list(text)
    n = len(text)
    in_string = False
    masked = False
    i = 0
    while i < n:
        c = text[i]
        if c in "$%{":
            match = _OPENERS.match(text, i)
            if match is not None:
                opener = match.group()
                if opener == "$${":
                    i += 3
                    continue
                end = expression_end(text, i, opener)
                if end is None:
                    return None
                directive = opener in DIRECTIVES
                span = text[i:end]
                if directive:
                    fill = "".join("\n" if ch == "\n" else " " for ch in span)
                elif in_string:
                    fill = "".join("\n" if ch == "\n" else "x" for ch in span)
                elif "\n" not in span:
                    fill = '"' + "x" * (len(span) - 2) + '"'
                else:
                    fill = "0" + "".join("\n" if ch == "\n" else " " for ch in span[1:])
                out[i:end] = fill
                masked = True
                i = end
                continue
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"' or c == "\n":
                in_string = False
        elif c == '"':
            in_string = True
        i += 1
    return "".join(out) if masked else None


_COMMENT_OR_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)


def blank_comments_and_trailing_commas(text: str) -> Optional[str]:
    """``text`` with ``//`` and ``/* */`` comments and trailing commas blanked (lengths kept), or None
    when it has none."""
    changed = False

    def blank(match: "re.Match[str]") -> str:
        nonlocal changed
        found = match.group()
        if found.startswith('"'):
            return found
        changed = True
        return "".join("\n" if ch == "\n" else " " for ch in found)

    result = _COMMENT_OR_COMMA.sub(blank, text)
    return result if changed else None


# --- reading --------------------------------------------------------------------------------------


def _get(node: Optional[jsonread.Node], key: str) -> Optional[jsonread.Node]:
    if node is None or node.kind != "object":
        return None
    member = node.get(key)
    return member.value if member is not None else None


def _string(node: Optional[jsonread.Node]) -> Optional[str]:
    return node.value if node is not None and node.kind == "string" else None


def _items(node: Optional[jsonread.Node]) -> list:
    return list(node.value) if node is not None and node.kind == "array" else []


class IgnitionKind(IgnitionClaims, SourceKind):
    name = NAME
    summary = "Ignition configs (*.ign, JSON with an \"ignition\" version): storage.files data URLs, docker.service units and drop-ins"

    def read(self, document: Document, context: ReadContext) -> Extraction:
        reader = _Reader(document, context)
        reader.run()
        return reader.out


class ConfigReader:
    """What reading a Butane or an Ignition config shares: notes, a work budget, embedding."""

    tool = "Ignition"  # what refuses a config that breaks its rules

    def __init__(self, document: Document, context: ReadContext):
        self.doc = document
        self.text = document.text  # the real text
        self.context = context
        self.out = Extraction()
        self.masked = False  # read with its template expressions masked
        self.template_file = context.depth == 0 and is_template_name(context.source.rel.rsplit("/", 1)[-1])
        self.items = 0
        self.work = MAX_WORK
        self.noted_budget = False

    def note(self, word: str, message: str, index: int = 0) -> None:
        location = self.doc.location(max(0, min(index, len(self.text))))
        if self.masked and word != "template-masked":
            message += " (as read with its template expressions masked)"
        self.out.notes.append(f"{word}: {location}: {message}")

    def refused(self, message: str, index: int) -> None:
        """The tool refuses the config: DKD904 at ``index`` (what it configures is unknown)."""
        location = self.doc.location(max(0, min(index, len(self.text))))
        self.out.fragments.append(SyntaxProblem(self.context.source, self.doc, reason=message, location=location))

    def spend(self, items: int, characters: int = 0) -> bool:
        self.items += items
        self.work -= characters
        if self.items <= MAX_ITEMS and self.work >= 0:
            return True
        if not self.noted_budget:
            self.noted_budget = True
            self.note("budget", "more entries or embedded text than dlint reads from one config; the rest is not read")
        return False

    def embed(self, document: Document, kind: str, target: str, *, append: bool = False, templated: bool = False, reference: Optional[str] = None) -> None:
        if not self.spend(0, len(document.text) + 1):
            return
        markers = template_markers(kind, self.template_file or self.masked)
        inherited = self.context.templated and still_templated(document.text, self.context.template_syntax)
        templated = templated or inherited or has_template_markers(document.text, markers)
        self.out.embedded.append(Embedded(document, kind, target=target, append=append, templated=templated, reference=reference))

    def not_a_data_url(self, label: str, target: str, url: str, index: int) -> None:
        """A note on a ``source`` that is no data URL: fetched at boot, set by a template, or refused."""
        scheme = url.split(":", 1)[0] if ":" in url else ""
        if scheme.isalnum():
            self.note("remote", f"{label}: {target} is fetched from a {scheme} URL at boot; not read", index)
        elif has_template_markers(url):
            self.note("template", f"{label}: the URL of {target} is set when the template is rendered; not read", index)
        elif url:
            self.note("data-url", f"{label}: {url[:40]!r} is not a URL {self.tool} accepts; {self.tool} refuses this config", index)

    def data_url(self, url: str, offsets: Optional[List[int]], compression: str, label: str, anchor: Tuple[int, int], kind: str, target: str, append: bool) -> None:
        """Embed what a data URL writes (mapped through ``offsets`` when known), or note why not."""
        try:
            content = decode_source(url, compression, offsets)
        except ContentError as err:
            self.note("data-url", f"{label}: {err}; Ignition fails to provision the machine", anchor[0])
            return
        document = mapped_document(self.doc, content.text, content.offsets, f"{label} ({content.how})", anchor)
        self.embed(document, kind, target, append=append, templated=content.templated)


class _Reader(ConfigReader):
    def __init__(self, document: Document, context: ReadContext):
        super().__init__(document, context)
        self.major = 3

    # -- parse ---------------------------------------------------------------------------------

    def parse(self) -> Optional[jsonread.Node]:
        text = self.text
        try:
            return jsonread.parse(text)
        except jsonread.JSONError as err:
            first = err
        candidates = []
        masked = mask_json_templates(text) if has_template_markers(text) else None
        if masked is not None:
            candidates.append(("template-masked", masked))
        base = masked if masked is not None else text
        salvaged = blank_comments_and_trailing_commas(base)
        if salvaged is not None:
            candidates.append(("invalid-json", salvaged))
        for word, candidate in candidates:
            try:
                root = jsonread.parse(candidate)
            except jsonread.JSONError:
                continue
            self.masked = masked is not None
            if word == "template-masked":
                self.note(word, f"not JSON until its template is rendered ({first.message}); read with its template expressions masked", first.offset)
            else:
                self.note(word, f"{first.message}; Ignition refuses this config (read with comments and trailing commas blanked)", first.offset)
            return root
        if masked is not None or has_template_markers(text):
            self.note("template", f"not JSON ({first.message}) and it holds template markers; unanalysable until rendered", first.offset)
        else:
            self.note("invalid-json", f"{first.message}; Ignition refuses this config", first.offset)
            self.refused(f"not valid JSON ({first.message}): {self.tool} refuses this config", first.offset)
        return None

    def run(self) -> None:
        root = self.parse()
        if root is None:
            return
        if root.kind != "object":
            self.note("not-ignition", "not a JSON object; Ignition refuses it", root.start)
            return
        version = _string(_get(_get(root, "ignition"), "version"))
        if version is None:
            self.note("not-ignition", 'no "ignition": {"version"}; Ignition refuses it', root.start)
        elif version[:2] in ("1.", "2."):
            self.major = int(version[0])
        config = _get(_get(root, "ignition"), "config")
        for how in ("merge", "append", "replace"):
            node = _get(config, how)
            if node is not None and node.kind in ("object", "array"):
                self.note("ignition", f"ignition.config.{how} pulls in other configs at boot; not followed", node.start)
        self.files(_get(root, "storage"))
        self.units(_get(root, "systemd"))
        # spec 2.x is Container Linux's (and early Flatcar's); 3.x may be Fedora CoreOS or Flatcar
        with_os_files(self.out, "container-linux" if self.major == 2 else None)

    # -- strings and documents --------------------------------------------------------------------

    def string_chars(self, node: jsonread.Node) -> Tuple[Optional[str], Optional[List[int]]]:
        """A string node's value, read from the real text, with the offset of each character; None
        when the string is a masked template expression (its value is set when rendered)."""
        if self.text[node.start] != '"':
            return None, None
        value, offsets = json_string_chars(self.text, node.start, node.end)
        if not self.masked and value != node.value:  # pragma: no cover - jsonread and this agree
            return node.value, None
        return value, offsets

    # -- storage.files ----------------------------------------------------------------------------

    def files(self, storage: Optional[jsonread.Node]) -> None:
        for number, entry in enumerate(_items(_get(storage, "files"))):
            if not self.spend(1):
                return
            path = _string(_get(entry, "path"))
            if not path:
                continue
            target = posixpath.normpath(path)
            kind = kind_for_target(target) if target.startswith("/") else None
            if kind is None:
                continue
            label = f"storage.files[{number}]"
            if self.major == 2:
                filesystem = _string(_get(entry, "filesystem"))
                if filesystem not in (None, "root"):
                    message = f"{label} is written to the file system {filesystem!r}, not the root: not read as {target}"
                    self.note("ignition", message, entry.start)
                    continue
            contents = _get(entry, "contents")
            append = _get(entry, "append")
            if self.major == 2:
                self.contents(contents, f"{label}.contents", kind, target, append is not None and append.kind == "true")
                continue
            self.contents(contents, f"{label}.contents", kind, target, False)
            for index, fragment in enumerate(_items(append)):
                if not self.spend(1):
                    return
                self.contents(fragment, f"{label}.append[{index}]", kind, target, True)

    def contents(self, node: Optional[jsonread.Node], label: str, kind: str, target: str, append: bool) -> None:
        source = _get(node, "source")
        if source is None or source.kind != "string":
            return
        value, offsets = self.string_chars(source)
        if value is None:
            self.note("template", f"{label}.source of {target} is set when the template is rendered; not read", source.start)
            return
        if not is_data_url(value):
            self.not_a_data_url(f"{label}.source", target, value, source.start)
            return
        compression = _string(_get(node, "compression")) or ""
        self.data_url(value, offsets, compression, f"{label}.source", (source.start, source.end), kind, target, append)

    # -- systemd.units ----------------------------------------------------------------------------

    def units(self, systemd: Optional[jsonread.Node]) -> None:
        for number, unit in enumerate(_items(_get(systemd, "units"))):
            if not self.spend(1):
                return
            name = _string(_get(unit, "name"))
            if not name or "/" in name:
                continue
            target = f"{UNIT_FOLDER}/{name}"
            label = f"systemd.units[{number}]"
            kind = kind_for_target(target)
            mask = _get(unit, "mask")
            if kind is not None and mask is not None and mask.kind == "true":
                # Ignition links the unit to /dev/null: an empty unit file masks it
                self.embed(mapped_document(self.doc, "", None, f"{label}.mask", (mask.start, mask.end)), kind, target)
            elif kind is not None:
                self.unit_text(_get(unit, "contents"), f"{label}.contents", kind, target)
            for index, dropin in enumerate(_items(_get(unit, "dropins"))):
                if not self.spend(1):
                    return
                dropin_name = _string(_get(dropin, "name"))
                if not dropin_name or "/" in dropin_name:
                    continue
                dropin_target = f"{UNIT_FOLDER}/{name}.d/{dropin_name}"
                dropin_kind = kind_for_target(dropin_target)
                if dropin_kind is not None:
                    self.unit_text(_get(dropin, "contents"), f"{label}.dropins[{index}].contents", dropin_kind, dropin_target)

    def unit_text(self, node: Optional[jsonread.Node], label: str, kind: str, target: str) -> None:
        if node is None or node.kind != "string":
            return
        value, offsets = self.string_chars(node)
        if value is None:
            self.note("template", f"{label} of {target} is set when the template is rendered; not read", node.start)
            return
        self.embed(mapped_document(self.doc, value, offsets, label, (node.start, node.end)), kind, target)

"""Container Linux's own cloud-config reader (coreos-cloudinit, before Ignition), and cloud-config
kept as a Go template of ``{{ define "name" }}`` blocks (kube-aws renders its user data that way).

``coreos.units`` (coreos-cloudinit ``config/unit.go``): each unit is ``{name, mask, enable, runtime,
content, command, drop_ins: [{name, content}]}``; keys are normalised with ``-`` read as ``_``
(``config/config.go`` normalizeKeys), so ``drop-ins`` is ``drop_ins``. A unit's ``content`` goes to
``/etc/systemd/system/NAME`` (``/run/systemd/system`` when ``runtime`` is true) and each drop-in to
``NAME.d/DROPIN`` beside it (``system/unit.go`` Destination, DropInDestination); ``mask`` links the
unit to /dev/null. A docker.service drop-in lands on the OS's own Container Linux docker.service,
whose ExecStart expands ``$DOCKER_OPTS`` (``ignition.CONTAINER_LINUX_UNIT``, added the way
Ignition 2.x and Container Linux Configs add it).

Go templates: a file with no cloud-init header whose ``{{ define "x" -}}`` block starts with
``#cloud-config`` is that block, read at its place in the file. Go's control actions (``{{if}}``,
``{{range}}``, ``{{end}}``, ``{{/* */}}``, ``{{ $v := .. }}``) are directives: a line holding only
them is blanked when the template is masked, as Terraform's ``%{ if }`` is; ``{{ .Field }}`` is a
value, set when rendered.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Dict, List, Optional, Tuple

from ..yamlnodes import is_map, is_scalar, is_seq, mapping_of, span_of
from . import Embedded, Extraction, kind_for_target

UNIT_FOLDERS = {False: "/etc/systemd/system", True: "/run/systemd/system"}

# text/template's actions that render no text of their own (control structure, comments, variables)
_GO_CONTROL = re.compile(r"\{\{-?[ \t\r\n]*(?:/\*|(?:if|else|end|range|with|define|block|template|break|continue)\b|\$[A-Za-z0-9_]*[ \t]*:?=)")
_OPENERS = frozenset({"if", "range", "with", "define", "block"})
_KEYWORD = re.compile(r"\{\{-?[ \t\r\n]*([a-z]+)\b")
_DEFINE_NAME = re.compile(r"\{\{-?[ \t\r\n]*define[ \t]+\"([^\"]*)\"")


def is_go_directive(text: str, start: int) -> bool:
    """The ``{{`` at ``start`` opens a Go control action (``{{if .X}}``, ``{{- end}}``, ...)."""
    return _GO_CONTROL.match(text, start) is not None


def _action_end(text: str, start: int) -> Optional[int]:
    """Just past the ``}}`` that closes the action opened at ``start``, skipping strings and
    comments; None when it never closes."""
    i, n = start + 2, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return None
            i = j + 2
            continue
        if c in "\"`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if c == '"' and text[j] == "\\" else 1
            i = j + 1
            continue
        if text.startswith("}}", i):
            return i + 2
        i += 1
    return None


def define_blocks(text: str) -> List[Tuple[str, int, int]]:
    """The top-level ``{{ define "name" }}`` blocks as (name, start, end) of their bodies, with
    the whitespace a ``-}}`` or ``{{-`` trims left out; [] when the actions do not nest."""
    blocks: List[Tuple[str, int, int]] = []
    depth, i = 0, 0
    opened: Optional[Tuple[str, int]] = None
    while True:
        start = text.find("{{", i)
        if start < 0:
            return blocks if depth == 0 else []
        end = _action_end(text, start)
        if end is None:
            return []
        keyword = _KEYWORD.match(text, start)
        word = keyword.group(1) if keyword else ""
        if word in _OPENERS:
            if depth == 0 and word == "define":
                name = _DEFINE_NAME.match(text, start)
                body = end
                if text[end - 3] == "-":  # -}} trims the whitespace after it
                    while body < len(text) and text[body] in " \t\r\n":
                        body += 1
                opened = (name.group(1) if name else "", body)
            depth += 1
        elif word == "end":
            depth -= 1
            if depth < 0:
                return []
            if depth == 0 and opened is not None:
                stop = start
                if text.startswith("{{-", start):  # {{- trims the whitespace before it
                    while stop > opened[1] and text[stop - 1] in " \t\r\n":
                        stop -= 1
                blocks.append((opened[0], opened[1], max(stop, opened[1])))
                opened = None
        i = end


def _control_only(line: str) -> bool:
    """The line holds Go control actions and nothing else (``{{- if .X }}``, ``{{end}}``)."""
    i, seen = 0, False
    while i < len(line):
        if line[i] in " \t\r":
            i += 1
            continue
        if not line.startswith("{{", i) or not is_go_directive(line, i):
            return False
        end = _action_end(line, i)
        if end is None:
            return False
        i, seen = end, True
    return seen


def without_control_lines(text: str, start: int, dropped: List[Tuple[int, int]] = ()) -> Tuple[str, List[int]]:
    """``text`` (found at ``start`` in its file) without the lines that hold only Go control
    actions, which render nothing (their ``{{-``/``-}}`` trim the line away, or leave a blank line)
    and would break YAML's indentation if kept; with the offset of each kept line in the file."""
    kept: List[str] = []
    offsets: List[int] = []
    position = start
    for line in text.split("\n"):
        if not _control_only(line) and not any(a <= position < b for a, b in dropped):
            kept.append(line)
            offsets.append(position)
        position += len(line) + 1
    return "\n".join(kept), offsets


_INDENTED_INSERT = re.compile(r"^([ \t]*\{\{[^\n]*\|[ \t]*n?indent[ \t]+\d+[ \t]*-?\}\}[ \t]*)$", re.MULTILINE)
MAX_DROPPED = 16  # branches left out before dlint gives up reading a block as YAML
_ENGINE_FILES = re.compile(r"name:[ \t]*['\"]?docker\.(?:service|socket)\b|docker\.service\.d/|daemon\.json|/etc/default/docker|/etc/sysconfig/docker")


def control_blocks(text: str, start: int, end: int) -> List[Tuple[int, int]]:
    """The ``{{if}}``/``{{range}}``/``{{with}}`` ... ``{{end}}`` spans between ``start`` and ``end``."""
    spans: List[Tuple[int, int]] = []
    stack: List[int] = []
    i = start
    while True:
        at = text.find("{{", i, end)
        if at < 0:
            return spans
        close = _action_end(text, at)
        if close is None or close > end:
            return spans
        keyword = _KEYWORD.match(text, at)
        word = keyword.group(1) if keyword else ""
        if word in _OPENERS:
            stack.append(at)
        elif word == "end" and stack:
            spans.append((stack.pop(), close))
        i = close


def readable_block(text: str, start: int, end: int) -> Tuple[str, List[int], List[Tuple[int, int]]]:
    """The cloud-config a ``define`` block renders to, as far as dlint can tell: its control lines
    left out, every branch kept; when the branches together are not YAML (two conditions that
    never hold at once), the innermost branch around the error is left out, and so on. Returns the
    text, the file offset of each of its lines, and the spans left out."""
    from .cloudinit import mask_templates
    from ..yamlnodes import compose

    blocks = control_blocks(text, start, end)
    # a line that inserts an indented block of its own (``{{ .X | indent 12 }}`` written at column
    # 0) holds text of unknown shape: left out from the start
    dropped = [(start + m.start(1), start + m.end(1)) for m in _INDENTED_INSERT.finditer(text[start:end])]
    while True:
        body, offsets = without_control_lines(text[start:end], start, dropped)
        masked = mask_templates(body) or body
        _, problem = compose(masked)
        if problem is None or len(dropped) >= MAX_DROPPED:
            return body, offsets, dropped
        line = body.count("\n", 0, problem.index)
        where = offsets[min(line, len(offsets) - 1)] + problem.index - (body.rfind("\n", 0, problem.index) + 1)
        around = [b for b in blocks if b[0] <= where < b[1] and b not in dropped]
        inserted = _inserted_line(body, offsets, line)
        if not around and inserted is None:
            return body, offsets, dropped
        dropped.append(inserted if inserted is not None else min(around, key=lambda b: b[1] - b[0]))


def _inserted_line(body: str, offsets: List[int], line: int) -> Optional[Tuple[int, int]]:
    """The span of a line at or just before ``line`` that is one value action and nothing else
    (``{{ .Yaml | indent 8 }}``): it inserts text of unknown shape, so it may be what breaks YAML."""
    lines = body.split("\n")
    looked = 0
    for number in range(min(line, len(lines) - 1), -1, -1):
        text = lines[number].strip()
        if text.startswith("{{") and _action_end(text, 0) == len(text):
            return offsets[number], offsets[number] + len(lines[number])
        looked += 1 if text else 0
        if looked > 3:
            break
    return None


def writes_engine_files(text: str, span: Tuple[int, int]) -> bool:
    """A left-out branch that names a file of the engine (a docker.service unit or drop-in, a
    daemon.json): what the machine runs is then unknown."""
    return _ENGINE_FILES.search(text, span[0], span[1]) is not None


# --- coreos.units --------------------------------------------------------------------------------


def _fields(node) -> Dict[str, tuple]:
    """A mapping's entries with coreos-cloudinit's key normalisation (``-`` read as ``_``)."""
    return {key.replace("-", "_"): entry for key, entry in mapping_of(node).items()}


def read_units(reader, top) -> None:
    """``coreos.units``: units and drop-ins written where systemd reads them, plus the Container
    Linux docker.service they land on (reader: cloudinit._Reader)."""
    from .cloudinit import has_template_markers
    from .ignition import with_os_files

    coreos = top.get("coreos")
    if coreos is None or not is_map(coreos[1]):
        return
    units = _fields(coreos[1]).get("units")
    found: List[Embedded] = []
    for number, unit in enumerate(units[1].value if units is not None and is_seq(units[1]) else ()):
        if not reader.spend(1) or not is_map(unit):
            continue
        fields = _fields(unit)
        name = _text(reader, fields.get("name"))
        if not name:
            continue
        label = f"coreos.units[{number}]"
        if has_template_markers(name):
            if _may_be_engine_unit(name):
                message = f"{label}.name is set when the template is rendered ({name}); if it is docker.service, what it writes is not read"
                reader.note("coreos-units", message, span_of(fields["name"][1])[0])
            continue
        if "/" in name:
            continue
        folder = UNIT_FOLDERS[bool(reader.walk.truthy(fields["runtime"][1])) if "runtime" in fields else False]
        _drop_ins(reader, fields, label, f"{folder}/{name}", found)
        _unit(reader, fields, label, f"{folder}/{name}", found)
    # a Container Linux machine (it has a coreos: section): what it writes for the engine, here or
    # in write_files, lands on the OS's own docker.service
    written = [item for item in reader.out.embedded if item.target]
    shipped = Extraction(embedded=written + found)
    with_os_files(shipped, "container-linux")
    for item in shipped.embedded:
        if any(item is earlier for earlier in written):
            continue
        templated = item.document.parent is not None and command_templated(item.document.text)
        reader.embed(item.document, item.kind, origin="coreos.units", target=item.target, templated=templated)


_TEMPLATE_VALUE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|%\{.*?\}")
# unit settings whose value never reaches dockerd's command line nor what dlint judges of the unit
_INERT_KEYS = frozenset({
    "Description", "Documentation", "After", "Before", "Wants", "Requires", "Requisite", "BindsTo", "PartOf",
    "Conflicts", "WantedBy", "RequiredBy", "Also", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost",
    "RestartSec", "TimeoutStartSec", "TimeoutStopSec", "TimeoutSec",
})


def command_templated(text: str) -> bool:
    """A unit's template expressions may change what dlint reads of it: False only when each one
    stands in the value of a setting that never reaches dockerd (``ExecStartPost=docker pull
    {{.Image}}``, ``After={{ x }}``), so dockerd's command line is fully known."""
    for line in text.split("\n"):
        if not any(marker in line for marker in ("{{", "{%", "%{")):
            continue
        key, equals, _ = line.strip().partition("=")
        if not equals or key.strip() not in _INERT_KEYS:
            return True
    return False


def _may_be_engine_unit(name: str) -> bool:
    pattern = _TEMPLATE_VALUE.sub("*", name)
    return fnmatch.fnmatchcase("docker.service", pattern) or fnmatch.fnmatchcase("docker.socket", pattern)


def _text(reader, entry) -> Optional[str]:
    if entry is None or not is_scalar(entry[1]) or reader.walk.kind(entry[1]) == "null":
        return None
    return reader.walk.text_of(entry[1])


def _unit(reader, fields, label: str, target: str, found: List[Embedded]) -> None:
    kind = kind_for_target(target)
    if kind is None:
        return
    content = fields.get("content")
    if content is not None and reader.walk.kind(content[1]) == "str" and reader.walk.text_of(content[1]):
        found.append(Embedded(reader.scalar_doc(content[1], f"{label}.content"), kind, target=target))
    mask = fields.get("mask")
    if mask is not None and reader.walk.truthy(mask[1]):
        # masked after it is placed: a link to /dev/null, an empty unit
        found.append(Embedded(reader.sub("", f"{label}.mask", None, span_of(mask[1])), kind, target=target))


def _drop_ins(reader, fields, label: str, unit_target: str, found: List[Embedded]) -> None:
    from .cloudinit import has_template_markers

    drop_ins = fields.get("drop_ins")
    if drop_ins is None or not is_seq(drop_ins[1]):
        return
    for index, drop_in in enumerate(drop_ins[1].value):
        if not reader.spend(1) or not is_map(drop_in):
            continue
        entry = _fields(drop_in)
        name = _text(reader, entry.get("name"))
        content = entry.get("content")
        if not name or "/" in name or content is None or reader.walk.kind(content[1]) != "str":
            continue
        if has_template_markers(name):
            reader.note("coreos-units", f"{label}.drop-ins[{index}].name is set when the template is rendered ({name}); not read", span_of(entry["name"][1])[0])
            continue
        target = f"{unit_target}.d/{name}"
        kind = kind_for_target(target)
        if kind is not None and reader.walk.text_of(content[1]):  # an empty drop-in is not written
            found.append(Embedded(reader.scalar_doc(content[1], f"{label}.drop-ins[{index}].content"), kind, target=target))

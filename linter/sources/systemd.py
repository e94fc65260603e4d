"""systemd units and drop-ins, and the environment files they read, parsed as systemd parses them.

Two source kinds:

* ``systemd``: ``docker.service``, ``docker.socket``, ``*.conf`` in a ``docker.service.d`` folder,
  and any other ``*.service`` whose first bytes mention dockerd. The unit syntax follows
  systemd.syntax(7) and systemd's own parser (``src/shared/conf-parser.c``; provisioning-facts §2.1):
  ``#``/``;`` comment lines (leading blanks allowed), ``[Section]`` headers, ``Key=value`` with blanks
  around ``=`` ignored, a line ending in an odd number of backslashes continued on the next line
  with that backslash turned into a space (comment lines inside a continuation are skipped), the
  CR, LF, CRLF and NUL line endings that ``read_line`` knows, and a UTF-8 byte-order mark skipped.
* ``envfile``: ``/etc/default/docker`` and ``/etc/sysconfig/docker``, in the ``EnvironmentFile=``
  format (``src/basic/env-file.c``; provisioning-facts §2.5): a port of its state machine, so
  quoting, escapes, continuation lines and comments come out exactly as systemd reads them.
  ``export NAME=…`` lines give the key ``export NAME``, which systemd drops as invalid.

Every value keeps, character by character, its offset in the document (``value_offsets``), so the
words that ``linter.units`` later splits out of it point at their exact line and column even across
continuation lines.
"""

from __future__ import annotations

import re
from dataclasses import field
from ..lazyclass import dataclass
from typing import List, Optional, Tuple, Union

from ..document import Document
from ..fragments import EnvFile, EnvVar, UnitEntry, UnitFile
from . import SNIFF, Extraction, ReadContext, SourceKind

WHITESPACE = " \t\n\r"  # systemd's WHITESPACE
COMMENTS = "#;"
_LINE_END = re.compile(r"\r\n|[\r\n\x00]")  # read_line(): CR, LF, CRLF and NUL end a line
_BOM = "\ufeff"
LONG_LINE_MAX = 1024 * 1024  # systemd's conf-parser: a longer (logical) line fails the unit's load
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# sections systemd knows per unit type; others are ignored with a warning (X-… silently)
_SECTIONS = {"service": ("Unit", "Service", "Install"), "socket": ("Unit", "Socket", "Install")}


@dataclass
class SyntaxIssue:
    """Something systemd logs while reading the file. ``fatal``: the unit fails to load."""

    message: str
    start: int  # offsets in the document text
    end: int
    fatal: bool = False


@dataclass
class ParsedUnit:
    entries: List[Tuple[str, str, int, int, str, List[int]]] = field(default_factory=list)  # section, key, key start/end, value, offsets
    issues: List[SyntaxIssue] = field(default_factory=list)


def _physical_lines(text: str):
    """(offset, line) for each line as systemd's read_line() splits them."""
    pos = 0
    for match in _LINE_END.finditer(text):
        yield pos, text[pos : match.start()]
        pos = match.end()
    if pos < len(text):
        yield pos, text[pos:]


def _strip(chars: List[Tuple[str, int]]) -> List[Tuple[str, int]]:
    start, end = 0, len(chars)
    while start < end and chars[start][0] in WHITESPACE:
        start += 1
    while end > start and chars[end - 1][0] in WHITESPACE:
        end -= 1
    return chars[start:end]


def _is_safe(text: str) -> bool:
    """systemd's string_is_safe(): no control characters, quotes or backslashes."""
    return not any(ord(c) < 32 or c in "\"'\\\x7f" for c in text)


def parse_unit(text: str, unit_type: str = "") -> ParsedUnit:
    """Parse unit-file syntax as systemd's config_parse() does; ``unit_type`` (service, socket)
    selects which section names are known."""
    parsed = ParsedUnit()
    known = _SECTIONS.get(unit_type)
    state = {"section": None, "known": True}
    continuation: Optional[List[Tuple[str, int]]] = None
    bom_seen = False
    for start, line in _physical_lines(text):
        stripped = line.lstrip(WHITESPACE)
        if stripped and stripped[0] in COMMENTS:
            continue
        if len(line) + (len(continuation) if continuation else 0) > LONG_LINE_MAX:
            parsed.issues.append(SyntaxIssue("Continuation line too long" if continuation else "Line too long", start, start + 1, True))
            return parsed  # systemd stops reading the file there, and the unit fails to load
        skip = 0
        if not bom_seen and line.startswith(_BOM):
            skip, bom_seen = 1, True
        chars = [(c, start + i) for i, c in enumerate(line) if i >= skip]
        if continuation is not None:
            continuation.extend(chars)  # in place: a million continuations stay linear
            chars = continuation
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:
            chars[-1] = (" ", chars[-1][1])
            continuation = chars
            continue
        continuation = None
        _parse_line(chars, parsed, known, state)
    if continuation is not None:
        _parse_line(continuation, parsed, known, state)
    return parsed


def _parse_line(chars: List[Tuple[str, int]], parsed: ParsedUnit, known, state: dict) -> None:
    """systemd's parse_line() on one logical line. Unlike systemd, assignments in unknown sections
    or before any section are kept (with that section name, or ""), so that policies can point at
    them; ``linter.units`` reads only the sections systemd reads."""
    chars = _strip(chars)
    if not chars:
        return
    first, last = chars[0][1], chars[-1][1] + 1
    line_text = "".join(c for c, _ in chars)
    if line_text.startswith("["):
        if not line_text.endswith("]") or len(line_text) < 2:
            parsed.issues.append(SyntaxIssue(f"Invalid section header '{line_text}'", first, last, True))
            return
        name = line_text[1:-1]
        if not _is_safe(name):
            parsed.issues.append(SyntaxIssue(f"Bad characters in section header '{line_text}'", first, last, True))
            return
        state["section"], state["known"] = name, known is None or name in known
        if not state["known"] and not name.startswith("X-"):
            parsed.issues.append(SyntaxIssue(f"Unknown section '{name}'. Ignoring.", first, last))
        return
    equals = line_text.find("=")
    if state["section"] is None:
        parsed.issues.append(SyntaxIssue("Assignment outside of section. Ignoring.", first, last))
        if equals <= 0:
            return
    elif not state["known"]:
        if equals <= 0:
            return
    elif equals < 0:
        parsed.issues.append(SyntaxIssue("Missing '=', ignoring line.", first, last))
        return
    elif equals == 0:
        parsed.issues.append(SyntaxIssue("Missing key name before '=', ignoring line.", first, last))
        return
    key_chars = _strip(chars[:equals])
    value_chars = _strip(chars[equals + 1 :])
    key = "".join(c for c, _ in key_chars)
    value = "".join(c for c, _ in value_chars)
    section = state["section"] or ""
    parsed.entries.append((section, key, key_chars[0][1], key_chars[-1][1] + 1, value, [o for _, o in value_chars]))


# --- environment files -----------------------------------------------------------------------

_NEWLINE = "\n\r"
_SHELL_NEED_ESCAPE = '"\\`$'


@dataclass
class ParsedEnvFile:
    # name, name start offset, value, value offsets; in file order, invalid names included
    assignments: List[Tuple[str, int, str, List[int]]] = field(default_factory=list)


def _blank_run(start: Optional[int], c: str, length: int) -> Optional[int]:
    """Where the run of blanks that ends the text so far starts (None: it ends in a non-blank)."""
    if c not in WHITESPACE:
        return None
    return length if start is None else start


def parse_env_file(text: str) -> ParsedEnvFile:
    """A port of systemd's parse_env_file_internal() (src/basic/env-file.c) that keeps offsets.

    Keys are not validated here (``export FOO`` comes out as a key); see ``valid_assignment``."""
    parsed = ParsedEnvFile()
    key: List[Tuple[str, int]] = []
    value: List[Tuple[str, int]] = []
    last_key_ws: Optional[int] = None
    last_value_ws: Optional[int] = None
    state = "PRE_KEY"

    def push(chomp: bool) -> None:
        k = key[:last_key_ws] if last_key_ws is not None else key
        v = value[:last_value_ws] if (chomp and last_value_ws is not None) else value
        if k:
            parsed.assignments.append(("".join(c for c, _ in k), k[0][1], "".join(c for c, _ in v), [o for _, o in v]))

    for offset, c in enumerate(text):
        if state == "PRE_KEY":
            if c in COMMENTS:
                state = "COMMENT"
            elif c not in WHITESPACE:
                state, key, last_key_ws = "KEY", [(c, offset)], None
        elif state == "KEY":
            if c in _NEWLINE:
                state, key = "PRE_KEY", []
            elif c == "=":
                state, value, last_value_ws = "PRE_VALUE", [], None
            else:
                last_key_ws = _blank_run(last_key_ws, c, len(key))
                key.append((c, offset))
        elif state == "PRE_VALUE":
            if c in _NEWLINE:
                push(False)
                state, key, value = "PRE_KEY", [], []
            elif c == "'":
                state = "SINGLE_QUOTE_VALUE"
            elif c == '"':
                state = "DOUBLE_QUOTE_VALUE"
            elif c == "\\":
                state = "VALUE_ESCAPE"
            elif c not in WHITESPACE:
                state = "VALUE"
                value.append((c, offset))
        elif state == "VALUE":
            if c in _NEWLINE:
                push(True)
                state, key, value = "PRE_KEY", [], []
            elif c == "\\":
                state, last_value_ws = "VALUE_ESCAPE", None
            else:
                last_value_ws = _blank_run(last_value_ws, c, len(value))
                value.append((c, offset))
        elif state == "VALUE_ESCAPE":
            state = "VALUE"
            if c not in _NEWLINE:  # escaped newlines are eaten up entirely
                value.append((c, offset - 1))
        elif state == "SINGLE_QUOTE_VALUE":
            if c == "'":
                state = "PRE_VALUE"
            else:
                value.append((c, offset))
        elif state == "DOUBLE_QUOTE_VALUE":
            if c == '"':
                state = "PRE_VALUE"
            elif c == "\\":
                state = "DOUBLE_QUOTE_VALUE_ESCAPE"
            else:
                value.append((c, offset))
        elif state == "DOUBLE_QUOTE_VALUE_ESCAPE":
            state = "DOUBLE_QUOTE_VALUE"
            if c in _SHELL_NEED_ESCAPE:
                value.append((c, offset - 1))
            elif c != "\n":  # other characters keep their backslash, like the shell
                value.append(("\\", offset - 1))
                value.append((c, offset))
        elif state == "COMMENT":
            if c == "\\":
                state = "COMMENT_ESCAPE"
            elif c in _NEWLINE:
                state = "PRE_KEY"
        elif state == "COMMENT_ESCAPE":
            state = "PRE_KEY" if c in _NEWLINE else "COMMENT"
    if state in ("PRE_VALUE", "VALUE", "VALUE_ESCAPE", "SINGLE_QUOTE_VALUE", "DOUBLE_QUOTE_VALUE", "DOUBLE_QUOTE_VALUE_ESCAPE"):
        push(state == "VALUE")
    return parsed


def valid_env_name(name: str) -> bool:
    return bool(_ENV_NAME.match(name))


def valid_env_value(value: str) -> bool:
    """systemd's env_value_is_valid(): no control characters but tab and newline."""
    return not any((ord(c) < 32 and c not in "\t\n") or c == "\x7f" for c in value)


# --- the source kinds ------------------------------------------------------------------------


def _unit_type(target: str) -> str:
    name = target.rsplit("/", 1)[-1]
    if "/" in target and target.rsplit("/", 2)[-2].endswith(".d"):
        name = target.rsplit("/", 2)[-2][:-2]  # a drop-in belongs to its unit's type
    return name.rsplit(".", 1)[-1] if "." in name else ""


def guess_unit_target(rel: str) -> str:
    """Where a unit file of a repository lands when nothing says: /etc/systemd/system (where
    administrators and provisioning put units and drop-ins)."""
    parts = rel.replace("\\", "/").split("/")
    name = parts[-1]
    if len(parts) >= 2 and parts[-2].endswith(".d") and name.endswith(".conf"):
        return f"/etc/systemd/system/{parts[-2]}/{name}"
    return f"/etc/systemd/system/{name}"


class SystemdKind(SourceKind):
    name = "systemd"
    summary = "systemd units and drop-ins for Docker (docker.service, docker.socket, docker.service.d/*.conf, *.service running dockerd)"

    def claims(self, rel: str, basename: str) -> Union[bool, str]:
        if basename == "docker.service" or (basename.startswith("docker") and basename.endswith(".socket")):
            return True
        if basename.endswith(".conf"):
            parent = rel.replace("\\", "/").rsplit("/", 2)
            return len(parent) >= 2 and parent[-2] == "docker.service.d"
        if basename.endswith(".service"):
            return SNIFF
        return False

    def sniff(self, head: bytes) -> bool:
        return b"dockerd" in head

    def read(self, document: Document, context: ReadContext) -> Extraction:
        target = context.target or guess_unit_target(context.source.rel if context.depth == 0 else "docker.service")
        parsed = parse_unit(document.text, _unit_type(target))
        entries = [
            UnitEntry(section, key, value, document.location(start, end), offsets)
            for section, key, start, end, value, offsets in parsed.entries
        ]
        notes = []
        for issue in parsed.issues:
            where = document.location(issue.start, issue.end)
            notes.append(f"{where}: systemd: {issue.message}" + (" (the unit fails to load)" if issue.fatal else ""))
        return Extraction([UnitFile(context.source, document, target, entries)], notes=notes)


class EnvFileKind(SourceKind):
    name = "envfile"
    summary = "environment files of the Docker service (etc/default/docker, etc/sysconfig/docker)"

    def claims(self, rel: str, basename: str) -> bool:
        if basename != "docker":
            return False
        return ("/" + rel.replace("\\", "/")).endswith(("/default/docker", "/sysconfig/docker"))

    def read(self, document: Document, context: ReadContext) -> Extraction:
        rel = context.source.rel.replace("\\", "/")
        guess = "/etc/sysconfig/docker" if rel.endswith("sysconfig/docker") else "/etc/default/docker"
        target = context.target or guess
        variables: List[EnvVar] = []
        notes: List[str] = []
        for name, start, value, offsets in parse_env_file(document.text).assignments:
            where = document.location(start, start + len(name))
            if valid_env_name(name) and valid_env_value(value):
                variables.append(EnvVar(name, value, where, offsets))
                continue
            shown = f"{name}={value}"
            if name.startswith("export") and valid_env_name(name[6:].lstrip(WHITESPACE)) and name[6:7] in WHITESPACE:
                notes.append(
                    f"{where}: systemd: Ignoring invalid environment assignment '{shown}': {target}"
                    f" (EnvironmentFile= has no 'export'; only shell scripts that source the file see {name[6:].strip()})"
                )
            else:
                notes.append(f"{where}: systemd: Ignoring invalid environment assignment '{shown}': {target}")
        return Extraction([EnvFile(context.source, document, target, variables)], notes=notes)

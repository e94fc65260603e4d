"""Shell scripts: what provisioning does to the Docker engine, found in the parse tree.

A script is parsed with tree-sitter-bash and every command is looked at, wherever it stands
(functions, ``if``/``for``/``while`` bodies, ``&&`` lists, subshells, ``$(...)``). From it come:

- embedded documents for the files it writes (``cat > F <<EOF``, ``... | sudo tee [-a] F``,
  ``echo``/``printf ... > F``, ``>>``), read again by the kind the target path calls for, and
  the scripts it hands to another shell (``sh -c '...'``, ``bash <<EOF``), read again as shell;
- ``dockerd`` started with flags, ``docker swarm init|join``, the engine package installed,
  upgraded or held (apt, yum/dnf, get.docker.com), and what is done to the running daemon
  (``systemctl``, ``service``, SIGHUP).

Here-documents are found before tree-sitter parses the script, by bash's own rules
(provisioning-facts §3.1): tree-sitter-bash 0.25 misreads two here-documents on one line, a
here-document followed by ``;`` or by a redirect and a pipe, quoted parts inside the delimiter
(``E"O"F``) and body lines that start with a backslash (tree-sitter/tree-sitter-bash#346,
#283). The scan below records each operator and its body, then tree-sitter parses a copy of the
script of the same length in which each ``<<`` has become ``< `` and each body is blank, so every
node keeps its offset and the bodies cannot derail the grammar. Nothing is executed and no
substitution is expanded; ``$VAR`` stays as written unless the script assigns it a literal.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import field
from ..lazyclass import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..budget import Deadline, Overrun
from ..document import Document
from ..linear_re import linear_or_none
from .. import rootless
from ..location import TraceStep
from ..fragments import DockerdCommand, EnginePackage, Opaque, ServiceAction, SwarmByHand, SwarmMembership, UnitUnknown, Word
from ..mapped import Mapped, Offsets, embedded_document
from . import DOCKER_NEEDLES, Embedded, Extraction, Placed, ReadContext, SourceKind, docker_machine, kind_for_target, program_script
from .claims import ShellClaims, _base, _shell_of
from .shell_files import VENDOR_UNITS, ScriptFolders, parse_sed

# ------------------------------------------------------------------------------------------
# Here-documents, by bash's rules


@dataclass
class _Heredoc:
    operator: int  # byte offset of "<<"
    strip_tabs: bool  # <<-
    quoted: bool  # any quoting in the delimiter word: literal body
    delimiter: bytes
    body_start: int = 0  # bytes: the body lines, without the delimiter line
    body_end: int = 0
    closed: bool = True  # a delimiter line was found


_CMD_STOP = re.compile(rb"[\\'\"`$#<()\n]")
_DQ_STOP = re.compile(rb'[\\"`$]')
_ARITH_STOP = re.compile(rb"[()\\`$]")
_BRACE_STOP = re.compile(rb"[\\'\"`${}]")
_WORD_BREAK = frozenset(b" \t\n;&|()<>")
_BLANK = bytes(10 if b == 10 else 32 for b in range(256))

MAX_NESTING = 1000  # substitutions and quotes inside one another (real scripts: a handful)
MAX_NAME_BYTES = 4096  # a command's name (a program, a path to one, "$DOCKER") read to decide what it is
MAX_RESOLVED = 1024 * 1024  # characters of a variable's value with the script's variables substituted

_CMD, _SUB, _PAREN, _TICK, _DQ, _ARITH, _BRACE = range(7)
_STOPS = {_CMD: _CMD_STOP, _SUB: _CMD_STOP, _PAREN: _CMD_STOP, _TICK: _CMD_STOP, _DQ: _DQ_STOP, _ARITH: _ARITH_STOP, _BRACE: _BRACE_STOP}


def _delimiter(data: bytes, start: int) -> Tuple[bytes, bool, int]:
    """The here-document delimiter word at ``start``: (word after quote removal, quoted, end)."""
    out = bytearray()
    quoted = False
    index, size = start, len(data)
    while index < size:
        char = data[index]
        if char in _WORD_BREAK:
            break
        if char == 0x5C:  # backslash
            quoted = True
            if index + 1 < size:
                out.append(data[index + 1])
            index += 2
        elif char == 0x27:  # '
            quoted = True
            close = data.find(b"'", index + 1)
            close = size if close < 0 else close
            out += data[index + 1 : close]
            index = close + 1
        elif char == 0x22:  # "
            quoted = True
            index += 1
            while index < size and data[index] != 0x22:
                if data[index] == 0x5C and index + 1 < size and data[index + 1] in b'$`"\\\n':
                    index += 1
                out.append(data[index])
                index += 1
            index += 1
        elif char == 0x24 and index + 1 < size and data[index + 1] in b"'\"":  # $'EOF', $"EOF"
            index += 1
        else:
            out.append(char)
            index += 1
    return bytes(out), quoted, min(index, size)


def _continues(data: bytes, line_start: int, line_end: int) -> bool:
    """The physical line ends with an unescaped backslash (a \\-newline in an unquoted body)."""
    count = 0
    index = line_end - 1
    while index >= line_start and data[index] == 0x5C:
        count += 1
        index -= 1
    return count % 2 == 1


def _read_bodies(data: bytes, start: int, pending: List[_Heredoc]) -> int:
    """Read the bodies of the pending here-documents from ``start``; the offset after them."""
    size = len(data)
    position = start
    for heredoc in pending:
        heredoc.body_start = position
        heredoc.closed = False
        while position < size:
            newline = data.find(b"\n", position)
            line_end = size if newline < 0 else newline
            line = data[position:line_end]
            if heredoc.strip_tabs:
                line = line.lstrip(b"\t")
            # a script saved with CRLF line ends is read as its author wrote it: the \r before a
            # newline is not part of the delimiter (`bash -c '...<<EOF ... EOF'` then closes)
            if line == heredoc.delimiter or line.rstrip(b"\r") == heredoc.delimiter.rstrip(b"\r"):
                heredoc.body_end = position
                heredoc.closed = True
                position = line_end + 1
                break
            if not heredoc.quoted:
                physical = position
                while line_end < size and _continues(data, physical, line_end):
                    physical = line_end + 1
                    newline = data.find(b"\n", physical)
                    line_end = size if newline < 0 else newline
            position = line_end + 1
        if not heredoc.closed:
            heredoc.body_end = size
            position = size
    return min(position, size)


def scan_heredocs(data: bytes) -> Tuple[List[_Heredoc], bytes]:
    """Every here-document of a script, and a copy of the script of the same length in which the
    operators read ``< word`` and the bodies (with their delimiter lines) are blank."""
    found: List[_Heredoc] = []
    pending: List[_Heredoc] = []
    blanked = bytearray(data)
    stack = [_CMD]
    depth = [0]  # parentheses still open, for _ARITH
    index, size = 0, len(data)
    while index < size:
        if len(stack) > MAX_NESTING:  # the parse tree of a million $( levels takes gigabytes
            raise Overrun(f"the script nests $( ), ` `, ${{ }} or quotes more than {MAX_NESTING} deep; not analysed")
        context = stack[-1]
        match = _STOPS[context].search(data, index)
        if match is None:
            break
        index = match.start()
        char = data[index]
        if char == 0x5C:  # backslash: the next byte is literal (a \-newline joins lines)
            index += 2
        elif char == 0x24:  # $
            following = data[index + 1 : index + 3]
            if following == b"((" and context != _ARITH:
                stack.append(_ARITH)
                depth.append(2)
                index += 3
            elif following[:1] == b"(":
                stack.append(_SUB)
                depth.append(0)
                index += 2
            elif following[:1] == b"{":
                stack.append(_BRACE)
                depth.append(0)
                index += 2
            elif following[:1] == b"'" and context in (_CMD, _SUB, _PAREN, _TICK, _BRACE):
                cursor = index + 2
                while cursor < size and data[cursor] != 0x27:
                    cursor += 2 if data[cursor] == 0x5C else 1
                index = cursor + 1
            elif following[:1] == b'"' and context != _DQ:
                stack.append(_DQ)
                depth.append(0)
                index += 2
            else:
                index += 1
        elif char == 0x60:  # backtick
            if context == _TICK:
                stack.pop()
                depth.pop()
            else:
                stack.append(_TICK)
                depth.append(0)
            index += 1
        elif context == _DQ:
            if char == 0x22:
                stack.pop()
                depth.pop()
            index += 1
        elif context == _ARITH:
            depth[-1] += 1 if char == 0x28 else -1 if char == 0x29 else 0
            if depth[-1] <= 0:
                stack.pop()
                depth.pop()
            index += 1
        elif context == _BRACE:
            if char == 0x7D:  # }
                stack.pop()
                depth.pop()
                index += 1
            elif char == 0x22:
                stack.append(_DQ)
                depth.append(0)
                index += 1
            elif char == 0x27 and stack[-2] != _DQ:
                close = data.find(b"'", index + 1)
                index = size if close < 0 else close + 1
            else:
                index += 1
        # command contexts from here on
        elif char == 0x27:  # '
            close = data.find(b"'", index + 1)
            index = size if close < 0 else close + 1
        elif char == 0x22:
            stack.append(_DQ)
            depth.append(0)
            index += 1
        elif char == 0x23:  # # starts a comment at the start of a word
            if index == 0 or data[index - 1] in _WORD_BREAK:
                newline = data.find(b"\n", index)
                index = size if newline < 0 else newline
            else:
                index += 1
        elif char == 0x28:  # (
            if data.startswith(b"((", index) and (index == 0 or data[index - 1] in b" \t\n;&|("):
                stack.append(_ARITH)
                depth.append(2)
                index += 2
            else:
                stack.append(_PAREN)
                depth.append(0)
                index += 1
        elif char == 0x29:  # )
            if context in (_SUB, _PAREN):
                stack.pop()
                depth.pop()
            index += 1
        elif char == 0x3C:  # <
            if data.startswith(b"<<<", index):
                index += 3
            elif data.startswith(b"<<", index):
                cursor = index + 2
                strip = cursor < size and data[cursor] == 0x2D
                cursor += 1 if strip else 0
                while cursor < size and data[cursor] in b" \t":
                    cursor += 1
                word, quoted, end = _delimiter(data, cursor)
                if end > cursor:
                    heredoc = _Heredoc(index, strip, quoted, word)
                    pending.append(heredoc)
                    found.append(heredoc)
                    blanked[index + 1] = 0x20
                    if strip:
                        blanked[index + 2] = 0x20
                index = max(end, index + 2)
            else:
                index += 1
        elif char == 0x0A:  # newline: the pending bodies follow
            if pending:
                after = _read_bodies(data, index + 1, pending)
                blanked[index + 1 : after] = data[index + 1 : after].translate(_BLANK)
                pending = []
                index = after
            else:
                index += 1
        else:
            index += 1
    if pending:  # operators on the last line: the bodies are empty and unterminated
        for heredoc in pending:
            heredoc.body_start = heredoc.body_end = size
            heredoc.closed = False
    return found, bytes(blanked)


# ------------------------------------------------------------------------------------------
# tree-sitter


@lru_cache(maxsize=1)
def _language():
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Language(tree_sitter_bash.language())


@lru_cache(maxsize=1)
def _kinds() -> Dict[int, str]:
    """Kind id -> what the reader does with nodes of that kind."""
    language = _language()
    wanted = {"command": "command", "variable_assignment": "assignment", "declaration_command": "declaration", "redirected_statement": "statement", "pipeline": "pipeline"}
    kinds = {}
    for kind_id in range(language.node_kind_count):
        name = language.node_kind_for_id(kind_id)
        if name in wanted and language.node_kind_is_named(kind_id):
            kinds[kind_id] = wanted[name]
    return kinds


# tree-sitter-bash's scanner passes code points to <ctype.h> functions, which index a 384-entry
# table: a code point past U+80000 or so reads unmapped memory and kills the process (seen with
# "{" + U+F5DEB). Every byte of a non-ASCII character becomes "x": offsets stay put, bash reads
# such characters as word characters anyway, and the reader takes all text from the original.
_ASCII_ONLY = bytes(range(128)) + b"x" * 128


def _parse(data: bytes):
    """The tree of a script. tree-sitter-bash 0.25 sometimes runs a command on past the end of its
    line (``a | b | c`` then ``echo x > f`` on the next line parses as one command ``c echo x``
    redirected to f): a newline between two parts of one command, with nothing but blanks around
    it (no backslash), ends it in bash, so it is read as ``;`` (same length: offsets hold) and the
    script parsed again, a few times at most."""
    import tree_sitter

    parser = tree_sitter.Parser(_language())
    data = data.translate(_ASCII_ONLY)
    tree = Deadline().parse(parser, data, "the script")
    for _ in range(4):
        ends = _swallowed_line_ends(tree.root_node, data)
        if not ends:
            break
        patched = bytearray(data)
        for at in ends:
            patched[at] = ord(";")
        data = bytes(patched)
        tree = Deadline().parse(parser, data, "the script")
    return tree


def _swallowed_line_ends(root, data: bytes) -> List[int]:
    """Offsets of the newlines tree-sitter-bash read inside a command (see _parse)."""
    out: List[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        children = node.children
        if node.type in ("command", "redirected_statement"):
            for before, after in zip(children, children[1:]):
                gap = data[before.end_byte : after.start_byte]
                if b"\n" in gap and not gap.strip(b" \t\r\n"):
                    out.append(before.end_byte + gap.index(b"\n"))
        stack.extend(children)
    return out


@dataclass
class _Structure:
    """What the reader visits, in source order, and how the nodes stand to each other."""

    visits: List[Tuple[str, object]]  # (command | assignment | declaration | error, node)
    prefixes: set  # ids of NAME=value words before a command name
    statements: Dict[int, object]  # command id -> the redirected_statement whose body it is
    previous: Dict[int, object]  # pipeline element id -> the element before it
    pipelines: Dict[int, object]  # pipeline element id -> the pipeline
    # commands that cannot move the script's own working folder (in a subshell, $( ), a function)
    enclosed: set = field(default_factory=set)
    # the last command of a pipeline -> the redirected_statement whose body the pipeline is
    # (``grep X unit | sed ... >> drop-in.conf``: the pipeline's output lands there)
    piped: Dict[int, object] = field(default_factory=dict)


def _structure(tree) -> _Structure:
    """One walk of the whole tree, in source order. Not a tree-sitter query: a query keeps a
    capture open per nesting level (quadratic, and capped at 32768) and Node.parent and
    prev_named_sibling walk down from the root, so relations are taken from children here."""
    structure = _Structure([], set(), {}, {}, {})
    kinds = _kinds()
    visits = structure.visits
    scopes: List[int] = []  # end bytes of the enclosing subshells, $( )s and functions
    cursor = tree.walk()
    while True:
        node = cursor.node
        what = kinds.get(node.kind_id)
        while scopes and scopes[-1] <= node.start_byte:
            scopes.pop()
        if node.type in _ENCLOSING:
            scopes.append(node.end_byte)
        if what == "command":
            if scopes:
                structure.enclosed.add(node.id)
            visits.append((what, node))
            structure.prefixes.update(child.id for child in node.children if child.type == "variable_assignment")
        elif what == "statement":
            body = node.child_by_field_name("body")
            if body is not None and body.type == "command":
                structure.statements[body.id] = node
            elif body is not None and body.type == "pipeline" and body.named_children and body.named_children[-1].type == "command":
                structure.piped[body.named_children[-1].id] = node
        elif what == "pipeline":
            elements = node.named_children
            for before, element in zip([None] + elements, elements):
                structure.pipelines[element.id] = node
                if before is not None:
                    structure.previous[element.id] = before
        elif what is not None:
            visits.append((what, node))
        elif node.is_error:
            visits.append(("error", node))
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return structure


_ENCLOSING = frozenset({"subshell", "command_substitution", "process_substitution", "function_definition"})
_LONGEST_EXPANSION = 4096
_EXPANSIONS = frozenset({"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion", "process_substitution"})
_ANSI = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


# ------------------------------------------------------------------------------------------
# Words: quote removal with the map kept; expansions stay as written


class _Text:
    """The document text seen through tree-sitter's byte offsets."""

    def __init__(self, text: str, offsets: Offsets):
        self.text = text
        self.offsets = offsets

    def span(self, node) -> Tuple[int, int]:
        return self.offsets.char(node.start_byte), self.offsets.char(node.end_byte)

    def raw(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def unquote(self, node) -> Mapped:
        value = Mapped()
        self._node(node, value)
        return value

    def _node(self, node, value: Mapped) -> None:
        kind = node.type
        start, end = self.span(node)
        if kind in _EXPANSIONS:
            # kept as written; a huge one (nested $(...) levels) is cut, or reading it is quadratic
            value.add(self.text[start : min(end, start + _LONGEST_EXPANSION)], start)
            value.expanded = True
        elif kind == "raw_string":
            close = end - 1 if end - start >= 2 and self.text[end - 1] == "'" else end
            value.add(self.text[start + 1 : close], start + 1)
        elif kind == "string":
            close = end - 1 if end - start >= 2 and self.text[end - 1] == '"' else end
            self._children(node, value, start + 1, close, self._double)
        elif kind == "ansi_c_string":
            close = end - 1 if end - start >= 3 and self.text[end - 1] == "'" else end
            self._ansi(start + 2, close, value)
        elif kind == "translated_string":
            self._children(node, value, start + 1, end, self._word)
        elif node.child_count and kind != "word":
            self._children(node, value, start, end, self._word)
        else:
            self._word(start, end, value)

    def _children(self, node, value: Mapped, start: int, end: int, gap) -> None:
        cursor = start
        for child in node.children:
            if not child.is_named:
                continue
            child_start, child_end = self.span(child)
            if child_start < cursor or child_end > end:
                continue
            if child.type == "string_content":
                continue  # read as a gap, by the rules of the enclosing quotes
            gap(cursor, child_start, value)
            self._node(child, value)
            cursor = child_end
        gap(cursor, end, value)

    def _word(self, start: int, end: int, value: Mapped) -> None:
        """Unquoted text: \\x is x, \\-newline is nothing."""
        text = self.text
        index = text.find("\\", start, end)
        while index != -1:
            value.add(text[start:index], start)
            if index + 1 < end and text[index + 1] != "\n":
                value.add(text[index + 1], index + 1)
            start = index + 2
            index = text.find("\\", start, end) if start < end else -1
        if start < end:
            value.add(text[start:end], start)

    def _double(self, start: int, end: int, value: Mapped) -> None:
        """Text inside double quotes: a backslash escapes only $ ` " \\ and newline."""
        text = self.text
        index = start
        run = start
        while index < end:
            char = text[index]
            if char == "\\" and index + 1 < end and text[index + 1] in '$`"\\\n':
                value.add(text[run:index], run)
                if text[index + 1] != "\n":
                    value.add(text[index + 1], index + 1)
                index += 2
                run = index
            elif char in "$`":
                value.expanded = True
                index += 1
            else:
                index += 1
        value.add(text[run:end], run)

    def _ansi(self, start: int, end: int, value: Mapped) -> None:
        _interpret(self.text, start, end, value, ansi=True)


def _interpret(text: str, start: int, end: int, value: Mapped, *, ansi: bool = False, echo: bool = False, mapped: Optional[Mapped] = None) -> bool:
    """Backslash escapes as $'...' (ansi), echo -e / printf %b (echo) or a printf format read them.

    ``text[start:end]`` is read; when ``mapped`` is given, ``text`` is its value and positions go
    through its map. Returns False when ``\\c`` stopped the output."""

    def put(literal_start: int, literal_end: int) -> None:
        if literal_end <= literal_start:
            return
        if mapped is None:
            value.add(text[literal_start:literal_end], literal_start)
        else:
            mapped.copy_into(value, literal_start, literal_end)

    def made(char: str, at: int) -> None:
        value.produce(char, at if mapped is None else mapped.source(at))

    index = start
    run = start
    while index < end:
        slash = text.find("\\", index, end)
        if slash < 0 or slash + 1 >= end:
            break
        put(run, slash)
        code = text[slash + 1]
        step = 2
        if code in _ANSI and (ansi or code not in "'?" or code == "\\") and not (echo and code in "'\"?"):
            made(_ANSI[code], slash)
        elif code == "c" and echo:
            return False
        elif code == "c" and ansi and slash + 2 < end:
            made(chr(ord(text[slash + 2]) & 0x1F), slash)
            step = 3
        elif code in "01234567" and not (echo and code != "0"):
            digits = 0
            limit = 4 if echo else 3
            cursor = slash + 1 + (1 if echo else 0)
            while cursor < end and digits < limit - (1 if echo else 0) and text[cursor] in "01234567":
                cursor += 1
                digits += 1
            number = text[slash + 1 + (1 if echo else 0) : cursor] or "0"
            made(chr(int(number, 8) & 0xFF), slash)
            step = cursor - slash
        elif code in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[code]
            cursor = slash + 2
            while cursor < end and cursor < slash + 2 + width and text[cursor] in "0123456789abcdefABCDEF":
                cursor += 1
            if cursor == slash + 2:
                put(slash, slash + 2)
            else:
                number = int(text[slash + 2 : cursor], 16)
                made(chr(number) if number < 0x110000 and not 0xD800 <= number < 0xE000 else "\ufffd", slash)
            step = cursor - slash
        else:
            put(slash, slash + 2)
        index = run = slash + step
    put(run, end)
    return True


# ------------------------------------------------------------------------------------------
# Commands


class _Values:
    """The words of a command after quote removal, each worked out when first asked for."""

    def __init__(self, text: "_Text", words: List[object]):
        self._text = text
        self._words = words
        self._values: List[Optional[Mapped]] = [None] * len(words)

    def __len__(self) -> int:
        return len(self._words)

    def __getitem__(self, index: int) -> Mapped:
        value = self._values[index]
        if value is None:
            value = self._values[index] = self._text.unquote(self._words[index])
        return value


@dataclass
class _Command:
    node: object
    words: List[object]  # the nodes of the name and the arguments, in order
    values: _Values  # their text after quote removal
    redirects: List[object]
    element: object  # the node that stands in a pipeline or list: the command or its redirected_statement
    assigned: Dict[str, str] = field(default_factory=dict)  # NAME=value before the name

    def text(self, index: int) -> str:
        return self.values[index].text


@dataclass
class _Program:
    index: int  # of the program word
    name: str  # its base name
    env: Dict[str, Optional[str]]  # the environment it gets, as far as the script says


@dataclass
class _Write:
    target: str
    content: Mapped
    origin: str  # heredoc, echo, printf, here-string
    anchor: Tuple[int, int]
    append: bool = False
    tee: bool = False
    templated: bool = False
    moved: List[str] = field(default_factory=list)
    opaque: Optional[Opaque] = None  # content dlint cannot know (jq's output, a download), and why
    file: Optional[Placed] = None  # a repository file put there (cp files/daemon.json /etc/docker/)
    replaced: bool = False  # edited later (sed -i): the edited text is what the machine keeps
    label: str = ""  # the trace label, when not made of origin and target


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
_SUDO_VALUE_OPTIONS = frozenset("ugCDprtUTRh")
ECS_CONFIG = "/etc/ecs/ecs.config"
ECS_IMAGE = "the ECS-optimized AMI"  # an engine the machine image brings: installed, of unknown configuration
_SSH_VALUE_OPTIONS = frozenset("BbcDEeFIiJLlmOoPpQRSWw")  # ssh(1): options that take a value
_WRAPPERS = frozenset({"sudo", "doas", "env", "nohup", "exec", "command", "builtin", "time", "nice", "ionice", "setsid", "timeout", "stdbuf", "chrt", "taskset", "cloud-init-per"})
# the engine's package names as apt and dpkg know them (yum/dnf also call it "docker"); Ansible reads them too
ENGINE_NAMES = frozenset({"docker-ce", "docker-ee", "docker.io", "docker-engine", "moby-engine"})
_RPM_ENGINE_NAMES = ENGINE_NAMES | {"docker"}
_APK_ENGINE_NAMES = frozenset({"docker", "docker-engine"})  # Alpine's
_APK_SPEC = re.compile(r"([^=~<>]+)(?:[=~<>]{1,2}(.+))?", re.S)
_DOCKER_GLOBAL_VALUE = frozenset({"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"})
_SYSTEMCTL_ACTIONS = {
    "restart": ("restart",),
    "try-restart": ("restart",),
    "condrestart": ("restart",),
    "reload": ("reload",),
    "reload-or-restart": ("reload",),  # docker.service has ExecReload (provisioning-facts §2.7)
    "try-reload-or-restart": ("reload",),
    "reload-or-try-restart": ("reload",),
    "force-reload": ("reload",),
    "start": ("start",),
    "stop": ("stop",),
    "enable": ("enable",),
}
_SERVICE_ACTIONS = {"restart": "restart", "try-restart": "restart", "condrestart": "restart", "reload": "reload", "force-reload": "reload", "start": "start", "stop": "stop"}
_KILL_OPTIONS = {  # (options naming the signal, all options that take a value)
    "kill": (("-s", "--signal", "-n"), ("-s", "--signal", "-n")),
    "pkill": (("--signal",), ("--signal", "-u", "-U", "-g", "-G", "-P", "-t", "-s", "--euid", "--uid", "--parent", "--pgroup", "--session", "--terminal", "-F", "--pidfile", "--ns", "--nslist")),
    "killall": (("-s", "--signal"), ("-s", "--signal", "-u", "--user", "-o", "--older-than", "-y", "--younger-than", "-n", "--ns")),
}
_STOP_SIGNALS = frozenset({"TERM", "INT", "QUIT", "KILL", "15", "2", "3", "9"})
# get.docker.com, and Rancher's copies of it that install one engine release (install-docker/19.03.sh)
# (and forks of those: github.com/x/install-docker/blob/1.0/1.13.1.sh?raw=true)
_GET_DOCKER = ("get.docker.com", "test.docker.com", "/install-docker/")
_RANCHER_RELEASE = re.compile(r"/install-docker/(?:[\w.-]+/){0,4}?(\d+\.\d+(?:\.\d+)?)\.sh\b")
_GET_DOCKER_SCRIPTS = frozenset({"get-docker.sh", "test-docker.sh"})
_CONFLICT_MARKER = re.compile(r"^<<<<<<< ", re.M)
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])([^}$`]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
# NAME=value of a sourced file: literal, or built of ${NAME}/$NAME of names set before it. Each
# character has one way to match (a $NAME runs to its last name character, a ${NAME} to its
# brace): a line the pattern fails on costs linear time, never a backtracking storm
_REFERENCE = r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_]))"
_PLAIN_ASSIGNMENT = re.compile(
    r"""^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"$`\\\n]|""" + _REFERENCE + r""")*"|'[^'\n]*'|(?:[^\s;&|$`'"\\]|"""
    + _REFERENCE
    + r""")*)[ \t]*(?:#[^\n]*)?$""",
    re.M,
)
MAX_SOURCED_SCAN = 64 * 1024  # of a sourced file, looked at for its plain assignments
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_EXPANSION_START = re.compile(r"[A-Za-z_0-9{(@*#?$!-]")
_SUDO_VARIABLE = re.compile(r"\$\{?[A-Za-z_]*sudo[A-Za-z_0-9]*\}?", re.I)  # $SUDO systemctl ...
# an image that inits or joins a swarm through the socket it is given (mrjgreen/aws-swarm-init)
_SWARM_IMAGE = re.compile(r"swarm[-_](?:init|join|mode|bootstrap|manager-init)", re.I)
_DOCKER_VARIABLE = re.compile(r"\$\{?[A-Za-z_]*docker[A-Za-z_0-9]*\}?", re.I)  # ${docker_cmd} swarm init
_MANAGER = re.compile(r"(?<![a-z])manager(?![a-z0-9])")  # MANAGER_TOKEN, join-token manager; not host manager0
_WORKER = re.compile(r"(?<![a-z])worker(?![a-z0-9])")
_CONVERSION = re.compile(r"%[-+ #0]*(\d+|\*)?(\.(\d+|\*)?)?([a-zA-Z%])")


def _first_missing(root) -> int:
    """The byte where the first token tree-sitter-bash inserted (a missing one) stands."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return node.start_byte
        if node.has_error:
            stack.extend(reversed(node.children))
    return 0


_SCRIPT_NAME = re.compile(r"\.(?:sh|bash)$")
def pin_of(version: Optional[str]) -> str:
    """How tightly a version string pins the engine: patch | minor | major | none | unknown."""
    if version is None:
        return "none"
    text = version.strip()
    if not text:
        return "none"
    if "$" in text or "`" in text or "{{" in text:
        return "unknown"
    if text[:1] in "vV":
        text = text[1:]
    epoch = re.match(r"\d+:", text)
    if epoch:
        text = text[epoch.end() :]
    match = _VERSION.match(text)
    if not match:
        return "none"
    parts = sum(1 for group in match.groups() if group is not None)
    return {3: "patch", 2: "minor", 1: "major"}[parts]


class _Reader:
    def __init__(self, document: Document, context: ReadContext):
        self.document = document
        self.context = context
        self.source = context.source
        self.out = Extraction()
        self.interpreter = _shell_of(document.text)
        self.variables: Dict[str, str] = {}  # NAME -> value after quote removal, as written
        self.literal: Dict[str, bool] = {}  # NAME -> its value has no expansion (or only ones resolved)
        self.written: Dict[str, Mapped] = {}  # NAME -> its literal value, mapped to where it is written
        self.cwd: Optional[str] = None  # the working folder after a `cd` to a known one (else unknown)
        self.machine_env: Optional[str] = None  # after `eval $(docker-machine env NAME)`: that machine's group
        self.exported: set = set()
        self.writes: List[_Write] = []
        self._embedded: List[Tuple[int, Embedded]] = []
        self._declared: set = set()  # ids of assignments read with their declaration
        self.downloads: set = set(_GET_DOCKER_SCRIPTS)  # names get.docker.com was saved under
        self.download_urls: Dict[str, str] = {}  # such a name -> the address it came from
        self._commands: Dict[int, Optional[_Command]] = {}
        self._stdout: Dict[int, Optional[Tuple[Mapped, str, Tuple[int, int], bool]]] = {}
        # the repository around the script, when it runs from its own folder (not a script another
        # tool uploads somewhere and runs there): sourced files, files it copies into place
        self.folders = ScriptFolders(context, document) if _in_repository(document) else None
        self.placed = context.placed  # files a tool put on the machine before the script runs
        self._placed_names = {posixpath.basename(path) for path in self.placed}

    # -- entry ------------------------------------------------------------------------------

    def read(self) -> Extraction:
        text = self.document.text
        data = text.encode("utf-8", "surrogatepass")
        offsets = Offsets(text)
        self.t = _Text(text, offsets)
        heredocs, blanked = scan_heredocs(data)
        self.heredocs = {heredoc.operator: heredoc for heredoc in heredocs}
        for heredoc in heredocs:
            if not heredoc.closed:
                delimiter = heredoc.delimiter.decode("utf-8", "replace")
                self.out.notes.append(f"{self.at(offsets.char(heredoc.operator))}: a here-document has no line {delimiter!r} to close it: its body runs to the end of the script")
        tree = _parse(blanked)
        self._keep = (blanked, tree)  # the bytes and tree live as long as the nodes taken from them
        errors = 0
        self.structure = _structure(tree)
        end, stop = self._top_level_exit(tree)
        for name, node in self.structure.visits:
            if node.start_byte >= end:
                self.out.notes.append(f"{self.at(offsets.char(end))}: {stop}; what follows never runs and is not read")
                break
            if name == "error":
                if not errors:
                    self.out.notes.append(f"{self.at(offsets.char(node.start_byte))}: tree-sitter-bash could not parse part of the script (first here); what parsed was read")
                errors += 1
            elif name == "assignment":
                self._assignment(node)
            elif name == "declaration":
                self._declaration(node)
            else:
                self._command_node(node)
        if tree.root_node.has_error and not errors:
            self.out.notes.append(f"{self.at(offsets.char(_first_missing(tree.root_node)))}: tree-sitter-bash found missing tokens in the script (first here); what parsed was read")
        self._emit_writes()
        self._embedded.sort(key=lambda item: item[0])
        self.out.embedded.extend(embedded for _, embedded in self._embedded)
        return self.out

    def _top_level_exit(self, tree) -> Tuple[int, str]:
        """Where the first `exit` of the script's own level ends it (a cheat sheet's sections after
        it never run), or a merge-conflict marker left in it (bash stops at that syntax error):
        (its offset in bytes, or past the end; what stops it)."""
        end, stop = tree.root_node.end_byte + 1, "the script exits here"
        for statement in tree.root_node.named_children:
            if statement.type == "command":
                name = statement.child_by_field_name("name")
                if name is not None and self.t.raw(name) == "exit":
                    end = statement.end_byte
                    break
        marker = _CONFLICT_MARKER.search(self.t.text)
        if marker is not None:
            at = len(self.t.text[: marker.start()].encode("utf-8", "surrogatepass"))
            if at < end:
                end, stop = at, "a merge-conflict marker: bash stops at this syntax error"
        return end, stop

    # -- variables --------------------------------------------------------------------------

    def _assignment(self, node, exported: bool = False) -> None:
        if node.id in self.structure.prefixes or node.id in self._declared:
            return  # NAME=value cmd: for that command only; export NAME=value: read with its declaration
        name_node = node.child_by_field_name("name")
        if name_node is None or name_node.type != "variable_name":
            return
        name = self.t.raw(name_node)
        value_node = node.child_by_field_name("value")
        value = self.t.unquote(value_node) if value_node is not None else Mapped()
        # CONF=${CONF:-/etc/docker/daemon.json}: the default, as resolve() reads ${NAME:-word}
        resolved = self.resolve(value) if value.expanded else value.text
        text = value.text
        if resolved is None and name in self.variables:
            # PACKAGES="extra-$(uname -r) $PACKAGES": the words it had (resolved, else as written) stay in it
            grown = re.sub(r"\$\{" + name + r"\}|\$" + name + r"(?![A-Za-z0-9_])", lambda _: self.variables[name], text, count=4)
            text = grown if len(grown) <= 4096 else text  # bounded: P="$P $P $P $P" repeated must not grow 4x a line
        self.variables[name] = text if resolved is None else resolved
        self.literal[name] = resolved is not None
        substituted = self.substituted(value) if value.expanded and resolved is not None else value
        if substituted is None or value.expanded and resolved is None:
            self.written.pop(name, None)
        else:
            self.written[name] = substituted
        if self.folders is not None:
            self.folders.assign(name, value.text)  # SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
        if exported:
            self.exported.add(name)

    def _exports(self, declaration) -> bool:
        keyword = declaration.children[0].type if declaration.child_count else ""
        if keyword == "export":
            return True
        if keyword in ("declare", "typeset"):
            return any(child.type == "word" and self.t.raw(child).startswith("-") and "x" in self.t.raw(child) for child in declaration.children)
        return False

    def _declaration(self, node) -> None:
        exports = self._exports(node)
        for child in node.children:
            if child.type == "variable_name" and exports:
                self.exported.add(self.t.raw(child))
            elif child.type == "variable_assignment":
                self._assignment(child, exports)
                self._declared.add(child.id)

    def substituted(self, value: Mapped) -> Optional[Mapped]:
        """The value with each plain $NAME/${NAME} replaced by what the script assigned it, kept
        mapped: to the assignment's text where it was written out (findings point there), else to
        the reference; None when a name is not known or anything else expands."""
        out = Mapped()
        text, last = value.text, 0
        for match in _VARIABLE.finditer(text):
            name = match.group(1) or match.group(4)
            if match.group(2) is not None or not self.literal.get(name) or name not in self.variables:
                return None
            value.copy_into(out, last, match.start())
            written = self.written.get(name)
            if written is not None and written.text == self.variables[name]:
                written.copy_into(out, 0, written.length)
            else:
                at = value.source(match.start())
                for char in self.variables[name][:MAX_RESOLVED]:
                    out.produce(char, at)
            last = match.end()
            if out.length > MAX_RESOLVED:
                return None
        value.copy_into(out, last, value.length)
        return None if "`" in out.text or re.search(r"\$[A-Za-z_{(]", out.text) else out

    def resolve(self, value: Mapped) -> Optional[str]:
        """The text with $NAME and ${NAME} replaced by literals the script assigned, or None."""
        if not value.expanded:
            return value.text
        unresolved = False
        size = len(value.text)

        def replace(match) -> str:
            nonlocal unresolved, size
            name = match.group(1) or match.group(4)
            if name in self.variables and self.literal.get(name):
                if match.group(2) and match.group(2).startswith(":") and self.variables[name] == "":
                    return match.group(3) or ""
                size += len(self.variables[name])
                if size > MAX_RESOLVED:  # V1="$V0$V0" ... doubles: past the cap the value is unknown
                    unresolved = True
                    return ""
                return self.variables[name]
            if match.group(2) is not None:  # ${NAME-word}, ${NAME:=word}: the word when NAME is unset
                return match.group(3) or ""
            if name == "HOME" and name not in self.variables:
                return "~"  # the user's home, as ~ is kept: rootless Docker's files live there
            unresolved = True
            return match.group(0)

        result = _VARIABLE.sub(replace, value.text)
        if unresolved or "`" in result or re.search(r"\$[A-Za-z_{(]", result):
            return None
        return result

    # -- commands ---------------------------------------------------------------------------

    def command(self, node) -> Optional[_Command]:
        key = node.id
        if key in self._commands:
            return self._commands[key]
        words = []
        assigned: Dict[str, str] = {}
        redirects = []
        name = node.child_by_field_name("name")
        for child in node.children:
            if child.type == "variable_assignment" and (name is None or child.start_byte < name.start_byte):
                child_name = child.child_by_field_name("name")
                child_value = child.child_by_field_name("value")
                if child_name is not None:
                    assigned[self.t.raw(child_name)] = self.t.unquote(child_value).text if child_value is not None else ""
            elif child.type.endswith("_redirect"):
                redirects.append(child)
        if name is not None:
            words.append(name.named_children[0] if name.named_child_count == 1 else name)
        words.extend(child for child in node.children_by_field_name("argument") if child.is_named)
        element = node
        statement = self.structure.statements.get(node.id)
        if statement is not None:
            redirects.extend(child for child in statement.children_by_field_name("redirect"))
            element = statement
        piped = self.structure.piped.get(node.id)
        if piped is not None:
            redirects.extend(child for child in piped.children_by_field_name("redirect"))
        for redirect in redirects:  # tree-sitter reads "echo a > f b" as a redirect to "f b"
            if redirect.type == "file_redirect":
                words.extend(redirect.children_by_field_name("destination")[1:])
        words.sort(key=lambda word: word.start_byte)
        command = _Command(node, words, _Values(self.t, words), redirects, element, assigned) if words else None
        self._commands[key] = command
        return command

    def program(self, command: _Command, start: int = 0) -> Optional[_Program]:
        """Look through sudo, env, nohup, exec and the like to the program that runs."""
        env: Dict[str, Optional[str]] = {name: self.variables.get(name) for name in self.exported}
        env.update(command.assigned)
        index = start
        count = len(command.values)
        while index < count:
            word = command.values[index]
            name = _base(word.text)
            if word.expanded and index == start and _SUDO_VARIABLE.fullmatch(word.text):
                name = "sudo"
            if name in ("sudo", "doas"):
                keep: Optional[set] = None
                index += 1
                while index < count:
                    option = command.text(index)
                    if option == "--":
                        index += 1
                        break
                    if not option.startswith("-") or option == "-":
                        break
                    if option in ("-E", "--preserve-env"):
                        keep = set(env)
                    elif option.startswith("--preserve-env="):
                        keep = set(option.split("=", 1)[1].split(","))
                    elif option.startswith("--") and "=" not in option and option[2:] in ("user", "group", "chdir", "prompt", "role", "type", "other-user", "host", "close-from", "command-timeout", "chroot"):
                        index += 1
                    elif not option.startswith("--") and option[-1] in _SUDO_VALUE_OPTIONS and (name == "sudo" or option[-1] in "uC"):
                        index += 1
                    index += 1
                env = {key: value for key, value in env.items() if keep is not None and key in keep}
                index = self._assignments(command, index, env)
            elif name == "env":
                index += 1
                while index < count:
                    option = command.text(index)
                    if option in ("-i", "--ignore-environment", "-"):
                        env.clear()
                    elif option in ("-u", "--unset", "-C", "--chdir", "-S", "--split-string"):
                        index += 1
                    elif option == "--":
                        index += 1
                        break
                    elif not option.startswith("-"):
                        break
                    index += 1
                index = self._assignments(command, index, env)
            elif name == "cloud-init-per":  # cloud-init-per FREQUENCY NAME CMD [ARGS]
                index += 3
            elif name in ("command", "builtin"):
                if index + 1 < count and command.text(index + 1) in ("-v", "-V"):
                    return None
                index += 2 if index + 1 < count and command.text(index + 1) == "-p" else 1
            elif name in ("nohup", "setsid", "time", "exec", "nice", "ionice", "stdbuf", "chrt", "taskset", "timeout"):
                index += 1
                value_options = {"exec": ("-a",), "nice": ("-n", "--adjustment"), "ionice": ("-c", "-n", "--class", "--classdata"), "stdbuf": ("-i", "-o", "-e"), "timeout": ("-s", "--signal", "-k", "--kill-after")}.get(name, ())
                while index < count and command.text(index).startswith("-") and command.text(index) != "-":
                    option = command.text(index)
                    index += 2 if option in value_options else 1
                    if option == "--":
                        break
                if name == "timeout" and index < count:
                    index += 1  # the duration
                elif name == "chrt" and index < count:
                    index += 1  # the priority
                elif name == "taskset" and index < count:
                    index += 1  # the mask
            else:
                held = self._held_program(word.text) if word.expanded else None
                if held:
                    name = held  # DOCKER_MACHINE=/usr/local/bin/docker-machine; $DOCKER_MACHINE create
                elif word.expanded and _DOCKER_VARIABLE.fullmatch(word.text):
                    name = "docker"  # only its swarm verbs are read, so a wrong guess costs nothing
                return _Program(index, name, env)
        return None

    def _held_program(self, raw: str) -> Optional[str]:
        """The program a ``$VAR`` (``${VAR}``) names, when the script set VAR to a literal path."""
        match = _VARIABLE.fullmatch(raw) if raw.startswith("$") else None  # asked of every command name
        value = self.variables.get(match.group(1) or match.group(4)) if match and not match.group(2) else None
        return _base(value) if value and not re.search(r"[$`\s]", value) else None

    def _assignments(self, command: _Command, index: int, env: Dict[str, Optional[str]]) -> int:
        while index < len(command.values):
            match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", command.text(index), re.S)
            if not match:
                break
            env[match.group(1)] = match.group(2)
            index += 1
        return index

    def at(self, offset: int) -> str:
        """``path:line`` of a character of the script, in the file it stands in (a script embedded
        in cloud-init or Terraform: that file's line), for notes."""
        where = self.document.location(offset)
        return f"{where.path}:{where.line}"

    def location(self, start_node, end_node=None):
        start = self.t.offsets.char(start_node.start_byte)
        end = self.t.offsets.char((end_node or start_node).end_byte)
        return self.document.location(start, end)

    def _command_node(self, node) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        # a name that long is no program dlint knows (each level of $( $( … ) ) is one: quadratic)
        raw = self.t.raw(name_node).strip("'\"") if name_node.end_byte - name_node.start_byte <= MAX_NAME_BYTES else ""
        if _base(raw) not in _INTERESTING and _base(raw) not in self.downloads and not _SUDO_VARIABLE.fullmatch(raw) and not _DOCKER_VARIABLE.fullmatch(raw) and _base(raw) not in self._placed_names and not ("/" in raw and _SCRIPT_NAME.search(raw)) and self._held_program(raw) not in _INTERESTING:
            if node.id not in self.structure.statements:
                return  # nor does it write a file (jq ... > /etc/docker/daemon.json does)
        command = self.command(node)
        if command is None:
            return
        program = self.program(command)
        if program is None:
            return
        name = program.name
        if command.text(program.index) == "/etc/init.d/docker":
            self._init_script(command, program)
        elif self._resolved_path(command.values[program.index]) in self.placed:
            self._run_placed(command, command.values[program.index])
        elif "/" in command.text(program.index) and _SCRIPT_NAME.search(command.text(program.index)) and name not in self.downloads:
            self._run_script(command, command.values[program.index])
        elif name in _HANDLERS:
            _HANDLERS[name](self, command, program)
        elif name in _SHELLS:
            self._shell(command, program)
        elif name in self.downloads:
            self._get_docker(command, program, program.index + 1, script=True)
        self._writes(command, program)

    # -- files written ------------------------------------------------------------------------

    def stdin(self, command: _Command) -> Optional[Tuple[Mapped, str, Tuple[int, int], bool]]:
        """What the command reads on standard input, when the script says: (content, origin, anchor, templated)."""
        for redirect in reversed(command.redirects):
            if redirect.type == "herestring_redirect":
                words = [child for child in redirect.named_children]
                if not words:
                    return None
                value = Mapped()
                value.extend(self.t.unquote(words[-1]))
                start, end = self.t.span(words[-1])
                value.produce("\n", end)
                return value, "here-string", (start, end), value.expanded
            if redirect.type == "file_redirect":
                operator = next((child for child in redirect.children if child.type in ("<", "<<", "<<-")), None)
                if operator is None:
                    continue
                heredoc = self.heredocs.get(operator.start_byte)
                if heredoc is None:
                    return None
                return self._heredoc(heredoc)
        body = self._previous_command(command)
        if body is None:
            return None
        before = self.command(body)
        if before is None or any(self._target(r) for r in before.redirects):
            return None
        return self.stdout(before)

    def _previous_command(self, command: _Command):
        """The command whose output a pipeline feeds to this one."""
        previous = self.structure.previous.get(command.element.id)
        if previous is not None and previous.type == "redirected_statement":
            previous = previous.child_by_field_name("body")
        return previous if previous is not None and previous.type == "command" else None

    def _heredoc(self, heredoc: _Heredoc) -> Tuple[Mapped, str, Tuple[int, int], bool]:
        offsets = self.t.offsets
        text = self.t.text
        start, end = offsets.char(heredoc.body_start), offsets.char(heredoc.body_end)
        body = Mapped()
        position = start
        joined = False  # the previous physical line ended in \-newline (unquoted body)
        while position < end:
            newline = text.find("\n", position, end)
            line_end = end if newline < 0 else newline + 1
            line_start = position
            if heredoc.strip_tabs and not joined:
                while line_start < line_end and text[line_start] == "\t":
                    line_start += 1
            body.add(text[line_start:line_end], line_start)
            content_end = line_end - 1 if newline >= 0 else line_end
            joined = not heredoc.quoted and newline >= 0 and _continues_text(text, line_start, content_end)
            position = line_end
        if heredoc.quoted:
            return body, "heredoc", (start, end), False
        value = Mapped()
        templated = _unescape_heredoc(body, value)
        value.expanded = templated
        if templated and "\\$" not in body.text:  # "$R" of R="10.0.0.1:5000": the words the script assigned
            substituted = self.substituted(value)
            if substituted is not None:
                return substituted, "heredoc", (start, end), False
        return value, "heredoc", (start, end), templated

    def stdout(self, command: _Command) -> Optional[Tuple[Mapped, str, Tuple[int, int], bool]]:
        """What the command writes on standard output, when it is text the script holds."""
        key = command.node.id
        if key in self._stdout:
            return self._stdout[key]
        self._stdout[key] = None  # against loops
        result = None
        program = self.program(command)
        if program is not None:
            name = program.name
            args = list(range(program.index + 1, len(command.values)))
            if name == "cat" and all(command.text(i) == "-" for i in args):
                result = self.stdin(command)
            elif name == "tee":
                result = self.stdin(command)
            elif name == "echo":
                result = self._echo(command, args)
            elif name == "printf":
                result = self._printf(command, args)
        self._stdout[key] = result
        return result

    def _echo(self, command: _Command, args: List[int]):
        newline, escapes = True, self.interpreter not in ("bash",)
        while args and re.fullmatch(r"-[neE]+", command.text(args[0])):
            flags = command.text(args[0])
            newline = newline and "n" not in flags
            for flag in flags[1:]:
                escapes = True if flag == "e" else False if flag == "E" else escapes
            args = args[1:]
        joined = Mapped()
        for position, index in enumerate(args):
            if position:
                joined.produce(" ", self.t.offsets.char(command.words[index].start_byte) - 1)
            joined.extend(self._quoted_variable(command, index))
        value = joined
        if escapes and "\\" in joined.text:
            value = Mapped()
            value.expanded = joined.expanded
            newline = _interpret(joined.text, 0, joined.length, value, echo=True, mapped=joined) and newline
        if newline:
            value.produce("\n", self.t.offsets.char(command.words[args[-1]].end_byte) if args else self.t.offsets.char(command.words[0].end_byte))
        anchor = self._anchor(command, args)
        return value, "echo", anchor, value.expanded

    def _printf(self, command: _Command, args: List[int]):
        if args and command.text(args[0]) == "--":
            args = args[1:]
        if not args or command.text(args[0]).startswith("-v"):
            return Mapped(), "printf", self._anchor(command, args), False  # prints nothing (-v: to a variable)
        form = command.values[args[0]]
        operands = [self._quoted_variable(command, i) for i in args[1:]]
        value = Mapped()
        value.expanded = form.expanded or any(operand.expanded for operand in operands)
        text = form.text
        used = 0
        while True:
            consumed = False
            index = 0
            run = 0
            while index < len(text):
                char = text[index]
                if char != "%":
                    index += 1
                    continue
                _interpret(text, run, index, value, mapped=form)
                match = _CONVERSION.match(text, index)
                if match is None:
                    form.copy_into(value, index, index + 1)
                    index = run = index + 1
                    continue
                conversion = match.group(4)
                if conversion == "%":
                    form.copy_into(value, index + 1, index + 2)
                else:
                    operand = operands[used] if used < len(operands) else None
                    used += 1
                    consumed = True
                    if operand is not None:
                        if conversion == "b":
                            if not _interpret(operand.text, 0, operand.length, value, echo=True, mapped=operand):
                                return value, "printf", self._anchor(command, args), value.expanded
                        else:
                            value.extend(operand)
                index = run = match.end()
            _interpret(text, run, len(text), value, mapped=form)
            if not consumed or used >= len(operands):
                break
        return value, "printf", self._anchor(command, args), value.expanded

    def _quoted_variable(self, command: _Command, index: int) -> Mapped:
        """The word, or for "$NAME" the literal the script assigned NAME, mapped to where it is written
        (CONFIG='{...}' then printf '%s\\n' "$CONFIG" > /etc/docker/daemon.json). Unquoted, the
        value would be split and joined again, so it stays an expansion."""
        value = command.values[index]
        if value.expanded:
            match = re.fullmatch(r'"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"', self.t.raw(command.words[index]))
            written = match and self.written.get(match.group(1) or match.group(2))
            if written is not None:
                return written
        return value

    def _anchor(self, command: _Command, args: List[int]) -> Tuple[int, int]:
        if not args:
            return self.t.span(command.words[0])
        return self.t.offsets.char(command.words[args[0]].start_byte), self.t.offsets.char(command.words[args[-1]].end_byte)

    def _target(self, redirect) -> Optional[Tuple[object, bool]]:
        """(destination node, append) of a redirect of standard output to a file."""
        if redirect.type != "file_redirect":
            return None
        operator = next((child for child in redirect.children if not child.is_named), None)
        descriptor = next((child for child in redirect.children if child.type == "file_descriptor"), None)
        destinations = redirect.children_by_field_name("destination")
        if operator is None or not destinations:
            return None
        if operator.type not in (">", ">>", ">|", "&>", "&>>"):
            return None
        if descriptor is not None and self.t.raw(descriptor) != "1":
            return None
        return destinations[0], operator.type in (">>", "&>>")

    def _writes(self, command: _Command, program: _Program) -> None:
        """Files the command writes with text the script holds."""
        name = program.name
        args = list(range(program.index + 1, len(command.values)))
        if name == "tee":
            content = self.stdin(command)
            append = False
            files = []
            options = True
            for index in args:
                text = command.text(index)
                if options and text == "--":
                    options = False
                elif options and text.startswith("--"):
                    append = append or text == "--append"
                elif options and text.startswith("-") and text != "-":
                    append = append or "a" in text
                else:
                    files.append(index)
            for index in files:
                if content is None:
                    feeder = self._feeder(command)
                    self._opaque(command, command.values[index], f"it is what `{feeder}` prints, which dlint does not run", f"{feeder} | tee{' -a' if append else ''}", append)
                else:
                    self._write(command.words[index], command.values[index], content, append, tee=True)
        elif name == "dd" or name in ("install", "cp") and any(command.text(i) == "/dev/stdin" for i in args):
            content = self.stdin(command)
            if content is None:
                return
            for index in args:
                text = command.text(index)
                if name == "dd" and text.startswith("of="):
                    path = Mapped()
                    command.values[index].copy_into(path, 3, command.values[index].length)
                    path.expanded = command.values[index].expanded
                    self._write(command.words[index], path, content, False, tee=True)
            operands = [i for i in args if not command.text(i).startswith("-")]
            if name != "dd" and len(operands) >= 2 and command.text(operands[-1]) != "/dev/stdin":
                self._write(command.words[operands[-1]], command.values[operands[-1]], content, False, tee=True)
        elif name in ("mv", "cp", "install"):
            self._copy(command, name, args)
        elif name == "sed" and _in_place(command, args) and self._sed(command, args):
            pass  # a readable edit of docker.service: the edited unit is known
        elif name in ("sed", "perl") and _in_place(command, args):
            for index in args:
                if not command.text(index).startswith("-"):
                    self._opaque(command, command.values[index], f"`{name}` edits it in place, and dlint does not run it", f"{name} -i")
        content = None
        for redirect in command.redirects:
            target = self._target(redirect)
            if target is None:
                continue
            node, append = target
            if content is None:
                content = self.stdout(command)
                if content is None:
                    self._opaque(command, self.t.unquote(node), f"it is the output of `{name}`, which dlint does not run", f"{name} {'>>' if append else '>'}", append)
                    continue
            self._write(node, self.t.unquote(node), content, append)

    def _copy(self, command: _Command, name: str, args: List[int]) -> None:
        """cp/install/mv: a file the script wrote moves with it; a repository file (or one a tool put
        on the machine) is that file at its new place; anything else is of unknown content."""
        operands: List[int] = []
        directory: Optional[Mapped] = None
        position = 0
        while position < len(args):
            index = args[position]
            text = command.text(index)
            if text in ("-t", "--target-directory") and position + 1 < len(args):
                directory = command.values[args[position + 1]]
                position += 2
                continue
            if text in ("-S", "--suffix") or name == "install" and text in ("-m", "-o", "-g", "--mode", "--owner", "--group"):
                position += 2
                continue
            if text.startswith("--target-directory="):
                directory = _literal(text.split("=", 1)[1])
            elif not text.startswith("-"):
                operands.append(index)
            position += 1
        if directory is None:
            if len(operands) < 2:
                return
            directory, operands, into = command.values[operands[-1]], operands[:-1], len(operands) > 2
        else:
            into = True
        for index in operands:
            self._copy_one(command, name, command.values[index], directory, into)

    def _copy_one(self, command: _Command, name: str, source: Mapped, destination: Mapped, into: bool) -> None:
        found = self._repository_file(source)
        looped = self._loop_items(command.node, source) if found is None and "$" in source.text else []
        if looped:  # for s in "${TOOLS[@]}"; do install "$DIR/$s" /usr/local/bin/; done: used there
            self.out.references.update(item.rel for _, item in looped if item.rel)
            return
        if self._move(source.text, destination, into):
            return
        if found is not None:
            target = self._path(destination)
            if target is not None and not target.startswith("/dev/"):
                landing = _landing(target, source.text, into)
                self.writes.append(_Write(landing, Mapped(), f"{name} {source.text}", self.t.span(command.node), file=found))
                if kind_for_target(landing) is None:  # daemon-lvm.json for a unit's --config-file: used there
                    self.out.references.add(found.rel)
            return
        why = f"it is {source.text}, put there by `{name}`, and dlint does not know what that file holds"
        self._opaque(command, destination, why, f"{name} {source.text}", source=source.text, copy_of=self.resolve(source), into=into)

    def _repository_file(self, value: Mapped) -> Optional[Placed]:
        """The repository file a path names (``"$SCRIPT_DIR/daemon.json"``, ``docker/daemon.json``),
        or the one a tool put at that path on the machine; None when there is none."""
        path = self.resolve(value)
        if path is not None and path in self.placed:
            return self.placed[path]
        if self.folders is None:
            return None
        text, literal = (path, True) if path is not None else (value.text, False)
        match = _VARIABLE.fullmatch(text) if not literal else None
        if match and not match.group(2) and (match.group(1) or match.group(4)) in self.variables:
            text = self.variables[match.group(1) or match.group(4)]  # CONF="$SCRIPT_DIR/x"; cp "$CONF" ...
        found = self.folders.find(text, literal)
        if found is None:
            return None
        content, _ = self.folders.read(found[0])
        return Placed(found[0], Document(content, found[1])) if content is not None else None

    def _source(self, command: _Command, program: _Program) -> None:
        """``source FILE`` / ``. FILE``: a repository file read as part of this script."""
        if self.folders is None and not self.placed or program.index + 1 >= len(command.values):
            return
        value = command.values[program.index + 1]
        label = f"{command.text(program.index)} {value.text}"
        line = self.at(self.t.span(command.node)[0])
        found = self._repository_file(value)
        if found is None:
            self.out.notes.append(f"{line}: {label}: not a file of the repository; not read")
            return
        shown = found.document.path
        if shown == self.document.path or any(step.path == shown for step in self.document.via):
            self.out.notes.append(f"{line}: {label}: sourced again inside itself; read once")
            return
        where = self.location(command.node)
        document = Document(found.document.text, shown, via=where.trace + (TraceStep(where.path, where.line, where.column, label),))
        self._embedded.append((self.t.span(command.node)[0], Embedded(document, "shell", reference=found.rel, placed=self.placed)))
        # its plain assignments hold for the commands after it (DOCKER_MACHINE=/usr/local/bin/docker-machine)
        for match in _PLAIN_ASSIGNMENT.finditer(found.document.text[:MAX_SOURCED_SCAN]):
            name, value = match.group(1), match.group(2)
            if name in self.variables:
                continue
            if not value.startswith("'") and "$" in value:  # ASW_RESOURCES=${ASW_HOME}/_shared/resources
                written = _literal(value)
                written.expanded = True
                value = self.resolve(written)  # None unless every name is a literal set before it
                if value is None:
                    continue
            self.variables[name] = value.strip("'\"")
            self.literal[name] = True

    def _sed(self, command: _Command, args: List[int]) -> bool:
        """``sed -i`` in a readable form on docker.service (machines-facts §7.2): the edited unit,
        from the packaged one or the one the script wrote. False when dlint cannot apply it."""
        expressions: List[int] = []
        files: List[int] = []
        position = 0
        while position < len(args):
            index = args[position]
            text = command.text(index)
            if text in ("-e", "--expression") and position + 1 < len(args):
                expressions.append(args[position + 1])
                position += 2
                continue
            if text.startswith("-") and text != "-":
                if not re.fullmatch(r"-[Er]*i[^ ]*|-[Er]+|--in-place(=.*)?|--regexp-extended|--posix|--follow-symlinks", text):
                    return False  # -n, -z, -s, -f script, --expression=: not applied
            elif not expressions:
                expressions.append(index)
            else:
                files.append(index)
            position += 1
        if not expressions or not files:
            return False
        # OPTIONS="-H tcp://..."; sed -i "s#ExecStart=.*#ExecStart=/usr/bin/dockerd $OPTIONS#": the words the script assigned
        values = [self.substituted(command.values[index]) if command.values[index].expanded else command.values[index] for index in expressions]
        for number, (index, value) in enumerate(zip(expressions, values)):
            if value is None and _expanded_in_replacement_only(command.text(index)):
                # s|ExecStart=/usr/bin/dockerd|ExecStart=/usr/bin/dockerd --data-root=/mnt/${dir}|: the
                # words it adds are known, a value in them is not: masked where it stands, so that
                # the flag is read and its value is one a template decides (facts._templated_keys)
                values[number] = _masked_expansions(command.values[index])
        if any(value is None for value in values):
            return False
        steps = [(parse_sed(value.text), value) for value in values]
        targets = [self.resolve(command.values[index]) for index in files]
        if any(edit is None for edit, _ in steps) or any(target is None or kind_for_target(target) != "systemd" or target.endswith(".socket") for target in targets):
            return False
        edits = []
        for target in targets:
            base = self._unit_text(target, command)
            edited = base[0] if base is not None else None
            for edit, expression in steps:  # -e A -e B: each in turn
                edited = edit.apply(edited, expression) if edited is not None else None
            if edited is None:
                return False
            edits.append((target, edited, base))
        for target, edited, (_, earlier, label) in edits:
            if earlier is not None:
                earlier.replaced = True
            self.writes.append(_Write(target, edited, "sed -i", self.t.span(command.node), templated=bool(earlier and earlier.templated), label=f"sed -i {target}{label}"))
        return True

    def _unit_text(self, target: str, command: _Command):
        """(text, the write it comes from, a word for the label) of the unit a sed edits: the last
        one the script wrote there, else the packaged unit at its vendor path; None when unknown."""
        for write in reversed(self.writes):
            if (write.moved[-1] if write.moved else write.target) == target:
                if write.opaque is not None or write.file is not None or write.append or write.moved:
                    return None
                return write.content, write, ""
        if target not in VENDOR_UNITS:
            return None
        from ..units import PACKAGED_UNIT

        start = self.t.span(command.node)[0]
        text = Mapped()
        for char in PACKAGED_UNIT.text:  # not in the repository: every character stands at the sed
            text.produce(char, start)
        return text, None, " (docker-ce's packaged unit)"

    def _feeder(self, command: _Command) -> str:
        """The program whose output a pipeline feeds to ``command`` ("standard input" when unknown)."""
        body = self._previous_command(command)
        before = self.command(body) if body is not None else None
        program = self.program(before) if before is not None else None
        return program.name if program is not None else "standard input"

    def _cd(self, command: _Command, program: _Program) -> None:
        """``cd DIR`` at the script's own level: where relative paths written after it land (a literal
        absolute folder, or one relative to a known folder); anything else makes it unknown. A cd
        in a subshell, a $( ) or a function does not move the script."""
        if command.node.id in self.structure.enclosed:
            return
        operands = [i for i in range(program.index + 1, len(command.values)) if command.text(i) not in ("-P", "-L", "-e", "--")]
        folder = self.resolve(command.values[operands[0]]) if operands else None
        if folder is None or folder == "-" or folder.startswith("~"):
            self.cwd = None
        elif folder.startswith("/"):
            self.cwd = posixpath.normpath(folder)
        elif self.cwd is not None:
            self.cwd = posixpath.normpath(posixpath.join(self.cwd, folder))

    def _path(self, path: Mapped) -> Optional[str]:
        """A path the script names, relative ones placed in the folder a `cd` made known."""
        target = self.resolve(path)
        if target is not None and self.cwd is not None and target and not target.startswith(("/", "~")):
            return posixpath.normpath(posixpath.join(self.cwd, target))
        return target

    def _opaque(self, command: _Command, path: Mapped, why: str, origin: str, append: bool = False, source: Optional[str] = None, copy_of: Optional[str] = None, into: bool = False) -> None:
        """A file the command writes with content dlint cannot know: a daemon.json of unknown content
        is said (DKD902) rather than read as absent."""
        target = self._path(path)
        if target is None or target.startswith("/dev/"):
            return
        if source is not None:
            target = _landing(target, source, into)  # cp x /etc/docker/, cp x /etc/docker
        start, end = self.t.span(command.node)
        value = Mapped()
        value.add(self.t.text[start:end], start)
        self.writes.append(_Write(target, value, origin, (start, end), append, opaque=Opaque(why, copy_of)))

    def _write(self, node, path: Mapped, content, append: bool, tee: bool = False) -> None:
        value, origin, anchor, templated = content
        target = self._path(path)
        if target is None:
            if kind_for_target(path.text) is not None or "$" in _base(path.text) or "`" in _base(path.text):
                self.out.notes.append(f"{self.at(self.t.offsets.char(node.start_byte))}: {origin} writes to {path.text}, a path with an expansion the script does not resolve: not read")
            return
        if target.startswith("/dev/"):
            return
        if target == ECS_CONFIG:  # the ECS agent's settings: a container instance, whose Docker the image brings
            where = self.location(node)
            self.out.fragments.append(EnginePackage(source=self.source, document=self.document, manager=ECS_IMAGE, name="docker", pin="image", location=where))
        self.writes.append(_Write(target, value, origin, anchor, append, tee, templated))

    def _move(self, source: str, destination: Mapped, into: bool = False) -> bool:
        """Follow a file the script wrote to where mv/cp/install put it; False when none was."""
        target = self._path(destination)
        if target is None:
            return True  # nothing dlint could follow anyway
        for write in reversed(self.writes):
            current = write.moved[-1] if write.moved else write.target
            if current == source and not write.replaced:
                write.moved.append(_landing(target, source, into))
                return True
        return False

    def _emit_writes(self) -> None:
        for write in self.writes:
            target = write.moved[-1] if write.moved else write.target
            kind = kind_for_target(target)
            if kind is None or write.replaced:
                continue
            if write.opaque is not None and kind != "daemon-json":
                if target.endswith(".socket"):
                    continue
                # a unit or environment file of unknown content: dockerd's command line is unknown
                location = self.document.location(*write.anchor)
                self.out.fragments.append(UnitUnknown(self.source, self.document, target=target, why=write.opaque.why, location=location))
                continue
            if write.label:
                label = write.label
            elif write.opaque is not None or write.file is not None:
                label = f"{write.origin} {write.target}"
            elif write.tee:
                label = f"{write.origin} | tee{' -a' if write.append else ''} {write.target}"
            else:
                label = f"{write.origin} {'>>' if write.append else '>'} {write.target}"
            if write.moved:
                label += f", moved to {target}"
            if write.file is not None:
                # the repository file itself: findings point into it, the cp line is in the trace
                where = self.document.location(*write.anchor)
                step = TraceStep(where.path, where.line, where.column, label)
                document = Document(write.file.document.text, write.file.document.path, via=write.file.document.via + where.trace + (step,))
                self._embedded.append((write.anchor[0], Embedded(document, kind, target=target, reference=write.file.rel)))
                continue
            document = embedded_document(self.document, write.content, label, write.anchor)
            self._embedded.append((write.anchor[0], Embedded(document, kind, target=target, templated=write.templated or write.opaque is not None, append=write.append, opaque=write.opaque)))

    # -- dockerd ----------------------------------------------------------------------------

    def _dockerd(self, command: _Command, program: _Program) -> None:
        words = [Word(command.text(i), self.location(command.words[i])) for i in range(program.index + 1, len(command.words))]
        location = self.location(command.node)
        self.out.fragments.append(DockerdCommand(source=self.source, document=self.document, words=words, origin="shell", location=location))

    # -- docker swarm -----------------------------------------------------------------------

    def _docker(self, command: _Command, program: _Program) -> None:
        index = program.index + 1
        count = len(command.values)
        remote = ""
        while index < count and command.text(index).startswith("-"):
            option, _, value = command.text(index).partition("=")
            if option in ("-H", "--host", "-c", "--context"):
                value = value or (command.text(index + 1) if index + 1 < count else "")
                remote = value if not value.startswith(("unix://", "fd://", "npipe://")) and value != "default" else remote
            index += 2 if command.text(index) in _DOCKER_GLOBAL_VALUE else 1
        if index < count and command.text(index) in ("run", "create") and not remote:
            self._swarm_container(command, index + 1)
            return
        if index + 1 >= count or command.text(index) != "swarm":
            return
        verb = command.text(index + 1)
        location = self.location(command.node)
        if remote and verb in ("init", "join"):
            # another machine's dockerd joins: this script's machine is no swarm node (nor a Docker host for it)
            self.out.fragments.append(SwarmByHand(self.source, self.document, command=verb, location=location, remote=remote))
            return
        group = self.machine_env  # after `eval $(docker-machine env NAME)`: NAME's
        if verb == "init":
            self.out.fragments.append(SwarmMembership(source=self.source, document=self.document, role="manager", command="init", location=location, group=group))
        elif verb == "join":
            token = None
            for position in range(index + 2, count):
                text = command.text(position)
                if text == "--token" and position + 1 < count:
                    token = command.values[position + 1]
                elif text.startswith("--token="):
                    token = Mapped()
                    token.extend(command.values[position])
            role = self._role(token.text if token is not None else "")
            self.out.fragments.append(SwarmMembership(source=self.source, document=self.document, role=role, command="join", location=location, group=group))

    def _swarm_container(self, command: _Command, first: int) -> None:
        """``docker run -v /var/run/docker.sock:/var/run/docker.sock .../aws-swarm-init``: a container
        given the machine's own dockerd whose image says it inits or joins a swarm (through the API):
        the machine may be a swarm node (under a condition dlint cannot decide: its code's)."""
        texts = [command.text(i) for i in range(first, len(command.values))]
        if not any("docker.sock" in text for text in texts):
            return
        image = next((t for t in texts if _SWARM_IMAGE.search(t) and not t.startswith("-") and "docker.sock" not in t), None)
        if image is None:
            return
        verb = "join" if "join" in _SWARM_IMAGE.search(image).group(0) else "init"
        self.out.fragments.append(SwarmMembership(source=self.source, document=self.document, role="unknown", command=verb, location=self.location(command.node), maybe=True, group=self.machine_env))

    def _role(self, token: str) -> str:
        """manager or worker when the token expression says so ($MANAGER_TOKEN, join-token worker)."""
        said = token.lower()
        for match in _VARIABLE.finditer(token):
            name = match.group(1) or match.group(4)
            said += " " + self.variables.get(name, "").lower()
        manager, worker = bool(_MANAGER.search(said)), bool(_WORKER.search(said))
        if manager != worker:
            return "manager" if manager else "worker"
        return "unknown"

    # -- packages ---------------------------------------------------------------------------

    def _package(self, command: _Command, index: int, manager: str, name: str, version: Optional[Mapped], pin: Optional[str] = None) -> None:
        text = None
        if version is not None:
            resolved = self.resolve(version)
            text = resolved if resolved is not None else version.text
        if pin is None:
            pin = pin_of(text)
        self.out.fragments.append(EnginePackage(source=self.source, document=self.document, manager=manager, name=name, version=text, pin=pin, location=self.location(command.words[index])))

    def _package_words(self, command: _Command, indices: Iterable[int]) -> List[Tuple[int, Mapped]]:
        """Package operands, a lone ``$PACKAGES`` split into the words the script assigned it."""
        words = []
        for index in indices:
            value = command.values[index]
            match = _VARIABLE.fullmatch(value.text) if value.expanded else None
            name = match and (match.group(1) or match.group(4))
            if name and name in self.variables and not match.group(2):
                words.extend((index, _literal(part)) for part in self.variables[name].split())
            else:
                words.append((index, value))
        return words

    def _apt(self, command: _Command, program: _Program) -> None:
        args = self._operands(command, program, ("-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release", "--default-release", "--host-architecture"))
        if not args:
            return
        verb = command.text(args[0])
        packages = args[1:]
        options = [command.text(i) for i in range(program.index + 1, len(command.values)) if command.text(i).startswith("-")]
        if verb in ("upgrade", "dist-upgrade", "full-upgrade") or verb == "install" and "--only-upgrade" in options:
            self._upgrade(command, packages, "apt", ENGINE_NAMES, self._apt_split)
        elif verb in ("install", "reinstall"):
            for index, value in self._package_words(command, packages):
                name, version = self._apt_split(value)
                if name in ENGINE_NAMES:
                    self._package(command, index, "apt", name, version)

    def _apk(self, command: _Command, program: _Program) -> None:
        """``apk add docker[=17.05.0-r0]`` (Alpine): the engine, started by OpenRC."""
        args = self._operands(command, program, ("-X", "--repository", "-p", "--root", "-t", "--virtual", "--arch", "--cache-dir", "--keys-dir", "--repositories-file"))
        if not args or command.text(args[0]) not in ("add", "upgrade", "fix"):
            return
        for index, value in self._package_words(command, args[1:]):
            spec = _APK_SPEC.fullmatch(value.text)  # docker, docker=20.10.21-r0, docker~20.10, docker>=20
            if spec and spec.group(1) in _APK_ENGINE_NAMES:
                self._package(command, index, "apk", spec.group(1), _literal(spec.group(2)) if spec.group(2) else None)

    def _remote(self, command: _Command, program: _Program) -> None:
        """``ssh [OPTIONS] DEST 'commands'``: the commands run on DEST, a machine of its own (named
        by DEST as written); ssh joins its arguments with spaces for the remote shell."""
        index, count = program.index + 1, len(command.values)
        while index < count:
            text = command.text(index)
            if text == "--":
                index += 1
                break
            if not text.startswith("-") or text == "-":
                break
            for position, flag in enumerate(text[1:], 1):
                if flag in _SSH_VALUE_OPTIONS:
                    index += 0 if text[position + 1 :] else 1  # -p22, or -p 22
                    break
            index += 1
        if index + 1 >= count or command.values[index].text.startswith("-"):
            return  # no destination, or an interactive session
        self.remote_commands(command, index + 1, f"ssh {command.values[index].text}")

    def remote_commands(self, command: _Command, first: int, group: str) -> None:
        """Arguments ``first``… joined with spaces, as ssh (and docker-machine ssh) hand them to the
        remote shell: read as shell of the machine ``group``, when they mention docker."""
        count = len(command.values)
        joined = Mapped()
        for position in range(first, count):
            if position > first:
                joined.produce(" ", self.t.span(command.words[position - 1])[1])
            joined.extend(command.values[position])
        if not DOCKER_NEEDLES.search(joined.text.encode("utf-8", "surrogatepass")):
            return
        anchor = (self.t.span(command.words[first])[0], self.t.span(command.words[count - 1])[1])
        document = embedded_document(self.document, joined, f"{group} ssh" if not group.startswith("ssh ") else group, anchor)
        self._embedded.append((anchor[0], Embedded(document, "shell", templated=joined.expanded, group=group)))

    def _amazon_linux_extras(self, command: _Command, program: _Program) -> None:
        """``amazon-linux-extras install -y docker[=VERSION]``: Amazon Linux 2's engine topic
        (``enable docker`` only adds the repository: a later ``yum install docker`` installs it)."""
        args = [i for i in range(program.index + 1, len(command.values)) if not command.text(i).startswith("-")]
        if not args or command.text(args[0]) != "install":
            return
        for index in args[1:]:
            value = command.values[index]
            name, _, rest = value.text.partition("=")
            if name == "docker":
                version = None
                if rest and rest != "latest":
                    version = Mapped()
                    value.copy_into(version, len(name) + 1, value.length)
                self._package(command, index, "amazon-linux-extras", "docker", version)

    def _apt_split(self, value: Mapped) -> Tuple[str, Optional[Mapped]]:
        text = value.text
        if "=" not in text:
            return text.split("/", 1)[0].split(":", 1)[0], None
        cut = text.index("=")
        version = Mapped()
        value.copy_into(version, cut + 1, value.length)
        version.expanded = value.expanded and any(char in text[cut + 1 :] for char in "$`")
        return text[:cut].split(":", 1)[0], version

    def _rpm_split(self, value: Mapped) -> Tuple[str, Optional[Mapped]]:
        text = value.text
        for name in sorted(_RPM_ENGINE_NAMES, key=len, reverse=True):
            if text == name or re.fullmatch(re.escape(name) + r"\.(x86_64|aarch64|ppc64le|s390x|noarch)", text):
                return name, None
            if text.startswith(name + "-") and text[len(name) + 1 : len(name) + 2] in tuple("0123456789$*{"):
                version = Mapped()
                value.copy_into(version, len(name) + 1, value.length)
                version.expanded = value.expanded and any(char in text[len(name) + 1 :] for char in "$`")
                return name, version
        return text, None

    def _rpm(self, command: _Command, program: _Program) -> None:
        """yum/dnf install (also of .rpm files, by path or address, and localinstall), upgrade,
        versionlock."""
        manager = "yum" if program.name == "yum" else "dnf"
        args = self._operands(command, program, ("-c", "--config", "--installroot", "--releasever", "--enablerepo", "--disablerepo", "--repo", "--repoid", "-x", "--exclude", "--setopt", "--forcearch"))
        if not args:
            return
        verb = command.text(args[0])
        packages = args[1:]
        if verb in ("upgrade", "update", "distro-sync", "upgrade-minimal", "update-minimal"):
            self._upgrade(command, packages, manager, _RPM_ENGINE_NAMES, self._rpm_split)
        elif verb in ("install", "reinstall", "downgrade", "localinstall"):
            for index, value in self._package_words(command, packages):
                name, version = self._rpm_split(_rpm_file(value))
                if name in _RPM_ENGINE_NAMES:
                    self._package(command, index, manager, name, version)
        elif verb == "versionlock":
            locked = packages
            if locked and command.text(locked[0]) in ("add", "exclude", "list", "delete", "clear", "status"):
                if command.text(locked[0]) != "add":
                    return
                locked = locked[1:]
            for index, value in self._package_words(command, locked):
                name, _ = self._rpm_split(_literal(re.sub(r"^\d+:", "", value.text)))
                if name in _RPM_ENGINE_NAMES:
                    self._package(command, index, manager, name, None, pin="held")

    def _upgrade(self, command: _Command, packages: List[int], manager: str, names, split) -> None:
        if not packages:
            self.out.fragments.append(EnginePackage(source=self.source, document=self.document, manager=manager, name="*", pin="upgrade", location=self.location(command.node)))
            return
        for index, value in self._package_words(command, packages):
            name, _ = split(value)
            if name in names:
                self._package(command, index, manager, name, None, pin="upgrade")

    def _operands(self, command: _Command, program: _Program, value_options: Sequence[str]) -> List[int]:
        operands = []
        index = program.index + 1
        while index < len(command.values):
            text = command.text(index)
            if text in value_options:
                index += 2
                continue
            if not text.startswith("-"):
                operands.append(index)
            index += 1
        return operands

    def _apt_mark(self, command: _Command, program: _Program) -> None:
        args = self._operands(command, program, ("-o", "-c", "--option", "--config-file", "--file", "-f"))
        if not args or command.text(args[0]) != "hold":
            return
        for index, value in self._package_words(command, args[1:]):
            name, _ = self._apt_split(value)
            if name in ENGINE_NAMES:
                self._package(command, index, "apt", name, None, pin="held")

    def _dpkg(self, command: _Command, program: _Program) -> None:
        if "--set-selections" not in [command.text(i) for i in range(program.index + 1, len(command.values))]:
            return
        content = self.stdin(command)
        if content is None:
            return
        for line in content[0].text.splitlines():
            fields = line.split()
            if len(fields) == 2 and fields[1] == "hold" and fields[0].split(":", 1)[0] in ENGINE_NAMES:
                self.out.fragments.append(EnginePackage(source=self.source, document=self.document, manager="apt", name=fields[0].split(":", 1)[0], pin="held", location=self.location(command.node)))

    # -- get.docker.com ---------------------------------------------------------------------

    def _fetch(self, command: _Command, program: _Program) -> None:
        """curl/wget of get.docker.com: remember the name the script is saved under. Any other
        download saved as a daemon.json is a file whose content dlint cannot know."""
        texts = [command.text(i) for i in range(program.index + 1, len(command.values))]
        letter, long_names = ("o", ("--output",)) if program.name == "curl" else ("O", ("--output-document",))
        fetches_get_docker = any(host in text for text in texts for host in _GET_DOCKER)
        for position, text in enumerate(texts):
            index, skip = program.index + 1 + position, 0  # the word holding the path, and its prefix
            if text in long_names or re.fullmatch(r"-[a-zA-Z]*" + letter, text):
                index += 1
            elif text.startswith(tuple(name + "=" for name in long_names)):
                skip = text.index("=") + 1
            elif re.fullmatch(r"-[a-zA-Z]*" + letter + r".+", text) and not text.startswith("--"):
                skip = text.index(letter, 1) + 1
            else:
                continue
            if index >= len(command.values):
                continue
            path = Mapped()
            command.values[index].copy_into(path, skip, command.values[index].length)
            path.expanded = command.values[index].expanded
            if not path.text or path.text == "-":
                continue
            if fetches_get_docker:
                self.downloads.add(_base(path.text))
                self.download_urls[_base(path.text)] = " ".join(texts)
            else:
                self._opaque(command, path, f"it is downloaded by `{program.name}`", f"{program.name} {'-o' if program.name == 'curl' else '-O'}")

    def _fetches_get_docker(self, node) -> bool:
        command = self.command(node) if node is not None and node.type == "command" else None
        if command is None:
            return False
        program = self.program(command)
        if program is None or program.name not in ("curl", "wget"):
            return False
        return any(host in command.text(i) for i in range(program.index + 1, len(command.values)) for host in _GET_DOCKER)

    def _shell(self, command: _Command, program: _Program) -> None:
        index = program.index + 1
        count = len(command.values)
        mode = "file"
        while index < count:
            text = command.text(index)
            if text == "--":
                index += 1
                break
            if text in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
                index += 2
                continue
            if not text.startswith(("-", "+")) or text in ("-", "+"):
                break
            if not text.startswith("--") and "c" in text:
                mode = "command"
            elif not text.startswith("--") and "s" in text and mode != "command":
                mode = "stdin"
            index += 1
        if program.name == "busybox":
            return
        if mode == "file" and index >= count:
            mode = "stdin"
        if mode == "command":
            if index >= count:
                return
            string_node, string = command.words[index], command.values[index]
            if any(host in string.text for host in _GET_DOCKER) and ("$(" in string.text or "`" in string.text):
                self._get_docker(command, program, index + 2, script=False, url=string.text)
            elif DOCKER_NEEDLES.search(string.text.encode("utf-8", "surrogatepass")):
                start, end = self.t.span(string_node)
                document = embedded_document(self.document, string, f"{program.name} -c", (start, end))
                self._embedded.append((start, Embedded(document, "shell", templated=string.expanded)))
        elif mode == "stdin":
            previous = self._previous_command(command)
            if self._fetches_get_docker(previous):
                fetch = self.command(previous)
                url = " ".join(fetch.text(i) for i in range(len(fetch.values))) if fetch is not None else ""
                self._get_docker(command, program, index, script=False, span=self.structure.pipelines.get(command.element.id), url=url)
                return
            content = self.stdin(command)
            if content is not None and DOCKER_NEEDLES.search(content[0].text.encode("utf-8", "surrogatepass")):
                value, origin, anchor, templated = content
                document = embedded_document(self.document, value, f"{origin} | {program.name}", anchor)
                self._embedded.append((anchor[0], Embedded(document, "shell", templated=templated)))
        elif _base(command.text(index)) in self.downloads:
            self._get_docker(command, program, index + 1, script=True, url=self.download_urls.get(_base(command.text(index)), ""))
        elif self._resolved_path(command.values[index]) in self.placed:
            self._run_placed(command, command.values[index])
        elif mode == "file" and _SCRIPT_NAME.search(command.text(index)):
            self._run_script(command, command.values[index])
        elif mode == "file" and "$" in command.text(index) and self.folders is not None:
            for named, found in self._loop_items(command.node, command.values[index]):  # bash "$DIR/$step"
                self._run_script_found(command, named, found)

    def _run_script(self, command: _Command, value: Mapped) -> None:
        """A repository script this one runs (``./b.sh``, ``bash b.sh``): it runs on the same
        machine, so it is read as part of it, once (like ``source``, minus the variables, which a
        child shell does not share and which dlint does not carry into either)."""
        if self.folders is None:
            return
        found = self._repository_file(value)
        if found is None:
            for item in self._loop_items(command.node, value):  # for s in "${SCRIPTS[@]}"; do bash "$s"; done
                self._run_script_found(command, item[0], item[1])
            return  # not found from here (a `cd` dlint cannot follow may have moved it): nothing said
        self._run_script_found(command, value, found)

    def _loop_items(self, node, value: Mapped) -> List[Tuple[Mapped, Placed]]:
        """The repository scripts ``value`` names once for each word of the ``for`` loop around the
        command whose variable it uses: words written out (``for s in a.sh b.sh``) or the items of an
        array the script assigns as a literal (``SCRIPTS=(a.sh b.sh)``, ``"${SCRIPTS[@]}"``)."""
        loop = node.parent
        while loop is not None and loop.type != "for_statement":
            loop = loop.parent
        variable = loop.child_by_field_name("variable") if loop is not None else None
        if variable is None:
            return []
        name = self.t.raw(variable)
        if not re.search(r"\$\{?" + re.escape(name) + r"\b", value.text):
            return []
        words: List[str] = []
        for item in loop.children_by_field_name("value"):
            raw = self.t.raw(item)
            array = re.fullmatch(r'"?\$\{(\w+)\[[@*]\]\}"?', raw)
            if array is not None:
                words += _literal_array(self.t.text, array.group(1))
            elif "$" not in raw and "`" not in raw:
                words.append(raw.strip("'\""))
            else:
                return []
        out = []
        for word in words[:32]:
            text = re.sub(r"\$\{" + re.escape(name) + r"\}|\$" + re.escape(name) + r"\b", lambda _: word, value.text)
            named = _literal(text)
            named.expanded = "$" in text
            found = self._repository_file(named)
            if found is not None and _SCRIPT_NAME.search(found.rel or ""):
                out.append((named, found))
        return out

    def _run_script_found(self, command: _Command, value: Mapped, found: Placed) -> None:
        line = self.at(self.t.span(command.node)[0])
        shown = found.document.path
        if shown == self.document.path or any(step.path == shown for step in self.document.via):
            return  # it runs itself
        where = self.location(command.node)
        label = f"executes {value.text}"  # from the repository (_in_repository), unlike a placed file's "runs"
        document = Document(found.document.text, shown, via=where.trace + (TraceStep(where.path, where.line, where.column, label),))
        self.out.notes.append(f"{line}: {label}: read as part of this machine")
        self._embedded.append((self.t.span(command.node)[0], Embedded(document, "shell", reference=found.rel, placed=self.placed)))

    def _resolved_path(self, value: Mapped) -> Optional[str]:
        path = self._path(value) if self.placed else None
        return posixpath.normpath(path) if path else None

    def _run_placed(self, command: _Command, value: Mapped) -> None:
        """A script another tool put on the machine before this one runs (cloud-init write_files):
        running it (``/opt/x/install.sh ARGS``, ``bash /opt/x/install.sh``) is reading it, once."""
        path = self._resolved_path(value)
        found = self.placed[path]
        shown = found.document.path
        if found.document is self.document or found.rel and (shown == self.document.path or any(step.path == shown for step in self.document.via)):
            return  # it runs itself
        document = found.document  # text written by the same file (cloud-init write_files): mapped there
        if found.rel:  # a repository file: reached through this command
            where = self.location(command.node)
            document = Document(found.document.text, shown, via=where.trace + (TraceStep(where.path, where.line, where.column, f"runs {value.text}"),))
        self._embedded.append((self.t.span(command.node)[0], Embedded(document, "shell", reference=found.rel or None, placed=self.placed)))

    def _get_docker(self, command: _Command, program: _Program, first_arg: int, script: bool, span=None, url: str = "") -> None:
        """The get.docker.com script runs: VERSION from --version or the environment (provisioning-facts §3.3);
        Rancher's copy installs the release its name says."""
        rancher = _RANCHER_RELEASE.search(url)
        version: Optional[str] = program.env.get("VERSION") or (rancher.group(1) if rancher else None)
        version_index = None
        index = first_arg
        while index < len(command.values):
            if command.text(index) == "--version" and index + 1 < len(command.values):
                version_index = index + 1
                index += 1
            index += 1
        if version_index is not None:
            resolved = self.resolve(command.values[version_index])
            version = resolved if resolved is not None else command.text(version_index)
        if version is not None and version.startswith("v"):
            version = version[1:]
        location = self.location(span if span is not None else command.node)
        pin = pin_of(version) if version else "none"
        manager = "Rancher's install-docker script" if rancher else "get.docker.com"
        self.out.fragments.append(EnginePackage(source=self.source, document=self.document, manager=manager, name="docker-ce", version=version or None, pin=pin, location=location))

    # -- the running daemon -----------------------------------------------------------------

    def _action(self, command: _Command, action: str, init: str = "") -> None:
        self.out.fragments.append(ServiceAction(source=self.source, document=self.document, action=action, location=self.location(command.node), init=init))

    def _upstart(self, command: _Command, program: _Program) -> None:
        """``start docker``, ``restart docker``, ``initctl restart docker``: upstart's commands, so the
        machine runs upstart (Ubuntu 14.04), whose docker job reads /etc/default/docker."""
        texts = [command.text(i) for i in range(program.index + 1, len(command.values)) if not command.text(i).startswith("-")]
        verb, jobs = (texts[0], texts[1:]) if program.name == "initctl" and texts else (program.name, texts)
        if jobs[:1] == ["docker"] and verb in _SERVICE_ACTIONS:
            self._action(command, _SERVICE_ACTIONS[verb], init="upstart")

    def _systemctl(self, command: _Command, program: _Program) -> None:
        texts = [command.text(i) for i in range(program.index + 1, len(command.values))]
        options = [text for text in texts if text.startswith("-")]
        if "--user" in options or "-H" in options or any(text.startswith(("--host", "-M", "--machine")) for text in options):
            return
        operands = []
        skip = False
        for text in texts:
            if skip:
                skip = False
                continue
            if text in ("-s", "--signal", "-p", "--property", "-t", "--type", "--state", "--kill-whom", "--kill-value", "-n", "--lines", "-o", "--output", "--root", "--job-mode"):
                skip = True
            elif not text.startswith("-"):
                operands.append(text)
        if not operands:
            return
        verb, units = operands[0], operands[1:]
        if verb == "daemon-reload":
            self._action(command, "daemon-reload")
            return
        if not any(unit in ("docker", "docker.service") for unit in units):
            return
        if verb == "kill":
            signal = _signal_option(texts, ("-s", "--signal"))
            if signal == "HUP":
                self._action(command, "reload")
            elif signal in _STOP_SIGNALS or signal is None:
                self._action(command, "stop")
            return
        if verb == "disable" and "--now" in options:
            self._action(command, "stop")
            return
        for action in _SYSTEMCTL_ACTIONS.get(verb, ()):
            self._action(command, action)
        if verb == "enable" and "--now" in options:
            self._action(command, "start")

    def _service(self, command: _Command, program: _Program) -> None:
        texts = [command.text(i) for i in range(program.index + 1, len(command.values)) if not command.text(i).startswith("-")]
        if len(texts) >= 2 and texts[0] in ("docker", "docker.service") and texts[1] in _SERVICE_ACTIONS:
            self._action(command, _SERVICE_ACTIONS[texts[1]])

    def _init_script(self, command: _Command, program: _Program) -> None:
        texts = [command.text(i) for i in range(program.index + 1, len(command.values))]
        if texts and texts[0] in _SERVICE_ACTIONS:
            self._action(command, _SERVICE_ACTIONS[texts[0]])

    def _kill(self, command: _Command, program: _Program) -> None:
        texts = [command.text(i) for i in range(program.index + 1, len(command.values))]
        name = program.name
        signal_options, value_options = _KILL_OPTIONS[name]
        signal = _signal_option(texts, signal_options)
        patterns = []
        skip = False
        for text in texts:
            if skip:
                skip = False
                continue
            if text in value_options:
                skip = True
            elif not text.startswith("-"):
                patterns.append(text)
        full = "-f" in texts or "--full" in texts
        exact = "-x" in texts or "--exact" in texts
        if name == "kill":
            aimed = any("dockerd" in pattern or "docker.pid" in pattern for pattern in patterns)
        elif name == "killall":
            aimed = "dockerd" in patterns or "/usr/bin/dockerd" in patterns
        else:
            aimed = any(_pkill_matches(pattern, full, exact) for pattern in patterns)
        if not aimed:
            return
        if signal == "HUP":
            self._action(command, "reload")
        elif signal is None or signal in _STOP_SIGNALS:
            self._action(command, "stop")


def _landing(target: str, source: str, into: bool = False) -> str:
    """Where cp/install/mv put ``source``: a destination that is a folder (``/etc/docker/``, a
    ``-t`` folder, the last of several operands, or a folder whose file would be one dlint reads)
    takes the source's name."""
    joined = target.rstrip("/") + "/" + _base(source)
    folder_like = "." not in _base(target) or _base(target).endswith(".d")  # not daemon.json.bak
    if into or target.endswith("/") or folder_like and kind_for_target(joined) and not kind_for_target(target):
        return joined
    return target


def _expanded_in_replacement_only(expression: str) -> bool:
    """``s<d>PATTERN<d>REPLACEMENT<d>FLAGS`` whose only expansions ($NAME, ${NAME}) are in the
    replacement: what it matches is known, what it writes holds a value dlint does not know."""
    parsed = re.fullmatch(r"s(.)((?:(?!\1).)*)\1((?:(?!\1).)*)\1([gp0-9]*)", expression, re.S)
    if parsed is None or "$" in parsed.group(2).replace("$" + parsed.group(1), "") or "`" in parsed.group(3):
        return False
    pattern, replacement = parsed.group(2), parsed.group(3)
    if re.search(r"\$[A-Za-z_{(]", pattern) or "$(" in replacement or not re.search(r"\$[A-Za-z_{]", replacement):
        return False
    # each expansion inside the value of a --flag=value word: a whole word could be many flags
    return all(re.search(r"(?:^|\s)--[A-Za-z0-9-]+=[^\s$]*$", replacement[: m.start()]) for m in re.finditer(r"\$[A-Za-z_{]", replacement))


MASK = "x"  # as jinja.MASK (not imported: a shell scan needs no Jinja): what stands for a value dlint does not know


def _literal_array(text: str, name: str) -> List[str]:
    """The items of ``NAME=( a "b" 'c' )`` written once in the script as literal words; [] otherwise."""
    found = re.findall(r"(?m)^[ \t]*" + re.escape(name) + r"=\(([^()$`]*)\)", text[:MAX_ARRAY_SCAN])
    if len(found) != 1:
        return []
    return [word.strip("'\"") for word in re.findall(r"\"[^\"]*\"|'[^']*'|[^\s#]+", re.sub(r"(?m)#.*$", "", found[0]))]


MAX_ARRAY_SCAN = 256 * 1024


def _masked_expansions(value: Mapped) -> Mapped:
    """``value`` with each $NAME/${NAME} overwritten by the mask, character for character, each
    mask character mapped to the one it hides."""
    out = Mapped()
    text, last = value.text, 0
    for match in re.finditer(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*", text):
        value.copy_into(out, last, match.start())
        for offset in range(match.start(), match.end()):
            out.add(MASK, value.source(offset))
        last = match.end()
    value.copy_into(out, last, value.length)
    return out


def _in_place(command: _Command, args: List[int]) -> bool:
    return any(re.fullmatch(r"-[a-zA-Z]*i.*|--in-place(=.*)?", command.text(i)) for i in args)


def _in_repository(document: Document) -> bool:
    """The script runs from its folder in the repository: a file read in place, or one such a
    script sources. A script another tool uploads and runs (Packer, Terraform) is not: its
    ``$0`` and working directory are elsewhere on the machine."""
    if document.parent is not None:
        return False
    return not document.via or document.via[-1].label.startswith(("source ", ". ", "executes "))


def _continues_text(text: str, start: int, end: int) -> bool:
    count = 0
    index = end - 1
    while index >= start and text[index] == "\\":
        count += 1
        index -= 1
    return count % 2 == 1


def _unescape_heredoc(body: Mapped, value: Mapped) -> bool:
    """The backslash rule of an unquoted here-document body (provisioning-facts §3.1): \\$, \\`,
    \\\\ lose the backslash, \\-newline disappears, any other \\x stays. True when the body holds a
    $ or ` expansion."""
    text = body.text
    templated = False
    run = 0
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\\" and index + 1 < size and text[index + 1] in "$`\\\n":
            body.copy_into(value, run, index)
            if text[index + 1] != "\n":
                body.copy_into(value, index + 1, index + 2)
            index += 2
            run = index
        elif char == "`" or char == "$" and index + 1 < size and _EXPANSION_START.match(text, index + 1):
            templated = True
            index += 1
        else:
            index += 1
    body.copy_into(value, run, size)
    return templated


def _rpm_file(value: Mapped) -> Mapped:
    """``http://x/docker-ce-18.09.0-3.el7.x86_64.rpm`` (or a path): the package file's name
    without ``.rpm``, which reads as a name and version; anything else as it is."""
    text = value.text
    if not text.endswith(".rpm"):
        return value
    out = Mapped()
    value.copy_into(out, text.rfind("/") + 1, len(text) - len(".rpm"))
    out.expanded = value.expanded and any(char in out.text for char in "$`")
    return out


def _literal(text: str) -> Mapped:
    value = Mapped()
    value.add(text, 0)
    value.expanded = "$" in text or "`" in text
    return value


def _signal_option(texts: Sequence[str], signal_options: Sequence[str]) -> Optional[str]:
    """The signal named by kill/pkill/killall/systemctl kill options, without SIG; None for the default."""
    for position, text in enumerate(texts):
        value = None
        if text in signal_options and position + 1 < len(texts):
            value = texts[position + 1]
        elif text.startswith("--signal="):
            value = text.split("=", 1)[1]
        elif re.fullmatch(r"-(SIG)?[A-Z]+[0-9]*|-\d+", text):
            value = text[1:]
        if value is not None:
            value = value.upper()
            value = value[3:] if value.startswith("SIG") else value
            return "HUP" if value == "1" else value
    return None


def _pkill_matches(pattern: str, full: bool, exact: bool) -> bool:
    if "$" in pattern or "`" in pattern:
        return False
    subject = "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock" if full else "dockerd"
    compiled = linear_or_none(pattern)  # the repository's pattern: RE2, linear time
    if compiled is None:
        return "dockerd" in pattern
    return bool(compiled.fullmatch(subject) if exact else compiled.search(subject))


_HANDLERS: Dict[str, object] = {
    "dockerd": _Reader._dockerd,
    "docker": _Reader._docker,
    "apt-get": _Reader._apt,
    "apt": _Reader._apt,
    "aptitude": _Reader._apt,
    "yum": _Reader._rpm,
    "amazon-linux-extras": _Reader._amazon_linux_extras,
    "apk": _Reader._apk,
    "ssh": _Reader._remote,
    "dnf": _Reader._rpm,
    "dnf5": _Reader._rpm,
    "microdnf": _Reader._rpm,
    "apt-mark": _Reader._apt_mark,
    "dpkg": _Reader._dpkg,
    "systemctl": _Reader._systemctl,
    "service": _Reader._service,
    "start": _Reader._upstart,
    "stop": _Reader._upstart,
    "restart": _Reader._upstart,
    "initctl": _Reader._upstart,
    "invoke-rc.d": _Reader._service,
    "kill": _Reader._kill,
    "pkill": _Reader._kill,
    "killall": _Reader._kill,
    "curl": _Reader._fetch,
    "wget": _Reader._fetch,
    "source": _Reader._source,
    "cd": _Reader._cd,
    ".": _Reader._source,
    "docker-machine": docker_machine.read,  # its own machines: linter/sources/docker_machine.py
    "dockerd-rootless.sh": _Reader._dockerd,  # passes its arguments to dockerd
    "dockerd-rootless-setuptool.sh": rootless.setuptool,  # install writes the user unit: linter/rootless.py
}

_INTERESTING = frozenset(_HANDLERS) | _SHELLS | _WRAPPERS | {"cat", "echo", "printf", "tee", "install", "cp", "dd", "mv", "sed", "perl"}


# ------------------------------------------------------------------------------------------
# The kind

class ShellKind(ShellClaims, SourceKind):
    name = "shell"
    summary = "shell scripts: files written (heredocs, tee, echo), dockerd flags, swarm, engine packages, service restarts"
    def read(self, document: Document, context: ReadContext) -> Extraction:
        language = program_script.interpreter(document.text)
        if language is not None:  # a Python or Perl user-data script: no shell to read
            return program_script.read(document, context, language)
        return _Reader(document, context).read()

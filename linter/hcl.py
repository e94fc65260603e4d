"""HCL (Terraform, Packer HCL2) read with tree-sitter-hcl, every string value mapped exactly.

What the Terraform and Packer source kinds share: the parse, blocks and attributes, and the value
of an expression as far as it is literal (provisioning-facts §5.1, §5.2):

- quoted strings with their escapes (``\\n``, ``\\"``, ``\\uNNNN``) and heredocs (``<<EOF``,
  ``<<-EOF`` with HCL's dedent: the smallest leading white space of the lines that start with
  literal text, blank lines ignored, a line that starts with ``${``/``%{`` counting 0), ``$${`` and
  ``%%{`` unescaped, strip markers (``${~ x ~}``) applied before the dedent, as hclsyntax does; each character keeps the offset it comes
  from, so an embedded document maps back exactly (``Document(pieces=...)``);
- template sequences (``${var.x}``, ``%{ if }``) are values dlint cannot know: they stay in the text
  as written and the value is *templated*;
- ``"${x}"`` alone is ``x``; ``(x)`` is ``x``; ``local.NAME`` is the ``locals`` attribute of this file;
- wrappers whose inner text is what the machine receives (``base64encode``, ``base64gzip``) are
  looked through, with a step in the label;
- ``file()``, ``filebase64()`` and ``templatefile()`` name a repository file: its path, relative to
  the folder of the HCL file (``${path.module}``/``${path.root}``/``${path.cwd}`` resolved to it),
  is read only when it lies inside the project (``..`` escapes, absolute paths and symbolic links
  are refused with a note). It becomes a document of its own, reached ``via`` the call.

- ``jsonencode()``/``yamlencode()`` of values written in HCL give the text Terraform writes, each
  value mapped to where it stands (``linter/hcl_encode.py``), also spliced into a template
  (``"#cloud-config\n${yamlencode(local.cloud)}"``).

Nothing is evaluated beyond that: no other function, no variable, no data source of another file;
nothing is executed.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import field
from .lazyclass import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .budget import Deadline, Overrun
from .document import Document
from .fragments import SyntaxProblem
from .location import TraceStep
from .mapped import Mapped, Offsets, embedded_document
from .sources import HEAD_BYTES, Embedded, ReadContext, kind_for_target

MAX_LOCAL_DEPTH = 8  # local.a = local.b = ... followed this deep
MAX_REFERENCE_BYTES = 4 * 1024 * 1024  # as discovery's limit

# the grammar's template sequences: ${...} and each %{...} marker of a directive
_SEQUENCES = frozenset(
    {"template_interpolation", "template_if_intro", "template_else_intro", "template_if_end", "template_for_start", "template_for_end"}
)
_DIRECTIVES = frozenset({"template_directive", "template_if", "template_for"})
# Go's unicode.IsSpace (hclsyntax trims and counts with it)
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(chr(c) for c in range(0x2000, 0x200B)))
_QUOTED_ESCAPE = re.compile(r"\\(?:([nrt\"\\])|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))|\$\$\{|%%\{")
_HEREDOC_ESCAPE = re.compile(r"\$\$\{|%%\{")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_PATH_VARIABLE = re.compile(r"^path\.(module|root|cwd)$")

# functions whose argument is what the machine gets, encoded on the way
WRAPPERS = frozenset({"base64encode", "base64gzip"})
# functions whose value Terraform writes as text (linter/hcl_encode.py)
ENCODERS = frozenset({"jsonencode", "yamlencode"})
# functions that name a repository file
FILE_FUNCTIONS = frozenset({"file", "filebase64", "templatefile"})


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter_hcl
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_hcl.language()))


# ------------------------------------------------------------------------------------------
# The parse


@dataclass
class Attribute:
    name: str
    node: object  # the attribute node
    expr: object  # its expression node


@dataclass
class Block:
    type: str
    labels: List[str]
    node: object
    body: Optional[object]  # the body node (None for an empty block)


MAX_HCL_BYTES = 1 << 20  # a Terraform or Packer file (the largest seen in real repositories: 45 KB)
_OVERRUNS: Dict[int, str] = {}  # hash of text -> why its parse was cut: a sibling read again fails at once


def _first_parse(deadline: Deadline, data: bytes):
    if len(data) > MAX_HCL_BYTES:
        raise Overrun(f"the HCL is over {MAX_HCL_BYTES >> 20} MiB: tree-sitter-hcl takes about 170 bytes of memory per byte of it; not analysed")
    key = hash(data)
    if key in _OVERRUNS:
        raise Overrun(_OVERRUNS[key])
    try:
        return deadline.parse(_parser(), data, "the HCL")
    except Overrun as err:
        if len(_OVERRUNS) >= 64:
            _OVERRUNS.clear()
        _OVERRUNS[key] = str(err)
        raise


class Hcl:
    """A document parsed as HCL native syntax; positions in characters of ``document.text``."""

    def __init__(self, document: Document):
        self.document = document
        self.text = document.text
        data = self.text.encode("utf-8", "surrogatepass")
        self._offsets = Offsets(self.text)
        self._deadline = Deadline()  # one budget for the parse and every repair parse
        self.tree = _first_parse(self._deadline, data)
        self.repaired: List[Tuple[int, str]] = []  # (offset, what) of Terraform 0.11 forms read as 0.11 did
        if self.tree.root_node.has_error:
            data = self._repair_legacy(data)
        self._source = data  # kept alive as long as the tree whose nodes read it
        self.root = self.tree.root_node

    def _repair_legacy(self, data: bytes) -> bytes:
        """Terraform 0.11 (HCL1) forms HCL2 refuses, where they make the parse fail: a comma after
        an argument (``ami = "x",``), a quoted argument name in a block (``"Name" = "x"``)
        (machines-facts §3.1) and a name with dots (``guestinfo.coreos.config.data = "..."``). tree-sitter-hcl's error recovery misreads them (it may take the
        next argument's value for this one), so the bytes it parses get them blanked, same length,
        and a repair is kept only when it leaves fewer errors. Values are still read from the
        text as written: the blanked characters are never part of one."""
        errors = _error_count(self.tree.root_node)
        for _ in range(MAX_REPAIR_ROUNDS):
            candidates = _legacy_candidates(data, _error_spans(self.tree.root_node))
            best = None
            # all at once when that parses; else the one repair that helps most
            for chosen in [candidates] + [[c] for c in candidates[:MAX_REPAIR_CANDIDATES]] if candidates else []:
                trial = _blank(data, chosen)
                try:
                    tree = self._deadline.parse(_parser(), trial, "the HCL")
                except Overrun:  # out of budget: keep the best repair so far
                    return self._take(best, data)
                count = _error_count(tree.root_node)
                if count < errors and (best is None or count < best[2]):
                    best = (trial, tree, count, chosen)
                if best is not None and best[2] == 0:
                    break
            if best is None:
                break
            data = self._take(best, data)
            errors = best[2]
            if errors == 0:
                break
        return data

    def _take(self, best, data: bytes) -> bytes:
        """Keep a repair (trial bytes, tree, errors, what was blanked); the bytes parsed."""
        if best is None:
            return data
        trial, self.tree, _, chosen = best
        self.repaired.extend((self.char(offset), what) for offset, _, what in chosen)
        return trial

    def char(self, byte: int) -> int:
        return self._offsets.char(byte)

    def span(self, node) -> Tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)

    def source(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def errors(self, limit: int = 3) -> List[int]:
        """Offsets of the first syntax errors (ERROR or missing nodes)."""
        found: List[int] = []
        if not self.root.has_error:
            return found
        stack = [self.root]
        while stack and len(found) < limit:
            node = stack.pop()
            if node.type == "ERROR" or node.is_missing:
                found.append(self.char(node.start_byte))
                continue
            if node.has_error:
                stack.extend(reversed(node.children))
        return sorted(found)

    def syntax_problems(self, source, tool: str) -> List[SyntaxProblem]:
        """DKD904 at the first syntax error, a warning: tree-sitter-hcl may refuse what HCL accepts."""
        if not self.root.has_error:
            return []
        message = f"an HCL syntax error: {tool} refuses the configuration (what parses around it was still read)"
        where = self.document.location(self.char(_stop(self.root)))
        return [SyntaxProblem(source, self.document, reason=message, location=where, severity="warning")]

    # -- structure -------------------------------------------------------------------------

    def top_body(self):
        for child in self.root.children:
            if child.type == "body":
                return child
        return None

    def blocks(self, body, type_: Optional[str] = None) -> List[Block]:
        found = []
        for child in body.children if body is not None else ():
            if child.type != "block":
                continue
            kinds = [c for c in child.children if c.type == "identifier"]
            if not kinds:
                continue
            name = self.source(kinds[0])
            if type_ is not None and name != type_:
                continue
            labels, inner = [], None
            for c in child.children[1:]:
                if c.type == "string_lit":
                    labels.append(self.literal_label(c))
                elif c.type == "identifier":
                    labels.append(self.source(c))
                elif c.type == "body":
                    inner = c
            found.append(Block(name, labels, child, inner))
        return found

    def top_blocks(self, types: Sequence[str]) -> List[Block]:
        """The top-level blocks of these types. In a file with syntax errors, also those that error
        recovery nested inside another block (a missing ``}``): top-level types never nest."""
        found: List[Block] = []
        pending = [self.top_body()]
        while pending:
            body = pending.pop(0)
            for block in self.blocks(body):
                if block.type in types:
                    found.append(block)
                if self.root.has_error and block.body is not None:
                    pending.append(block.body)
        found.sort(key=lambda b: b.node.start_byte)
        return found

    def literal_label(self, node) -> str:
        start, end = self.span(node)
        return self.text[start + 1 : end - 1] if end - start >= 2 else ""

    def attributes(self, body) -> Dict[str, Attribute]:
        """The attributes of a body by name (HCL refuses a name given twice; the first is kept)."""
        found: Dict[str, Attribute] = {}
        for child in body.children if body is not None else ():
            if child.type != "attribute":
                continue
            named = [c for c in child.children if c.is_named]
            if len(named) < 2 or named[0].type != "identifier":
                continue
            found.setdefault(self.source(named[0]), Attribute(self.source(named[0]), child, named[-1]))
        return found

    # -- expressions ---------------------------------------------------------------------------

    @staticmethod
    def inner(node):
        """Through ``expression`` wrappers, parentheses, ``literal_value``, ``template_expr`` and
        ``collection_value`` to the node that says what the expression is."""
        while node is not None:
            named = [c for c in node.children if c.is_named and c.type != "comment"]
            if node.type in ("expression", "literal_value", "template_expr", "collection_value") and len(named) == 1:
                node = named[0]
            else:
                return node
        return node

    def traversal(self, node) -> Optional[List[str]]:
        """``data.cloudinit_config.x.rendered`` -> its names (indexes skipped); None if not one."""
        if node is not None and node.type == "variable_expr":
            return [self.source(node)]
        if node is None or node.type != "expression":
            return None
        parts: List[str] = []
        for child in node.children:
            if child.type == "variable_expr" and not parts:
                parts.append(self.source(child))
            elif child.type == "get_attr" and parts:
                names = [c for c in child.children if c.type == "identifier"]
                if not names:
                    return None
                parts.append(self.source(names[0]))
            elif child.type == "index" and parts:
                continue
            else:
                return None
        return parts or None

    def call(self, node) -> Optional[Tuple[str, list]]:
        """A function call: its name and argument expressions."""
        node = self.inner(node)
        if node is None or node.type != "function_call":
            return None
        name = args = None
        for child in node.children:
            if child.type == "identifier" and name is None:
                name = self.source(child)
            elif child.type == "function_arguments":
                args = [c for c in child.children if c.type == "expression"]
        return (name or "", args or [])

    def tuple_items(self, node) -> Optional[list]:
        node = self.inner(node)
        if node is None or node.type != "tuple":
            return None
        return [c for c in node.children if c.type == "expression"]

    def object_items(self, node) -> Optional[List[Tuple[str, object, object]]]:
        """(key, key node, value expression) of an object constructor, keys literal or bare."""
        node = self.inner(node)
        if node is None or node.type != "object":
            return None
        items = []
        for elem in node.children:
            if elem.type != "object_elem":
                continue
            exprs = [c for c in elem.children if c.type == "expression"]
            if len(exprs) != 2:
                continue
            key_node = self.inner(exprs[0])
            if key_node is not None and key_node.type == "string_lit":
                key = self.literal_label(key_node)
            elif key_node is not None and key_node.type == "variable_expr":
                key = self.source(key_node)
            else:
                continue
            items.append((key, exprs[0], exprs[1]))
        return items

    def string(self, node, splice: Optional[Callable] = None) -> Optional["Text"]:
        """The value of a string expression (quoted or heredoc), or None when it is not one.
        ``splice(interpolation)`` may give the text of a ``${...}`` (Evaluator.encoded's triple)."""
        node = self.inner(node)
        if node is None or node.has_error:
            return None
        if node.type in ("string_lit", "quoted_template"):
            return self._quoted(node, splice)
        if node.type == "heredoc_template":
            return self._heredoc(node, splice)
        return None

    def only_interpolation(self, node):
        """``"${x}"``: the expression x when a quoted template is one interpolation and nothing else."""
        node = self.inner(node)
        if node is None or node.type != "quoted_template":
            return None
        inner = [c for c in node.children if c.type not in ("quoted_template_start", "quoted_template_end")]
        if len(inner) != 1 or inner[0].type != "template_interpolation":
            return None
        start, end = self.span(node)
        if self.span(inner[0]) != (start + 1, end - 1):
            return None
        if any(c.type == "strip_marker" for c in inner[0].children):
            return None
        exprs = [c for c in inner[0].children if c.type == "expression"]
        return exprs[0] if len(exprs) == 1 else None

    # -- strings -----------------------------------------------------------------------------

    @staticmethod
    def _sequences(node, out: list) -> None:
        """The template sequences of a template, in order, however deep directives nest."""
        stack = [iter(node.children)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
            elif child.type in _SEQUENCES:
                out.append(child)
            elif child.type in _DIRECTIVES:
                stack.append(iter(child.children))

    def _tokens(self, node, start: int, end: int, heredoc: bool) -> List["_Token"]:
        """Literal runs (heredoc ones cut after each newline) and template sequences, in order."""
        sequences: list = []
        self._sequences(node, sequences)
        tokens: List[_Token] = []
        cursor = start
        text = self.text

        def literal(a: int, b: int) -> None:
            while a < b:
                cut = text.find("\n", a, b) if heredoc else -1
                stop = b if cut < 0 else cut + 1
                tokens.append(_Token(a, stop, True))
                a = stop

        for sequence in sequences:
            s, e = self.span(sequence)
            if s < cursor or e > end:
                continue
            literal(cursor, s)
            children = sequence.children
            left = len(children) > 1 and children[1].type == "strip_marker"
            right = len(children) > 2 and children[-2].type == "strip_marker"
            tokens.append(_Token(s, e, False, left, right, sequence))
            cursor = e
        literal(cursor, end)
        return tokens

    def _quoted(self, node, splice=None) -> "Text":
        start, end = self.span(node)
        body_start = start + 1 if self.text[start : start + 1] == '"' else start
        body_end = end - 1 if end - 1 >= body_start and self.text[end - 1 : end] == '"' else end
        tokens = self._tokens(node, body_start, body_end, heredoc=False)
        _strip(tokens, self.text)
        return self._render(tokens, (start, end), _QUOTED_ESCAPE, splice)

    def _heredoc(self, node, splice=None) -> Optional["Text"]:
        idents = [c for c in node.children if c.type == "heredoc_identifier"]
        opener = [c for c in node.children if c.type == "heredoc_start"]
        if len(idents) != 2 or not opener or idents[1].is_missing:
            return None
        start, end = self.span(node)
        text = self.text
        newline = text.find("\n", self.char(idents[0].end_byte))
        close = self.char(idents[1].start_byte)
        if newline < 0 or newline >= close:
            return None
        body_start = newline + 1
        body_end = text.rfind("\n", body_start - 1, close) + 1  # the closing line's start
        body_end = max(body_end, body_start)
        tokens = self._tokens(node, body_start, body_end, heredoc=True)
        _strip(tokens, text)
        if self.source(opener[0]) == "<<-":
            _flush(tokens, text)
        return self._render(tokens, (start, end), _HEREDOC_ESCAPE, splice)

    def _render(self, tokens: List["_Token"], span: Tuple[int, int], escapes, splice=None) -> "Text":
        text = self.text
        value = Mapped()
        templated = False
        pieces: List[Tuple[Mapped, Optional[Document]]] = []  # spliced texts, between runs of value
        home: Optional[Document] = None  # the other file of the module a spliced text stands in
        for token in tokens:
            got = splice(token.node) if splice is not None and not token.literal and token.node is not None else None
            if got is not None and (got[2] is None or home is None or got[2] is home):
                pieces += [(value, None), (got[0], got[2])]
                value = Mapped()
                templated = templated or got[1]
                home = home or got[2]
                continue
            if not token.literal:
                templated = True
                value.add(text[token.start : token.end], token.start)
                continue
            cursor = token.start
            for match in escapes.finditer(text, token.start, token.end):
                value.add(text[cursor : match.start()], cursor)
                if match.group(0) in ("$${", "%%{"):
                    value.add(match.group(0)[1:], match.start() + 1)  # the first character goes
                else:
                    value.produce(_unescape(match), match.start())
                cursor = match.end()
            value.add(text[cursor : token.end], cursor)
        if pieces:
            value = _joined(pieces + [(value, None)], home)
        return Text(value, span, templated, home)


MAX_REPAIR_ROUNDS = 32
MAX_REPAIR_CANDIDATES = 16
# at the end of a line (before a comment): the comma HCL1 allowed after an argument
_TRAILING_COMMA = re.compile(rb",[ \t]*(?:(?:#|//).*)?$", re.M)
# at the start of a line: a quoted argument name (HCL1 object keys could be strings)
_QUOTED_NAME = re.compile(rb'^[ \t]*(")[A-Za-z_][A-Za-z0-9_-]*(")[ \t]*=(?!=)', re.M)
# at the start of a line: an argument name with dots (HCL1: guestinfo.coreos.config.data = ...)
_DOTTED_NAME = re.compile(rb"^[ \t]*[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+[ \t]*=(?!=)", re.M)


def _error_spans(root) -> List[Tuple[int, int]]:
    spans: List[Tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            spans.append((node.start_byte, max(node.end_byte, node.start_byte + 1)))
        elif node.has_error:
            stack.extend(node.children)
    return spans


def _stop(root) -> int:
    """Where the parse went wrong: a missing token, or where the parser gave up inside the first
    ERROR node (its last piece: an unclosed block spans from its start to there)."""
    node = root
    while True:
        if node.is_missing:
            return node.start_byte
        if node.type == "ERROR":
            return node.children[-1].start_byte if node.children else node.start_byte
        broken = [child for child in node.children if child.has_error or child.is_missing]
        if not broken:
            return node.start_byte
        node = broken[0]


def _error_count(root) -> int:
    return len(_error_spans(root)) if root.has_error else 0


def _legacy_candidates(data: bytes, spans: List[Tuple[int, int]]) -> List[Tuple[int, Tuple[int, ...], str]]:
    """(offset, the characters to blank, what) of 0.11 forms on the lines the errors touch."""
    found = {}
    for start, end in spans:
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", end)
        line_end = len(data) if line_end < 0 else line_end
        # the line before too: recovery often starts after the comma that caused it
        line_start = data.rfind(b"\n", 0, max(line_start - 1, 0)) + 1
        for match in _TRAILING_COMMA.finditer(data, line_start, line_end):
            found[match.start()] = (match.start(), (match.start(),), "a comma after an argument")
        for match in _QUOTED_NAME.finditer(data, line_start, line_end):
            found[match.start(1)] = (match.start(1), (match.start(1), match.start(2)), "a quoted argument name")
        for match in _DOTTED_NAME.finditer(data, line_start, line_end):
            dots = tuple(match.start() + i for i, byte in enumerate(match.group()) if byte == ord("."))
            found[dots[0]] = (dots[0], dots, "an argument name with dots")
    return [found[key] for key in sorted(found)]


def _blank(data: bytes, candidates: Sequence[Tuple[int, Tuple[int, ...], str]]) -> bytes:
    """``data`` with the one-character marks of these candidates made spaces (commas, quotes), or
    underscores (the dots of a name, which stays one name)."""
    out = bytearray(data)
    for _, marks, what in candidates:
        for mark in marks:
            out[mark : mark + 1] = b"_" if what == "an argument name with dots" else b" "
    return bytes(out)


@dataclass
class _Token:
    start: int
    end: int
    literal: bool
    strip_left: bool = False  # ${~ / %{~ : white space before it is removed
    strip_right: bool = False  # ~} : white space after it is removed
    node: object = None  # a template sequence's node


def _joined(pieces: List[Tuple[Mapped, Optional[Document]]], home: Optional[Document]) -> Mapped:
    """A template's runs and spliced texts as one value. When a spliced text stands in another
    file (``home``), the value is that file's: the runs of this one map to where it starts."""
    out = Mapped()
    anchor = next((m.source(0) for m, h in pieces if h is not None and m.length), 0)
    for mapped, where in pieces:
        if home is not None and where is None:
            if mapped.length:
                out.produce(mapped.text, anchor)
        else:
            out.extend(mapped)
    return out


def _strip(tokens: List[_Token], text: str) -> None:
    """Strip markers, as hclsyntax's parseTemplateParts applies them (before a heredoc's dedent):
    ``${~`` trims the white space that ends the literal before, ``~}`` the one that starts the
    literal after."""
    for index, token in enumerate(tokens):
        if token.literal:
            continue
        if token.strip_left and index > 0 and tokens[index - 1].literal:
            before = tokens[index - 1]
            while before.end > before.start and text[before.end - 1] in _GO_SPACE:
                before.end -= 1
        if token.strip_right and index + 1 < len(tokens) and tokens[index + 1].literal:
            after = tokens[index + 1]
            while after.start < after.end and text[after.start] in _GO_SPACE:
                after.start += 1


def _unescape(match: "re.Match[str]") -> str:
    if match.group(1):
        return _SIMPLE[match.group(1)]
    code = int(match.group(2) or match.group(3), 16)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def _flush(tokens: List[_Token], text: str) -> None:
    """hclsyntax flushHeredocTemplateParts: remove the smallest leading white space of the lines."""
    smallest = None
    adjust: List[_Token] = []
    newline = True
    for token in tokens:
        if newline:
            newline = False
            if token.literal:
                line = text[token.start : token.end]
                stripped = line.lstrip("".join(_GO_SPACE))
                if not stripped and line.endswith("\n"):
                    spaces = None  # a blank line does not count
                else:
                    spaces = len(line) - len(stripped)
                    adjust.append(token)
            else:
                spaces = 0  # a line that starts with ${ or %{ cannot be adjusted
            if spaces is not None and (smallest is None or spaces < smallest):
                smallest = spaces
        if token.literal and text[token.start : token.end].endswith("\n"):
            newline = True
    for token in adjust:
        token.start = min(token.end, token.start + (smallest or 0))


@dataclass
class Text:
    """A string value: its text mapped to document offsets, the expression's span, and whether it
    holds template sequences dlint cannot evaluate."""

    value: Mapped
    span: Tuple[int, int]
    templated: bool
    home: Optional[Document] = None  # the other file of the module its text maps into (hcl_encode)

    @property
    def text(self) -> str:
        return self.value.text


# ------------------------------------------------------------------------------------------
# What an expression gives


@dataclass
class Inline:
    """Text that stands in this document."""

    text: Text
    labels: Tuple[str, ...]
    variant: Tuple[str, ...] = ()  # the branches of conditionals it stands in ("if var.swarm")
    document: Optional[Document] = None  # the document it stands in, when not the reader's own


@dataclass
class FileRef:
    """A repository file an expression names (file(), templatefile(), a provisioner's source)."""

    rel: str  # repository-relative posix path
    display: str  # as findings name it
    template: bool  # templatefile(): its ${...} and %{...} are rendered
    span: Tuple[int, int]  # the call in this document
    labels: Tuple[str, ...]
    variant: Tuple[str, ...] = ()
    document: Optional[Document] = None  # the document the call stands in, when not the reader's own


@dataclass
class Traversal:
    """A reference the caller resolves (``data.cloudinit_config.x.rendered``)."""

    parts: List[str]
    span: Tuple[int, int]
    labels: Tuple[str, ...]
    variant: Tuple[str, ...] = ()
    document: Optional[Document] = None  # the document it stands in, when not the reader's own


@dataclass
class Evaluator:
    """Values of expressions as far as they are literal; what is not is said in ``notes``."""

    hcl: Hcl
    files: "Files"
    word: str  # first word of the notes: terraform, packer
    notes: List[str] = field(default_factory=list)
    locals: Dict[str, Attribute] = field(default_factory=dict)
    # the document values stand in, when another reader's (a file of the same Terraform module,
    # reached from a resource: it carries the way there); values say so, so they map into it
    origin: Optional[Document] = None
    # local.NAME defined in another file of the module: outer_locals(name, this evaluator, the
    # reference's span, its labels) gives (that file's Evaluator, the attribute, the labels to go on with)
    outer_locals: Optional[Callable[..., Optional[Tuple["Evaluator", Attribute, Tuple[str, ...]]]]] = None

    def __post_init__(self):
        for block in self.hcl.top_blocks(("locals",)):
            for name, attribute in self.hcl.attributes(block.body).items():
                self.locals.setdefault(name, attribute)

    def note(self, offset: int, message: str) -> None:
        self.notes.append(f"{self.word}: {self.hcl.document.location(offset)}: {message}")

    def values(self, node, labels: Tuple[str, ...], depth: int = 0) -> List[object]:
        return self._stamped(self._values(node, labels, depth))

    def _stamped(self, values):
        """Values made here say which document they stand in, when it is not the reader's."""
        if self.origin is not None:
            for value in values if isinstance(values, list) else [values]:
                if value is not None and value.document is None:
                    value.document = self.origin
        return values

    def _values(self, node, labels: Tuple[str, ...], depth: int = 0) -> List[object]:
        """What an expression gives, as far as it is literal: Inline, FileRef or Traversal values;
        [] with a note when it is not known (a variable, a function dlint does not evaluate), []
        for null. A conditional gives what each branch gives; when both give something, each
        value says which branch in its ``variant`` (a machine configured one way or the other)."""
        hcl = self.hcl
        inner = hcl.inner(node)
        if inner is None:
            return []
        span = hcl.span(inner)
        label = " › ".join(labels)
        if depth > MAX_LOCAL_DEPTH:
            self.note(span[0], f"{label}: references nested too deep; not followed")
            return []
        if inner.has_error:
            self.note(span[0], f"{label}: does not parse; not read")
            return []
        if inner.type == "null_lit":
            return []
        if inner.type == "conditional":
            return self._conditional(inner, labels, depth)
        alone = hcl.only_interpolation(inner)
        if alone is not None:
            return self.values(alone, labels, depth + 1)
        text = hcl.string(inner, lambda sequence: self._splice(sequence, labels))
        if text is not None:
            return [Inline(text, labels, document=text.home)]
        call = hcl.call(inner)
        if call is not None:
            name, args = call
            if name in WRAPPERS and len(args) == 1:
                return self.values(args[0], labels + (f"{name}()",), depth + 1)
            if name in ENCODERS and len(args) == 1:
                encoded = self.encoded(name, args[0], labels)
                if encoded is None:
                    return []
                mapped, unknown, home = encoded
                return [Inline(Text(mapped, span, unknown, home), labels + (f"{name}()",), document=home)]
            if name in FILE_FUNCTIONS and args:
                ref = self.file_ref(args[0], name, labels, span=span)
                return [ref] if ref is not None else []
            self.note(span[0], f"{label}: {name}() is not evaluated; its value is not read")
            return []
        parts = hcl.traversal(inner)
        if parts is not None:
            if parts[0] == "local" and len(parts) >= 2:
                attribute = self.locals.get(parts[1])
                if attribute is None:
                    outer = self.outer_locals(parts[1], self, span, labels) if self.outer_locals is not None else None
                    if outer is not None:
                        evaluator, attribute, outer_labels = outer
                        return evaluator.values(attribute.expr, outer_labels, depth + 1)
                    self.note(span[0], f"{label}: local.{parts[1]} is not defined in this module; not read")
                    return []
                return self.values(attribute.expr, labels + (f"local.{parts[1]}",), depth + 1)
            return [Traversal(parts, span, labels)]
        self.note(span[0], f"{label}: not a literal value; not read")
        return []

    def _splice(self, sequence, labels: Tuple[str, ...]):
        """The text of ``${jsonencode(x)}``/``${yamlencode(x)}`` in a template (Hcl.string's splice)."""
        if sequence.type != "template_interpolation":
            return None
        exprs = [c for c in sequence.children if c.type == "expression"]
        call = self.hcl.call(exprs[0]) if len(exprs) == 1 else None
        if call is None or call[0] not in ENCODERS or len(call[1]) != 1:
            return None
        return self.encoded(call[0], call[1][0], labels)

    def through_locals(self, node, labels: Tuple[str, ...]):
        """(evaluator, expression) that ``local.A`` (= ``local.B`` ...) stands for, also in another
        file of the module; the node itself when it is no local dlint finds."""
        evaluator, span = self, self.hcl.span(node)
        for _ in range(MAX_LOCAL_DEPTH):
            parts = evaluator.hcl.traversal(evaluator.hcl.inner(node))
            if not parts or len(parts) != 2 or parts[0] != "local":
                break
            attribute = evaluator.locals.get(parts[1])
            if attribute is None:
                outer = evaluator.outer_locals(parts[1], evaluator, span, labels) if evaluator.outer_locals is not None else None
                if outer is None:
                    break
                evaluator, attribute, _ = outer
            node = attribute.expr
        return evaluator, node

    def encoded(self, function: str, node, labels: Tuple[str, ...]):
        """(text, holds unknown values, the other file of the module it maps into or None) of
        ``jsonencode(node)``/``yamlencode(node)``; the argument may be ``local.NAME`` of another file."""
        from .hcl_encode import Reader, TooBig, json_text, yaml_text

        span = self.hcl.span(node)
        evaluator, node = self.through_locals(node, labels)
        local = evaluator.locals
        reader = Reader(evaluator.hcl, lambda name: local[name].expr if name in local else None)
        try:
            value = reader.value(node)
        except TooBig:
            self.note(span[0], f"{' › '.join(labels)}: {function}() of a value too large or deep to read; not read")
            return None
        text = json_text(value) if function == "jsonencode" else yaml_text(value)
        home = None if evaluator is self else (evaluator.origin or evaluator.hcl.document)
        return text, reader.unknown, home

    def _conditional(self, node, labels: Tuple[str, ...], depth: int) -> List[object]:
        exprs = [c for c in node.children if c.type == "expression"]
        if len(exprs) != 3:
            return []
        condition = " ".join(self.hcl.source(exprs[0]).split())
        if len(condition) > 60:
            condition = condition[:57] + "..."
        yes = self.values(exprs[1], labels, depth + 1)
        no = self.values(exprs[2], labels, depth + 1)
        if yes and no:
            for value in yes:
                value.variant = value.variant + (f"if {condition}",)
            for value in no:
                value.variant = value.variant + (f"unless {condition}",)
        return yes + no

    def path(self, node) -> Optional[str]:
        """A path argument: a literal string in which only ``${path.module|root|cwd}`` may stand."""
        hcl = self.hcl
        inner = hcl.inner(node)
        parts = hcl.traversal(inner) if inner is not None else None
        if parts is not None and len(parts) == 2 and parts[0] == "path" and parts[1] in ("module", "root", "cwd"):
            return "."
        if inner is None or inner.type not in ("string_lit", "quoted_template"):
            return None
        text = hcl.string(inner)
        if text is None:
            return None
        if not text.templated:
            return text.text
        out = []
        for piece in re.split(r"(\$\{[^}]*\})", text.text):
            if piece.startswith("${"):
                if not _PATH_VARIABLE.match(piece[2:-1].strip()):
                    return None
                out.append(".")
            else:
                out.append(piece)
        return "".join(out)

    def file_ref(self, node, function: str, labels: Tuple[str, ...], shown: str = '{function}("{path}")', span=None) -> Optional[FileRef]:
        """The repository file a path argument names (``shown`` makes its label; ``span``, the
        call's, is where the trace points)."""
        span = span or self.hcl.span(node)
        label = " › ".join(labels)
        raw = self.path(node)
        if raw is None:
            self.note(span[0], f"{label}: the path given to {function}() is not a literal; the file is not read")
            return None
        ref = self.files.ref(raw, span, labels, shown.replace("{function}", function), template=function == "templatefile")
        if isinstance(ref, str):
            self.note(span[0], f"{label}: {function}({raw!r}): {ref}")
            return None
        return self._stamped(ref)

    def items(self, node) -> Optional[list]:
        return self.hcl.tuple_items(node)

    def start(self, node) -> int:
        return self.hcl.span(node)[0]

    def script(self, expr, labels: Tuple[str, ...]) -> Optional[Inline]:
        """A provisioner's ``inline`` list as the one script it runs: the commands joined by newlines."""
        hcl = self.hcl
        items = hcl.tuple_items(expr)
        label = " › ".join(labels)
        if items is None:
            self.note(hcl.span(expr)[0], f"{label}: not a literal list; not read")
            return None
        texts = []
        for item in items:
            text = hcl.string(item)
            if text is None:
                self.note(hcl.span(item)[0], f"{label}: an item that is not a literal string; not read")
                return None
            texts.append(text)
        return self._stamped(joined_script(texts, hcl.span(expr), labels)) if texts else None


def joined_script(texts: Sequence["Text"], span: Tuple[int, int], labels: Tuple[str, ...]) -> Inline:
    """Strings joined by newlines (a provisioner's ``inline`` list, one script): each newline maps
    to the closing quote of the string it follows."""
    joined = Mapped()
    for text in texts:
        joined.extend(text.value)
        joined.produce("\n", max(text.span[0], text.span[1] - 1))
    return Inline(Text(joined, span, any(t.templated for t in texts)), labels)


# ------------------------------------------------------------------------------------------
# Repository files named by a template


class Files:
    """Files of the project a source names, resolved from its folder and read only inside the project."""

    def __init__(self, context: ReadContext, fallback_to_root: bool = False):
        source = context.source
        self.source = source
        self.display = source.display
        rel = source.rel.replace("\\", "/")
        path = Path(os.path.abspath(source.path))
        posix = path.as_posix()
        if rel and posix.endswith("/" + rel) and rel != posix.lstrip("/"):
            self.root = Path(posix[: len(posix) - len(rel) - 1] or "/")
            self.prefix = ""
            self.folder = posixpath.dirname(rel)
        else:  # outside the project root: only its own folder, named as discovery names such files
            self.root = path.parent
            self.prefix = self.root.as_posix().lstrip("/")
            self.folder = ""
        self.fallback_to_root = fallback_to_root  # Packer: paths are relative to the working directory
        self._cache: Dict[str, Tuple[Optional[str], Optional[str]]] = {}

    def shown(self, rel: str) -> str:
        """A path as written relative to the source's folder (for labels)."""
        inside = rel[len(self.prefix) + 1 :] if self.prefix else rel
        return posixpath.relpath(inside, self.folder or ".")

    def resolve(self, raw: str):
        """(rel, display) of a path relative to the source's folder, or why it is not read."""
        raw = raw.replace("\\", "/")
        if not raw.strip():
            return "an empty path; not read"
        if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or raw.startswith("~"):
            return "an absolute path, outside the project; not read"
        candidates = [posixpath.normpath(posixpath.join(self.folder, raw))]
        if self.fallback_to_root and self.folder:
            candidates.append(posixpath.normpath(raw))
        inside = self.inside(candidates)
        if not inside:
            return "outside the project; not read"
        return self.located(next((c for c in inside if self.present(c)), inside[0]))

    def inside(self, candidates) -> List[str]:
        """The candidate paths (relative to the root) that stay inside the project, links resolved."""
        return [c for c in candidates if c not in (".", "..") and not c.startswith("../") and self._within(c)]

    def present(self, inside: str, regular: bool = False) -> bool:
        """Whether the path exists (``regular``: is a regular file); a path the system refuses (too
        long, a loop of links) is not there, never an error."""
        try:
            return (self.root / inside).is_file() if regular else (self.root / inside).exists()
        except (OSError, ValueError):  # ValueError: a NUL in the name
            return False

    def located(self, inside: str) -> Tuple[str, str]:
        """(rel, display) of a path inside the project."""
        rel = f"{self.prefix}/{inside}" if self.prefix else inside
        return rel, self._display(inside)

    def ref(self, raw: str, span: Tuple[int, int], labels: Tuple[str, ...], label: str, template: bool = False):
        """A FileRef for a path as written (``label`` shows it: ``{path}`` is replaced), or why not."""
        found = self.resolve(raw)
        if isinstance(found, str):
            return found
        rel, display = found
        return FileRef(rel, display, template, span, labels + (label.format(path=self.shown(rel)),))

    def _within(self, inside: str) -> bool:
        if "\0" in inside:
            return False  # no file has such a name (and os.path refuses it)
        root = os.path.realpath(self.root)
        real = os.path.realpath(self.root / inside)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def _display(self, inside: str) -> str:
        folder = posixpath.dirname(self.display)
        relative = posixpath.relpath(inside, self.folder or ".")
        return posixpath.normpath(posixpath.join(folder, relative)) if folder else posixpath.normpath(relative)

    def read(self, rel: str) -> Tuple[Optional[str], Optional[str]]:
        """(text, None) or (None, why not): a regular file, no symbolic link, UTF-8."""
        if rel in self._cache:
            return self._cache[rel]
        from .discovery import read_bounded

        inside = rel[len(self.prefix) + 1 :] if self.prefix else rel
        path = self.root / inside
        result: Tuple[Optional[str], Optional[str]]
        if any(os.path.islink(self.root / part) for part in _prefixes(inside)):
            result = (None, "a symbolic link (not followed)")
        else:
            data, error = read_bounded(path, MAX_REFERENCE_BYTES)
            if data is None:
                result = (None, "not found" if error and "No such file" in error else (error or "cannot read"))
            else:
                try:
                    result = (data.decode("utf-8"), None)
                except UnicodeDecodeError:
                    result = (None, "not valid UTF-8 (Terraform and Packer refuse it)")
        self._cache[rel] = result
        return result


def _prefixes(inside: str) -> Iterator[str]:
    parts = inside.split("/")
    for index in range(1, len(parts) + 1):
        yield "/".join(parts[:index])


# ------------------------------------------------------------------------------------------
# Embedded documents


STAGING = ("/tmp/", "/var/tmp/", "/dev/shm/")  # uploaded there to be moved into place by a script


def upload_target(destination: str, source: Optional[str]) -> str:
    """Where an uploaded file lands: a destination ending in ``/`` is a folder that takes the
    source's name (Packer's and Terraform's file provisioners)."""
    if destination.endswith("/") and source:
        return destination + posixpath.basename(source.rstrip("/"))
    return destination


def has_sequences(text: str) -> bool:
    """A template (templatefile()) holds ``${`` or ``%{`` sequences that are not escaped."""
    return bool(re.search(r"(?<!\$)\$\{|(?<!%)%\{", text))


def leading_directives(text: str) -> int:
    """The end of the template directives (``%{~ if x }``) that open a template, white space
    between them included; 0 when it does not open with one. What they guard is what the machine
    gets when the condition holds (and nothing otherwise)."""
    index = end = 0
    size = len(text)
    while True:
        while index < size and text[index] in _GO_SPACE:
            index += 1
        if not text.startswith("%{", index):
            return end
        close = text.find("}", index + 2)
        if close < 0:
            return end
        index = end = close + 1


def masked_lead(text: str) -> str:
    """``text`` with its opening directives blanked (newlines kept): the same positions, and the
    header they guard (``#cloud-config``, ``#!``) first."""
    end = leading_directives(text)
    if not end:
        return text
    return re.sub(r"[^\n]", " ", text[:end]) + text[end:]


def user_data_kind(text: str) -> Optional[str]:
    """The kind that reads user data: cloud-init for what cloud-init recognises, including a
    ``#!`` script (cloud-init runs it: scripts_user); None for anything else. Template directives
    that open the text are looked past."""
    from .sources.cloudinit import CloudInitKind, content_type

    text = masked_lead(text)
    head = text[:HEAD_BYTES].encode("utf-8", "replace")[:HEAD_BYTES]
    if CloudInitKind().sniff(head) or content_type(text) is not None:
        return "cloud-init"
    return None


_UNSEEN_INSTALLER = re.compile(r"(?i)(?:^|[-_.])(?:install|setup|get)?[-_]?docker(?:[-_]?(?:ce|engine|install|setup))?\.(?:sh|bash)$")


def unseen_installer(path: str) -> Optional[str]:
    """How to name the engine install of a script the machine runs that is not in the
    repository, when its file name says it installs Docker (``install-docker.sh``,
    ``docker.sh``; not ``docker-compose.sh``); None otherwise."""
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    if not _UNSEEN_INSTALLER.search(base):
        return None
    return f"{base}, which is not in the repository"


_TEMPLATED = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}")


def ami_pattern(name: str) -> str:
    """An Amazon image name as a pattern of the names it may have: ``ami:`` and the name with each
    template part (``{{timestamp}}``, ``${local.ts}``) as ``*``."""
    return "ami:" + re.sub(r"\*+", "*", _TEMPLATED.sub("*", name))


def inline_document(parent: Document, value: Inline) -> Document:
    return embedded_document(parent, value.text.value, " › ".join(value.labels), value.text.span)


def reference_document(parent: Document, ref: FileRef, text: str) -> Document:
    """The file a reference names, a real file of its own reached through the call."""
    where = parent.location(*ref.span)
    step = TraceStep(where.path, where.line, where.column, " › ".join(ref.labels))
    return Document(text, ref.display, via=where.trace + (step,))


class Embedder:
    """Values (Inline, FileRef) made into the Embedded documents of one Extraction."""

    def __init__(self, document: Document, files: Files, out, note):
        self.doc = document
        self.files = files
        self.out = out  # an Extraction
        self.note = note  # note(offset, message)

    def _note(self, value, offset: int, message: str) -> None:
        if value.document is not None and value.document is not self.doc:
            self.note(offset, message, value.document)
        else:
            self.note(offset, message)

    def add(self, value, kind_of, **fields) -> None:
        """``kind_of(text)`` names the kind that reads it (None: not read, with a note)."""
        label = " › ".join(value.labels)
        parent = value.document or self.doc
        if isinstance(value, Inline):
            kind = kind_of(value.text.text)
            if kind is None:
                self._note(value, value.text.span[0], f"{label}: neither cloud-init user data nor a script; not read")
                return
            document = inline_document(parent, value)
            if value.text.templated:
                document.text = masked_lead(document.text)  # same length, same lines: the map holds
            self.out.embedded.append(Embedded(document, kind, templated=value.text.templated, **fields))
        elif isinstance(value, FileRef):
            text, error = self.files.read(value.rel)
            if text is None:
                self._note(value, value.span[0], f"{label}: {value.display}: {error}")
                if error == "not found" and "target" not in fields:  # run on the machine, not written to a file
                    self.missing_installer(value, parent)
                return
            kind = kind_of(text)
            if kind is None:
                self._note(value, value.span[0], f"{label}: {value.display} is neither cloud-init user data nor a script; not read")
                return
            templated = value.template and has_sequences(text)
            document = reference_document(parent, value, masked_lead(text) if templated and kind != "daemon-json" else text)
            if templated and kind == "daemon-json":  # its %{ if } branches read one by one
                from .sources.terraform_template import daemon_json

                document = daemon_json(document) or document
            self.out.embedded.append(Embedded(document, kind, templated=templated, reference=value.rel, **fields))
        elif isinstance(value, Traversal):
            self._note(value, value.span[0], f"{label}: {'.'.join(value.parts)} is not known before the run; not read")

    def missing_installer(self, value, parent: Document) -> None:
        """A script the machine runs that is not in the repository (a git submodule not checked
        out) and whose name says it installs Docker (install-docker.sh): the engine is there, of a
        configuration dlint cannot see; never "not a Docker host"."""
        from .fragments import EnginePackage

        name = unseen_installer(value.display)
        if name is not None:
            location = parent.location(*value.span)
            self.out.fragments.append(EnginePackage(source=self.files.source, document=parent, manager=name, name="docker", pin="unseen", location=location))

    def uploaded(self, ref, target: str, placed: dict, **fields) -> None:
        """A repository file a file provisioner uploads to ``target`` (Packer, Vagrant): in place
        there, unless ``target`` is a staging folder; remembered in ``placed`` (machine path ->
        Placed), for a later script that moves it (sudo mv /tmp/daemon.json /etc/docker/)."""
        from .sources import Placed

        text, _ = self.files.read(ref.rel)
        if text is not None and not ref.template:
            placed[target] = Placed(ref.rel, reference_document(self.doc, ref, text))
        if not target.startswith(STAGING):
            self.written([ref], target, **fields)

    def written(self, values, target: str, **fields) -> None:
        """Content written to ``target`` on the machine, when another kind reads that file."""
        kind = kind_for_target(target)
        if kind is None:
            return
        for value in values:
            self.add(value, lambda text: kind, target=target, **fields)

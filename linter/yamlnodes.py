"""YAML read as a node graph with exact positions, bounded.

ruamel.yaml composes the text into nodes with marks (``Mark.index`` is a character index into the
str given), in depth and node count bounded (MAX_DEPTH, MAX_NODES); ``Walk`` gives the values of
those nodes as PyYAML (YAML 1.1) constructs them, within a work ``Budget``, and the position helpers
map a scalar's value back onto the text it stands in. Shared by the cloud-init, Ansible and Butane
source kinds.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from .lazyclass import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Set, Tuple

from .yamlscan import scanner_class

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_WORK = 4 * 1024 * 1024  # characters of embedded text and section nodes one read may produce


# --- YAML 1.1 scalars as PyYAML (cloud-init's loader) reads them --------------------------------

_BOOL = re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_INT = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_YAML_TAG = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(
    _YAML_TAG + t for t in ("null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set", "str", "seq", "map", "merge")
)


def _sexagesimal(value: str, kind):
    digits = [kind(part) for part in value.split(":")]
    result, base = kind(0), 1
    for digit in reversed(digits):
        result += digit * base
        base *= 60
    return result


def _yaml11_int(value: str) -> int:
    value = value.replace("_", "")
    sign = -1 if value[:1] == "-" else 1
    if value[:1] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        return sign * _sexagesimal(value, int)
    return sign * int(value)


def _yaml11_float(value: str) -> float:
    value = value.replace("_", "").lower()
    sign = -1.0 if value[:1] == "-" else 1.0
    if value[:1] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:
        return sign * _sexagesimal(value, float)
    return sign * float(value)


# --- bounded composition ------------------------------------------------------------------------


class _TooDeep(Exception):
    def __init__(self, index: int):
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")
        self.index = index


@lru_cache(maxsize=1)
def _composer_class():
    from ruamel.yaml.composer import Composer

    class BoundedComposer(Composer):
        """Depth and node count bounded; an anchor defined again silently wins, as in PyYAML."""

        _dlint_depth = 0
        _dlint_nodes = 0

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.warn_double_anchors = False

        def compose_node(self, parent, index):  # type: ignore[override]
            self._dlint_depth += 1
            self._dlint_nodes += 1
            try:
                if self._dlint_depth > MAX_DEPTH or self._dlint_nodes > MAX_NODES:
                    raise _TooDeep(self.parser.peek_event().start_mark.index)
                return super().compose_node(parent, index)
            finally:
                self._dlint_depth -= 1

    return BoundedComposer


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Composer = _composer_class()
    yaml.Scanner = scanner_class()  # comments in linear time
    return yaml


# --- the C composer (ruamel.yaml.clib): the same nodes and marks, 20x faster -------------------

C_GUARD = 1000  # the C composer recurses without a limit (a crash near 10,000 levels): bound first
# where libyaml (YAML 1.1) and ruamel.yaml's scanner (1.2) disagree on what is valid: tabs between
# tokens, a quoted key directly followed by ':' in a flow collection, a version directive
_DIALECT = re.compile(r"\t|[\[,]\s*(?:\"[^\"\n]*\"|'[^'\n]*'):\S|%YAML|\ufeff")
_JINJA_EXPRESSION = re.compile(r"\{\{[^{}\n]*\}\}")
_PREFIX = re.compile(r"^(?:[ \t?:-]|[&!][^ \t\n]*)*", re.M)


@lru_cache(maxsize=1)
def _c_composer_class():
    """A CParser resolving tags as the round-trip loader does (YAML 1.2), or None without the
    C extension."""
    try:
        from ruamel.yaml.cyaml import CParser
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
        from ruamel.yaml.resolver import VersionedResolver
        from ruamel.yaml.tag import Tag
    except ImportError:
        return None
    reference = VersionedResolver(version=(1, 2))
    table = reference.versioned_resolver  # first character -> [(tag, pattern)], YAML 1.2
    defaults = {ScalarNode: reference.DEFAULT_SCALAR_TAG, SequenceNode: reference.DEFAULT_SEQUENCE_TAG, MappingNode: reference.DEFAULT_MAPPING_TAG}

    class CComposer(CParser):
        """VersionedResolver.resolve without its per-call version lookup (no path resolvers)."""

        def resolve(self, kind, value, implicit):
            if kind is ScalarNode and implicit[0]:
                for tag, pattern in table.get(value[0] if value else "", ()):
                    if pattern.match(value):
                        return Tag(suffix=tag)
            return defaults[kind]

        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass

    return CComposer


def c_available() -> bool:
    return _c_composer_class() is not None


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth: flow brackets (a one-line ``{{ expression }}`` with no
    brace inside nests two levels wherever it stands), and block levels that each need a deeper
    indentation (or an indicator) at least every second level."""
    widest = max((len(m.group()) for m in _PREFIX.finditer(text)), default=0)
    flow = _JINJA_EXPRESSION.sub("", text)
    return flow.count("[") + flow.count("{") + 2 + 2 * widest + 4


_ANOTHER_DOCUMENT = "but found another document"  # worded and marked alike by both composers


def _c_compose(text: str):
    """(root, problem) from the C composer, or False when only the pure composer can answer
    exactly (no extension, a bound reached, a construct the two dialects read differently, a
    problem other than a second document: the two word them differently)."""
    composer_class = _c_composer_class()
    if composer_class is None or _DIALECT.search(text) or _depth_bound(text) > C_GUARD:
        return False
    try:
        root = composer_class(text).get_single_node()
    except Exception as err:  # noqa: BLE001 - any problem: the pure composer reports it exactly
        mark = getattr(err, "problem_mark", None)
        if getattr(err, "problem", None) == _ANOTHER_DOCUMENT and mark is not None:
            return None, YamlProblem(_ANOTHER_DOCUMENT, mark.index)
        return False
    return (root, None) if root is None or _within_bounds(root, text) else False


class _Mark:
    __slots__ = ("index", "line", "column")

    def __init__(self, index: int, line: int, column: int):
        self.index, self.line, self.column = index, line, column


def _mark_at(text: str, index: int) -> _Mark:
    return _Mark(index, text.count("\n", 0, index), index - text.rfind("\n", 0, index) - 1)


_BLANK_OR_COMMENT = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _next_token(text: str, index: int) -> int:
    """Where the next token starts after ``index`` (blanks, line breaks and comments skipped)."""
    return _BLANK_OR_COMMENT.match(text, index).end()


def _within_bounds(root, text: str) -> bool:
    """The pure composer's bounds counted the same way (one per node event, an alias once), and
    plain scalars marked as it marks them (False when that cannot be told: the pure one answers)."""
    nodes = 0
    seen: Set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            return False
        if node.id == "scalar":
            if node.style == "":
                node.style = None
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not _mark_empty_children(node, text):
            return False
        if node.id == "sequence":
            stack.extend((item, depth + 1) for item in reversed(node.value))
        else:
            for key, value in reversed(node.value):
                stack.extend(((value, depth + 1), (key, depth + 1)))
    return True


def _empty(node) -> bool:
    return node.id == "scalar" and node.style == "" and node.value == "" and node.start_mark.index == node.end_mark.index


def _mark_empty_children(node, text: str) -> bool:
    """Mark empty values where ruamel.yaml's parser does: after an entry's ``-``, where the token
    after a key's ``:`` starts (False where it depends on the comments around)."""
    if node.id == "sequence":
        previous = node.start_mark.index
        for item in node.value:
            if _empty(item):
                dash = _next_token(text, previous)
                if node.flow_style or not text.startswith("-", dash):
                    return False
                item.start_mark = item.end_mark = _mark_at(text, dash + 1)
            previous = item.end_mark.index
        return True
    for key, value in node.value:
        if _empty(key):
            return False
        if _empty(value):
            colon = _next_token(text, key.end_mark.index)
            if node.flow_style or not text.startswith(":", colon):
                return False
            where = _next_token(text, colon + 1)
            if text.startswith(("---", "..."), where) or "#" in text[colon + 1 : _line_end(text, colon)]:
                return False  # ruamel.yaml marks it by where its scanner attached the comment
            value.start_mark = value.end_mark = _mark_at(text, where)
    return True


@dataclass
class YamlProblem:
    message: str
    index: int


def compose(text: str):
    """(root node or None, problem or None). Never raises. The C composer when it can answer
    exactly, the pure one otherwise: the same nodes, marks and problems either way."""
    composed = _c_compose(text)
    return composed if composed is not False else compose_pure(text)


def compose_pure(text: str):
    """``compose`` by ruamel.yaml's Python composer only (the fallback, and its reference)."""
    from ruamel.yaml.error import MarkedYAMLError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _yaml().compose(text), None
    except _TooDeep as err:
        return None, YamlProblem(f"{err} (or more than {MAX_NODES} nodes)", err.index)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        return None, YamlProblem(problem, mark.index if mark is not None else 0)
    except Exception as err:  # noqa: BLE001 - ruamel.yaml also fails with KeyError/AssertionError ("%YAML 1.21"): bad input, never a crash
        position = getattr(err, "position", 0)
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        return None, YamlProblem(message, position if isinstance(position, int) else 0)


def tag_of(node) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag) or "") if not isinstance(tag, str) else tag


def value_of(node) -> str:
    """A scalar's value ("" for a mapping or sequence where a scalar was expected); ruamel marks
    the fold points of a ``>`` scalar with BEL characters."""
    value = getattr(node, "value", "")
    if not isinstance(value, str):
        return ""
    return value.replace("\a", "") if getattr(node, "style", None) == ">" and "\a" in value else value


def is_scalar(node) -> bool:
    return node is not None and node.id == "scalar"


def is_seq(node) -> bool:
    return node is not None and node.id == "sequence"


def is_map(node) -> bool:
    return node is not None and node.id == "mapping"


class Budget:
    """Work one read may do: characters of embedded text, nodes visited (aliases expanded)."""

    def __init__(self, work: int = MAX_WORK):
        self.work = work
        self.exhausted = False

    def spend(self, amount: int) -> bool:
        self.work -= amount
        if self.work < 0:
            self.exhausted = True
        return not self.exhausted


class Walk:
    """Values of the nodes composed from ``text`` as cloud-init (PyYAML, YAML 1.1) sees them."""

    def __init__(self, text: str, budget: Budget, original: Optional[str] = None):
        self.text = text  # what was composed
        self.budget = budget
        self.original = original  # the real text when ``text`` has its template expressions masked

    def explicit_tag(self, node) -> bool:
        i = node.start_mark.index
        text = self.text
        if text.startswith("&", i):
            j = i
            while j < len(text) and text[j] not in " \t\r\n":
                j += 1
            while j < len(text) and text[j] in " \t":
                j += 1
            i = j
        return text.startswith("!", i)

    def kind(self, node) -> str:
        """str | bool | int | float | null | binary | seq | map | other (a tag PyYAML refuses)."""
        if node is None:
            return "null"
        if node.id == "sequence":
            return "seq"
        if node.id == "mapping":
            return "map"
        if node.style is None and not self.explicit_tag(node):
            value = node.value
            if _NULL.match(value):
                return "null"
            if _BOOL.match(value):
                return "bool"
            if _INT.match(value):
                return "int"
            if _FLOAT.match(value):
                return "float"
            return "str"
        tag = tag_of(node)
        if tag.startswith(_YAML_TAG):
            name = tag[len(_YAML_TAG):]
            return name if name in ("str", "bool", "int", "float", "null", "binary") else "str"
        return "other" if self.explicit_tag(node) else "str"

    def scalar(self, node):
        """The Python value of a scalar node, as PyYAML constructs it (strings where unsure)."""
        kind = self.kind(node)
        value = value_of(node) if node is not None else None
        try:
            if kind == "null":
                return None
            if kind == "bool":
                return value.lower() in ("yes", "true", "on")
            if kind == "int":
                return _yaml11_int(value)
            if kind == "float":
                return _yaml11_float(value)
            if kind == "binary":
                return base64.decodebytes(value.encode("ascii"))
        except (ValueError, binascii.Error, UnicodeError):
            return value
        if self.original is not None and value:
            offsets = scalar_offsets(self.text, node)
            if offsets:
                return unmasked(self.original, offsets, value)
        return value

    def python(self, node, depth: int = 0):
        """A bounded Python value of any node (for ``str()`` of argv elements)."""
        if not self.budget.spend(1) or depth > 16:
            return "..."
        if node.id == "sequence":
            return [self.python(item, depth + 1) for item in node.value]
        if node.id == "mapping":
            return {str(self.python(k, depth + 1)): self.python(v, depth + 1) for k, v in node.value}
        return self.scalar(node)

    def truthy(self, node) -> bool:
        """cloud-init's ``util.translate_bool``."""
        if node is None:
            return False
        if not is_scalar(node):
            return bool(node.value)
        value = self.scalar(node)
        if not value:
            return False
        if isinstance(value, bool):
            return value
        return str(value).lower().strip() in ("true", "1", "on", "yes")

    def text_of(self, node) -> Optional[str]:
        """A scalar as the str cloud-init would format it (``str(value)``), or None."""
        if not is_scalar(node):
            return None
        value = self.scalar(node)
        if isinstance(value, bytes):
            return None
        return "None" if value is None else str(value)

    def refused_tag(self, root) -> Optional[object]:
        """The first node with an explicit tag that PyYAML's safe_load refuses, if any."""
        seen: Set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen or not self.budget.spend(1):
                continue
            seen.add(id(node))
            if self.explicit_tag(node) and tag_of(node) not in _SAFE_TAGS:
                return node
            if node.id == "sequence":
                stack.extend(reversed(node.value))
            elif node.id == "mapping":
                for key, value in reversed(node.value):
                    stack.extend((value, key))
        return None


def mapping_of(node) -> Dict[str, tuple]:
    """key -> (key node, value node) for the string keys of a mapping; the last duplicate wins."""
    out: Dict[str, tuple] = {}
    for key, value in node.value:
        if is_scalar(key):
            out[key.value] = (key, value)
    return out


# --- positions ------------------------------------------------------------------------------------


def _block_offsets(outer: str, node) -> Optional[List[int]]:
    """Outer offsets of each line of a literal block scalar's value, verified against the text."""
    value = node.value
    indicator = outer.find("|", node.start_mark.index, node.end_mark.index)
    if indicator < 0:
        return None
    pos = outer.find("\n", indicator)
    if pos < 0:
        return [len(outer)] if value == "" else None
    pos += 1
    offsets: List[int] = []
    indent: Optional[int] = None
    for line in value.split("\n"):
        if pos > len(outer):
            return None
        eol = outer.find("\n", pos)
        if eol < 0:
            eol = len(outer)
        here = outer[pos:eol]
        if here.endswith("\r"):
            here = here[:-1]
        if line:
            n = len(here) - len(line)
            if n < 0 or here[n:] != line or here[:n].strip(" ") or (indent is not None and n != indent):
                return None
            indent = n
            offsets.append(pos + n)
        else:
            spaces = len(here) - len(here.lstrip(" "))
            offsets.append(pos + min(spaces, indent if indent is not None else spaces))
        pos = eol + 1
    return offsets


def scalar_offsets(outer: str, node) -> Optional[List[int]]:
    """Outer offsets of the line starts of a scalar's value when it stands literally in the text."""
    value = node.value
    if not isinstance(value, str):
        return None
    if node.style == "|":
        return _block_offsets(outer, node)
    if node.style == ">" or "\n" in value or "\r" in value:
        return None
    end = node.end_mark.index
    quote = 1 if node.style in ("'", '"') else 0
    start = end - quote - len(value)
    if start < node.start_mark.index or outer[start : end - quote] != value:
        return None
    if quote and (outer[start - 1 : start] != node.style or outer[end - 1 : end] != node.style):
        return None
    return [start]


def unmasked(original: str, offsets: List[int], value: str) -> str:
    """The real text of a value read from the masked text (masking keeps lengths and lines; the
    spaces of a directive line moved to the end of the line before it stop at that line's end)."""
    return "\n".join(original[o : o + len(line)].split("\n", 1)[0] for o, line in zip(offsets, value.split("\n")))


def span_of(node) -> Tuple[int, int]:
    return node.start_mark.index, node.end_mark.index

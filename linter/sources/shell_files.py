"""Files a shell script takes from its repository, and the readable edits of a unit.

- A path rooted at the script's folder (``$(dirname "$0")/x``, ``${BASH_SOURCE[0]}``-based,
  ``$(cd "$(dirname "$0")/.." && pwd)``, a ``SCRIPT_DIR`` variable set that way) or a literal
  relative path names a repository file: the one relative to the script's folder, else to the
  project root. Nothing outside the project is ever read.
- ``sed -i`` on docker.service in the two forms machines-facts §7.2 calls readable
  (``s|^ExecStart=.*|ExecStart=NEW|`` and ``/^ExecStart/ s/$/ X/``), and GNU sed's addressed one-line
  ``a``/``i``/``c``/``d``, give a known text; any other expression leaves the unit unknown.
"""

from __future__ import annotations

import posixpath
import re
from typing import Dict, Optional, Tuple

from ..hcl import Files
from ..linear_re import compile_linear
from ..mapped import Mapped

# the script itself: $0 (the script bash runs, also inside a sourced file) or ${BASH_SOURCE[0]}
# (the file being read)
_SELF = r'"?(?:\$0|\$\{0\}|\$\{BASH_SOURCE(?:\[0\])?\}|\$BASH_SOURCE)"?'
_RESOLVED_SELF = rf'(?:{_SELF}|\$\(\s*(?:readlink\s+-[fem]|realpath)\s+{_SELF}\s*\))'
_DIRNAME = re.compile(rf'\$\(\s*dirname\s+(?:--\s+)?"?{_RESOLVED_SELF}"?\s*\)|`\s*dirname\s+{_SELF}\s*`')
_STRIP = re.compile(r'\$\{(?:0|BASH_SOURCE(?:\[0\])?)%/\*\}')
_WRAPPED = re.compile(r'\$\(\s*(?:cd\s+(?:-P\s+)?(?P<cd>.+?)\s*(?:&&|;)\s*pwd(?:\s+-P)?|(?:realpath|readlink\s+-[fem])\s+(?P<real>.+?))\s*\)')
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
VENDOR_UNITS = ("/lib/systemd/system/docker.service", "/usr/lib/systemd/system/docker.service")


class ScriptFolders:
    """Which folder of the repository each script-relative expression names."""

    def __init__(self, context, document):
        self.files = Files(context, fallback_to_root=True)
        top = self.files.folder  # $0: the script bash runs
        self.top = top
        self.here = top  # ${BASH_SOURCE[0]}: the file being read
        if document.via:  # a file a script sourced: its own folder, from its display path
            shown = posixpath.relpath(document.path, posixpath.dirname(self.files.display) or ".")
            self.here = posixpath.dirname(posixpath.normpath(posixpath.join(top, shown)))
        self.named: Dict[str, str] = {}  # SCRIPT_DIR -> its folder (inside the project)

    def assign(self, name: str, text: str) -> None:
        folder = self.folder(text)
        if folder is None:
            self.named.pop(name, None)
        else:
            self.named[name] = folder

    def folder(self, text: str) -> Optional[str]:
        """The folder an expression (``$(dirname "$0")/..``) names, inside the project, or None."""
        text = text.strip('"')
        root, end = self._root(text)
        if root is None:
            return None
        rest = text[end:].strip('"')
        if rest and not rest.startswith("/") or "$" in rest or "`" in rest:
            return None
        return posixpath.normpath(posixpath.join(root or ".", rest.lstrip("/")))

    def _root(self, text: str) -> Tuple[Optional[str], int]:
        for pattern in (_DIRNAME, _STRIP):
            match = pattern.match(text)
            if match:
                return (self.here if "BASH_SOURCE" in match.group(0) else self.top), match.end()
        match = _WRAPPED.match(text)
        if match:
            return self.folder(match.group("cd") or match.group("real")), match.end()
        match = _VAR.match(text)
        if match and (match.group(1) or match.group(2)) in self.named:
            return self.named[match.group(1) or match.group(2)], match.end()
        return None, 0

    def find(self, text: str, literal: bool) -> Optional[Tuple[str, str]]:
        """(rel, display) of the repository file a path names, when it exists: rooted at the
        script's folder, or (``literal``) relative to the script's folder, else to the project root."""
        if not literal:
            root, end = self._root(text.strip('"'))
            if root is None:
                return None
            candidates = [self.folder(text)]
        elif text.startswith(("/", "~")) or "$" in text or "`" in text or not text.strip():
            return None
        else:
            candidates = [posixpath.normpath(posixpath.join(self.here, text)), posixpath.normpath(text)]
        for inside in self.files.inside(c for c in candidates if c is not None):
            if self.files.present(inside, regular=True):
                return self.files.located(inside)
        return None

    def read(self, rel: str) -> Tuple[Optional[str], Optional[str]]:
        return self.files.read(rel)


# ------------------------------------------------------------------------------------------
# sed -i on a unit

_SED_REGEX = re.compile(r"(?:[A-Za-z0-9=_:@ %+,/-]|\\[./|#,:@%+\[\]-]|\.\*|\.)*")


def _regex(sed: str, delimiter: str, anchored_end: bool = True) -> Optional[str]:
    """A Python regex for a sed regex of the plain subset (literal text, ``^``, ``$``, ``.``,
    ``.*``, escaped punctuation), or None for anything else."""
    start = sed.startswith("^")
    body = sed[1:] if start else sed
    end = body.endswith("$") and not body.endswith("\\$")
    body = body[:-1] if end else body
    if not _SED_REGEX.fullmatch(body) or delimiter in body.replace("\\" + delimiter, ""):
        return None
    out = []
    index = 0
    while index < len(body):
        if body.startswith(".*", index):
            out.append(".*")
            index += 2
        elif body[index] == ".":
            out.append(".")
            index += 1
        elif body[index] == "\\":
            out.append(re.escape(body[index + 1]))
            index += 2
        else:
            out.append(re.escape(body[index]))
            index += 1
    return ("^" if start else "") + "".join(out) + ("$" if end else "")


def _split(text: str, start: int, delimiter: str) -> Optional[int]:
    """The index of the next unescaped delimiter from ``start``."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == delimiter:
            return index
        index += 1
    return None


class SedEdit:
    """One readable ``sed`` command: ``[/ADDRESS/] s<d>PATTERN<d>REPLACEMENT<d>[g]``, or GNU sed's
    one-line ``/ADDRESS/a TEXT`` (after), ``i TEXT`` (before), ``c TEXT`` (instead) and ``d``."""

    def __init__(self, address: Optional[str], pattern: Optional[str], replacement: Tuple[int, int], every: bool, command: str = "s", line: Optional[int] = None):
        # the expression is the repository's: RE2, so no pattern can stall the scan on a long line
        self.address = compile_linear(address) if address else None
        self.pattern = compile_linear(pattern) if pattern is not None else None
        self.replacement = replacement  # span in the expression (the text of a, i and c)
        self.every = every
        self.command = command
        self.line = line  # ``13i TEXT``: the line number it is addressed to

    def apply(self, base: Mapped, expression: Mapped) -> Optional[Mapped]:
        """``base`` edited line by line, each character mapped to where it comes from (the base, or
        the replacement in the expression); None when the replacement is not plain text."""
        text = base.text
        out = Mapped()
        position = 0
        lines = text.splitlines(keepends=True)
        if self.line is not None and not 1 <= self.line <= len(lines):
            return None
        for number, line in enumerate(lines, 1):
            body = line[:-1] if line.endswith("\n") else line
            if self.line is not None and number != self.line or self.address is not None and not self.address.search(body):
                base.copy_into(out, position, position + len(line))
            elif self.command == "s":
                cursor = 0
                for match in self.pattern.finditer(body):
                    base.copy_into(out, position + cursor, position + match.start())
                    if not self._replace(out, base, position + match.start(), position + match.end(), expression):
                        return None
                    cursor = match.end()
                    if not self.every or match.end() == len(body):
                        break
                base.copy_into(out, position + cursor, position + len(line))
            else:
                if self.command == "a":
                    base.copy_into(out, position, position + len(line))
                    if not line.endswith("\n"):
                        out.produce("\n", expression.source(self.replacement[0]))
                if self.command in ("a", "i", "c") and not self._line(out, expression):
                    return None
                if self.command == "i":
                    base.copy_into(out, position, position + len(line))
            position += len(line)
        return out

    def _line(self, out: Mapped, expression: Mapped) -> bool:
        """The text of a, i or c, and its newline (a backslash keeps the next character)."""
        text = expression.text
        index, stop = self.replacement
        while index < stop:
            if text[index] == "\\":
                if text[index + 1 : index + 2] in ("", "\n") or text[index + 1].isalnum():
                    return False
                index += 1
            expression.copy_into(out, index, index + 1)
            index += 1
        out.produce("\n", expression.source(max(stop - 1, 0)))
        return True

    def _replace(self, out: Mapped, base: Mapped, start: int, end: int, expression: Mapped) -> bool:
        text = expression.text
        index, stop = self.replacement
        while index < stop:
            char = text[index]
            if char == "&":
                base.copy_into(out, start, end)
            elif char == "\\":
                following = text[index + 1 : index + 2]
                if following == "n":  # GNU sed: a newline
                    out.produce("\n", expression.source(index))
                    index += 2
                    continue
                if following.isalnum() or following in ("", "\n"):
                    return False  # \1, \L: a form dlint does not apply
                expression.copy_into(out, index + 1, index + 2)
                index += 1
            else:
                expression.copy_into(out, index, index + 1)
            index += 1
        return True


_ADDRESS = re.compile(r"\s*/((?:[^/\\]|\\.)*)/\s*")
_LINE_ADDRESS = re.compile(r"\s*(\d{1,6})\s*")


def parse_sed(expression: str) -> Optional[SedEdit]:
    """The edit a sed expression makes, when it is one substitution of the plain subset, or one
    addressed a/i/c/d line command."""
    address = None
    index = 0
    match = _ADDRESS.match(expression)
    numbered = _LINE_ADDRESS.match(expression)
    if numbered and expression[numbered.end() : numbered.end() + 1] in ("a", "i"):
        # ``13i ExecStartPost=...``: which line the text lands by depends on the unit's exact
        # layout, so only text that cannot change dockerd's command line is applied
        edit = _line_command(expression, numbered.end(), "")
        if edit is None or re.match(r"\s*(ExecStart\s*=|\[|EnvironmentFile\s*=|Environment\s*=)", expression[edit.replacement[0] : edit.replacement[1]]):
            return None
        edit.line = int(numbered.group(1))
        return edit
    if match:
        address = _regex(match.group(1), "/")
        if address is None:
            return None
        index = match.end()
    if address is not None and expression[index : index + 1] in ("a", "i", "c", "d"):
        return _line_command(expression, index, address)
    if not expression.startswith("s", index) or index + 1 >= len(expression):
        return None
    delimiter = expression[index + 1]
    if delimiter.isalnum() or delimiter in "\\\n ":
        return None
    first = _split(expression, index + 2, delimiter)
    second = _split(expression, first + 1, delimiter) if first is not None else None
    if second is None:
        return None
    flags = expression[second + 1 :].strip().rstrip(";").strip()
    if flags not in ("", "g"):
        return None
    pattern = _regex(expression[index + 2 : first], delimiter)
    if pattern is None:
        return None
    return SedEdit(address, pattern, (first + 1, second), flags == "g")


def _line_command(expression: str, index: int, address: str) -> Optional[SedEdit]:
    """GNU sed's one-line ``/RE/a TEXT``, ``i TEXT``, ``c TEXT`` (``a\\`` + newline + TEXT too) and ``/RE/d``."""
    command = expression[index]
    rest = index + 1
    if command == "d":
        return SedEdit(address, None, (rest, rest), False, "d") if not expression[rest:].strip(" ;") else None
    while rest < len(expression) and expression[rest] in " \t":
        rest += 1
    if expression.startswith("\\\n", rest):
        rest += 2
    elif expression.startswith("\\", rest):
        rest += 1  # a\  TEXT keeps the spaces after the backslash
    stop = len(expression)
    if "\n" in expression[rest:stop].rstrip("\n"):
        return None  # several lines of text: each but the last ends in a backslash; not applied
    stop = rest + len(expression[rest:stop].rstrip("\n"))
    if stop <= rest:
        return None
    return SedEdit(address, None, (rest, stop), False, command)

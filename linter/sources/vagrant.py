"""Vagrantfiles: what each machine's provisioners put on it (machines-facts §1, §5).

A Vagrantfile is Ruby; it is read as text, never run. A small lexer finds strings (``"…"`` with
its escapes, ``'…'``, ``%q()``/``%Q()``, here-documents ``<<ID``, ``<<-ID``, ``<<~ID`` with its
dedent, quoted identifiers literal), comments and blocks (``do |x| … end``, ``{ |x| … }``); the
statements that matter are then recognised by shape:

- ``config.vm.define NAME do |m| … end``: one machine (``Vagrantfile › NAME``); without any, the one
  machine Vagrant calls ``default``. A name with ``#{…}`` (a loop) is one host for the pattern;
- ``X.vm.provision "shell", inline: …, path: …`` (also ``type: "shell"``, ``:shell``, ``=>``, and
  the block form ``do |s| s.inline = … end``): the script is read by the shell kind, exactly
  mapped (a string, a here-document, or a variable or constant assigned one, ``$script = <<SCRIPT``);
  ``path:`` names a repository script relative to the Vagrantfile's folder;
- ``"file"``: ``source`` uploaded to ``destination``, read by the kind that file calls for;
- ``"docker"``: Vagrant installs the engine (get.docker.com, unpinned) when it is missing.

Provisioners on ``config`` serve every machine, before the machine's own (outside-in); those on a
machine's block variable serve that machine. ``#{…}`` interpolations are not evaluated: the script
is templated. Anything else (``ansible``, ``puppet``, a provisioner whose value is an expression)
is said in a note, not guessed at.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import field
from ..lazyclass import dataclass
from typing import Dict, List, Optional, Tuple

from ..document import Document
from ..fragments import EnginePackage, MachineAddress
from ..hcl import Embedder, Files, Inline, Text, upload_target
from ..mapped import Mapped
from . import Extraction, Mounted, Placed, ReadContext, SourceKind
from .claims import VagrantClaims

NAME = "vagrant"
_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "0": "\0", "e": "\x1b", "a": "\a", "b": "\b", "r": "\r", "f": "\f", "v": "\v"}
_HEREDOC = re.compile(r"<<([~-]?)(['\"`]?)([A-Za-z_][A-Za-z0-9_]*)\2")
_IDENT = re.compile(r"[$@]{0,2}[A-Za-z_][A-Za-z0-9_]*[?!]?")
_OPENERS = frozenset({"if", "unless", "while", "until", "case", "begin", "def", "class", "module", "for"})
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_HARMLESS = frozenset({"chomp", "freeze", "to_s", "dup", "itself"})  # methods that leave a script as it is


@dataclass
class _Tok:
    kind: str  # ident | label | symbol | string | op | nl
    text: str
    start: int
    end: int
    value: Optional[Mapped] = None  # strings: the value, mapped to the file
    templated: bool = False  # holds #{...}


# ------------------------------------------------------------------------------------------
# Lexer


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.tokens: List[_Tok] = []
        self.pending: List[Tuple[_Tok, str, bool, str]] = []  # here-documents opened on this line

    def run(self) -> List[_Tok]:
        text, i, size = self.text, 0, len(self.text)
        while i < size:
            char = text[i]
            if char in " \t\r":
                i += 1
            elif char == "\\" and text.startswith("\n", i + 1):
                i += 2
            elif char == "\n":
                self.tokens.append(_Tok("nl", "\n", i, i + 1))
                i = self._bodies(i + 1)
            elif char == "#":
                i = _line_end(text, i)
            elif char == "=" and text.startswith("=begin", i) and (i == 0 or text[i - 1] == "\n"):
                close = re.compile(r"^=end\b.*$", re.M).search(text, i)
                i = close.end() if close else size
            elif char in "\"'`":
                i = self._quoted(i, i + 1, char, char, char != "'")
            elif char == "%" and re.match(r"%[qQ]?[(\[{<|!/]", text[i : i + 3]):
                opener = i + 2 if text[i + 1] in "qQ" else i + 1
                i = self._quoted(i, opener + 1, text[opener], _PAIRS.get(text[opener], text[opener]), text[i + 1] != "q")
            elif char == "<" and _HEREDOC.match(text, i):
                match = _HEREDOC.match(text, i)
                token = _Tok("string", match.group(0), i, match.end(), Mapped())
                self.tokens.append(token)
                self.pending.append((token, match.group(1), match.group(2) != "'", match.group(3)))
                i = match.end()
            elif char == ":" and i + 1 < size and (text[i + 1].isalpha() or text[i + 1] == "_") and not (i and text[i - 1] == ":"):
                match = _IDENT.match(text, i + 1)
                self.tokens.append(_Tok("symbol", text[i : match.end()], i, match.end()))
                i = match.end()
            elif char.isalpha() or char in "_$@":
                match = _IDENT.match(text, i)
                if match is None:
                    self.tokens.append(_Tok("op", char, i, i + 1))
                    i += 1
                    continue
                end = match.end()
                if text.startswith(":", end) and not text.startswith("::", end):
                    self.tokens.append(_Tok("label", match.group(0), i, end + 1))
                    i = end + 1
                else:
                    self.tokens.append(_Tok("ident", match.group(0), i, end))
                    i = end
            else:
                two = text[i : i + 2]
                width = 2 if two in ("=>", "==", "::", "||", "&&", "!=", "+=", "<<") else 1
                self.tokens.append(_Tok("op", text[i : i + width], i, i + width))
                i += width
        self._bodies(size)
        return self.tokens

    def _quoted(self, start: int, body: int, opener: str, closer: str, escapes: bool) -> int:
        """A string literal from ``body`` to its closing delimiter (nesting pairs), mapped."""
        text, value, templated = self.text, Mapped(), False
        depth, i, run = 0, body, body
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                value.add(text[run:i], run)
                nxt = text[i + 1]
                if escapes:
                    if nxt != "\n":
                        value.produce(_ESCAPES.get(nxt, nxt), i)
                elif nxt in ("\\", closer):
                    value.produce(nxt, i)
                else:
                    value.add(text[i : i + 2], i)
                i += 2
                run = i
                continue
            if escapes and text.startswith("#{", i):
                templated = True
            if char == opener and opener != closer:
                depth += 1
            elif char == closer:
                if depth == 0:
                    break
                depth -= 1
            i += 1
        value.add(text[run:i], run)
        self.tokens.append(_Tok("string", text[start : i + 1], start, i + 1, value, templated))
        return i + 1

    def _bodies(self, position: int) -> int:
        """Read the bodies of the here-documents opened on the line that just ended."""
        text = self.text
        for token, mode, escapes, ident in self.pending:
            lines: List[Tuple[int, str]] = []
            while position < len(text):
                end = _line_end(text, position)
                line = text[position:end]
                if (line.rstrip("\r") if mode == "" else line.strip()) == ident:
                    position = min(end + 1, len(text))
                    break
                lines.append((position, text[position : end + 1]))
                position = min(end + 1, len(text))
            cut = _indent(lines) if mode == "~" else 0
            for offset, line in lines:
                strip = min(cut, len(line) - len(line.lstrip(" \t")))
                token.templated = _body_line(text, offset + strip, offset + len(line), token.value, escapes) or token.templated
        self.pending = []
        return position


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _indent(lines: List[Tuple[int, str]]) -> int:
    """``<<~``: the indentation of the least-indented line that is not blank."""
    widths = [len(line) - len(line.lstrip(" \t")) for _, line in lines if line.strip()]
    return min(widths) if widths else 0


def _body_line(text: str, start: int, end: int, value: Mapped, escapes: bool) -> bool:
    """One here-document line into ``value``; True when it interpolates."""
    if not escapes:
        value.add(text[start:end], start)
        return False
    run, i = start, start
    while i < end:
        if text[i] == "\\" and i + 1 < end:
            value.add(text[run:i], run)
            if text[i + 1] != "\n":
                value.produce(_ESCAPES.get(text[i + 1], text[i + 1]), i)
            i += 2
            run = i
        else:
            i += 1
    value.add(text[run:end], run)
    return "#{" in text[start:end]


# ------------------------------------------------------------------------------------------
# Statements


@dataclass
class _Provisioner:
    type: str
    token: _Tok  # its type as written (``"docker"``), else the word ``provision``
    machine: Optional[str]  # None: every machine
    fields: Dict[str, List[_Tok]] = field(default_factory=dict)


class _Reader:
    def __init__(self, document: Document, context: ReadContext):
        self.doc = document
        self.context = context
        self.out = Extraction()
        self.tokens = _Lexer(document.text).run()
        self.variables: Dict[str, List[_Tok]] = {}
        self.machines: Dict[str, _Tok] = {}
        self.addresses: Dict[str, List[Tuple[str, _Tok]]] = {}  # machine -> (ip, its token)
        self.provisioners: List[_Provisioner] = []
        self.synced: List[Tuple[Optional[str], str, str, bool]] = []  # (machine or None, host folder, guest path, disabled)
        self.frames: List[Tuple[str, Dict[str, object]]] = []  # (do | brace | keyword, names bound)
        # each block parameter's values, innermost last: a lookup costs nothing however deep the blocks nest
        self.scope: Dict[str, List[object]] = {}

    def note(self, offset: int, message: str) -> None:
        self.out.notes.append(f"{NAME}: {self.doc.location(offset)}: {message}")

    def binding(self, name: str):
        values = self.scope.get(name)
        return values[-1] if values else None

    def _push(self, kind: str, names: Dict[str, object]) -> None:
        self.frames.append((kind, names))
        for name, value in names.items():
            self.scope.setdefault(name, []).append(value)

    def _pop(self) -> str:
        kind, names = self.frames.pop()
        for name in names:
            self.scope[name].pop()
        return kind

    def run(self) -> Extraction:
        self.parse()
        self._emit()
        return self.out

    def parse(self) -> None:
        """The machines, provisioners, networks and synced folders the Vagrantfile declares."""
        tokens, i = self.tokens, 0
        bind: Optional[object] = None
        while i < len(tokens):
            token = tokens[i]
            if token.kind == "nl":
                bind = None
            start = i == 0 or tokens[i - 1].kind == "nl" or tokens[i - 1].text in (";", "|")
            if token.kind == "op" and token.text == "{" or token.text == "do" and token.kind == "ident":
                i = self._open(i, "brace" if token.text == "{" else "do", bind)
                bind = None
                continue
            if token.kind == "op" and token.text == "}" or token.kind == "ident" and token.text == "end":
                kind = "brace" if token.text == "}" else None
                while self.frames:
                    popped = self._pop()
                    if (popped == "brace") == (kind == "brace"):
                        break
            elif token.kind == "ident" and token.text in _OPENERS and (start or i and tokens[i - 1].text == "="):
                self._push("keyword", {})
            elif _calls(tokens, i, ("Vagrant", "configure")):
                bind = "config"
            elif self._vm_call(i, "define"):
                i, bind = self._define(i)
                continue
            elif self._vm_call(i, "provision"):
                i, bind = self._provision(i)
                continue
            elif self._vm_call(i, "network"):
                self._network(i)
            elif self._vm_call(i, "synced_folder"):
                self._synced_folder(i)
            elif token.kind == "ident" and i + 3 < len(tokens) and isinstance(self.binding(token.text), _Provisioner) and tokens[i + 1].text == "." and tokens[i + 3].text == "=":
                args, end = self._args(i + 4)
                self.binding(token.text).fields[tokens[i + 2].text] = args[0] if args else []
                i = end
                continue
            elif start and token.kind == "ident" and i + 1 < len(tokens) and tokens[i + 1].text in ("=", "||="):
                args, end = self._args(i + 2)
                self.variables[token.text] = args[0] if args else []
                i = end
                continue
            i += 1

    def _open(self, i: int, kind: str, bind) -> int:
        names: Dict[str, object] = {}
        j = i + 1
        if j < len(self.tokens) and self.tokens[j].text == "|":
            params = []
            j += 1
            while j < len(self.tokens) and self.tokens[j].text != "|":
                if self.tokens[j].kind == "ident":
                    params.append(self.tokens[j].text)
                j += 1
            j += 1
            if params and bind is not None:
                names[params[0]] = bind
        self._push(kind, names)
        return j

    def _vm_call(self, i: int, method: str) -> bool:
        tokens = self.tokens
        if not _calls(tokens, i, (None, "vm", method)):
            return False
        return self.binding(tokens[i].text) is not None or tokens[i].text == "config"

    def _receiver_machine(self, token: _Tok) -> Optional[str]:
        bound = self.binding(token.text)
        return bound[1] if isinstance(bound, tuple) else None

    def _define(self, i: int) -> Tuple[int, object]:
        args, end = self._args(i + 5)
        name = _machine_name(self.doc.text, args[0]) if args else "default"
        self.machines.setdefault(name, self.tokens[i + 4])
        return end, ("machine", name)

    def _provision(self, i: int) -> Tuple[int, object]:
        args, end = self._args(i + 5)
        fields: Dict[str, List[_Tok]] = {}
        positional = []
        for arg in args:
            if arg and arg[0].kind == "label":
                fields[arg[0].text] = arg[1:]
            elif len(arg) > 2 and arg[0].kind == "symbol" and arg[1].text == "=>":
                fields[arg[0].text[1:]] = arg[2:]
            else:
                positional.append(arg)
        type_tokens = fields.get("type") or (positional[0] if positional else [])
        type_ = _literal(type_tokens) or ""
        where = type_tokens[0] if type_tokens else self.tokens[i + 4]
        provisioner = _Provisioner(type_, where, self._receiver_machine(self.tokens[i]), fields)
        self.provisioners.append(provisioner)
        return end, provisioner

    def _network(self, i: int) -> None:
        """``vm.network "private_network", ip: "10.0.7.10"`` of one machine: its address."""
        machine = self._receiver_machine(self.tokens[i])
        args, _ = self._args(i + 5)
        if machine is None or not args or (_literal(args[0]) or "").lstrip(":") not in ("private_network", "public_network"):
            return
        for arg in args[1:]:
            if arg and (arg[0].kind == "label" and arg[0].text == "ip" or arg[0].kind == "symbol" and arg[0].text == ":ip" and len(arg) > 2 and arg[1].text == "=>"):
                address = _literal(arg[1:] if arg[0].kind == "label" else arg[2:])
                if address:
                    self.addresses.setdefault(machine, []).append((address, arg[0]))

    def _synced_folder(self, i: int) -> None:
        """``vm.synced_folder "../shared", "/home/x/shared"``: that repository folder is on the
        machine at that path (``disabled: true`` takes it away, /vagrant included)."""
        machine = self._receiver_machine(self.tokens[i])
        args, _ = self._args(i + 5)
        if len(args) < 2:
            return
        host, guest = _literal(args[0]), _literal(args[1])
        disabled = any(arg and arg[0].text in ("disabled", ":disabled") and arg[-1].kind == "ident" and arg[-1].text == "true" for arg in args[2:])
        if host is None or guest is None or not guest.startswith("/"):
            return
        self.synced.append((machine, host, posixpath.normpath(guest), disabled))

    def _mounts(self, machine: str, files: Files) -> Tuple[Tuple[str, str, str, str, str], ...]:
        """The repository folders mounted on ``machine``: its synced folders and the Vagrantfile's
        own folder at /vagrant (Vagrant's default), each as Mounted takes it."""
        wanted: Dict[str, str] = {"/vagrant": "."}
        for owner, host, guest, disabled in self.synced:
            if owner is None or owner == machine:
                if disabled:
                    wanted.pop(guest, None)
                else:
                    wanted[guest] = host
        out = []
        for guest, host in wanted.items():
            inside = posixpath.normpath(posixpath.join(files.folder, host))
            if inside.startswith("/") or inside == ".." or inside.startswith("../") or not files._within(inside) or not (files.root / inside).is_dir():
                continue  # outside the repository, or not there
            rel, shown = files.located(inside)
            out.append((guest, str(files.root), inside, rel, shown))
        return tuple(out)

    def _args(self, i: int) -> Tuple[List[List[_Tok]], int]:
        """The arguments of a call (or the right side of an assignment), split at top-level commas;
        the index of what follows them: a block opener, or the end of the statement."""
        tokens = self.tokens
        args: List[List[_Tok]] = [[]]
        called = i < len(tokens) and tokens[i].text == "(" and tokens[i].start == tokens[i - 1].end  # f(a, b)
        depth = 0
        i += 1 if called else 0
        while i < len(tokens):
            token = tokens[i]
            op = token.kind == "op"
            if depth == 0 and (token.kind == "ident" and token.text in ("do", "end") or op and token.text in ("}", ";")):
                break
            if depth == 0 and op and token.text == "{" and i + 1 < len(tokens) and tokens[i + 1].text == "|":
                break
            if token.kind == "nl":
                last = tokens[i - 1]
                if depth == 0 and not called and not (last.kind in ("op", "label") and last.text in (",", "+", "=>", "(", "[", "{", "||", "&&", "=") or last.kind == "label"):
                    break
                i += 1
                continue
            if op and token.text in ("(", "[", "{"):
                depth += 1
            elif op and token.text in (")", "]", "}"):
                depth -= 1
                if depth < 0:
                    i += 1 if called else 0
                    break
            if depth == 0 and op and token.text == ",":
                args.append([])
            else:
                args[-1].append(token)
            i += 1
        return [arg for arg in args if arg], i

    # -- what the machines get ------------------------------------------------------------

    def _emit(self) -> None:
        machines = list(self.machines) or ["default"]
        files = Files(self.context)
        embedder = Embedder(self.doc, files, self.out, self.note)
        for machine in machines:
            group = f"{self.doc.path} › {machine}"
            # what its file provisioners uploaded, for its scripts to move, and the folders mounted there
            placed: Dict[str, Placed] = Mounted(mounts=self._mounts(machine, files))
            for address, token in self.addresses.get(machine, ()):
                self.out.fragments.append(MachineAddress(self.context.source, self.doc, address=address, group=group))
            for provisioner in self.provisioners:
                if provisioner.machine is None or provisioner.machine == machine:
                    self._provisioner(provisioner, group, embedder, files, placed)

    def _provisioner(self, provisioner: _Provisioner, group: str, embedder: Embedder, files: Files, placed: Dict[str, Placed]) -> None:
        label = f'vm.provision "{provisioner.type}"'
        fields = provisioner.fields
        if provisioner.type == "shell":
            if "inline" in fields:
                value = self._value(fields["inline"], (label, "inline"))
                if value is not None:
                    embedder.add(value, lambda text: "shell", group=group, placed=placed.copy())
            if "path" in fields:
                ref = self._file(fields["path"], files, (label,), 'path "{path}"')
                if ref is not None:
                    embedder.add(ref, lambda text: "shell", group=group, placed=placed.copy())
        elif provisioner.type == "file":
            destination = _literal(fields.get("destination", []))
            source = _literal(fields.get("source", []))
            if destination and source and not destination.startswith("~"):
                ref = self._file(fields["source"], files, (label,), 'source "{path}"')
                if ref is not None:
                    embedder.uploaded(ref, upload_target(destination, source), placed, group=group)
        elif provisioner.type == "docker":
            location = self.doc.location(provisioner.token.start, provisioner.token.end)
            self.out.fragments.append(
                EnginePackage(self.context.source, self.doc, manager="vagrant docker provisioner", name="docker-ce", pin="none", location=location, group=group)
            )
        elif provisioner.type:
            self.note(provisioner.token.start, f"{label}: not read by dlint")

    def _value(self, tokens: List[_Tok], labels: Tuple[str, ...], depth: int = 0) -> Optional[Inline]:
        """A script: string literals (joined by ``+`` or side by side), or a name assigned one."""
        tokens = _harmless(tokens)
        if len(tokens) == 1 and tokens[0].kind == "ident" and tokens[0].text in self.variables and depth < 8:
            inner = self.variables[tokens[0].text]
            return self._value(inner, labels + (tokens[0].text,), depth + 1)
        strings = [t for t in tokens if not (t.kind == "op" and t.text == "+")]
        if not strings or any(t.kind != "string" for t in strings):
            if tokens:
                self.note(tokens[0].start, f"{' › '.join(labels)}: not a string dlint can read; not read")
            return None
        value = Mapped()
        for token in strings:
            value.extend(token.value)
        span = (strings[0].start, strings[-1].end)
        return Inline(Text(value, span, any(t.templated for t in strings)), labels)

    def _joined(self, tokens: List[_Tok], depth: int = 0) -> Optional[str]:
        """A path written as strings and names of strings joined by ``+`` (``swarm_path + 'master.sh'``
        with ``swarm_path = 'docker17/'``), or None."""
        parts: List[str] = []
        tokens = _harmless(tokens)
        for index, token in enumerate(tokens):
            if index % 2:
                if not (token.kind == "op" and token.text == "+"):
                    return None
                continue
            if token.kind == "ident" and token.text in self.variables and depth < 8:
                inner = self.variables[token.text]
                part = _literal(inner) or self._joined(inner, depth + 1)
            else:
                part = _literal([token])
            if part is None:
                return None
            parts.append(part)
        return "".join(parts) if parts and len(tokens) % 2 else None

    def _file(self, tokens: List[_Tok], files: Files, labels: Tuple[str, ...], shown: str):
        raw = _literal(tokens) or self._joined(tokens)
        if raw is None:
            if tokens:
                self.note(tokens[0].start, f"{' › '.join(labels)}: not a literal path; the file is not read")
            return None
        if re.match(r"[a-z]+://", raw):
            self.note(tokens[0].start, f"{' › '.join(labels)}: {raw} is a download; not read")
            return None
        ref = files.ref(raw, (tokens[0].start, tokens[-1].end), labels, shown)
        if isinstance(ref, str):
            self.note(tokens[0].start, f"{' › '.join(labels)}: {raw!r}: {ref}")
            return None
        return ref


def _calls(tokens: List[_Tok], i: int, names: Tuple[Optional[str], ...]) -> bool:
    """``a.b.c`` starts at ``i`` (None matches any receiver)."""
    for n, name in enumerate(names):
        j = i + 2 * n
        if j >= len(tokens) or tokens[j].kind != "ident" or name is not None and tokens[j].text != name:
            return False
        if n + 1 < len(names) and (j + 1 >= len(tokens) or tokens[j + 1].text != "."):
            return False
    return i == 0 or tokens[i - 1].text != "."


def _harmless(tokens: List[_Tok]) -> List[_Tok]:
    """``<<-SHELL.chomp``: methods that do not change a script are dropped."""
    while len(tokens) >= 3 and tokens[-2].text == "." and tokens[-1].kind == "ident" and tokens[-1].text in _HARMLESS:
        tokens = tokens[:-2]
    return tokens


def _literal(tokens: List[_Tok]) -> Optional[str]:
    """A string or symbol written out in full, or None."""
    tokens = _harmless(tokens)
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.kind == "symbol":
        return token.text[1:]
    if token.kind == "string" and not token.templated:
        return token.value.text
    return None


def _machine_name(text: str, tokens: List[_Tok]) -> str:
    """A machine's name: the string or symbol, else the expression as written (a loop's pattern)."""
    literal = _literal(tokens)
    if literal is not None:
        return literal
    if len(tokens) == 1 and tokens[0].kind == "string":
        return tokens[0].value.text
    written = " ".join(text[tokens[0].start : tokens[-1].end].split()) if tokens else "default"
    return written if len(written) <= 60 else written[:57] + "..."


def ansible_playbooks(document: Document) -> List[Tuple[Optional[str], str]]:
    """(machine, playbook as written) of each ``ansible``/``ansible_local`` provisioner of a
    Vagrantfile, the machine None where every machine runs it (a provisioner of ``config``, or
    ``limit = "all"``): read as the Vagrant reader reads it, never run."""
    reader = _Reader(document, None)
    try:
        reader.parse()
    except RecursionError:
        return []
    out = []
    for provisioner in reader.provisioners:
        playbook = _literal(provisioner.fields.get("playbook", [])) if provisioner.type in ("ansible", "ansible_local") else None
        if playbook:
            every = _literal(provisioner.fields.get("limit", [])) in ("all", "*")
            out.append((None if every else provisioner.machine, playbook))
    return out


class VagrantKind(VagrantClaims, SourceKind):
    name = NAME
    summary = "Vagrantfiles: shell, file and docker provisioners of each machine"

    def read(self, document: Document, context: ReadContext) -> Extraction:
        try:
            return _Reader(document, context).run()
        except RecursionError:
            out = Extraction()
            out.notes.append(f"{NAME}: {document.start_location()}: nested too deep to read")
            return out

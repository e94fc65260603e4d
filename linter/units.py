"""What systemd makes of the Docker service: the unit it loads, its drop-ins, and the dockerd command
line it runs, with every word traced to the text that produced it.

``resolve(units, env_files)`` follows provisioning-facts §2.2–2.5 and systemd's own code
(``load-fragment.c`` config_parse_exec/config_parse_environ, ``env-util.c`` replace_env_argv,
``extract-word.c``, ``service.c`` service_verify):

* the main unit: the first ``<name>`` in the load path (/etc/systemd/system before /run/systemd/system
  before /usr/lib/systemd/system = /lib/systemd/system); it wins for the whole file;
* drop-ins: ``*.conf`` in ``<name>.d/`` (then the dash-truncated prefixes, then ``service.d/``) of every
  load-path folder, applied after the unit in lexicographic order of file name across folders; a
  file name found in several folders is taken from the highest-priority one only;
* list settings reset by an empty assignment (``ExecStart=``, ``Environment=``, …);
* ExecStart= split into words with systemd's quoting and C escapes, prefixes ``@-:+!`` stripped,
  ``%`` specifiers, then at start ``${VAR}`` (one word, may be part of a word), ``$VAR`` (a word of its
  own, split at blanks honouring quotes in the value), ``$$``; undefined variables are empty;
* variables from Environment= and from the EnvironmentFile= files found among ``env_files``
  (matched by their target path; the files' values override Environment=).

Each ``Word`` carries the Location of its origin: a word written in ExecStart= points there; a word
that comes out of ``$DOCKER_OPTS`` points into the environment file (or the Environment= entry) that
defines it, with a trace step back to the ExecStart= word that expanded it.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import field, replace
from .lazyclass import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from .document import Document
from .fragments import DockerdCommand, EnvFile, UnitEntry, UnitFile, Word
from .location import Location, TraceStep
from .source import Source
from .sources.systemd import WHITESPACE, parse_unit, valid_env_name, valid_env_value

SERVICE = "docker.service"

# systemd's unit load path for the system manager, highest priority first (provisioning-facts §2.2)
LOAD_PATH = (
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/run/systemd/generator.late",
)
_ALIASES = {"/lib/systemd/system": "/usr/lib/systemd/system"}  # merged /usr: one folder

DOCKERD_PROGRAMS = ("dockerd", "dockerd-current", "dockerd-rootless.sh")  # the last passes its arguments to dockerd

_SERVICE_TYPES = ("simple", "exec", "forking", "oneshot", "dbus", "notify", "notify-reload", "idle")
_KILL_MODES = ("control-group", "process", "mixed", "none")
_TRUE = ("1", "yes", "y", "true", "t", "on")
_FALSE = ("0", "no", "n", "false", "f", "off")
_CONTROLLER = re.compile(r"[a-z_]+\Z")
_MANAGER_VARIABLES = ("MAINPID",)  # set by systemd for ExecReload=; unknown here, kept as written


def parse_boolean(value: str) -> Optional[bool]:
    """systemd's parse_boolean(): None when the value is not a boolean."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


# --- the view ---------------------------------------------------------------------------------


@dataclass
class Setting:
    """A single-valued setting as systemd ended up with it, and the entry that set it."""

    value: str  # as written
    location: Location  # of the key of the entry that set it
    unit: UnitFile
    entry: UnitEntry
    parsed: object = None  # Type/KillMode: the value; Delegate: True/False; ExecReload: List[Command]


@dataclass
class Command:
    """One command of ExecStart= (or ExecReload=) after splitting and expansion."""

    words: List[Word]  # the program (prefixes removed), then its arguments
    location: Location  # of the ExecStart= key of the entry that gave it
    unit: UnitFile
    entry: UnitEntry
    prefixes: str = ""  # the @-:+! prefixes as written
    argv0: Optional[Word] = None  # with the @ prefix: the argv[0] given after the program

    @property
    def program(self) -> Word:
        return self.words[0]

    @property
    def arguments(self) -> List[Word]:
        return self.words[1:]


@dataclass
class Variable:
    """An environment variable of the service, and where its value is written."""

    name: str
    value: str
    location: Location  # of the name (in the Environment= value, or the environment file)
    origin: str  # Environment | EnvironmentFile
    document: Document  # the document value_offsets point into
    value_offsets: List[int] = field(default_factory=list)
    fragment: Optional[Union[UnitFile, EnvFile]] = None


@dataclass
class EnvironmentFileRef:
    """One EnvironmentFile= of the service."""

    path: str  # as written, without the "-"
    optional: bool  # "-": a missing file is skipped silently
    location: Location  # of the EnvironmentFile= key
    files: List[EnvFile] = field(default_factory=list)  # the env_files it names (several for a glob)


@dataclass
class UnitProblem:
    """What systemd says about the service.

    ``kind``: ``refused`` (the unit does not load: bad-setting; dockerd never starts from it),
    ``ignored`` (systemd logs a warning and ignores that setting or line), ``missing-file`` (a
    non-optional EnvironmentFile= that no file of the repository provides; if the machine lacks it
    too, every start fails), ``masked`` (an empty unit file masks the unit)."""

    kind: str
    message: str  # systemd's words, verbatim where known
    location: Location
    related: Tuple[Location, ...] = ()

    @property
    def fatal(self) -> bool:
        return self.kind in ("refused", "masked")


@dataclass
class ServiceView:
    """The Docker service as systemd loads it from the given units, drop-ins and environment files."""

    name: str = SERVICE
    unit: Optional[UnitFile] = None  # the main unit file systemd loads (None: none given)
    assumed: bool = False  # ``unit`` is the fallback given to resolve(), not a file of the repository
    dropins: List[UnitFile] = field(default_factory=list)  # applied, in order
    unused: List[UnitFile] = field(default_factory=list)  # overridden by a file of the same name with higher priority
    type: Optional[Setting] = None
    exec_start: List[Command] = field(default_factory=list)
    exec_reload: Optional[Setting] = None  # value: the command(s) as written; parsed: List[Command]
    kill_mode: Optional[Setting] = None
    delegate: Optional[Setting] = None
    environment: Dict[str, Variable] = field(default_factory=dict)  # as the started process sees it
    environment_files: List[EnvironmentFileRef] = field(default_factory=list)
    problems: List[UnitProblem] = field(default_factory=list)

    @property
    def used(self) -> List[UnitFile]:
        return ([self.unit] if self.unit is not None else []) + list(self.dropins)

    @property
    def refused(self) -> bool:
        """systemd will not load the unit (or it is masked): dockerd is not started from it."""
        return any(p.fatal for p in self.problems)


# --- systemd's word splitting, with positions ---------------------------------------------------


class _BadWord(Exception):
    pass


@dataclass
class _Token:
    text: str
    sources: List[int]  # for each character of text, the index in the split string it comes from
    start: int  # span in the split string, quotes and escapes included
    end: int


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'", "s": " "}
_HEX = "0123456789abcdefABCDEF"


def _unichar_valid(code: int) -> bool:
    return code < 0x110000 and (code & 0xFFFFF800) != 0xD800 and not 0xFDD0 <= code <= 0xFDEF and (code & 0xFFFE) != 0xFFFE


def _cunescape_one(s: str, i: int) -> Optional[Tuple[str, int]]:
    """systemd's cunescape_one() at s[i] (the character after a backslash): (text, length) or None."""
    c = s[i]
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], 1
    if c == "x":
        digits = s[i + 1 : i + 3]
        if len(digits) == 2 and all(d in _HEX for d in digits) and int(digits, 16) != 0:
            return chr(int(digits, 16)), 3
        return None
    if c in "uU":
        width = 4 if c == "u" else 8
        digits = s[i + 1 : i + 1 + width]
        if len(digits) == width and all(d in _HEX for d in digits):
            code = int(digits, 16)
            if code != 0 and _unichar_valid(code):
                return chr(code), width + 1
        return None
    if c in "01234567":
        digits = s[i : i + 3]
        if len(digits) == 3 and all(d in "01234567" for d in digits):
            code = int(digits, 8)
            if 0 < code <= 255:
                return chr(code), 3
        return None
    return None


def _skip_blanks(s: str, p: int) -> int:
    while p < len(s) and s[p] in WHITESPACE:
        p += 1
    return p


def _extract_word(s: str, p: int, *, cunescape: bool, relax: bool, cunescape_relax: bool = False) -> Tuple[Optional[_Token], int]:
    """systemd's extract_first_word() with EXTRACT_UNQUOTE (and the given flags): the word at or
    after ``p`` and where the next one may start. Raises _BadWord where systemd returns -EINVAL."""
    n = len(s)
    p = _skip_blanks(s, p)
    if p >= n:
        return None, n
    start = p
    out: List[str] = []
    srcs: List[int] = []
    quote = ""
    while True:
        if p >= n:
            if quote and not relax:
                raise _BadWord("quote")
            return _Token("".join(out), srcs, start, p), n
        c = s[p]
        if c == "\\":
            q = p + 1
            if q >= n:
                if cunescape_relax and (not quote or relax):
                    out.append("\\")
                    srcs.append(p)
                    return _Token("".join(out), srcs, start, q), n
                if relax:
                    return _Token("".join(out), srcs, start, q), n
                raise _BadWord("escape")
            if cunescape:
                decoded = _cunescape_one(s, q)
                if decoded is None:
                    if not cunescape_relax:
                        raise _BadWord("escape")
                    out.extend(("\\", s[q]))
                    srcs.extend((p, q))
                    p = q + 1
                else:
                    out.append(decoded[0])
                    srcs.append(p)
                    p = q + decoded[1]
            else:
                out.append(s[q])
                srcs.append(p)
                p = q + 1
            continue
        if quote:
            if c == quote:
                quote = ""
            else:
                out.append(c)
                srcs.append(p)
            p += 1
            continue
        if c in "'\"":
            quote = c
            p += 1
            continue
        if c in WHITESPACE:
            return _Token("".join(out), srcs, start, p), _skip_blanks(s, p)
        out.append(c)
        srcs.append(p)
        p += 1


def _extract_and_warn(s: str, p: int, problems: List[str]) -> Tuple[Optional[_Token], int]:
    """extract_first_word_and_warn() with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE: an unknown escape is
    kept verbatim with a warning; unbalanced quoting raises _BadWord."""
    try:
        return _extract_word(s, p, cunescape=True, relax=False)
    except _BadWord:
        pass
    try:
        token, after = _extract_word(s, p, cunescape=True, relax=False, cunescape_relax=True)
    except _BadWord:
        raise _BadWord("Unbalanced quoting") from None
    problems.append(f'Ignoring unknown escape sequences: "{token.text if token else ""}"')
    return token, after


def split_value(value: str) -> List[_Token]:
    """How systemd splits the value of ``$VAR`` into words: at blanks, quotes honoured and removed,
    a backslash taking the next character literally, unbalanced quotes tolerated."""
    tokens = []
    p = 0
    while True:
        token, p = _extract_word(value, p, cunescape=False, relax=True)
        if token is None:
            return tokens
        tokens.append(token)


# --- % specifiers -------------------------------------------------------------------------------

# every specifier systemd knows in unit files; only the name-derived ones can be resolved here
_KNOWN_SPECIFIERS = set("aAbBCdDEfgGhHiIjJlLmMnNopPqsStTuUvVwWyY%")


def _specifier_values(name: str) -> Dict[str, str]:
    prefix, _, _suffix = name.rpartition(".")
    prefix = prefix or name
    prefix, _, instance = prefix.partition("@")
    return {"n": name, "N": name.rsplit(".", 1)[0], "p": prefix, "P": prefix, "i": instance, "I": instance, "j": prefix.rsplit("-", 1)[-1], "J": prefix.rsplit("-", 1)[-1]}


def _specifiers(text: str, srcs: List[int], values: Dict[str, str]) -> Tuple[str, List[int], Optional[str]]:
    """Expand % specifiers (``%%`` is ``%``); unresolvable ones (host-dependent) stay as written.
    Returns the text, its sources, and an error when a specifier is unknown to systemd."""
    out: List[str] = []
    out_srcs: List[int] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "%" or i + 1 >= len(text):
            out.append(c)
            out_srcs.append(srcs[i])
            i += 1
            continue
        spec = text[i + 1]
        if spec not in _KNOWN_SPECIFIERS:
            return text, srcs, f"Failed to resolve unit specifiers in {text}: Invalid slot"
        if spec == "%":
            expansion = "%"
        else:
            expansion = values.get(spec, "%" + spec)
        out.extend(expansion)
        out_srcs.extend([srcs[i]] * len(expansion))
        i += 2
    return "".join(out), out_srcs, None


# --- ExecStart= and friends, as written ---------------------------------------------------------


@dataclass
class _RawCommand:
    prefixes: str
    path: _Token
    argv0: Optional[_Token]
    args: List[_Token]


def _parse_exec(value: str, specifiers: Dict[str, str]) -> Tuple[List[_RawCommand], List[Tuple[str, bool]]]:
    """config_parse_exec(): the commands of one non-empty ExecStart= value, and what systemd says
    ((message, fatal); fatal: the unit gets the bad-setting state)."""
    said: List[Tuple[str, bool]] = []
    warnings: List[str] = []
    commands: List[_RawCommand] = []
    p = 0
    semicolon = True
    while semicolon:
        semicolon = False
        try:
            first, p = _extract_and_warn(value, p, warnings)
        except _BadWord:
            said.append((f'Unbalanced quoting, ignoring: "{value}"', False))
            break
        said.extend((w, False) for w in warnings)
        warnings.clear()
        if first is None:
            break
        if first.text == ";":
            semicolon = True
            continue
        prefixes, flags = _prefixes(first.text)
        k = len(prefixes)
        ignore = "-" in flags
        suffix = ", ignoring" if ignore else ""
        path_text, path_srcs, error = _specifiers(first.text[k:], first.sources[k:], specifiers)
        if error:
            said.append((f"Failed to resolve unit specifiers in '{first.text[k:]}'{suffix}", not ignore))
            break
        path = _Token(path_text, path_srcs, first.start, first.end)
        bad = _bad_path(path_text)
        if bad:
            said.append((f"{bad}{suffix}: {path_text if path_text else repr(value)}", not ignore))
            break
        args: List[_Token] = []
        failed = False
        while p < len(value):
            if value[p] == ";" and (p + 1 >= len(value) or value[p + 1] in WHITESPACE):
                p = _skip_blanks(value, p + 1)
                semicolon = True
                break
            if value.startswith("\\;", p) and (p + 2 >= len(value) or value[p + 2] in WHITESPACE):
                args.append(_Token(";", [p], p, p + 2))
                p = _skip_blanks(value, p + 2)
                continue
            try:
                token, p = _extract_and_warn(value, p, warnings)
            except _BadWord:
                said.append((f'Unbalanced quoting, ignoring: "{value}"', not ignore))
                failed = True
                break
            said.extend((w, False) for w in warnings)
            warnings.clear()
            if token is None:
                break
            text, srcs, error = _specifiers(token.text, token.sources, specifiers)
            if error:
                said.append((error + suffix, not ignore))
                failed = True
                break
            args.append(_Token(text, srcs, token.start, token.end))
        if failed:
            break
        argv0 = None
        if "@" in flags:
            if not args:
                said.append((f"Empty executable name or zeroeth argument{suffix}: {value}", not ignore))
                break
            argv0, args = args[0], args[1:]
        commands.append(_RawCommand(prefixes, path, argv0, args))
    return commands, said


def _prefixes(word: str) -> Tuple[str, set]:
    """The @-:+! prefixes of a command's first word, as config_parse_exec() takes them: each at
    most once, and only one of +, !, !! (a second ! makes !!)."""
    flags: set = set()
    taken = 0
    for c in word:
        if c in "-@:" and c not in flags:
            flags.add(c)
        elif c in "+!" and not flags & {"+", "!", "!!"}:
            flags.add(c)
        elif c == "!" and not flags & {"+", "!!"}:
            flags.discard("!")
            flags.add("!!")
        else:
            break
        taken += 1
    return word[:taken], flags


def _bad_path(path: str) -> str:
    """Why systemd refuses a command's path, or ""."""
    if not path:
        return "Empty path in command line"
    if any(ord(c) < 32 or c in "\"'\\\x7f" for c in path):
        return "Executable name contains special characters"
    if path.endswith("/"):
        return "Executable path specifies a directory"
    if not path.startswith("/") and ("/" in path or path in (".", "..") or len(path) > 255):
        return "Neither a valid executable name nor an absolute path"
    return ""


# --- the environment --------------------------------------------------------------------------


def _span(document: Document, offsets: Sequence[int], start: int, end: int) -> Location:
    """The Location of value[start:end], given the document offset of each character."""
    if not offsets:
        return document.location(0, 0)
    start = min(max(start, 0), len(offsets) - 1)
    last = min(max(end - 1, start), len(offsets) - 1)
    return document.location(offsets[start], offsets[last] + 1)


def _environment_assignments(entry: UnitEntry, unit: UnitFile, specifiers) -> Tuple[List[Variable], List[str]]:
    """config_parse_environ(): the NAME=value words of one non-empty Environment= value."""
    found: List[Variable] = []
    said: List[str] = []
    value = entry.value
    p = 0
    while True:
        warnings: List[str] = []
        try:
            token, p = _extract_and_warn(value, p, warnings)
        except _BadWord:
            said.append(f"Invalid syntax, ignoring: {value}")
            break
        if token is None:
            break
        text, srcs, error = _specifiers(token.text, token.sources, specifiers)
        if error:
            said.append(f"Failed to resolve specifiers in {token.text}, ignoring")
            continue
        name, equals, rest = text.partition("=")
        if not equals or not valid_env_name(name) or not valid_env_value(rest):
            said.append(f"Invalid environment assignment, ignoring: {text}")
            continue
        offsets = [entry.value_offsets[i] for i in srcs if i < len(entry.value_offsets)]
        if len(offsets) != len(text):
            offsets = [entry.value_offsets[token.start] if entry.value_offsets else 0] * len(text)
        name_location = unit.document.location(offsets[0], offsets[len(name) - 1] + 1)
        found.append(Variable(name, rest, name_location, "Environment", unit.document, offsets[len(name) + 1 :], unit))
    return found, said


def _normalize(path: str) -> str:
    path = path.replace("\\", "/")
    return posixpath.normpath(path) if path else path


# --- expansion at start -------------------------------------------------------------------------


def _replace_env(text: str, lookup: Callable[[str], Optional[str]]) -> str:
    """systemd's replace_env_full() with no flags: ``${NAME}`` (a ``:`` inside leaves it as written),
    ``$$`` to ``$``; any other ``$`` stays."""
    out: List[str] = []
    word = 0
    state = "word"
    for i, c in enumerate(text):
        if state == "word":
            if c == "$":
                state = "curly"
        elif state == "curly":
            if c == "{":
                out.append(text[word : i - 1])
                word = i - 1
                state = "variable"
            elif c == "$":
                out.append(text[word:i])
                word = i + 1
                state = "word"
            else:
                state = "word"
        elif state == "variable":
            if c == "}":
                out.append(lookup(text[word + 2 : i]) or "")
                word = i + 1
                state = "word"
            elif c == ":":
                state = "word"
    out.append(text[word:])
    return "".join(out)


_WHOLE_BRACED = re.compile(r"\$\{([^}:]*)\}\Z")


def _via(location: Location, reference: Location, label: str) -> Location:
    step = TraceStep(reference.path, reference.line, reference.column, label)
    return replace(location, trace=location.trace + (step,))


def _expand(raw: _RawCommand, unit: UnitFile, entry: UnitEntry, env: Dict[str, Variable], manager: Sequence[str]) -> Command:
    document = unit.document
    offsets = entry.value_offsets

    def located(token: _Token) -> Location:
        return _span(document, offsets, token.start, token.end)

    def lookup(name: str) -> Optional[str]:
        variable = env.get(name) if valid_env_name(name) else None
        return variable.value if variable is not None else None

    words = [Word(raw.path.text, located(raw.path))]
    expand = ":" not in raw.prefixes
    for token in raw.args:
        where = located(token)
        text = token.text
        if not expand:
            words.append(Word(text, where))
            continue
        if text.startswith("$") and text[1:2] not in ("{", "$"):
            name = text[1:]
            variable = env.get(name) if valid_env_name(name) else None
            if variable is None:
                if name in manager:
                    words.append(Word(text, where))
                continue
            for piece in split_value(variable.value):
                at = _span(variable.document, variable.value_offsets, piece.start, piece.end)
                words.append(Word(piece.text, _via(at, where, text)))
            continue
        expanded = _replace_env(text, lookup)
        whole = _WHOLE_BRACED.match(text)
        variable = env.get(whole.group(1)) if whole and valid_env_name(whole.group(1)) else None
        if variable is not None and variable.value:
            at = _span(variable.document, variable.value_offsets, 0, len(variable.value))
            words.append(Word(expanded, _via(at, where, text)))
        else:
            words.append(Word(expanded, where))
    argv0 = Word(raw.argv0.text, located(raw.argv0)) if raw.argv0 is not None else None
    return Command(words, entry.location, unit, entry, raw.prefixes, argv0)


# --- which files systemd loads --------------------------------------------------------------------


def _split_target(target: str) -> Tuple[str, str]:
    folder, _, name = _normalize(target).rpartition("/")
    return _ALIASES.get(folder, folder), name


def _dropin_dirs(name: str) -> List[str]:
    """Drop-in folder names for a unit, most specific first: name.d, dash-truncated prefixes
    (foo-bar-.service.d, foo-.service.d), then the type-wide service.d."""
    stem, dot, suffix = name.rpartition(".")
    names = [name + ".d"]
    if dot:
        parts = stem.split("-")
        for cut in range(len(parts) - 1, 0, -1):
            names.append("-".join(parts[:cut]) + "-." + suffix + ".d")
        names.append(suffix + ".d")
    return names


def _runs_dockerd(unit: UnitFile) -> bool:
    for entry in unit.entries:
        if entry.section == "Service" and entry.key == "ExecStart" and entry.value:
            commands, _ = _parse_exec(entry.value, {})
            if any(posixpath.basename(c.path.text) in DOCKERD_PROGRAMS for c in commands):
                return True
    return False


def _service_name(units: Sequence[UnitFile]) -> str:
    names = set()
    for unit in units:
        folder, name = _split_target(unit.target)
        if name.endswith(".service"):
            names.add(name)
        if folder.endswith(".service.d"):
            names.add(posixpath.basename(folder)[:-2])
    if SERVICE in names:
        return SERVICE
    for unit in units:
        folder, name = _split_target(unit.target)
        if name.endswith(".service") and folder in LOAD_PATH and _runs_dockerd(unit):
            return name
    return SERVICE


def _system_rank(folder: str) -> Optional[int]:
    return LOAD_PATH.index(folder) if folder in LOAD_PATH else None


def _select(units: Sequence[UnitFile], name: str, fallback: Optional[UnitFile], load_rank: Callable[[str], Optional[int]] = _system_rank):
    """(main unit, assumed, drop-ins in order, unused files). ``load_rank`` places a folder in the
    unit search path (None: not in it): the system manager's, or the user manager's (rootless)."""
    mains: List[Tuple[int, int, UnitFile]] = []
    dropins: Dict[str, List[Tuple[Tuple[int, int, int], int, UnitFile]]] = {}
    dirs = _dropin_dirs(name)
    type_dir = dirs[-1] if len(dirs) > 1 else None
    unused: List[UnitFile] = []
    for order, unit in enumerate(units):
        folder, base = _split_target(unit.target)
        if base == name and load_rank(folder) is not None:
            mains.append((load_rank(folder), -order, unit))
            continue
        parent, _, dirname = folder.rpartition("/")
        parent = _ALIASES.get(parent, parent)
        if base.endswith(".conf") and dirname in dirs and load_rank(parent) is not None:
            level = 1 if dirname == type_dir else 0
            rank = (level, load_rank(parent), dirs.index(dirname))
            dropins.setdefault(base, []).append((rank, -order, unit))
    main = None
    assumed = False
    if mains:
        mains.sort(key=lambda item: item[:2])
        main = mains[0][2]
        unused.extend(item[2] for item in mains[1:])
    elif fallback is not None:
        main, assumed = fallback, True
    applied = []
    for base in sorted(dropins):
        candidates = sorted(dropins[base], key=lambda item: item[:2])
        applied.append(candidates[0][2])
        unused.extend(item[2] for item in candidates[1:])
    return main, assumed, applied, unused


# --- resolve ----------------------------------------------------------------------------------


def resolve(
    units: Sequence[UnitFile],
    env_files: Sequence[EnvFile] = (),
    *,
    name: Optional[str] = None,
    fallback: Optional[UnitFile] = None,
    packaged_base: bool = False,
    load_rank: Callable[[str], Optional[int]] = _system_rank,
) -> ServiceView:
    """The service ``name`` (default: docker.service, or else the service whose ExecStart runs dockerd)
    as systemd loads it from ``units`` (main units and drop-ins, anywhere in the load path) and
    starts it with ``env_files``.

    ``fallback`` is used as the main unit when ``units`` has none; ``packaged_base=True`` makes it
    ``packaged_unit()``, for a host that installs docker-ce and ships only drop-ins (or nothing).
    The view is then ``assumed``. Several files with the same target: the later in ``units`` (or
    ``env_files``) is taken to be written last, and wins."""
    name = name or _service_name(units)
    if fallback is None and packaged_base:
        fallback = packaged_unit()
    main, assumed, dropins, unused = _select(units, name, fallback, load_rank)
    view = ServiceView(name=name, unit=main, assumed=assumed, dropins=dropins, unused=unused)
    ordered = view.used

    for unit in ordered:
        _syntax_problems(view, unit)
    if main is not None and main.document.text == "" and main.entries == []:
        view.problems.append(UnitProblem("masked", f"Unit {name} is masked.", main.document.start_location()))
        return view

    loaded = _Loader(view, _specifier_values(name))
    for unit in ordered:
        for entry in unit.entries:
            if entry.section == "Service":
                loaded.take(unit, entry)

    view.environment = dict(loaded.environment)
    _load_environment_files(view, env_files)
    view.exec_start = [_expand(raw, unit, entry, view.environment, ()) for raw, unit, entry in loaded.exec_start]
    reload = [_expand(raw, unit, entry, view.environment, _MANAGER_VARIABLES) for raw, unit, entry in loaded.exec_reload]
    if reload:
        entries = []
        for command in reload:
            if command.entry not in entries:
                entries.append(command.entry)
        written = " ; ".join(entry.value for entry in entries)
        view.exec_reload = Setting(written, reload[0].location, reload[0].unit, reload[0].entry, reload)
    if main is not None:
        _verify(view, loaded.has_stop, loaded.success_action, loaded.reset_at)
    return view


class _Loader:
    """The [Service] settings, entry after entry, as systemd's config parsers take them."""

    def __init__(self, view: ServiceView, specifiers: Dict[str, str]):
        self.view = view
        self.specifiers = specifiers
        self.environment: Dict[str, Variable] = {}
        self.exec_start: List[Tuple[_RawCommand, UnitFile, UnitEntry]] = []
        self.exec_reload: List[Tuple[_RawCommand, UnitFile, UnitEntry]] = []
        self.has_stop = False
        self.success_action = False
        self.reset_at: Optional[Location] = None  # the last empty ExecStart=

    def say(self, kind: str, message: str, entry: UnitEntry) -> None:
        self.view.problems.append(UnitProblem(kind, message, entry.location))

    def take(self, unit: UnitFile, entry: UnitEntry) -> None:
        key, value = entry.key, entry.value
        view = self.view
        if key in ("ExecStart", "ExecReload", "ExecStop"):
            self.command(unit, entry)
        elif key == "Environment":
            self.assignments(unit, entry)
        elif key == "EnvironmentFile":
            self.environment_file(entry)
        elif key == "Type":
            _single(view, "type", unit, entry, value if value in _SERVICE_TYPES else None, f"Failed to parse service type, ignoring: {value}")
        elif key == "KillMode":
            _single(view, "kill_mode", unit, entry, value if value in _KILL_MODES else None, f"Failed to parse kill mode specification, ignoring: {value}")
        elif key == "Delegate":
            _single(view, "delegate", unit, entry, _delegate(value), f"Invalid controller name, ignoring: {value}")
        elif key == "SuccessAction":
            self.success_action = value not in ("", "none")

    def command(self, unit: UnitFile, entry: UnitEntry) -> None:
        key = entry.key
        if entry.value == "":  # an empty assignment resets the list
            if key == "ExecStart":
                self.exec_start.clear()
                self.reset_at = entry.location
            elif key == "ExecReload":
                self.exec_reload.clear()
            else:
                self.has_stop = False
            return
        commands, said = _parse_exec(entry.value, self.specifiers)
        for message, fatal in said:
            self.say("refused" if fatal else "ignored", message, entry)
        if any(fatal for _, fatal in said):
            return
        if key == "ExecStart":
            self.exec_start.extend((c, unit, entry) for c in commands)
        elif key == "ExecReload":
            self.exec_reload.extend((c, unit, entry) for c in commands)
        elif commands:
            self.has_stop = True

    def assignments(self, unit: UnitFile, entry: UnitEntry) -> None:
        if entry.value == "":
            self.environment.clear()
            return
        found, said = _environment_assignments(entry, unit, self.specifiers)
        for message in said:
            self.say("ignored", message, entry)
        for variable in found:  # a later assignment of a name wins
            self.environment.pop(variable.name, None)
            self.environment[variable.name] = variable

    def environment_file(self, entry: UnitEntry) -> None:
        value = entry.value
        if value == "":
            self.view.environment_files.clear()
            return
        text, _, error = _specifiers(value, list(range(len(value))), self.specifiers)
        if error:
            self.say("ignored", f"Failed to resolve unit specifiers in {value}, ignoring", entry)
            return
        optional = text.startswith("-")
        path = text[1:] if optional else text
        if not path.startswith("/"):
            self.say("ignored", f"EnvironmentFile= path is not absolute, ignoring: {path}", entry)
            return
        self.view.environment_files.append(EnvironmentFileRef(path, optional, entry.location))


def _single(view: ServiceView, attribute: str, unit: UnitFile, entry: UnitEntry, parsed, complaint: str) -> None:
    if parsed is None:
        view.problems.append(UnitProblem("ignored", complaint, entry.location))
        return
    setattr(view, attribute, Setting(entry.value, entry.location, unit, entry, parsed))


def _delegate(value: str) -> Optional[bool]:
    """Delegate=: a boolean, or a list of controllers (delegation on); empty turns it on."""
    if value == "":
        return True
    boolean = parse_boolean(value)
    if boolean is not None:
        return boolean
    return True if all(_CONTROLLER.match(word) for word in value.split()) else None


def _syntax_problems(view: ServiceView, unit: UnitFile) -> None:
    """What systemd says while reading the file itself (re-read from its text)."""
    unit_type = unit.target.rsplit(".", 1)[-1] if "." in unit.target.rsplit("/", 1)[-1] else ""
    if unit.target.endswith(".conf"):
        unit_type = "service"
    for issue in parse_unit(unit.document.text, unit_type).issues:
        where = unit.document.location(issue.start, issue.end)
        if issue.fatal:
            view.problems.append(UnitProblem("refused", f"{issue.message}; {view.name} fails to load", where))
        else:
            view.problems.append(UnitProblem("ignored", issue.message, where))


def _load_environment_files(view: ServiceView, env_files: Sequence[EnvFile]) -> None:
    """EnvironmentFile= files in order, later ones winning; their values override Environment=."""
    by_target: Dict[str, EnvFile] = {}
    for env_file in env_files:
        by_target[_normalize(env_file.target)] = env_file
    for ref in view.environment_files:
        pattern = _normalize(ref.path)
        if any(c in pattern for c in "*?["):
            matches = [by_target[t] for t in sorted(by_target) if fnmatch.fnmatchcase(t, pattern)]
        else:
            matches = [by_target[pattern]] if pattern in by_target else []
        ref.files = matches
        if not matches and not ref.optional:
            message = f"{view.name}: Failed to load environment files: No such file or directory ({ref.path} is not among the files read)"
            view.problems.append(UnitProblem("missing-file", message, ref.location))
        for env_file in matches:
            for var in env_file.variables:
                if not valid_env_name(var.name):
                    continue
                view.environment.pop(var.name, None)
                view.environment[var.name] = Variable(var.name, var.value, var.location, "EnvironmentFile", env_file.document, list(var.value_offsets), env_file)


def _verify(view: ServiceView, has_stop: bool, success_action: bool, reset_at: Optional[Location]) -> None:
    """service_verify(): the checks that make systemd refuse the unit (ExecStart= count)."""
    start = view.exec_start
    service_type = view.type.parsed if view.type is not None else ("simple" if start else "oneshot")
    anchor = reset_at or view.unit.document.start_location()
    if not start and not has_stop and not success_action:
        view.problems.append(UnitProblem("refused", f"{view.name}: Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.", anchor))
    elif service_type != "oneshot" and not start:
        view.problems.append(UnitProblem("refused", f"{view.name}: Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.", anchor))
    elif service_type != "oneshot" and len(start) > 1:
        locations = []
        for command in start:
            if command.location not in locations:
                locations.append(command.location)
        primary = start[1].location
        related = tuple(loc for loc in locations if loc != primary)
        message = f"{view.name}: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing."
        view.problems.append(UnitProblem("refused", message, primary, related))


# --- dockerd -----------------------------------------------------------------------------------


def dockerd_exec(view: ServiceView) -> Optional[Command]:
    """The first ExecStart= command that runs dockerd (or Red Hat's dockerd-current)."""
    for command in view.exec_start:
        if posixpath.basename(command.program.text) in DOCKERD_PROGRAMS:
            return command
    return None


def dockerd_command(view: ServiceView) -> Optional[Tuple[Word, List[Word]]]:
    """The program and arguments of ``dockerd_exec(view)``. It says nothing of whether systemd
    accepts the unit: see ``view.refused``."""
    command = dockerd_exec(view)
    return (command.program, command.arguments) if command is not None else None


def command_fragment(view: ServiceView, host: Optional[object] = None) -> Optional[DockerdCommand]:
    """The dockerd command line of the service as a DockerdCommand fragment, or None.

    Its source and document are those of the unit file (or drop-in) that holds the ExecStart=.
    When that is the assumed packaged unit, they are taken from ``host`` (its first fragment) when
    given, so that the fragment belongs to a file of the repository; the words still point into
    ``<packaged docker.service>``. ``note`` says when the packaged unit is assumed and when systemd
    refuses the unit."""
    found = dockerd_exec(view)
    if found is None:
        return None
    assumed = view.assumed and found.unit is view.unit
    notes = []
    source, document = found.unit.source, found.unit.document
    if assumed:
        notes.append(f"assumes the packaged {view.name} of docker-ce (ExecStart={PACKAGED_UNIT.exec_start}): the repository has none")
        fragments = getattr(host, "fragments", None)
        if fragments:
            source, document = fragments[0].source, fragments[0].document
    refusal = next((p.message for p in view.problems if p.fatal), None)
    if refusal:
        notes.append(f"systemd does not start this unit: {refusal}")
    return DockerdCommand(
        source,
        document,
        words=list(found.arguments),
        origin="packaged-unit" if assumed else "systemd",
        location=found.location,
        assumed=assumed,
        note="; ".join(notes),
    )


# --- the packaged unit ------------------------------------------------------------------------


@dataclass(frozen=True)
class PackagedUnit:
    """The docker.service that docker-ce packages install (moby contrib/init/systemd/docker.service;
    provisioning-facts §2.6, dockerd-facts §3.4), as dlint assumes it for a host whose repository
    ships no unit. ``text`` is a synthetic document named ``display``: the settings that matter,
    in the order and with the values of the packaged unit; Locations into it read
    ``<packaged docker.service>:LINE:COL``."""

    display: str
    target: str
    text: str
    exec_start: str
    exec_reload: str
    kill_mode: str
    delegate: str

    def unit_file(self) -> UnitFile:
        """A fresh UnitFile of the packaged unit (for ``resolve(..., fallback=...)``)."""
        from .sources import ReadContext
        from .sources.systemd import SystemdKind

        source = Source(Path(self.display), self.display, self.display, "systemd", self.text.encode())
        extraction = SystemdKind().read(Document(self.text, self.display), ReadContext(source, target=self.target))
        return extraction.fragments[0]


_PACKAGED_TEXT = """\
# dlint's summary of docker-ce's docker.service (moby contrib/init/systemd/docker.service)
[Unit]
Description=Docker Application Container Engine
Documentation=https://docs.docker.com
Wants=containerd.service
Requires=docker.socket
StartLimitBurst=3
StartLimitIntervalSec=60

[Service]
Type=notify
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutStartSec=0
RestartSec=2
Restart=always
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
Delegate=yes
KillMode=process
OOMScoreAdjust=-500

[Install]
WantedBy=multi-user.target
"""

PACKAGED_UNIT = PackagedUnit(
    display="<packaged docker.service>",
    target="/usr/lib/systemd/system/docker.service",
    text=_PACKAGED_TEXT,
    exec_start="/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
    exec_reload="/bin/kill -s HUP $MAINPID",
    kill_mode="process",
    delegate="yes",
)


def packaged_unit() -> UnitFile:
    return PACKAGED_UNIT.unit_file()


def packaged_dockerd_arguments() -> List[Word]:
    """``-H fd:// --containerd=/run/containerd/containerd.sock`` as Words located in the packaged
    unit's synthetic document (``<packaged docker.service>:12:28`` for ``-H``)."""
    found = dockerd_command(resolve([packaged_unit()]))
    assert found is not None
    return found[1]

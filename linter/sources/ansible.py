"""Ansible: roles, playbooks, group_vars and host_vars, read statically (provisioning-facts §4).

What is read:

* ``roles/<role>/{tasks,handlers,defaults,vars,meta}/*.yml``: every file of a role belongs to the
  machine the role configures (``Extraction.group`` is the role folder, ``roles/docker/``), so a
  handler's restart and a task's daemon.json meet in one host. Each tasks file is read on its own
  (an ``include_tasks`` of a file of the same role is not followed again).
* playbooks (a top-level list of plays with ``hosts:`` and ``tasks:``/``roles:``/...): the plays'
  own tasks and handlers; a file they include (``include_tasks``, ``import_tasks``) is read as
  part of the playbook. A role a play names is its own host.
* task lists anywhere (a top-level list of tasks).
* ``group_vars/``, ``host_vars/`` and a role's defaults/vars: the variables of popular Docker roles
  (geerlingguy.docker ``docker_daemon_options``, ``docker_packages``, ``docker_packages_state``;
  haxorof/atosatto ``docker_daemon_config``, ``docker_version``; nickjj ``docker__version``), when
  no role of the repository uses them itself (then that role's tasks say what happens).

Tasks (short and FQCN module names, ``block``/``rescue``/``always``, ``loop``/``with_items`` over
literal lists): ``copy`` (``content`` as written or rendered, a dict as ``json.dumps``; ``src``
from the role's ``files/``), ``template`` (``src`` from ``templates/``, Jinja read statically by
``linter.jinja``), ``lineinfile``/``blockinfile``, ``package``/``apt``/``yum``/``dnf`` and
``dpkg_selections`` of the engine (pins as ``shell.pin_of``), ``service``/``systemd`` of docker,
``community.docker.docker_swarm``, ``shell``/``command`` (read by the shell kind).

Variables are looked up as Ansible would, highest first: loop item, task and block vars, role
vars, play vars and vars_files, ``group_vars/all`` beside the playbook (or the ``roles/`` folder),
role defaults. A value is replaced only when it is a literal the repository sets; its text keeps
its position in the vars file, so a wrong daemon.json key written from ``docker_daemon_options``
points at that key in ``defaults/main.yml``, with the task in the trace. No template is rendered
and nothing is executed.

Notes start with ``ansible:``. Limits: YAML as cloud-init's reader bounds it (depth, nodes, alias
expansion, a work budget); files outside the project root, symbolic links and files over 4 MiB
are never read.
"""

from __future__ import annotations

import contextlib
import functools
import os
import posixpath
import re
import stat
from collections import OrderedDict
from dataclasses import field
from ..lazyclass import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from weakref import WeakKeyDictionary

from .. import jinja, variants
from ..discovery import MAX_BYTES, read_bounded
from ..document import Document
from ..fragments import DaemonInUse, EnginePackage, Opaque, PlayedBy, SameMachines, ServiceAction, SwarmMembership, SyntaxProblem, TemplateError, UnitUnknown
from ..jinja import Mapped, Val
from ..linear_re import linear_or_none
from ..location import Location, TraceStep
from ..source import Source
from ..yamlnodes import Budget, Walk, compose, is_map, is_scalar, is_seq, scalar_offsets, tag_of, value_of
from . import Embedded, Extraction, ReadContext, SourceKind, kind_for_target
from . import ansible_plays as plays
from .claims import _INVENTORY_FILE, _ROLE_FILE, _YAML_NAME, AnsibleClaims
from .ignition import OS_FILES
from .shell import ENGINE_NAMES, pin_of

NAME = "ansible"
MAX_LOOP = 64  # items of a literal loop read
MAX_ROLE_FILES = 200  # files of a role read to see which variables it uses
MAX_DEPTH = 16  # variables rendered through variables
MAX_VALUE_NODES = 50_000  # values made from YAML nodes in one read, aliases expanded

# a role may sit in a subfolder of roles/ (kubespray: roles/container-engine/docker/)

_ENGINE = frozenset(ENGINE_NAMES | {"docker"})
_MODULE_PREFIXES = ("ansible.builtin.", "ansible.legacy.", "community.docker.", "community.general.", "ansible.posix.")
_TASK_KEYWORDS = frozenset(
    """name when notify register become become_user become_method become_flags become_exe tags vars loop
    loop_control args changed_when failed_when ignore_errors delegate_to delegate_facts run_once environment
    no_log listen check_mode diff retries delay until any_errors_fatal throttle timeout module_defaults
    collections debugger connection remote_user async poll port ignore_unreachable""".split()
)
_LOOP_KEYS = ("loop", "with_items", "with_list", "with_flattened")
# Ansible's magic variables and facts: set on the machine, never known statically
_MAGIC = re.compile(
    r"^(?:ansible_.*|hostvars|groups|group_names|inventory_hostname(?:_short)?|inventory_dir|inventory_file|"
    r"play_hosts|ansible_play_.*|omit|playbook_dir|role_path|role_name|item|lookup|query|q|now|undef|range|"
    r"environment|vars|facts|discovered_interpreter_python)$"
)
def _omitted(value: Val) -> bool:
    """Ansible's omit (jinja.OMIT): a task's argument, or a member of one, left out."""
    return value.kind == "unknown" and value.data == jinja.OMIT


# a path in the role that runs the task (Ansible's role_path is the role's folder)
_ROLE_PATH = re.compile(r"^\{\{\s*role_path\s*\}\}/")
# task keys after which later tasks may see new names (see _Reader.defined_by)
_DEFINERS = frozenset({"set_fact", "register", "include_vars", "set_stats", "include_tasks", "import_tasks", "include", "action", "local_action"})
# community.docker modules that work the dockerd of the machine they run on (its socket by default)
_DAEMON_MODULES = (
    "docker_container", "docker_network", "docker_image", "docker_image_pull", "docker_volume", "docker_compose",
    "docker_compose_v2", "docker_stack", "docker_login", "docker_prune", "docker_plugin", "docker_secret",
    "docker_config", "docker_node", "docker_container_exec",
)
# the modules dlint reads, and the _Reader method that reads each (any other task only defines names)
_DISPATCH = {
    "copy": "copy",
    "template": "template",
    **dict.fromkeys(("lineinfile", "blockinfile", "replace"), "edit"),
    **dict.fromkeys(("package", "apt", "yum", "dnf", "dnf5"), "package"),
    "dpkg_selections": "selection",
    **dict.fromkeys(("yum_versionlock", "dnf_versionlock"), "versionlock"),
    **dict.fromkeys(("service", "systemd", "systemd_service", "sysvinit"), "service"),
    "docker_swarm": "swarm",
    **dict.fromkeys(_DAEMON_MODULES, "daemon_use"),
    **dict.fromkeys(("shell", "command", "raw"), "shell"),
    **dict.fromkeys(("include_tasks", "import_tasks", "include"), "include"),  # `include`: before ansible-core 2.16
    **dict.fromkeys(("include_role", "import_role"), "role_task"),
    "get_url": "download",
    "script": "script",
}
_ANY_NAME = "\0any"  # bound once a task may define any name (include_vars)
_HOLD = re.compile(r"apt-mark\s+hold|versionlock|dnf\s+mark|zypper\s+(?:addlock|al)\b")
_VENDOR_UNITS = frozenset({"/lib/systemd/system/docker.service", "/usr/lib/systemd/system/docker.service"})
_SERVICE_STATES = {"restarted": "restart", "reloaded": "reload", "started": "start", "stopped": "stop"}
_WHERE_FILES = {"copy": "files", "template": "templates"}

# the variables of popular Docker roles (provisioning-facts §4.7)
_DAEMON_VARIABLES = {  # variable -> (role, written even when empty)
    "docker_daemon_options": ("geerlingguy.docker", False),
    "docker_daemon_config": ("haxorof.docker_ce / atosatto.docker-swarm", True),
}
_WELL_KNOWN = (
    "docker_daemon_options",
    "docker_daemon_config",
    "docker_packages",
    "docker_package",
    "docker_packages_state",
    "docker_package_state",
    "docker_version",
    "docker_latest_version",
    "docker_package_version",
    "docker__version",
    "docker__state",
    "docker_restart_handler_state",
)

_WELL_KNOWN_LINE = re.compile(r"^[\"']?(?:" + "|".join(_WELL_KNOWN) + r")[\"']?\s*:", re.M)
_WELL_KNOWN_MEMO = "\0well-known line"  # in _Files.written's memo of a text, beside the names (never a name)


# --- where a file sits ------------------------------------------------------------------------


@dataclass
class _Place:
    """A file of the repository: its path three ways, and what it is to Ansible."""

    path: Optional[Path]  # absolute, None when unknown (a document read without a file)
    rel: str
    display: str
    section: str  # tasks | handlers | defaults | vars | meta | inventory | playbook | unknown
    root: Optional[Path] = None  # the project root: nothing outside it is read
    cwd: Optional[Path] = None  # what display paths are relative to
    role: Optional[Path] = None  # the role folder
    role_display: str = ""
    group: Optional[str] = None  # the machine (a role folder, an inventory group)
    base: Optional[Path] = None  # the playbook folder (group_vars/all, files/, templates/ beside it)
    files: Optional["_Files"] = None  # what this scan already read (None: nothing is kept)

    def display_of(self, path: Path) -> str:
        if self.files is None:
            return self._display_of(path)
        key = (self.cwd, path)
        found = self.files.displays.get(key)
        if found is None:
            found = self.files.displays[key] = self._display_of(path)
        return found

    def _display_of(self, path: Path) -> str:
        if self.cwd is not None:
            try:
                return path.relative_to(self.cwd).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def rel_of(self, path: Path) -> str:
        if self.root is not None:
            try:
                return path.relative_to(self.root).as_posix()
            except ValueError:
                pass
        return path.as_posix().lstrip("/")

    def inside(self, path: Path) -> bool:
        """Inside the project root, symbolic links resolved (nothing outside it is ever read)."""
        if self.root is None:
            return False
        if self.files is not None:
            return self.files.inside(path, self.root)
        return _inside(path, self.root)

    def is_file(self, path: Path) -> bool:
        return self.files.is_file(path) if self.files is not None else _file(path)

    def sibling(self, path: Path, section: str) -> "_Place":
        """Another file, placed like this one (an included task list, a vars file)."""
        return _Place(path, self.rel_of(path), self.display_of(path), section, self.root, self.cwd, self.role, self.role_display, self.group, self.base, self.files)


def _inside(path: Path, root: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(_real_root(root))
        return True
    except (ValueError, OSError):
        return False


@functools.lru_cache(maxsize=64)
def _real_root(root: Path) -> str:
    """A project root's real path, resolved once (every file read asks whether it is inside)."""
    return os.path.realpath(root)


def _strip_suffix(whole: str, tail: str) -> Optional[str]:
    return whole[: len(whole) - len(tail)] if tail and whole.endswith(tail) else None


def _place(source: Source, rel: Optional[str] = None) -> _Place:
    rel = (rel if rel is not None else source.rel).replace("\\", "/")
    display = source.display
    path = Path(os.path.abspath(source.path)) if source.path else None
    root = cwd = None
    if path is not None:
        root_text = _strip_suffix(path.as_posix(), "/" + rel) if rel else None
        root = Path(root_text) if root_text else path.parent
        if not display.startswith("/"):
            cwd_text = _strip_suffix(path.as_posix(), "/" + display) if display else None
            cwd = Path(cwd_text) if cwd_text else None
    place = _Place(path, rel, display, "unknown", root, cwd)
    subject = rel
    match = _ROLE_FILE.search(rel)
    if match is None and path is not None:  # a role scanned from inside its folder, outside git
        subject = path.as_posix()
        match = _ROLE_FILE.search(subject)
    if match is None and path is not None:  # a repository that is one role (ansible-role-docker)
        subject, match = _standalone_role(path)
    if match:
        tail = subject[match.start(1) + len(match.group(1)) :]
        place.section = match.group(2)
        prefix = _strip_suffix(display, tail)
        # scanned from inside the role folder, its files display as tasks/main.yml: the host is ./
        place.role_display = (prefix or "./") if prefix is not None else match.group(1)
        place.group = place.role_display
        if path is not None:
            role = path
            for _ in tail.split("/"):
                role = role.parent
            place.role = role
            base = role
            for _ in range(match.group(1).count("/")):
                base = base.parent
            place.base = base  # the folder that holds roles/
        return place
    match = _INVENTORY_FILE.search(rel)
    if match:
        place.section = "inventory"
        tail = rel[match.start(1) :]
        prefix = _strip_suffix(display, tail)
        if prefix is not None:
            place.group = prefix + match.group(1) + match.group(2) + ("/" if match.group(3) else "")
        if path is not None:
            folder = path
            for _ in (match.group(3) or "").strip("/").split("/") if match.group(3) else ():
                folder = folder.parent
            place.base = folder.parent.parent
        return place
    if path is not None:
        place.base = path.parent
    return place


_ROLE_SECTIONS = ("tasks", "handlers", "defaults", "vars", "meta")


def _standalone_role(path: Path):
    """For a file of a role that is not under roles/ (a repository that is one role): the path
    written as if it were, and its match; else (None, None). A role is recognised by its
    meta/main.yml, or by tasks/ beside defaults/ or handlers/."""
    for folder in path.parents:
        if folder.name not in _ROLE_SECTIONS:
            continue
        role = folder.parent
        marks = [role / "meta" / "main.yml", role / "meta" / "main.yaml"]
        is_role = any(m.is_file() for m in marks) or (
            (role / "tasks").is_dir() and ((role / "defaults").is_dir() or (role / "handlers").is_dir())
        )
        if is_role:
            subject = "roles/" + role.name + "/" + path.relative_to(role).as_posix()
            return subject, _ROLE_FILE.search(subject)
        break
    return None, None


def _folder(path: Path) -> bool:
    """A real folder (not a symbolic link); False when it cannot be told."""
    try:
        return path.is_dir() and not path.is_symlink()
    except (OSError, ValueError):
        return False


def _file(path: Path) -> bool:
    """A regular file (not a symbolic link); False when it cannot be told (a NUL in the name)."""
    try:
        return path.is_file() and not path.is_symlink()
    except (OSError, ValueError):
        return False


def _children(folder: Path) -> List[Path]:
    try:
        return sorted(folder.iterdir())[:MAX_ROLE_FILES]
    except (OSError, ValueError):
        return []


# --- reading files the task names -----------------------------------------------------------------


@dataclass
class _Yaml:
    """A YAML text composed with positions, and the document that shows it."""

    text: str
    root: object
    walk: Walk
    doc: Document
    display: str
    problem: Optional[str] = None


def _read_text(place: _Place, path: Path) -> Optional[str]:
    if not place.inside(path):
        return None
    if place.files is not None:
        return place.files.text(path)
    return _read_file(path)


def _read_file(path: Path) -> Optional[str]:
    data, error = read_bounded(path, MAX_BYTES)
    if data is None or error is not None:
        return None
    return data.decode("utf-8", "replace")


class _Files:
    """What one scan has learnt of the repository's files: whether a path is inside the project
    root, is a regular file, and its text. Every file of a role is read once for each play that
    applies it, and each such read looks at the same vars files, group_vars and included task
    files: without this, reading a role costs plays x files x (its vars files) reads from disk.
    A text is kept while the file's lstat (mtime, size, inode) stays the same; one scan only (the
    kind that holds it is made per scan)."""

    MAX_CHARS = 64 * 1024 * 1024  # texts kept, in all

    def __init__(self):
        self._inside: Dict[Tuple[str, Path], bool] = {}
        self._real: Dict[str, str] = {}
        self._file: Dict[str, bool] = {}
        self._texts: Dict[str, Tuple[tuple, Optional[str]]] = {}
        self._chars = 0
        self._written: Dict[int, Tuple[str, Dict[str, bool]]] = {}  # id(text) -> (text, name -> written in it)
        self.resolved: Dict[tuple, Optional[Path]] = {}  # where a task's file name leads (_Reader.resolve_file)
        self.displays: Dict[tuple, str] = {}  # (cwd, path) -> how reports show the path
        self.mentions: Dict[tuple, frozenset] = {}  # (root, role folder) -> the words of its files (_Reader.mentions)

    def written(self, text: str) -> Dict[str, bool]:
        """The memo of ``name in text`` for one text (kept with it, so its id stays its own)."""
        kept = self._written.get(id(text))
        if kept is None or kept[0] is not text:
            if len(self._written) >= 4096:  # texts not kept (MAX_CHARS): new ones each read
                self._written.clear()
            kept = self._written[id(text)] = (text, {})
        return kept[1]

    def inside(self, path: Path, root: Path) -> bool:
        key = (os.fspath(path), root)
        found = self._inside.get(key)
        if found is None:
            try:
                real, top = self.real(key[0]), _real_root(root)
                found = real == top or real.startswith(top.rstrip("/") + "/")
            except (OSError, ValueError):
                found = False
            self._inside[key] = found
        return found

    def real(self, path: str) -> str:
        """``os.path.realpath(path)``, its folders resolved once: for an absolute, normalised path
        whose last part is not a symbolic link, the real path of its folder and that part."""
        found = self._real.get(path)
        if found is None:
            folder, name = os.path.split(path)
            if not name or folder == path or not os.path.isabs(path) or os.path.normpath(path) != path:
                found = os.path.realpath(path)
            else:
                try:
                    link = stat.S_ISLNK(os.lstat(path).st_mode)
                except OSError:
                    link = False  # not there: realpath keeps the name as written
                found = os.path.realpath(path) if link else os.path.join(self.real(folder), name)
            self._real[path] = found
        return found

    def is_file(self, path: Path) -> bool:
        key = os.fspath(path)
        found = self._file.get(key)
        if found is None:
            found = self._file[key] = _file(path)
        return found

    def text(self, path: Path) -> Optional[str]:
        key = os.fspath(path)
        try:
            info = os.lstat(key)
        except (OSError, ValueError):
            return _read_file(path)  # read_bounded says why not
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode)
        kept = self._texts.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        text = _read_file(path)
        if self._chars + len(text or "") <= self.MAX_CHARS:
            self._texts[key] = (stamp, text)
            self._chars += len(text or "")
        return text


def _mapping_items(node, walk: Walk, budget: int = 1000) -> Dict[str, Tuple[object, object]]:
    """name -> (key node, value node) of a mapping; merge keys (``<<``) below explicit keys; the
    last duplicate wins, as PyYAML builds a dict."""
    out: Dict[str, Tuple[object, object]] = {}
    merged: Dict[str, Tuple[object, object]] = {}
    for key, value in node.value:
        if not is_scalar(key):
            continue
        if tag_of(key).endswith(":merge") or (key.value == "<<" and key.style is None):
            sources = value.value if is_seq(value) else [value]
            for source in sources[:budget]:
                if is_map(source):
                    for name, pair in _mapping_items(source, walk, budget // 2 or 1).items():
                        merged.setdefault(name, pair)
            continue
        out[str(key.value)] = (key, value)
    for name, pair in merged.items():
        out.setdefault(name, pair)
    return out


_ROOT_ITEMS: "OrderedDict[int, tuple]" = OrderedDict()  # id(root) -> (root, its items)
_ROOT_ITEMS_KEPT = 256


def _root_items(root, text: str) -> Tuple[Dict[str, Tuple[object, object]], bool]:
    """``_mapping_items`` of a vars file's root composed from ``text``, and whether some key is
    not written as such in the text (an escape in a quoted key). Made once per composed root (the
    root is kept with it, so its id stays its own; nodes are never changed once composed): every
    file of a role looks its variables up in the same vars files and group_vars, once per play.
    The dict is only ever read."""
    kept = _ROOT_ITEMS.get(id(root))
    if kept is not None and kept[0] is root and kept[1] is text:
        _ROOT_ITEMS.move_to_end(id(root))
        return kept[2], kept[3]
    items = _mapping_items(root, None)
    odd = bool(text) and any(key not in text for key in items)
    _ROOT_ITEMS[id(root)] = (root, text, items, odd)
    if len(_ROOT_ITEMS) > _ROOT_ITEMS_KEPT:
        _ROOT_ITEMS.popitem(last=False)
    return items, odd


_COMPOSED: "OrderedDict[Tuple[str, int], tuple]" = OrderedDict()
_COMPOSED_FILES = 256


def composed(key: str, text: str):
    """(root, problem) of a YAML text; the last few are kept (every file of a role reads the same
    defaults/main.yml, a role file is read once per play that applies it, a playbook is mapped
    and then read). The nodes are only ever read, never changed."""
    marker = (key, hash(text))
    if marker in _COMPOSED:
        _COMPOSED.move_to_end(marker)
        return _COMPOSED[marker]
    _COMPOSED[marker] = compose(text)
    if len(_COMPOSED) > _COMPOSED_FILES:
        _COMPOSED.popitem(last=False)
    return _COMPOSED[marker]


def _composed(key: str, text: str):
    """The composed root of a vars file, or None."""
    root, problem = composed(key, text)
    return root if problem is None else None


# --- values -----------------------------------------------------------------------------------------


# a line of a vars file that starts with one of these may hold a key not written as such (an
# anchor, tag, explicit or flow key, a directive, a block scalar indicator, a BOM, a tab)
_KEY_DOUBTS = ("?", "&", "!", "*", "{", "[", "%", "|", ">", "@", "`", "\t", "\ufeff")
_ODD_BREAKS = ("<<", "\r", "\x85", "\u2028", "\u2029")  # merge keys; line breaks other than \n


@functools.lru_cache(maxsize=1024)
def _keys_start_lines(text: str) -> bool:
    """Whether every key of the root mapping a vars file's text composes to (``_mapping_items``:
    merge keys included) is written at the start of a line, after a quote at most. So it is for a
    block mapping at the root that starts at column 0: its keys all start there, a plain key as
    written, a quoted one after its quote. Any doubt answers False: a merge key, a line break other
    than \\n, a line that starts with an anchor, a tag, an explicit or flow key, a directive or a
    tab, a backslash (an escape in a double-quoted key), content on a ``---`` line, or a first
    content line that is indented (the root mapping's column is not 0)."""
    if any(odd in text for odd in _ODD_BREAKS) or text.startswith(_KEY_DOUBTS) or any("\n" + c in text for c in _KEY_DOUBTS):
        return False
    if "\\" in text and (text.startswith('"') or '\n"' in text):
        return False
    at = 0 if text.startswith("---") else text.find("\n---")
    while at >= 0:
        start = at + 3 if at == 0 else at + 4
        end = text.find("\n", start)
        rest = text[start : end if end >= 0 else len(text)].strip()
        if rest and not rest.startswith("#"):
            return False
        at = text.find("\n---", start)
    lines = text.split("\n", 200)
    for line in lines[:200]:  # the first content line
        bare = line.strip()
        if not bare or bare.startswith("#") or bare == "---" or bare.startswith("--- #") or bare.startswith("---\t#"):
            continue
        return not line[:1].isspace()
    return len(lines) <= 200  # no content line among the first 200: not plain enough to tell


def _may_define(text: str, name: str) -> bool:
    """Whether a vars file's text may give ``name`` a value at its top level, so that it must be
    composed to know: ``name`` is written in it, and at the start of a line (after a quote at
    most) unless the text is not plain enough to tell (``_keys_start_lines``). A role's play has
    dozens of group_vars files, most of which mention a name only in values. For a plain text and
    a name that is an identifier, the answer is looked up in the text's line keys (what
    ``_line_keys`` lists), without searching the text."""
    if name.isidentifier():
        keys = _line_keys(text)
        if keys is not None:
            return name in keys
    return _may_define_scan(text, name)


def _may_define_scan(text: str, name: str) -> bool:
    """``_may_define`` by searching the text."""
    if name not in text:
        return False
    if not name or "'" in name or '"' in name or "\n" in name or not _keys_start_lines(text):
        return True
    for lead in ("\n", '\n"', "\n'"):
        written = lead + name
        if text.startswith(written[1:]):
            end = len(written) - 1
        else:
            at = text.find(written)
            end = at + len(written) if at >= 0 else -1
        while end >= 0:
            if end >= len(text) or text[end] in _AFTER_KEY:  # not the start of a longer key
                return True
            at = text.find(written, end)
            end = at + len(written) if at >= 0 else -1
    return False


# the word a line starts with (after a quote at most), when a colon, space, tab or quote ends it,
# or the end of the text (one empty word too, which no identifier is)
_LINE_KEY = re.compile(r"^[\"']?([^: \t\"'\n]*)(?=[: \t\"']|\Z)", re.M)


@functools.lru_cache(maxsize=1024)
def _line_keys(text: str) -> Optional[frozenset]:
    """For a plain text (``_keys_start_lines``), the words that start its lines (after a quote
    at most) and end at a colon, a space, a tab, a quote or the end of the text: an identifier
    is one of them exactly when ``_may_define_scan`` finds it at the start of a line. None for
    a text that is not plain."""
    if not _keys_start_lines(text):
        return None
    return frozenset(_LINE_KEY.findall(text))


_AFTER_KEY = frozenset(": \t\"'")  # what may follow a key's name on its line (its colon, spaces, a quote)


class _Layer:
    """One set of variables: a mapping of a YAML already composed, or a vars file composed only
    when a name it may define is looked up."""

    odd = 0  # vars files composed so far whose keys are not all written as such (escapes): see _Scope.find

    def __init__(self, items: Optional[Dict[str, tuple]] = None, yaml: Optional[_Yaml] = None, load=None, text: str = "", written: Optional[Dict[str, bool]] = None):
        self._items = items
        self.yaml = yaml
        self._load = load  # () -> Optional[_Yaml]
        self._text = text
        # name -> whether it is written in the text: shared by the layers of one file's text
        self._written = written if written is not None else {}

    def written(self, name: str) -> bool:
        """``_may_define(text, name)``, answered once per name and text."""
        found = self._written.get(name)
        if found is None:
            found = self._written[name] = _may_define(self._text, name)
        return found

    def find(self, name: str) -> Optional[Tuple[object, object, _Yaml]]:
        if self._items is None:
            if self._text and not self.written(name):
                return None  # not even written there: no need to compose it
            self.yaml = self._load() if self._load is not None else None
            self._items, odd = _root_items(self.yaml.root, self._text) if self.yaml is not None and is_map(self.yaml.root) else ({}, False)
            if odd:
                _Layer.odd += 1
        if name in self._items:
            key, value = self._items[name]
            return key, value, self.yaml
        return None


class _Scope:
    """Layers of variables, highest precedence first."""

    def __init__(self, layers: Sequence[_Layer] = (), bound: Optional[Dict[str, Val]] = None, found: Optional[dict] = None):
        self.layers = list(layers)
        self.bound = dict(bound or {})  # names bound to values already made (a loop's item)
        # name -> (_Layer.odd, what find answered): shared by the scopes of the same layers
        self._found = found if found is not None else {}

    def above(self, items: Dict[str, tuple], yaml: _Yaml) -> "_Scope":
        return _Scope([_Layer(items, yaml)] + self.layers, self.bound)

    def bind(self, name: str, value: Val) -> "_Scope":
        bound = dict(self.bound)
        bound[name] = value
        return _Scope(self.layers, bound, self._found)

    def with_bound(self, names: Dict[str, Val]) -> "_Scope":
        return _Scope(self.layers, {**self.bound, **names}, self._found)

    def find(self, name: str) -> Optional[Tuple[object, object, _Yaml]]:
        """The first layer's (key node, value node, its YAML) for ``name``, or None.

        Asked again on the same layers, the answer is the same: the layers the first search
        composed stay composed, and a layer it skipped does not write the name, so does not
        define it once composed for another name -- unless some key of it is not written as such
        (an escape in a quoted key): then ``_Layer.odd`` changes and the search runs again."""
        kept = self._found.get(name)
        if kept is not None and kept[0] == _Layer.odd:
            return kept[1]
        found = self._search(name)
        self._found[name] = (_Layer.odd, found)
        return found

    def _search(self, name: str) -> Optional[Tuple[object, object, _Yaml]]:
        # _Layer.find inlined for the layers already composed and those that do not write the
        # name (a role's play has dozens of group_vars files, and every name is looked up here)
        for layer in self.layers:
            items = layer._items
            if items is not None:
                pair = items.get(name)
                if pair is not None:
                    return pair[0], pair[1], layer.yaml
                continue
            if layer._text:
                written = layer._written.get(name)
                if written is None:
                    written = layer._written[name] = _may_define(layer._text, name)
                if not written:
                    continue
            found = layer.find(name)
            if found is not None:
                return found
        return None


class _Deferred:
    """A set_fact's value, rendered when a later task first reads it (most never are)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Val]):
        self._make: Optional[Callable[[], Val]] = make
        self._value: Val = jinja.unknown("set_fact that refers to itself")

    def get(self) -> Val:
        if self._make is not None:
            make, self._make = self._make, None  # while it renders, a read of itself is unknown
            self._value = make()
        return self._value


class _Values:
    """YAML nodes as the values Jinja sees, strings rendered through the variables in scope.

    Aliases are expanded, so the nodes made in one read are bounded (MAX_VALUE_NODES): past that,
    values are unknown."""

    def __init__(self, budget: Budget, set_elsewhere=lambda name: False):
        self.budget = budget
        self.set_elsewhere = set_elsewhere  # a name some task of the project sets (set_fact, register)
        self.nodes = Budget(MAX_VALUE_NODES)
        self.active: set = set()
        # a name resolved inside another variable's value, by scope: the same value whichever
        # variable reached it (its trace is the first way there; where it is defined is exact)
        self.nested: Dict[tuple, tuple] = {}  # key -> (the scope's _found, its bound values, value)

    def resolver(self, scope: _Scope, depth: int = 0):
        def resolve(name: str, where: Location):
            if name in scope.bound:
                bound = scope.bound[name]
                return bound.get() if isinstance(bound, _Deferred) else bound
            found = scope.find(name)
            if found is None:
                if name == "omit":
                    return jinja.unknown(jinja.OMIT)
                # include_vars may have set it, or a task elsewhere in the project sets it at run time
                if _MAGIC.match(name) or _ANY_NAME in scope.bound or self.set_elsewhere(name):
                    return jinja.unknown("magic variable")
                return None
            key, node, yaml = found
            marker = (id(yaml.root), name)
            if marker in self.active or depth > MAX_DEPTH or not self.budget.spend(1):
                return jinja.unknown("recursive")
            memo = (id(scope._found), name, tuple(scope.bound)) if self.active else None
            kept = self.nested.get(memo) if memo is not None else None
            # the same scope and loop values, not others their ids were reused for
            if kept is not None and kept[0] is scope._found and all(a is b for a, b in zip(kept[1], scope.bound.values())):
                return kept[2]
            line = yaml.doc.line_col(key.start_mark.index)[0]
            label = f"{name} from {yaml.display}:{line}"
            step = TraceStep(where.path, where.line, where.column, label)
            doc = Document(yaml.text, yaml.doc.path, via=where.trace + (step,))
            view = _Yaml(yaml.text, yaml.root, yaml.walk, doc, yaml.display)
            self.active.add(marker)
            try:
                value = self.value(node, view, scope, depth + 1)
            finally:
                self.active.discard(marker)
            value.label = label
            if memo is not None:
                self.nested[memo] = (scope._found, tuple(scope.bound.values()), value)
            return value

        return resolve

    def value(self, node, yaml: _Yaml, scope: _Scope, depth: int = 0) -> Val:
        if node is None:
            return Val("null")
        at = (yaml.doc, node.start_mark.index, node.end_mark.index)
        if depth > MAX_DEPTH * 4 or not self.nodes.spend(1):
            return Val("unknown", "too deep, or too many nodes", at=at)
        if is_seq(node):
            return Val("list", [self.value(item, yaml, scope, depth + 1) for item in node.value], at=at)
        if is_map(node):
            items = list(_mapping_items(node, yaml.walk).values())

            def pairs() -> list:
                out = [(self.scalar(key, yaml, scope, depth + 1, render=False), self.value(value, yaml, scope, depth + 1)) for key, value in items]
                # a member whose value is omit is left out (Ansible's remove_omit, on every task's args)
                return [(key, value) for key, value in out if not _omitted(value)]

            def member(name) -> Optional[Val]:
                for key, value in reversed(items):
                    found = self.scalar(key, yaml, scope, depth + 1, render=False)
                    if found.known and found.python() == name:
                        got = self.value(value, yaml, scope, depth + 1)
                        return None if _omitted(got) else got
                return None

            markers = frozenset(self.active)
            return jinja.LazyDict(self._within(markers, pairs), self._within(markers, member), at=at)
        return self.scalar(node, yaml, scope, depth + 1)

    def _within(self, markers: frozenset, make):
        """``make`` run later as it would have run now: with the variables being resolved now
        marked active (a name met again inside its own value is recursive, and nested names are
        remembered per scope)."""
        def run(*args):
            added = markers - self.active
            self.active |= added
            try:
                return make(*args)
            finally:
                self.active -= added
        return run

    def scalar(self, node, yaml: _Yaml, scope: _Scope, depth: int, render: bool = True) -> Val:
        at = (yaml.doc, node.start_mark.index, node.end_mark.index)
        tag = tag_of(node)
        if tag.endswith("vault") or tag == "!vault":
            return Val("unknown", "vault", at=at)
        kind = yaml.walk.kind(node)
        if kind in ("bool", "int", "float", "null"):
            data = yaml.walk.scalar(node)
            if kind == "float" and isinstance(data, float) and data != data:
                return Val("unknown", "nan", at=at)
            return Val(kind, data, at=at)
        if kind == "binary":
            return Val("unknown", "binary", at=at)
        mapped = scalar_mapped(yaml, node)
        if not self.budget.spend(len(mapped)):
            return Val("unknown", "budget", at=at)
        unsafe = tag == "!unsafe"
        if render and not unsafe and jinja.has_jinja(mapped.text):
            rendered = jinja.render(mapped, self.resolver(scope, depth + 1), native=True)
            if rendered.value is not None and (rendered.value.known or _omitted(rendered.value)):
                value = rendered.value
                if value.at is None:
                    value.at = at
                return value
            if rendered.unknown and len(rendered.unknown) == 1 and rendered.unknown[0] == mapped.text.strip() and mapped.text.strip().startswith("{{"):
                return Val("unknown", "expression", at=at)  # one expression: not even its type is known
            return Val("str", None, rendered.text, at, rendered.templated)
        return Val("str", None, mapped, at)


def scalar_mapped(yaml: _Yaml, node) -> Mapped:
    """A scalar's text, each line mapped to where it stands in the YAML (exactly when it stands
    there literally: block ``|`` scalars, one-line scalars without escapes)."""
    value = value_of(node)
    if not isinstance(value, str):
        value = str(value)
    offsets = scalar_offsets(yaml.text, node)
    if offsets:
        return Mapped.lines(value, yaml.doc, offsets)
    return Mapped.of(value, yaml.doc, node.start_mark.index, False)


# --- the source kind ---------------------------------------------------------------------------------

class AnsibleKind(AnsibleClaims, SourceKind):
    name = NAME
    summary = (
        "Ansible roles, playbooks, task lists, group_vars and host_vars: daemon.json, units and /etc/default/docker "
        "written by copy/template/lineinfile, engine packages and pins, docker service actions, docker_swarm, "
        "shell tasks, and the variables of popular Docker roles"
    )
    def extract(self, source: Source) -> Extraction:
        text = (source.data or b"").decode("utf-8", "replace")
        if text.startswith("\ufeff"):
            text = " " + text[1:]  # keep positions; YAML ignores a BOM
        document = Document(text, source.display)
        place = _place(source)
        place.files = self._files()
        # the project maps of this kind, which lives for one scan (a kind is made per scan)
        project = plays.project(place.root, self.__dict__.setdefault("_projects", {}))
        applying = project.plays_of_role(place.role)
        applied = _by_host(applying, place)
        if applied:
            out = _with_dependents(_in_plays(document, source, place, project, applied, applying), document, source, place, project)
            if all(play.host[1] == "molecule" and play.playbook.parent.parent.parent != place.role for each in applied.values() for play in each):
                # only another role's test scenario reaches it: still judged as deployed, on its own
                alone = _Reader(document, ReadContext(source, group=place.group), place, project=project).run()
                if place.group:
                    _claim(alone, place.group, 0, 0)
                out.fragments += alone.fragments
                out.embedded += alone.embedded
            return out
        extraction = _Reader(document, ReadContext(source, group=place.group), place, project=project).run()
        extraction.group = place.group
        return _with_dependents(extraction, document, source, place, project)

    def prepare(self, sources) -> None:
        """Build the project maps of these files now (before the reading forks: the workers share them)."""
        projects = self.__dict__.setdefault("_projects", {})
        for root in {_place(source).root for source in sources if source.kind == NAME}:
            plays.project(root, projects)

    def read(self, document: Document, context: ReadContext) -> Extraction:
        info = _INFO.get(document)
        place = info.place if info is not None else _place(context.source)
        if place.files is None:
            place.files = self._files()
        scope = info.scope if info is not None else None
        section = info.section if info is not None else None
        return _Reader(document, context, place, scope=scope, section=section).run()

    def _files(self) -> _Files:
        """What this scan has read already (a kind is made per scan)."""
        return self.__dict__.setdefault("_read", _Files())


def _with_dependents(out: Extraction, document: Document, source: Source, place: _Place, project: plays.Project) -> Extraction:
    """A file of a role that other roles of its folder depend on, when no play applies those:
    read again for each of their machines (``roles/swarm/`` runs ``roles/docker/`` first)."""
    dependents = project.standalone_dependents(place.role) if place.role is not None and place.role_display else []
    if not dependents:
        return out
    if out.group:  # a file read on its own: its fragments say their machine, so more can be added
        _claim(out, out.group, 0, 0)
        out.group = None
    parent = place.role_display.rstrip("/").rpartition("/")[0]
    for other in dependents:
        name = f"{parent}/{other.name}/" if parent else f"{other.name}/"
        sub = _Reader(document, ReadContext(source, group=name), place, project=project).run()
        _claim(sub, name, 0, 0)
        out.fragments += sub.fragments
        out.embedded += sub.embedded
    return out


def _by_host(applying: Sequence[plays.Play], place: _Place) -> Dict[str, List[plays.Play]]:
    """The plays of each machine (host name -> plays) that give the role its own values: the
    first, and each later one with vars, vars_files or role parameters of its own (two test
    playbooks on localhost, one setting what the role's ``when:`` asks for, both run there)."""
    out: Dict[str, List[plays.Play]] = {}
    for play in applying:
        each = out.setdefault(plays.host_name(play, place.display_of), [])
        if not each or (_own_values(play, place.role) and all(_own_values(other, place.role) != _own_values(play, place.role) for other in each)):
            each.append(play)
    return out


def _own_values(play: plays.Play, role: Optional[Path]) -> tuple:
    """What gives a play's run of ``role`` values other plays of its machine may not: its
    vars_files, its vars: (the play itself), the parameters it passes the role."""
    return (tuple(play.vars_files), (play.playbook, play.index) if play.has_vars else None, play.role_params.get(role))


def _in_plays(document: Document, source: Source, place: _Place, project: plays.Project, applied: Dict[str, plays.Play], applying: Sequence[plays.Play]) -> Extraction:
    """A file of a role that plays apply: read once in the scope of each machine it lands on
    (role vars, the play's vars and group_vars, role defaults), its facts that machine's, with the
    playbooks of the plays that apply it there."""
    out = Extraction()
    for name, play, first in ((name, play, n == 0) for name, each in applied.items() for n, play in enumerate(each)):
        sub = _Reader(document, ReadContext(source, group=name), place, play=play, project=project).run()
        _claim(sub, name, 0, 0)
        if sub.fragments or sub.embedded:
            same = _same_machines(project, play, place, source, document, name) if first else None
            if same is not None:
                sub.fragments.append(same)
            for playbook in sorted({place.display_of(p.playbook) for p in applying if plays.host_name(p, place.display_of) == name}):
                sub.fragments.append(PlayedBy(source, document, playbook=playbook, group=name))
        out.fragments += sub.fragments
        out.embedded += sub.embedded
        out.notes += sub.notes
    return out


def _sharing(project: plays.Project, play: plays.Play, place: _Place) -> tuple:
    """The machines (host names) of the project's other plays that may be some of this play's
    (the inventory puts hosts in both, or dlint cannot tell), once per play and scan."""
    return _shared(project, play, place)[0]


def _shared(project: plays.Project, play: plays.Play, place: _Place) -> tuple:
    """(_sharing's names, this play's inventory hosts, ((name, its inventory hosts), ...))."""
    known = project.__dict__.setdefault("_sharing", {})
    key = id(play)
    if key not in known:
        others = [other for other in project.plays if other.host != play.host and plays.may_share(project, play, other)]
        names = tuple(sorted({plays.host_name(other, place.display_of) for other in others}))
        theirs = tuple(sorted({(plays.host_name(o, place.display_of), plays.inventory_hosts(project, o)) for o in others}, key=lambda t: t[0]))
        known[key] = (names, plays.inventory_hosts(project, play), theirs)
    return known[key]


def _same_machines(project: plays.Project, play: plays.Play, place: _Place, source: Source, document: Document, group) -> Optional[SameMachines]:
    names, own, theirs = _shared(project, play, place)
    return SameMachines(source, document, others=names, own=own, theirs=theirs, group=group) if names else None


def _claim(out: Extraction, group: str, fragments: int, embedded: int) -> None:
    """What was read from ``fragments``/``embedded`` on belongs to the machine ``group``."""
    for fragment in out.fragments[fragments:]:
        if fragment.group is None:
            fragment.group = group
    for item in out.embedded[embedded:]:
        if item.group is None:
            item.group = group


# a role whose name says it installs the engine (geerlingguy.docker, azavea.docker, docker-ce),
# not one that only uses it (docker_compose, docker-registry, docker-swarm's join)
_ENGINE_ROLE = re.compile(r"(?i)(?:^|[.])(?:ansible[-_]role[-_])?(?:install[-_])?docker(?:[-_](?:ce|engine|install|installation|setup))?$")


@dataclass
class _Info:
    place: _Place
    section: str
    scope: Optional[_Scope] = None


_INFO: "WeakKeyDictionary[Document, _Info]" = WeakKeyDictionary()


# --- reading one file ----------------------------------------------------------------------------------


@dataclass
class _Task:
    node: object  # the task's mapping
    module: str  # short name
    module_key: object
    args: Dict[str, Tuple[object, object]]  # option -> (key node, value node)
    free: Optional[object] = None  # the free-form value (shell: the command; k=v pairs otherwise)
    fields: Dict[str, Tuple[object, object]] = field(default_factory=dict)
    handler: bool = False


class _Reader:
    def __init__(
        self, document: Document, context: ReadContext, place: _Place, scope: Optional[_Scope] = None, section: Optional[str] = None,
        play: Optional[plays.Play] = None, project: Optional[plays.Project] = None,
    ):
        self.play = play  # the play whose machine this role file is read for
        self.project = project if project is not None else plays.Project()
        self.doc = document
        self.text = document.text
        self.context = context
        self.source = context.source
        self.place = place
        self.section = section or place.section
        self.out = Extraction()
        self.budget = Budget()
        self.values = _Values(self.budget, lambda name: name in plays.set_names(self.project))
        self.walk = Walk(self.text, self.budget)
        self.yaml: Optional[_Yaml] = None
        self.scope_given = scope
        self._files: Dict[str, Optional[_Yaml]] = {}
        self._mentions: Dict[tuple, frozenset] = {}
        # the task being read runs only when a name the repository never sets is given (-e): the
        # swarm it makes the machine part of is unknown (SwarmMembership.maybe)
        self.conditional = False

    # -- helpers ---------------------------------------------------------------------------------

    def note(self, message: str, index: int = 0, document: Optional[Document] = None) -> None:
        document = document or self.doc
        location = document.location(max(0, min(index, len(document.text))))
        self.out.notes.append(f"ansible: {location}: {message}")

    def location(self, node, yaml: Optional[_Yaml] = None) -> Location:
        doc = (yaml or self.yaml).doc
        return doc.location(node.start_mark.index, node.end_mark.index)

    def load(self, path: Path, text: Optional[str] = None) -> Optional[_Yaml]:
        """A YAML file of the repository, composed (cached for this read, and its composition across
        reads while the file does not change)."""
        key = path.as_posix()
        if key not in self._files:
            self._files[key] = None
            if text is None:
                text = _read_text(self.place, path)
            if text is not None and self.budget.spend(len(text)):
                root = _composed(key, text)
                if root is not None:
                    display = self.place.display_of(path)
                    self._files[key] = _Yaml(text, root, Walk(text, self.budget), Document(text, display), display)
        return self._files[key]

    def layer(self, path: Path) -> Optional[_Layer]:
        text = _read_text(self.place, path)
        if text is None:
            return None
        written = self.place.files.written(text) if self.place.files is not None else None
        return _Layer(load=lambda: self.load(path, text), text=text, written=written)

    def vars_layers(self, folder: Optional[Path]) -> List[_Layer]:
        """``main.yml``/``main.yaml`` of a vars folder, or the files of its ``main/`` folder."""
        if folder is None:
            return []
        paths = []
        for name in ("main.yml", "main.yaml", "main"):
            candidate = folder / name
            if name == "main" and _folder(candidate):
                paths += [child for child in _children(candidate) if _YAML_NAME.search(child.name)]
            elif self.place.is_file(candidate):
                paths.append(candidate)
        return [layer for layer in map(self.layer, paths) if layer is not None]

    def group_vars_all(self, base: Optional[Path]) -> List[_Layer]:
        """``group_vars/all`` (a file, or a folder of files) beside the playbook."""
        if base is None:
            return []
        folder = base / "group_vars"
        paths = []
        for name in ("all.yml", "all.yaml", "all"):
            candidate = folder / name
            if _folder(candidate):
                paths += [child for child in _children(candidate) if _YAML_NAME.search(child.name) or "." not in child.name]
            elif self.place.is_file(candidate):
                paths.append(candidate)
        return [layer for layer in map(self.layer, paths) if layer is not None]

    def base_scope(self) -> _Scope:
        """Role vars, group_vars/all beside the playbook, role defaults (provisioning-facts §4.5),
        then the defaults of the play's other roles."""
        if self.scope_given is not None:
            return self.scope_given
        layers: List[_Layer] = []
        place = self.place
        params, entry_vars = self.role_entry(place.role)
        layers += params
        if place.role is not None:
            layers += self.vars_layers(place.role / "vars")
        layers += entry_vars
        if self.play is not None:
            layers += self.play_layers(self.play)
        else:
            layers += self.group_vars_all(place.base)
        if place.role is not None:
            layers += self.vars_layers(place.role / "defaults")
        if self.play is not None:
            # every role of the play exports its defaults to the whole play, below the task's own
            # role's (ansible-core VariableManager.get_vars; a later role's win over an earlier's)
            own = os.path.realpath(place.role) if place.role is not None else None
            for other in reversed(self.play.roles):
                if os.path.realpath(other) != own:
                    layers += self.vars_layers(other / "defaults")
        scope = _Scope(layers)
        if place.role is not None:  # as a play names a role of its roles/ folder
            scope = scope.with_bound({"role_name": jinja.string(place.role.name)})
        if self.play is not None and self.play.facts:  # the OS every machine of the play runs
            facts = {name: jinja.string(value) for name, value in self.play.facts.items()}
            # ansible_facts['os_family'] too (those two members only: any other is unknown)
            facts["ansible_facts"] = Val("dict", [(jinja.string(name[len("ansible_"):]), value) for name, value in facts.items()])
            scope = scope.with_bound(facts)
        return scope

    def role_entry(self, role: Optional[Path]) -> Tuple[List[_Layer], List[_Layer]]:
        """The layers the play's ``roles:`` entry (or include_role task) gives this role: its
        params and its ``vars:`` (see plays.role_parameters)."""
        offset = self.play.role_params.get(Path(os.path.realpath(role))) if self.play is not None and role is not None else None
        book = self.load(self.play.playbook) if offset is not None else None
        if book is None or not is_seq(book.root) or self.play.index >= len(book.root.value):
            return [], []
        entry = _node_at(book.root.value[self.play.index], offset, 0)
        params, entry_vars = plays.role_parameters(entry)
        as_layer = lambda pairs: [_Layer({str(k.value): (k, v) for k, v in pairs}, book)] if pairs else []
        return as_layer(params), as_layer(entry_vars)

    def play_layers(self, play: plays.Play) -> List[_Layer]:
        """A play's variables, highest first (facts §3.1): vars_files (the later wins), the play's
        vars:, group_vars/<group> of the groups its pattern names (children before parents, beside
        the playbook before the inventory's), group_vars/all."""
        layers: List[_Layer] = [layer for layer in map(self.layer, reversed(play.vars_files)) if layer is not None]
        book = self.load(play.playbook)
        if book is not None and is_seq(book.root) and play.index < len(book.root.value) and is_map(book.root.value[play.index]):
            play_vars = _mapping_items(book.root.value[play.index], book.walk).get("vars", (None, None))[1]
            if is_map(play_vars):
                layers.append(_Layer(_mapping_items(play_vars, book.walk), book))
        folders = plays.var_folders(play, self.project)
        # host_vars/<name> of a host the pattern names (molecule's `hosts: instance`): above group_vars
        named = [g for g in play.groups if g != "all"]
        for kind, names in (("host_vars", named if len(named) == 1 else []), ("group_vars", named + ["all"])):
            for group in names:
                paths = [p for p in self.group_vars_files(folders, group, kind) if _YAML_NAME.search(p.name) or "." not in p.name]
                layers += [layer for layer in map(self.layer, paths) if layer is not None]
        return layers

    def group_vars_files(self, folders: List[Path], group: str, kind: str = "group_vars") -> List[Path]:
        """``plays.group_vars_files``, listed once per scan (every file of a role asks, per play)."""
        known = self.project.__dict__.setdefault("_group_vars", {})
        marker = (tuple(folders), group, kind)
        if marker not in known:
            known[marker] = plays.group_vars_files(folders, group, kind)
        return known[marker]

    def render(self, node, scope: _Scope, yaml: Optional[_Yaml] = None) -> Val:
        return self.values.value(node, yaml or self.yaml, scope)

    def text_of(self, node, scope: _Scope) -> Optional[str]:
        """A scalar option as text: rendered when known, as written (with its expressions) otherwise."""
        if node is None or not is_scalar(node):
            return None
        value = self.render(node, scope)
        if value.known and value.kind != "str" and value.kind not in ("list", "dict"):
            return jinja.scalar_text(value) if value.kind != "bool" else ("true" if value.data else "false")
        if value.known and value.kind == "str" and not value.partial:
            return value.mapped().text
        return str(value_of(node))

    # -- entry -----------------------------------------------------------------------------------

    def run(self) -> Extraction:
        try:
            self._run()
        except RecursionError:
            self.note("nested too deep to read")
        return self.out

    def well_known_written(self) -> bool:
        """Some line of the file sets a variable dlint reads (asked once per text in a scan: a
        large defaults file is read for every play that applies its role)."""
        files = self.place.files
        if files is None:
            return bool(_WELL_KNOWN_LINE.search(self.text))
        memo = files.written(self.text)
        if _WELL_KNOWN_MEMO not in memo:
            memo[_WELL_KNOWN_MEMO] = bool(_WELL_KNOWN_LINE.search(self.text))
        return memo[_WELL_KNOWN_MEMO]

    def _run(self) -> None:
        if self.section in ("defaults", "vars", "inventory") and not self.well_known_written():
            return  # none of the variables dlint reads there: not even composed
        # the file itself is composed once however many plays read it
        root, problem = composed(self.place.path.as_posix(), self.text) if self.place.path is not None and self.doc.parent is None and not self.doc.via else compose(self.text)
        if problem is not None:
            if jinja.has_jinja(self.text):
                self.note(f"not YAML until its Jinja is rendered ({problem.message}); not read", problem.index)
            else:
                self.note(f"invalid YAML ({problem.message}); Ansible refuses this file", problem.index)
                location = self.doc.location(max(0, min(problem.index, len(self.doc.text))))
                self.out.fragments.append(SyntaxProblem(self.source, self.doc, reason=f"not valid YAML ({problem.message}): Ansible refuses this file", location=location))
            return
        if root is None:
            return
        self.yaml = _Yaml(self.text, root, self.walk, self.doc, self.doc.path)
        section = self.section
        if section in ("defaults", "vars", "inventory"):
            if is_map(root):
                self.well_known(root)
            return
        if section == "meta":
            return
        if not is_seq(root):
            if section in ("tasks", "handlers") and not is_map(root):
                self.note(f"a {section} file that is not a list; Ansible refuses it", root.start_mark.index)
            return
        scope = self.base_scope()
        if section in ("tasks", "handlers"):
            sites = self.include_sites(scope) if section == "tasks" else []
            if self.included_only_when_false(sites):
                self.note("the role includes this file only under a when: that is false with its values; it never runs, not read")
                return
            scope = self.scope_of_sites(scope, sites)
            self.tasks(root, scope, handler=section == "handlers")
            return
        plays = [item for item in root.value if is_map(item)]
        if section in ("playbook",) or any(("hosts" in _mapping_items(p, self.walk) or "import_playbook" in _mapping_items(p, self.walk)) for p in plays[:3]):
            self.playbook(root, scope)
        else:
            self.tasks(root, scope, handler=False)

    # -- playbooks -------------------------------------------------------------------------------

    def playbook(self, root, scope: _Scope) -> None:
        mapped = {play.index: play for play in self.project.plays_of(self.place.path)}
        for index, play in enumerate(root.value):
            if not is_map(play) or self.budget.exhausted:
                continue
            fields = _mapping_items(play, self.walk)
            if "hosts" not in fields:
                continue
            known = mapped.get(index)
            counts = (len(self.out.fragments), len(self.out.embedded))
            play_scope = _Scope(self.play_layers(known)) if known is not None else self.loose_play_scope(fields, scope)
            if self.place.path is not None:  # the folder of the playbook being run, for its tasks and includes
                play_scope = play_scope.bind("playbook_dir", jinja.string(self.place.path.parent.as_posix(), exact=False))
            for section in ("pre_tasks", "roles", "tasks", "post_tasks", "handlers"):
                if section not in fields:
                    continue
                key, node = fields[section]
                if section == "roles":
                    if is_seq(node) and node.value and known is None:
                        self.note("the roles this play applies are read as hosts of their own (roles/<name>/)", key.start_mark.index)
                    continue
                if is_seq(node):  # facts of pre_tasks hold in tasks, and so on
                    play_scope = play_scope.with_bound(self.tasks(node, play_scope, handler=section == "handlers").bound)
            if known is not None:
                if known.system is not None:
                    self.operating_system(known, play)
                self.absent_engine_role(known, fields, counts)
                if (len(self.out.fragments), len(self.out.embedded)) != counts:
                    self.out.fragments.append(PlayedBy(self.context.source, self.doc, playbook=self.place.display, group=None))
                    same = _same_machines(self.project, known, self.place, self.context.source, self.doc, None)
                    if same is not None:  # the plays whose machines these may be (a play on all)
                        self.out.fragments.append(same)
                _claim(self.out, plays.host_name(known, self.place.display_of), *counts)

    def absent_engine_role(self, play: plays.Play, fields, counts) -> None:
        """A role the play applies (or a role of it depends on) that is not in the repository and
        whose name says it installs Docker (``azavea.docker`` from Galaxy): the engine is there, of
        a configuration dlint cannot see; never "not a Docker host"."""
        if any(isinstance(f, EnginePackage) for f in self.out.fragments[counts[0]:]):
            return
        name = next((n for n in play.missing if _ENGINE_ROLE.search(n)), None)
        if name is None:
            return
        key = fields.get("roles", fields.get("tasks", fields["hosts"]))[0]
        self.out.fragments.append(EnginePackage(self.source, self.doc, manager=f"the role {name}, which is not in the repository", name="docker-ce", pin="unseen", location=self.location(key)))

    def loose_play_scope(self, fields, scope: _Scope) -> _Scope:
        """The variables of a play the project map does not know (a templated pattern): its
        vars_files beside the playbook and its vars:, over group_vars/all."""
        play_scope = scope
        files = fields.get("vars_files", (None, None))[1]
        if is_seq(files):
            for item in files.value:
                name = self.text_of(item, scope) if is_scalar(item) else None
                if name and not jinja.has_jinja(name) and self.place.base is not None:
                    loaded = self.load(self.place.base / name)
                    if loaded is not None and is_map(loaded.root):
                        play_scope = play_scope.above(_mapping_items(loaded.root, loaded.walk), loaded)
        play_vars = fields.get("vars", (None, None))[1]
        if is_map(play_vars):
            play_scope = _Scope([_Layer(_mapping_items(play_vars, self.walk), self.yaml)] + play_scope.layers, play_scope.bound)
        return play_scope

    def operating_system(self, play: plays.Play, node) -> None:
        """Flatcar/Container Linux or Fedora CoreOS, as the play or its inventory says: dockerd starts
        from that OS's own docker.service, not docker-ce's (machines-facts §7.1). Added once per
        machine, by its playbook, when the play or its roles concern the engine."""
        text = self.text[node.start_mark.index : node.end_mark.index]
        if "docker" not in text and not any("docker" in role.name for role in play.roles):
            return
        for shipped in OS_FILES.get(play.system, ()):
            self.embed(Embedded(Document(shipped.text, shipped.display), shipped.kind, target=shipped.target))

    # -- tasks -----------------------------------------------------------------------------------

    def tasks(self, node, scope: _Scope, handler: bool, depth: int = 0) -> _Scope:
        """Reads the tasks in order; returns the scope after them (the names they define)."""
        if depth > 32:
            self.note("blocks nested too deep; not read", node.start_mark.index)
            return scope
        for item in node.value:
            if self.budget.exhausted:
                self.note("more than dlint reads from one file; the rest is not read")
                return scope
            if not is_map(item):
                continue
            fields = _mapping_items(item, self.walk)
            task_scope = scope
            task_vars = fields.get("vars", (None, None))[1]
            if is_map(task_vars):
                task_scope = scope.above(_mapping_items(task_vars, self.walk), self.yaml)
            if "block" not in fields:
                task = self.task(item, fields, handler)
                if task is None:
                    continue
                if task.module not in _DISPATCH:
                    # does nothing dlint reads: only the names it defines matter (a skipped
                    # task's register: is defined too), so its when: and loop are not rendered
                    if task.module in _DEFINERS or "register" in fields:
                        scope = self.defined_by(task, fields, scope, task_scope)
                    continue
            when = self.when_value(fields, task_scope, swarm="when" in fields and _swarm_fields(fields))
            if when is False:
                self.note("a task that runs only under a when: that is false with the values the repository sets; not read", item.start_mark.index)
                continue
            outer = self.conditional
            try:
                self.conditional = outer or when == "given"
                if "block" in fields:
                    for part in ("block", "rescue", "always"):
                        inner = fields.get(part, (None, None))[1]
                        if is_seq(inner):
                            after = self.tasks(inner, task_scope, handler, depth + 1)
                            scope = scope.with_bound(after.bound)  # facts outlive their block
                    continue
                for bound in self.loop(fields, task_scope):
                    self.dispatch(task, bound)
            finally:
                self.conditional = outer
            scope = self.defined_by(task, fields, scope, task_scope)
        return scope

    def defined_by(self, task: _Task, fields, scope: _Scope, task_scope: _Scope, yaml: Optional[_Yaml] = None, depth: int = 0) -> _Scope:
        """The names a task defines for the tasks after it: set_fact's (their values; unknown under
        a when: or a loop), those of the set_facts of a task file it includes, register's
        (unknown), and after include_vars any name (unknown): never "undefined", which would make
        a later ``when: x is defined`` false."""
        yaml = yaml or self.yaml
        varying = "when" in fields or any(name in fields for name in _LOOP_KEYS)
        if task.module == "set_fact":
            pairs = [(name, node) for name, (_, node) in task.args.items() if name != "cacheable"]
            if task.free is not None:
                pairs += [(name, _FreeValue(span, task.free)) for name, span in _free_form(str(value_of(task.free))).items()]
            for name, node in pairs[:64]:
                if varying:
                    value = jinja.unknown("set_fact under a condition")
                elif isinstance(node, _FreeValue):
                    value = _Deferred(functools.partial(_free_value, node, yaml, self.values, task_scope))
                else:
                    value = _Deferred(functools.partial(self.values.value, node, yaml, task_scope))
                scope = scope.bind(name, value)
        elif task.module in ("include_tasks", "import_tasks", "include") and depth < 4:
            scope = self.included_facts(task, scope, task_scope, varying, depth)
        register = fields.get("register", (None, None))[1]
        if register is not None and is_scalar(register):
            scope = scope.bind(str(register.value), jinja.unknown("registered"))
        if task.module == "include_vars":
            scope = self.included_vars(task, fields, scope, task_scope)
        elif task.module == "set_stats":
            scope = scope.bind(_ANY_NAME, jinja.unknown("set_stats"))
        return scope

    def included_vars(self, task: _Task, fields, scope: _Scope, task_scope: _Scope) -> _Scope:
        """The variables an include_vars task gives the tasks after it (level 18: above play and
        role vars, below set_fact). Its file found in the repository is a layer on top; when the
        name is a template or a first_found list, every file it may name in the repository is an
        alternative: a name they all set alike keeps that value, any other name they set is
        unknown; under a ``when:`` every name they set is unknown. A file dlint cannot find (or
        ``dir:``) may set any name."""
        paths = self.vars_candidates(task, fields, task_scope)
        if not paths:
            return scope.bind(_ANY_NAME, jinja.unknown("include_vars"))
        holder = self.arg(task, "name")[1]
        if holder is not None:  # the file's variables go under one name
            return scope if isinstance(holder, _FreeValue) or not is_scalar(holder) else scope.bind(str(holder.value), jinja.unknown("include_vars name:"))
        files = [(yaml, _mapping_items(yaml.root, yaml.walk)) for yaml in map(self.load, paths) if yaml is not None and is_map(yaml.root)]
        if len(files) != len(paths):
            return scope.bind(_ANY_NAME, jinja.unknown("include_vars of a file dlint cannot read"))
        first, items = files[0]
        written = lambda yaml, node: yaml.text[node.start_mark.index : node.end_mark.index].strip()
        alike: Dict[str, tuple] = {}
        differ: List[str] = []
        for name in dict.fromkeys(name for _, each in files for name in each):
            texts = {written(yaml, each[name][1]) if name in each else None for yaml, each in files}
            if "when" in fields or None in texts:
                differ.append(name)
            elif len(texts) == 1 or self.render_alike([(yaml, each[name][1]) for yaml, each in files], task_scope):
                alike[name] = items[name]
            else:
                differ.append(name)
        out = _Scope([_Layer(alike, first)] + scope.layers, scope.bound) if alike else scope
        for name in differ[:256]:
            if name not in out.bound:  # a fact set earlier still wins (level 19)
                out = out.bind(name, jinja.unknown("include_vars: the files it may read differ"))
        return out

    def render_alike(self, values: List[tuple], scope: _Scope) -> bool:
        """Values written differently that render to the same known value (``'={}'`` and ``'-{}'``
        of a version that is "latest", which adds neither)."""
        rendered = [self.render(node, scope, yaml) for yaml, node in values]
        return all(jinja.same(rendered[0], value) for value in rendered[1:]) and jinja.fully_known(rendered[0])

    def vars_candidates(self, task: _Task, fields, scope: _Scope) -> List[Path]:
        """The repository files an include_vars task may read (at most 32), or [] when unknown."""
        if self.arg(task, "dir")[1] is not None:
            return []
        names: List[str] = []
        first_found = fields.get("with_first_found", (None, None))[1]
        if first_found is not None:
            value = self.render(first_found, scope)
            entries = value.data if value.kind == "list" else [value]
            for entry in entries:
                if entry.kind == "dict":
                    files = next((v for k, v in entry.data if k.kind == "str" and k.mapped().text == "files"), None)
                    entry = files if files is not None else jinja.unknown("first_found")
                for item in entry.data if entry.kind == "list" else [entry]:
                    names.append(item.mapped().text if item.kind == "str" and not item.partial else "{{ unknown }}")
        else:
            _, node = self.arg(task, "file", "_raw_params")
            node = node if node is not None else (task.free if task.free is not None and "=" not in str(value_of(task.free)) else None)
            if node is None or isinstance(node, _FreeValue):
                return []
            for bound in self.loop(fields, scope):
                text = self.text_of(node, bound)
                if text is None:
                    return []
                names.append(text)
        paths: List[Path] = []
        for name in names[:MAX_LOOP]:
            found = self.vars_files_named(task, name)
            if not found:
                return []  # a file dlint does not find may set anything
            paths += [p for p in found if p not in paths]
        return paths[:32]

    def vars_files_named(self, task: _Task, name: str) -> List[Path]:
        """The files a vars file name may be: itself, or with its templates as wildcards the
        files that match in the first folder Ansible searches that has any (vars/ of the role,
        the role, beside the task file)."""
        if "{{" not in name and "{%" not in name:
            found = self.resolve_file(task, name, "vars")
            return [found] if found is not None else []
        folder, _, base = name.rpartition("/")
        if "{{" in folder or "{%" in name:
            return []
        pattern = re.compile("".join(".*" if part.startswith("{{") else re.escape(part) for part in re.split(r"(\{\{.*?\}\})", base)) + r"\Z")
        place = self.place
        roots = [place.role / "vars", place.role] if place.role is not None else []
        here = place.path.parent if place.path is not None else None
        roots += [here / "vars", here] if here is not None else []
        for root in roots:
            folder_path = Path(os.path.normpath(root / folder)) if folder else root
            if not place.inside(folder_path) or not _folder(folder_path):
                continue
            out = [child for child in _children(folder_path) if _YAML_NAME.search(child.name) and pattern.match(child.name)]
            if out:  # Ansible takes a name from the first folder that has it: vars/ before the rest
                return out
        return []

    def task(self, item, fields, handler: bool) -> Optional[_Task]:
        module_key = module_value = None
        for name, (key, value) in fields.items():
            if name in _TASK_KEYWORDS or name.startswith("with_"):
                continue
            if name in ("action", "local_action"):
                continue
            module_key, module_value = key, value
            break
        if module_key is None:
            action = fields.get("action") or fields.get("local_action")
            if action is not None and is_scalar(action[1]):
                words = str(value_of(action[1])).split(None, 1)
                if words:
                    free = action[1]
                    return _Task(item, _short(words[0]), action[0], {}, free, fields, handler)
            return None
        module = _short(str(module_key.value))
        args: Dict[str, Tuple[object, object]] = {}
        free = None
        if is_map(module_value):
            args.update(_mapping_items(module_value, self.walk))
        elif is_scalar(module_value) and self.walk.kind(module_value) == "str":
            free = module_value
        extra = fields.get("args", (None, None))[1]
        if is_map(extra):
            for name, pair in _mapping_items(extra, self.walk).items():
                args.setdefault(name, pair)
        return _Task(item, module, module_key, args, free, fields, handler)

    def loop(self, fields, scope: _Scope) -> Iterable[_Scope]:
        for name in _LOOP_KEYS:
            if name not in fields:
                continue
            key, node = fields[name]
            control = fields.get("loop_control", (None, None))[1]
            var = "item"
            if is_map(control):
                loop_var = _mapping_items(control, self.walk).get("loop_var")
                if loop_var is not None and is_scalar(loop_var[1]):
                    var = str(loop_var[1].value)
            value = self.render(node, scope)
            if value.kind == "list":
                items = value.data[:MAX_LOOP]
                if name == "with_flattened" or name == "with_items":
                    flat: List[Val] = []
                    for element in items:
                        flat.extend(element.data if element.kind == "list" else [element])
                    items = flat[:MAX_LOOP]
                if not items:
                    return
                for element in items:
                    yield scope.bind(var, element)
                return
            yield scope.bind(var, jinja.unknown("loop"))
            return
        yield scope

    def arg(self, task: _Task, *names: str):
        """(key node, value node) of the first option given among ``names`` (aliases), or (None, None);
        free-form ``k=v`` pairs are read too."""
        for name in names:
            if name in task.args:
                return task.args[name]
        if task.free is not None and task.module not in ("shell", "command", "raw", "script"):
            pairs = _free_form(str(value_of(task.free)))
            for name in names:
                if name in pairs:
                    return task.free, _FreeValue(pairs[name], task.free)
        return None, None

    def option(self, task: _Task, scope: _Scope, *names: str) -> Tuple[Optional[object], Optional[Val]]:
        """An option's node and value (rendered)."""
        key, node = self.arg(task, *names)
        if node is None:
            return None, None
        if isinstance(node, _FreeValue):
            return node.holder, _free_value(node, self.yaml, self.values, scope)
        return node, self.render(node, scope)

    # -- modules ---------------------------------------------------------------------------------

    def dispatch(self, task: _Task, scope: _Scope) -> None:
        getattr(self, _DISPATCH[task.module])(task, scope)

    def role_task(self, task: _Task, scope: _Scope) -> None:
        self.note("the role this task applies is read as a host of its own", task.module_key.start_mark.index)

    def download(self, task: _Task, scope: _Scope) -> None:
        dest_node, dest = self.destination(task, scope, "dest")
        if dest and kind_for_target(dest):
            self.opaque(task, dest_node, dest, kind_for_target(dest), "it is downloaded by `get_url`", f"get_url → {dest}", "downloaded by get_url")

    def opaque(self, task: _Task, node, dest: str, kind: str, why: str, label: str, said: str, copy_of: Optional[str] = None) -> None:
        """A file the task writes with content dlint cannot know. A daemon.json of unknown content is
        said (DKD902), not read as absent; other files get a note."""
        if kind != "daemon-json":
            if kind in ("systemd", "envfile") and not dest.endswith(".socket"):
                # a unit or environment file of unknown content: dockerd's command line is unknown
                where = self.location(node if node is not None else task.module_key)
                self.out.fragments.append(UnitUnknown(self.source, self.doc, target=dest, why=why, location=where))
                return
            self.note(f"{dest} is {said}; its content is not read", task.module_key.start_mark.index)
            return
        node = node if node is not None else task.module_key
        start, end = node.start_mark.index, node.end_mark.index
        document = jinja.to_document(Mapped.of(self.doc.text[start:end], self.doc, start), parent=self.doc, label=label, anchor=(start, end))
        self.embed(Embedded(document, kind, target=dest, templated=True, opaque=Opaque(why, copy_of)))

    def destination(self, task: _Task, scope: _Scope, *names: str) -> Tuple[Optional[object], Optional[str]]:
        """A path option: rendered when known, else as written (``{{ dir }}/daemon.json`` is still a
        daemon.json)."""
        _, node = self.arg(task, *names)
        if node is None:
            return None, None
        if isinstance(node, _FreeValue):
            holder, raw, value = node.holder, node.span[2], _free_value(node, self.yaml, self.values, scope)
        elif is_scalar(node):
            holder, raw, value = node, str(value_of(node)), self.render(node, scope)
        else:
            return None, None
        if value.known and value.kind == "str" and not value.partial:
            return holder, value.mapped().text
        return holder, raw

    def copy(self, task: _Task, scope: _Scope) -> None:
        dest_node, dest = self.destination(task, scope, "dest")
        if not dest:
            return
        _, src = self.destination(task, scope, "src")
        if src and not jinja.has_jinja(src) and self.copy_folder(task, scope, src, dest):
            return
        if dest.endswith("/") and src:
            dest = dest + posixpath.basename(src.rstrip("/"))
        kind = kind_for_target(dest)
        if kind is None:
            self.used_elsewhere(task, src, "files")
            return
        content_key, content = self.arg(task, "content")
        if content is not None:
            self.copy_content(task, scope, content, dest, kind)
            return
        if src:
            _, remote = self.option(task, scope, "remote_src")
            if remote is not None and jinja.truthy(remote):
                why = f"it is {src}, copied on the machine itself (remote_src), and dlint does not know what that file holds"
                self.opaque(task, dest_node, dest, kind, why, f"copy {src} (remote_src) → {dest}", f"a copy of {src} on the machine itself (remote_src)", copy_of=src)
                return
            src_node, _ = self.destination(task, scope, "src")
            self.reference(task, scope, src_node, src, dest, kind, "copy")

    def copy_folder(self, task: _Task, scope: _Scope, src: str, dest: str) -> bool:
        """``copy: src: docker dest: /etc`` with ``files/docker/`` a folder: Ansible copies it
        whole (its contents only when src ends with /); each file that lands where a kind reads
        (``/etc/docker/daemon.json``) is that repository file there. False when src is no folder."""
        folder = self.resolve_folder(src.rstrip("/") or src)
        if folder is None:
            return False
        src_node, _ = self.destination(task, scope, "src")
        into = dest.rstrip("/") + ("" if src.endswith("/") else "/" + posixpath.basename(src.rstrip("/")))
        count = 0
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
            for name in sorted(filenames):
                count += 1
                if count > 200:
                    return True
                inner = posixpath.join(*Path(dirpath, name).relative_to(folder).parts)
                landing = posixpath.normpath(posixpath.join(into, inner))
                kind = kind_for_target(landing)
                if kind is not None:
                    self.reference(task, scope, src_node, f"{src.rstrip('/')}/{inner}", landing, kind, "copy")
        return True

    def resolve_folder(self, name: str) -> Optional[Path]:
        """A folder of the role's ``files/`` (or beside the task file or playbook) a copy names."""
        place = self.place
        if name.startswith("/"):
            return None
        bases = [place.role / "files", place.role] if place.role is not None else []
        here = place.path.parent if place.path is not None else None
        bases += [here / "files", here] if here is not None else []
        for base in bases:
            candidate = Path(os.path.normpath(base / name))
            if place.inside(candidate) and candidate.is_dir() and not candidate.is_symlink():
                return candidate
        return None

    def copy_content(self, task: _Task, scope: _Scope, node, dest: str, kind: str) -> None:
        label = f"copy content → {dest}"
        free = node if isinstance(node, _FreeValue) else None  # content=... in key=value form
        if free is not None:
            value = _free_value(free, self.yaml, self.values, scope)
            node = free.holder
        else:
            value = self.render(node, scope)
        empty = (value.kind == "dict" and not value.data) or (value.kind == "str" and not value.partial and value.mapped().text.strip() == "{}")
        if empty and "when" in task.fields:
            # geerlingguy.docker writes daemon.json only when docker_daemon_options is not empty
            self.note(f"copy of an empty dict to {dest} under a condition (when:); taken as not written", node.start_mark.index)
            return
        if value.kind in ("list", "dict"):
            value = jinja.dump_json(value)  # copy writes json.dumps() of a dict or list (provisioning-facts §4.1)
        if not value.known:
            written = scalar_mapped(self.yaml, node).slice(free.span[0], free.span[1]) if free is not None else scalar_mapped(self.yaml, node) if is_scalar(node) else None
            mapped = jinja.masked(written) if written is not None else Mapped.of("x", self.doc, node.start_mark.index)
            templated = True
        elif value.kind == "str":
            mapped = value.mapped()
            templated = value.partial
        else:
            mapped = value.mapped()
            templated = False
        document = jinja.to_document(mapped, parent=self.doc, label=label, anchor=(node.start_mark.index, node.end_mark.index))
        self.embed(Embedded(document, kind, target=dest, templated=templated))

    def resolve_file(self, task: _Task, name: str, folder: str) -> Optional[Path]:
        """A controller path as Ansible searches it (provisioning-facts §4.5)."""
        place = self.place
        if place.files is None:
            return self._resolve_file(name, folder)
        marker = (place.root, place.role, place.path.parent if place.path is not None else None, place.base, name, folder)
        if marker not in place.files.resolved:
            place.files.resolved[marker] = self._resolve_file(name, folder)
        return place.files.resolved[marker]

    def _resolve_file(self, name: str, folder: str) -> Optional[Path]:
        place = self.place
        if name.startswith("/"):
            path = Path(name)
            return path if place.inside(path) and place.is_file(path) else None
        candidates = []
        if place.role is not None:
            candidates += [place.role / folder / name, place.role / name]
        here = place.path.parent if place.path is not None else None
        if here is not None:
            candidates += [here / folder / name, here / name]
        if place.base is not None:
            candidates += [place.base / folder / name, place.base / name]
        for candidate in candidates:
            candidate = Path(os.path.normpath(candidate))
            if place.inside(candidate) and place.is_file(candidate):
                return candidate
        return None

    def reference(self, task: _Task, scope: _Scope, src_node, src: str, dest: str, kind: str, module: str) -> None:
        if jinja.has_jinja(src):
            self.opaque(task, src_node, dest, kind, f"its {module} src {src} is a template dlint does not render", f"{module} {src} → {dest}", f"{module} of {src}, a templated src")
            return
        path = self.resolve_file(task, src, _WHERE_FILES[module])
        if path is None:
            self.opaque(task, src_node, dest, kind, f"its {module} src {src} is not in the repository", f"{module} {src} → {dest}", f"{module} of {src}, which is not in the repository")
            return
        text = _read_text(self.place, path)
        if text is None:
            return
        if text.startswith("\ufeff") and kind != "daemon-json":
            text = text[1:]
        if not self.budget.spend(len(text)):
            return
        where = self.doc.location(src_node.start_mark.index, src_node.end_mark.index)
        shown = self.place.display_of(path) if src.startswith("/") else src  # `{{ playbook_dir }}/x`: said as the repository file
        step = TraceStep(where.path, where.line, where.column, f"{module} {shown} → {dest}")
        document = Document(text, self.place.display_of(path), via=where.trace + (step,))
        templated = False
        broken = jinja.syntax_error(text) if module == "template" and ("{%" in text or "{{" in text or "{#" in text) else None
        if broken is not None:  # Ansible fails the task and leaves dest as it was (provisioning-facts §4)
            self.out.fragments.append(TemplateError(self.source, document, message=broken[1], location=document.location(broken[0])))
            self.opaque(task, src_node, dest, kind, f"its template {src} has a Jinja syntax error, so Ansible stops before writing it", f"{module} {src} → {dest}", f"{module} of {src}, which does not parse")
            return
        if module == "template" and jinja.has_jinja(text):
            rendered = jinja.render(Mapped.of(text, document, 0), self.values.resolver(scope), mask=kind != "shell", header=True)
            templated = rendered.templated and not (kind == "systemd" and _templates_only_harmless_lines(text))
            merged = variants.merge([v.text for v in rendered.variants], rendered.undecided) if kind == "daemon-json" and rendered.variants else None
            document = jinja.to_document(merged[0] if merged else rendered.text, parent=document, label="Jinja read statically", anchor=(0, 0))
            if merged:
                document.undecided = merged[1]  # keys an {% if %} dlint cannot decide sets or not: unknown
        elif module == "template" and text.startswith("#jinja2:"):
            first = text.find("\n")
            body = text[first + 1 :] if first >= 0 else ""
            document = jinja.to_document(Mapped.of(body, document, len(text) - len(body)), parent=document, label="Jinja read statically", anchor=(0, 0))
        if kind == "systemd" and module == "template" and templated and _unknown_exec_start(text):
            why = f"its template {src} sets ExecStart= from values dlint cannot know"
            self.out.fragments.append(UnitUnknown(self.source, self.doc, target=dest, why=why, location=self.location(src_node)))
        self.embed(Embedded(document, kind, target=dest, templated=templated, reference=self.place.rel_of(path)))

    def template(self, task: _Task, scope: _Scope) -> None:
        dest_node, dest = self.destination(task, scope, "dest")
        src_node, src = self.destination(task, scope, "src")
        if not dest or not src:
            return
        kind = kind_for_target(dest)
        if kind is None:
            self.used_elsewhere(task, src, "templates")
            return
        self.reference(task, scope, src_node, src, dest, kind, "template")

    def marked_block(self, task: _Task, scope: _Scope, path_node, path: str) -> bool:
        """blockinfile on a daemon.json without ``marker:``: the file holds Ansible's default marker
        lines (``# BEGIN ANSIBLE MANAGED BLOCK``) around the block, wherever it goes, so it is never
        JSON and dockerd refuses it (DKD001 at the marker, which the task writes). False when a
        marker is given (it may be made JSON-safe) or the block is not a scalar."""
        if self.arg(task, "marker")[1] is not None:
            return False
        node = self.arg(task, "block", "content")[1]
        if node is None or isinstance(node, _FreeValue) or not is_scalar(node):
            return False
        value = self.render(node, scope)
        block = value.mapped() if value.known and value.kind == "str" else Mapped.of(str(value_of(node)), self.doc, node.start_mark.index, False)
        at = task.module_key.start_mark.index
        text = Mapped.of("# BEGIN ANSIBLE MANAGED BLOCK\n", self.doc, at, False)
        text.extend(block)
        if not block.text.endswith("\n"):
            text.add("\n", self.doc, at, False)
        text.add("# END ANSIBLE MANAGED BLOCK\n", self.doc, at, False)
        document = jinja.to_document(text, parent=self.doc, label=f"blockinfile → {path}", anchor=(at, task.module_key.end_mark.index))
        self.embed(Embedded(document, "daemon-json", target=path, templated=not value.known or bool(value.partial)))
        return True

    def used_elsewhere(self, task: _Task, src: Optional[str], folder: str) -> None:
        """A repository file put on the machine as something else (a daemon.json copied to /tmp for
        `jq` to merge): its content is used there, it is no machine of its own."""
        if src and not jinja.has_jinja(src):
            path = self.resolve_file(task, src, folder)
            if path is not None:
                self.out.references.add(self.place.rel_of(path))

    def edit(self, task: _Task, scope: _Scope) -> None:
        path_node, path = self.destination(task, scope, "path", "dest", "destfile", "name")
        if not path:
            return
        kind = kind_for_target(path)
        if kind is None:
            return
        module = task.module
        if kind == "daemon-json":
            if module == "blockinfile" and self.marked_block(task, scope, path_node, path):
                return
            if module == "blockinfile":
                why = "blockinfile edits it, and its marker lines (# BEGIN ANSIBLE MANAGED BLOCK) are not JSON unless made JSON-safe"
            else:
                why = f"`{module}` edits it line by line, and dlint does not apply the edit"
            self.opaque(task, path_node, path, kind, why, f"{module} → {path}", "")
            return
        _, state = self.option(task, scope, "state")
        if state is not None and state.kind == "str" and state.mapped().text == "absent":
            return
        if kind == "systemd" and self.unit_edit(task, scope, path_node, path):
            return
        node = None
        if module == "lineinfile":
            node = self.arg(task, "line", "value")[1]
        elif module == "blockinfile":
            node = self.arg(task, "block", "content")[1]
        readable = kind == "envfile" or (kind == "systemd" and module == "blockinfile" and is_scalar(node) and re.search(r"^\s*\[\w+\]", str(value_of(node)), re.M))
        if node is None or isinstance(node, _FreeValue) or not is_scalar(node) or not readable:
            self.note(f"{module} edits {path}; the edited file is not read", task.module_key.start_mark.index)
            return
        value = self.render(node, scope)
        if value.known and value.kind == "str":
            mapped, templated = value.mapped(), value.partial
        else:
            mapped, templated = jinja.masked(scalar_mapped(self.yaml, node)), True
        text = mapped.text
        if not text.endswith("\n"):
            mapped = Mapped(list(mapped.runs)).add("\n", self.doc, node.end_mark.index, False)
        document = jinja.to_document(mapped, parent=self.doc, label=f"{module} → {path}", anchor=(node.start_mark.index, node.end_mark.index))
        self.embed(Embedded(document, kind, target=path, templated=templated, append=True))

    def unit_edit(self, task: _Task, scope: _Scope, path_node, path: str) -> bool:
        """An edit of docker.service or a drop-in that touches ExecStart= (machines-facts §7.2): a
        ``lineinfile`` whose ``line`` is a whole ``ExecStart=`` of the packaged unit is applied to
        it; any other leaves dockerd's command line unknown. False when ExecStart is not touched."""
        module = task.module
        said = " ".join(str(value_of(n)) for n in (self.arg(task, name)[1] for name in ("regexp", "line", "block", "content", "replace")) if n is not None and is_scalar(n))
        if "ExecStart" not in said and not (module == "replace" and "dockerd" in said):
            return False
        block = self.arg(task, "block", "content")[1]
        if module == "blockinfile" and is_scalar(block) and re.search(r"^\s*\[\w+\]", str(value_of(block)), re.M):
            return False  # a drop-in with its [Section] header: read as written
        if module == "lineinfile" and self.exec_start_line(task, scope, path):
            return True
        why = f"`{module}` edits its ExecStart=, and dlint does not apply the edit"
        where = self.location(task.module_key)
        self.out.fragments.append(UnitUnknown(self.source, self.doc, target=path, why=why, location=where))
        return True

    def exec_start_line(self, task: _Task, scope: _Scope, path: str) -> bool:
        """``lineinfile`` of a whole ``ExecStart=/usr/bin/dockerd …`` on the packaged unit: the last
        line its regexp finds is replaced (else the line is added at the end): the edited unit."""
        from ..units import PACKAGED_UNIT

        if path not in _VENDOR_UNITS:
            return False
        line_node, line = self.option(task, scope, "line", "value")
        _, regexp = self.option(task, scope, "regexp", "regex")
        _, backrefs = self.option(task, scope, "backrefs")
        if line is None or line.kind != "str" or line.partial or isinstance(self.arg(task, "line", "value")[1], _FreeValue):
            return False
        if backrefs is not None and jinja.truthy(backrefs) is not False:
            return False
        written = line.mapped()
        if not re.match(r"\s*ExecStart=\s*\S*dockerd\b", written.text) or "\n" in written.text:
            return False
        pattern = None
        if regexp is not None:
            if regexp.kind != "str" or regexp.partial:
                return False
            pattern = linear_or_none(regexp.mapped().text)
            if pattern is None:
                return False  # a Python-only construct (lookaround, backreference): not applied
        at = task.module_key.start_mark.index
        lines = PACKAGED_UNIT.text.split("\n")
        hit = max((i for i, text in enumerate(lines) if pattern is not None and pattern.search(text)), default=None)
        if hit is None:
            hit = max((i for i, text in enumerate(lines) if text == written.text), default=None)
        unit = Mapped()
        for index, text in enumerate(lines):
            if index == hit:
                unit.extend(Mapped(list(written.runs)))
            else:
                unit.add(text, self.doc, at, False)
            if index < len(lines) - 1:
                unit.add("\n", self.doc, at, False)
        if hit is None:
            unit.extend(Mapped(list(written.runs))).add("\n", self.doc, at, False)
        label = f"lineinfile → {path} (docker-ce's packaged unit)"
        document = jinja.to_document(unit, parent=self.doc, label=label, anchor=(at, task.module_key.end_mark.index))
        self.embed(Embedded(document, "systemd", target=path))
        return True

    def package(self, task: _Task, scope: _Scope) -> None:
        names_node, names = self.option(task, scope, "name", "pkg", "package")
        if names is None:
            return
        _, state_value = self.option(task, scope, "state")
        state = "present"
        if state_value is not None:
            state = state_value.mapped().text.strip() if state_value.kind == "str" and not state_value.partial else "?"
        if state in ("absent", "removed", "build-dep", "fixed"):
            return
        manager = task.module
        for item, text in _package_items(names, names_node):
            name, version = _split_package(text, manager)
            if "{{" in name:  # "docker-ce{{ _version }}": the engine, its version a template's
                name, version = name[: name.index("{{")].rstrip("-="), name[name.index("{{") :]
            if name not in _ENGINE:
                continue
            if name == "docker" and manager == "apt":
                continue  # Debian's docker is another program
            if state == "latest":
                pin = "upgrade"
            elif state == "?":
                pin = "unknown"
            else:
                pin = pin_of(version)
            location = self.version_location(item, version) or self.value_location(item, names_node)
            self.out.fragments.append(EnginePackage(self.source, self.doc, manager=manager, name=name, version=version, pin=pin, location=location))

    @staticmethod
    def version_location(item: Optional[Val], version: Optional[str]) -> Optional[Location]:
        """Where a pinned version is written when another file gives it ("docker-ce={{ v }}" with
        v in defaults/main.yml): a bump of the version is a change of that line."""
        if item is None or not version or item.kind != "str":
            return None
        mapped = item.mapped()
        index = mapped.text.rfind(version)
        runs = mapped.slice(index, index + len(version)).runs if index >= 0 else []
        first = runs[0] if runs else None
        if first is None or first.doc is None or not first.exact or first.doc is (item.at[0] if item.at else None):
            return None
        return first.doc.location(first.offset, first.offset + len(first.text))

    def value_location(self, value: Optional[Val], fallback) -> Location:
        if value is not None and value.at is not None:
            doc, start, end = value.at
            return doc.location(start, end)
        return self.location(fallback)

    def skipped(self, task: _Task, scope: _Scope) -> bool:
        return self.when_false(task.fields, scope, swarm=_swarm_fields(task.fields))

    def when_false(self, fields, scope: _Scope, yaml: Optional[_Yaml] = None, swarm: bool = False) -> bool:
        """A task's or block's ``when:`` is false with the values this machine has (role defaults,
        group_vars, play vars): every condition known, one of them false (a list is an AND).
        Decided like a template's {% if %} (``is defined`` of a name the repository never sets is
        false); a condition on a loop item or a fact is unknown, and the task is read. ``yaml``: the
        file the fields come from, when not the one being read. ``swarm``: the task makes the
        machine a swarm node, and a condition that is false only because a name the repository
        never sets is undefined is unknown, not false: that name may come with ``-e`` (and a swarm
        node wrongly taken for none is told to turn live-restore on, which swarm refuses)."""
        return self.when_value(fields, scope, yaml, swarm) is False

    def when_value(self, fields, scope: _Scope, yaml: Optional[_Yaml] = None, swarm: bool = False):
        """The ``when:`` of a task or block: False as when_false decides it; otherwise True, or
        "given" when it holds only if a name the repository never sets is given (``-e``) to a
        swarm task (whether the machine is a swarm node is then unknown)."""
        if "when" not in fields:
            return True
        walk, doc = (yaml.walk, yaml.doc) if yaml is not None else (self.walk, self.doc)
        node = fields["when"][1]
        conditions = node.value if is_seq(node) else [node]
        given = False
        for condition in conditions[:16]:
            if not is_scalar(condition):
                continue
            if walk.kind(condition) == "bool":
                if walk.scalar(condition) is False:
                    return False
                continue
            expression = str(value_of(condition)).strip()
            if not expression or "{{" in expression or "{%" in expression:
                continue
            mapped = Mapped.of("{{ (" + expression + ") }}", doc, condition.start_mark.index, False)
            resolve = self.values.resolver(scope)
            undefined: List[str] = []

            def tracking(name: str, where: Location, resolve=resolve, undefined=undefined):
                value = resolve(name, where)
                if value is None:
                    undefined.append(name)
                return value

            rendered = jinja.render(mapped, tracking, native=True)
            if rendered.value is not None and rendered.value.known and jinja.truthy(rendered.value) is False:
                if swarm and undefined:
                    given = True
                    continue  # may be given on the command line: the swarm task may run
                return False
        return "given" if given else True

    def held_only_if(self, task: _Task, scope: _Scope) -> bool:
        """A hold under a condition that is false on this machine is no hold (a note says so)."""
        if self.skipped(task, scope):
            self.note(f"{task.module} holds the engine only under a when: that is false here; not a hold", task.module_key.start_mark.index)
            return True
        return False

    def selection(self, task: _Task, scope: _Scope) -> None:
        if self.held_only_if(task, scope):
            return
        _, name = self.option(task, scope, "name")
        _, selection = self.option(task, scope, "selection")
        if name is None or selection is None or name.kind != "str" or selection.kind != "str":
            return
        if selection.mapped().text.strip() == "hold" and name.mapped().text.strip() in _ENGINE:
            location = self.value_location(selection, task.module_key)
            self.out.fragments.append(EnginePackage(self.source, self.doc, manager="apt", name=name.mapped().text.strip(), pin="held", location=location))

    def service(self, task: _Task, scope: _Scope) -> None:
        node, name = self.option(task, scope, "name", "service", "unit")
        if name is None or name.kind != "str" or name.partial:
            return
        unit = name.mapped().text.strip()
        if unit not in ("docker", "docker.service"):
            return
        actions = []
        reload_node, reload_value = self.option(task, scope, "daemon_reload", "daemon-reload")
        if reload_value is not None and jinja.truthy(reload_value):
            actions.append(("daemon-reload", reload_value, reload_node))
        state_node, state = self.option(task, scope, "state")
        if state is not None and state.kind == "str" and not state.partial:
            action = _SERVICE_STATES.get(state.mapped().text.strip())
            if action:
                actions.append((action, state, state_node))
        enabled_node, enabled = self.option(task, scope, "enabled")
        if enabled is not None and jinja.truthy(enabled):
            actions.append(("enable", enabled, enabled_node))
        for action, value, where in actions:
            # the action is where the task says it (a value from defaults/main.yml is only its detail)
            location = self.location(where) if where is not task.free else self.value_location(value, task.module_key)
            self.out.fragments.append(ServiceAction(self.source, self.doc, action=action, location=location))

    def swarm(self, task: _Task, scope: _Scope) -> None:
        state_node, state = self.option(task, scope, "state")
        text = "present"
        if state is not None:
            if state.kind != "str" or state.partial:
                self.note("docker_swarm with a state dlint cannot know; not read", task.module_key.start_mark.index)
                return
            text = state.mapped().text.strip()
        if text == "present":
            location = self.value_location(state, task.module_key) if state is not None else self.location(task.module_key)
            self.out.fragments.append(SwarmMembership(self.source, self.doc, role="manager", command="init", location=location, maybe=self.conditional))
        elif text == "join":
            _, token_node = self.arg(task, "join_token")
            said = str(value_of(token_node)) if token_node is not None and is_scalar(token_node) else ""
            for tag in jinja.tags(said):  # the variables the token expression names, as written
                for name in jinja.names(tag.body) if tag.kind == "expr" else ():
                    found = scope.find(name)
                    if found is not None and is_scalar(found[1]):
                        said += " " + str(value_of(found[1]))
            role = _token_role(said)
            location = self.value_location(state, task.module_key)
            self.out.fragments.append(SwarmMembership(self.source, self.doc, role=role, command="join", location=location, maybe=self.conditional))

    def daemon_use(self, task: _Task, scope: _Scope) -> None:
        """A community.docker task that works this machine's dockerd: evidence that it runs the
        engine. Not one under a condition, one delegated to another machine, or one whose
        ``docker_host`` names another daemon."""
        if self.conditional or "delegate_to" in task.fields or "local_action" in task.fields:
            return
        _, host = self.option(task, scope, "docker_host")
        if host is not None and not (host.kind == "str" and not host.partial and host.mapped().text.strip().startswith("unix://")):
            return
        self.out.fragments.append(DaemonInUse(self.source, self.doc, module=task.module, location=self.location(task.module_key)))

    def versionlock(self, task: _Task, scope: _Scope) -> None:
        names_node, names = self.option(task, scope, "name")
        _, state = self.option(task, scope, "state")
        if names is None or (state is not None and (state.kind != "str" or state.mapped().text.strip() not in ("present", "locked"))):
            return
        if self.held_only_if(task, scope):
            return
        for item, text in _package_items(names):
            name, version = _split_package(text, "yum")
            if name in _ENGINE:
                location = self.value_location(item, names_node)
                self.out.fragments.append(EnginePackage(self.source, self.doc, manager=task.module, name=name, version=version, pin="held", location=location))

    def shell(self, task: _Task, scope: _Scope) -> None:
        if _HOLD.search(str(value_of(task.free)) if task.free is not None and is_scalar(task.free) else "") and self.held_only_if(task, scope):
            return
        node = task.free
        if node is None:
            node = self.arg(task, "cmd")[1]
        if node is None or isinstance(node, _FreeValue):
            argv = self.arg(task, "argv")[1]
            if is_seq(argv):
                words = [self.text_of(item, scope) or "" for item in argv.value if is_scalar(item)]
                text = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
                document = Document(text, self.doc.path, parent=self.doc, label=f"{task.module} argv", anchor=(argv.start_mark.index, argv.end_mark.index))
                self.embed(Embedded(document, "shell", templated=any(jinja.has_jinja(w) for w in words)))
            return
        if not is_scalar(node):
            return
        mapped = scalar_mapped(self.yaml, node)
        templated = False
        if jinja.has_jinja(mapped.text):
            rendered = jinja.render(mapped, self.values.resolver(scope), mask=False)
            mapped, templated = rendered.text, rendered.templated
        document = jinja.to_document(mapped, parent=self.doc, label=task.module, anchor=(node.start_mark.index, node.end_mark.index))
        self.embed(Embedded(document, "shell", templated=templated, maybe=self.conditional))

    def script(self, task: _Task, scope: _Scope) -> None:
        """``script: install-docker.sh ARGS``: Ansible uploads the repository script (the role's
        files/, or beside the playbook) and runs it on the machine: it is read as part of it."""
        node = task.free if task.free is not None else self.arg(task, "cmd", "_raw_params")[1]
        if node is None or isinstance(node, _FreeValue) or not is_scalar(node):
            return
        words = [word for word in str(value_of(node)).split() if "=" not in word or word.startswith(("'", '"'))]
        name = words[0].strip("'\"") if words else ""
        if not name or jinja.has_jinja(name):
            return
        path = self.resolve_file(task, name, "files")
        text = _read_text(self.place, path) if path is not None else None
        if text is None or not self.budget.spend(len(text)):
            return
        where = self.location(node)
        step = TraceStep(where.path, where.line, where.column, f"script {name}")
        document = Document(text, self.place.display_of(path), via=where.trace + (step,))
        self.embed(Embedded(document, "shell", reference=self.place.rel_of(path)))

    def include(self, task: _Task, scope: _Scope) -> None:
        node = task.free if task.free is not None else self.arg(task, "file", "_raw_params")[1]
        if node is None or isinstance(node, _FreeValue) or not is_scalar(node):
            return
        name = self.text_of(node, scope)
        own = _ROLE_PATH.match(str(value_of(node)).strip()) if self.place.role is not None else None
        if own is not None:
            name = str(value_of(node)).strip()[own.end() :]  # {{ role_path }}/tasks/x.yml: the role's own file
        if not name or jinja.has_jinja(name):
            self.note(f"{task.module} of a file named by a template; not read", node.start_mark.index)
            return
        path = self.resolve_file(task, name, "tasks")
        if path is None:
            return
        place = self.place
        if place.path is not None and path == place.path:
            return
        text = _read_text(place, path)
        if place.role is not None and _ROLE_FILE.search(place.rel_of(path)) and (place.role / "tasks") in path.parents:
            if text is None or AnsibleClaims.needles.search(text.encode("utf-8", "replace")):
                return  # every tasks file of the role that may concern Docker is read on its own
            # one that names no Docker word is not read on its own (discovery's needles): here,
            # with what the tasks before the include define (`apt: name="{{ engine_package }}"`)
        if text is None or not self.budget.spend(len(text)):
            return
        where = self.doc.location(node.start_mark.index, node.end_mark.index)
        step = TraceStep(where.path, where.line, where.column, f"{task.module} {name}")
        document = Document(text, place.display_of(path), via=where.trace + (step,))
        _INFO[document] = _Info(place.sibling(path, "tasks"), "handlers" if task.handler else "tasks", scope)
        self.embed(Embedded(document, NAME, reference=place.rel_of(path), maybe=self.conditional))

    def embed(self, embedded: Embedded) -> None:
        self.out.embedded.append(embedded)

    # -- popular roles' variables ----------------------------------------------------------------

    def included_facts(self, task: _Task, scope: _Scope, task_scope: _Scope, varying: bool, depth: int) -> _Scope:
        """The facts an included task file sets (its set_fact tasks, in order) hold after the
        include, as its own tasks see them; under a when: or loop, unknown."""
        node = task.free if task.free is not None else self.arg(task, "file", "_raw_params")[1]
        name = self.text_of(node, task_scope) if node is not None and not isinstance(node, _FreeValue) and is_scalar(node) else None
        path = self.resolve_file(task, name, "tasks") if name and not jinja.has_jinja(name) else None
        loaded = self.load(path) if path is not None else None
        if loaded is None or not is_seq(loaded.root):
            return scope
        inner = task_scope
        with self._reading(loaded):
            for item in loaded.root.value[:512]:
                fields = _mapping_items(item, loaded.walk) if is_map(item) else {}
                included = self.task(item, fields, False) if fields and "block" not in fields else None
                if included is not None:
                    inner = self.defined_by(included, fields, inner, inner, loaded, depth + 1)
        for name, value in inner.bound.items():
            if task_scope.bound.get(name) is not value:
                scope = scope.bind(name, jinja.unknown("set_fact in a conditional include") if varying else value)
        return scope

    def include_sites(self, scope: _Scope) -> List[tuple]:
        """For a task file of a role (read on its own, as every one is), each place where the
        role's other task files include it: (the fields of the task and blocks whose when: guard
        it, the scope its tasks see there, the including file). That scope holds what the tasks
        before the include define (include_vars of ``vars/{{ ansible_os_family }}.yml``,
        set_fact) and the include's own ``vars:``. [] for main.yml, a file read through an
        include, or one nothing includes (a play may name it in tasks_from)."""
        role, path = self.place.role, self.place.path
        if role is None or path is None or self.doc.via or path.name in ("main.yml", "main.yaml"):
            return []
        sites: List[tuple] = []
        for other in self.role_task_files(role):
            text = _read_text(self.place, other) if other != path else None
            if not text or path.name not in text:  # cheap: only files that may name it are composed
                continue
            loaded = self.load(other, text)
            if loaded is not None and is_seq(loaded.root):
                found: List[tuple] = []
                with self._reading(loaded):
                    self.scopes_at(loaded, loaded.root, (role / "tasks", other.parent), path, scope, (), 0, found)
                sites += [(guards, at, loaded) for guards, at in found]
        return sites[:32]

    def included_only_when_false(self, sites: List[tuple]) -> bool:
        """Every include of this file is under a when: false with the role's values (haxorof's
        plugin tasks when docker_plugins is empty): it never runs."""
        return bool(sites) and all(any(self.when_false(fields, at, loaded) for fields in guards) for guards, at, loaded in sites)

    @staticmethod
    def scope_of_sites(scope: _Scope, sites: List[tuple]) -> _Scope:
        """The scope a role's task file is read in: its one include site's; with several that
        differ, any name nothing else defines may have been set there (unknown, never undefined)."""
        if len(sites) == 1:
            return sites[0][1]
        if any(at is not scope for _, at, _ in sites):
            return scope.bind(_ANY_NAME, jinja.unknown("defined before one of the includes of this file"))
        return scope

    def scopes_at(self, yaml: _Yaml, node, folders, wanted: Path, scope: _Scope, guards: tuple, depth: int, found: List[tuple]):
        """Reads the tasks' definitions (not their actions) in order, appending to ``found`` the
        (guards, scope) of each include of ``wanted``; returns the scope after them."""
        if depth > 8:
            return scope
        for item in node.value[:512]:
            if not is_map(item):
                continue
            fields = _mapping_items(item, yaml.walk)
            task_scope = scope
            task_vars = fields.get("vars", (None, None))[1]
            if is_map(task_vars):
                task_scope = scope.above(_mapping_items(task_vars, yaml.walk), yaml)
            if "block" in fields:
                for part in ("block", "rescue", "always"):
                    inner = fields.get(part, (None, None))[1]
                    if is_seq(inner):
                        after = self.scopes_at(yaml, inner, folders, wanted, task_scope, guards + (fields,), depth + 1, found)
                        scope = scope.with_bound(after.bound)  # facts outlive their block
                continue
            if self.includes(fields, folders, wanted):
                found.append((guards + (fields,), task_scope))
            if not any(_short(name) in _DEFINERS for name in fields):
                continue  # defines nothing for the tasks after it
            task = self.task(item, fields, False)
            if task is not None:
                scope = self.defined_by(task, fields, scope, task_scope, yaml)
        return scope

    @contextlib.contextmanager
    def _reading(self, yaml: _Yaml):
        """Reads nodes of another file of the role with this reader: positions and texts are that
        file's while the block runs."""
        kept = (self.yaml, self.walk, self.doc, self.text)
        self.yaml, self.walk, self.doc, self.text = yaml, yaml.walk, yaml.doc, yaml.text
        try:
            yield
        finally:
            self.yaml, self.walk, self.doc, self.text = kept

    @staticmethod
    def includes(fields, folders, wanted: Path) -> bool:
        """The task includes ``wanted`` (a name relative to the role's tasks/ or the including
        file's folder)."""
        for name, (key, value) in fields.items():
            if _short(name) in ("include_tasks", "import_tasks", "include"):
                target = value_of(value) if is_scalar(value) else None
                if is_map(value):
                    pair = {str(value_of(k)): v for k, v in value.value if is_scalar(k)}.get("file")
                    target = value_of(pair) if pair is not None and is_scalar(pair) else None
                if isinstance(target, str) and not jinja.has_jinja(target):
                    if any(os.path.normpath(folder / target) == os.path.normpath(wanted) for folder in folders):
                        return True
        return False

    def role_task_files(self, role: Path) -> List[Path]:
        known = self.project.__dict__.setdefault("_role_tasks", {})  # listed once per scan
        if role not in known:
            known[role] = self._role_task_files(role)
        return known[role]

    def _role_task_files(self, role: Path) -> List[Path]:
        files: List[Path] = []
        top = role / "tasks"
        if not _folder(top):
            return files
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if _folder(Path(dirpath) / d))
            for filename in sorted(filenames):
                if _YAML_NAME.search(filename) and len(files) < MAX_ROLE_FILES:
                    files.append(Path(dirpath) / filename)
        return files

    def mentions(self, role: Path) -> frozenset:
        """The words of a role's tasks, handlers and templates (which variables it uses itself):
        listed once per scan (every group_vars file with a popular role's variable asks of every role)."""
        known = self.place.files.mentions if self.place.files is not None else self._mentions
        key = (self.place.root, role.as_posix())
        if key not in known:
            known[key] = self._mentions_of(role)
        return known[key]

    def _mentions_of(self, role: Path) -> frozenset:
        words: set = set()
        count = 0
        for folder in ("tasks", "handlers", "templates"):
            top = role / folder
            if not _folder(top):
                continue
            for dirpath, dirnames, filenames in os.walk(top):
                for filename in sorted(filenames):
                    count += 1
                    if count > MAX_ROLE_FILES:
                        break
                    text = _read_text(self.place, Path(dirpath) / filename)
                    if text is not None:
                        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return frozenset(words)

    def used_by_a_role(self, name: str) -> bool:
        place = self.place
        if place.section in ("defaults", "vars") and place.role is not None:
            return name in self.mentions(place.role)
        if place.section == "inventory" and place.base is not None and place.path is not None:
            group = ("/" + place.rel).split("/group_vars/")[-1] if "/group_vars/" in "/" + place.rel else ""
            if not group.startswith("all") and not self.project.plays:
                return False  # without plays, a role's tasks read only group_vars/all statically
            roles = place.base / "roles"
            if _folder(roles):
                for role in _children(roles):
                    if _folder(role) and name in self.mentions(role):
                        return True
        return False

    def used_here(self, name: str) -> bool:
        """Another value of this vars file uses the variable (``docker_package: docker-ce-{{
        docker_version }}``): the role reads it through that one."""
        return self.place.role is not None and re.search(r"{{[^}]*\b" + re.escape(name) + r"\b", self.text) is not None

    def well_known(self, root) -> None:
        items = _mapping_items(root, self.walk)
        present = [n for n in _WELL_KNOWN if n in items and not self.used_by_a_role(n) and not self.used_here(n)]
        if not present:
            return
        if self.place.role is not None:
            scope = self.base_scope().above(items, self.yaml)
        else:
            scope = _Scope([_Layer(items, self.yaml)] + self.group_vars_all(self.place.base))
        for name, (role, even_empty) in _DAEMON_VARIABLES.items():
            if name not in present:
                continue
            key, node = items[name]
            value = self.render(node, scope)
            if value.kind == "dict" and not value.data and not even_empty:
                continue
            if value.kind not in ("dict", "unknown"):
                self.note(f"{name} is a {value.kind}, not a dict; {role} writes it with to_nice_json", key.start_mark.index)
                continue
            dumped = jinja.dump_json(value, indent=4, sort_keys=True, separators=(",", ": ")) if value.known else value
            label = f"{name} | to_nice_json ({role} writes /etc/docker/daemon.json)"
            if dumped.known:
                document = jinja.to_document(dumped.mapped(), parent=self.doc, label=label, anchor=(node.start_mark.index, node.end_mark.index))
                templated = dumped.partial
            else:
                document = Document("x" * max(1, node.end_mark.index - node.start_mark.index), self.doc.path, parent=self.doc, label=label, anchor=(node.start_mark.index, node.end_mark.index))
                templated = True
            self.embed(Embedded(document, "daemon-json", target="/etc/docker/daemon.json", templated=templated))
            if name == "docker_daemon_options" and value.kind == "dict" and value.data:
                self.restart_handler(items, key, scope)
        self.role_packages(items, present, scope)

    def restart_handler(self, items, options_key, scope: _Scope) -> None:
        """geerlingguy.docker notifies ``restart docker`` when it writes daemon.json; the handler's
        state is ``docker_restart_handler_state`` (``restarted`` by default)."""
        state = "restarted"
        where = options_key
        if "docker_restart_handler_state" in items:
            key, node = items["docker_restart_handler_state"]
            value = self.render(node, scope)
            if value.kind != "str" or value.partial:
                return
            state, where = value.mapped().text.strip(), node
        action = _SERVICE_STATES.get(state)
        if action in ("restart", "reload"):
            self.out.fragments.append(ServiceAction(self.source, self.doc, action=action, location=self.location(where)))

    def role_packages(self, items, present: Sequence[str], scope: _Scope) -> None:
        def text(name: str) -> Optional[Val]:
            if name not in items:
                return None
            return self.render(items[name][1], scope)

        def add(manager: str, name: str, version: Optional[str], pin: str, value: Optional[Val], fallback) -> None:
            location = self.value_location(value, fallback)
            self.out.fragments.append(EnginePackage(self.source, self.doc, manager=manager, name=name, version=version, pin=pin, location=location))

        geerling = [n for n in ("docker_packages", "docker_package", "docker_packages_state", "docker_package_state") if n in present]
        if geerling:
            state_name = "docker_packages_state" if "docker_packages_state" in items else "docker_package_state"
            state_value = text(state_name)
            state = state_value.mapped().text.strip() if state_value is not None and state_value.kind == "str" and not state_value.partial else "present"
            if state != "absent":
                packages: List[Tuple[Optional[Val], str]] = []
                if "docker_packages" in items:
                    packages = list(_package_items(text("docker_packages")))
                elif "docker_package" in items:
                    packages = list(_package_items(text("docker_package")))
                else:
                    edition = text("docker_edition")
                    suffix = edition.mapped().text if edition is not None and edition.kind == "str" and not edition.partial else "ce"
                    packages = [(None, f"docker-{suffix}")]
                for value, written in packages:
                    name, version = _split_package(written, "package")
                    if name not in _ENGINE:
                        continue
                    fallback = items[state_name][1] if state == "latest" and state_name in items else items[geerling[0]][0]
                    pin = "upgrade" if state == "latest" else pin_of(version)
                    add("geerlingguy.docker", name, version, pin, value if state != "latest" else state_value, fallback)
        if "docker_version" in present or "docker_latest_version" in present:
            version = text("docker_version")
            latest = text("docker_latest_version")
            written = version.mapped().text.strip() if version is not None and version.kind in ("str", "int", "float") and version.known else ""
            if version is not None and version.kind in ("int", "float"):
                written = jinja.scalar_text(version)
            if written:
                add("haxorof.docker_ce", "docker-ce", written, pin_of(written), version, items["docker_version"][0])
            elif latest is None or jinja.truthy(latest) is not False:
                where = items["docker_latest_version"][1] if "docker_latest_version" in items else items["docker_version"][1]
                add("haxorof.docker_ce", "docker-ce", None, "upgrade", latest, where)
        for name, manager in (("docker_package_version", "atosatto.docker-swarm"), ("docker__version", "nickjj.docker")):
            if name in present:
                version = text(name)
                written = version.mapped().text.strip() if version is not None and version.known and version.kind == "str" else (jinja.scalar_text(version) if version is not None and version.known and version.kind in ("int", "float") else "")
                add(manager, "docker-ce", written or None, pin_of(written or None), version, items[name][0])
        if "docker__state" in present:
            state = text("docker__state")
            if state is not None and state.kind == "str" and state.mapped().text.strip() == "latest":
                add("nickjj.docker", "docker-ce", None, "upgrade", state, items["docker__state"][1])


# --- small readers ---------------------------------------------------------------------------------------


def _swarm_fields(fields, depth: int = 0) -> bool:
    """The task makes the machine a swarm node (docker_swarm, or a `docker swarm` command), or the
    block holds such a task."""
    for name, (_, value) in fields.items():
        if name in ("block", "rescue", "always") and is_seq(value) and depth < 8:
            if any(_swarm_fields({str(k.value): (k, v) for k, v in item.value if is_scalar(k)}, depth + 1) for item in value.value[:256] if is_map(item)):
                return True
            continue
        module = _short(name)
        if module == "docker_swarm":
            return True
        if module in ("shell", "command", "raw"):
            if is_map(value):
                value = next((v for k, v in value.value if is_scalar(k) and k.value == "cmd"), None)
            if value is not None and is_scalar(value) and re.search(r"docker\s+swarm\s+(init|join)", str(value_of(value))):
                return True
    return False


def _node_at(node, offset: int, depth: int):
    """The mapping of a play that starts at ``offset`` in its playbook (a roles: entry or a task)."""
    if depth > 40 or node is None or not (node.start_mark.index <= offset < max(node.end_mark.index, offset + 1)):
        return None
    if is_map(node) and node.start_mark.index == offset:
        return node
    children = [v for pair in node.value for v in pair] if is_map(node) else node.value if is_seq(node) else ()
    for child in children:
        found = _node_at(child, offset, depth + 1)
        if found is not None:
            return found
    return None


def _short(module: str) -> str:
    for prefix in _MODULE_PREFIXES:
        if module.startswith(prefix):
            return module[len(prefix) :]
    return module


_FREE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


@dataclass
class _FreeValue:
    """One ``k=v`` of a free-form module string (``apt: name=docker-ce state=latest``)."""

    span: Tuple[int, int, str]  # start, end in the scalar's value, text without quotes
    holder: object  # the scalar node


def _free_form(text: str) -> Dict[str, Tuple[int, int, str]]:
    """The ``k=v`` pairs of a free-form module string, split as Ansible's split_args splits it: on
    spaces outside quotes and outside ``{{ }}``/``{% %}``/``{# #}`` (``name={{ item }}`` is one
    pair). Each value: (start, end, text), without the quotes around it."""
    pairs = {}
    index, size = 0, len(text)
    while index < size:
        while index < size and text[index].isspace():
            index += 1
        start, quote, depth = index, None, 0
        while index < size:
            char = text[index]
            if quote is not None:
                if char == "\\":
                    index += 2
                    continue
                if char == quote:
                    quote = None
            elif text.startswith(("{{", "{%", "{#"), index):
                depth, index = depth + 1, index + 2
                continue
            elif depth and text.startswith(("}}", "%}", "#}"), index):
                depth, index = depth - 1, index + 2
                continue
            elif char in "'\"":
                quote = char
            elif char.isspace() and not depth:
                break
            index += 1
        index = min(index, size)
        match = _FREE_KEY.match(text, start, index)
        if match:
            raw, first, last = text[match.end() : index], match.end(), index
            if len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0]:
                raw, first, last = raw[1:-1], first + 1, last - 1
            pairs[match.group(1)] = (first, last, raw)
    return pairs


_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _decode_escapes(mapped: Mapped) -> Mapped:
    """Ansible's parse_kv decodes a k=v value's simple escapes (``\\"`` is ``"``): each decoded
    character stands at its backslash."""
    text = mapped.text
    if "\\" not in text:
        return mapped
    out = Mapped()
    index = start = 0
    while index < len(text):
        if text[index] == "\\" and text[index + 1 : index + 2] in _ESCAPES:
            out.extend(mapped.slice(start, index))
            backslash = mapped.slice(index, index + 1).runs[0]
            out.add(_ESCAPES[text[index + 1]], backslash.doc, backslash.offset, backslash.exact)
            index = start = index + 2
            continue
        index += 1
    out.extend(mapped.slice(start, len(text)))
    return out


def _free_value(free: _FreeValue, yaml: _Yaml, values: _Values, scope: _Scope) -> Val:
    start, end, raw = free.span
    mapped = _decode_escapes(scalar_mapped(yaml, free.holder).slice(start, end))
    raw = mapped.text
    if jinja.has_jinja(raw):
        rendered = jinja.render(mapped, values.resolver(scope), native=True)
        if rendered.value is not None and rendered.value.known:
            return rendered.value
        return Val("str", None, rendered.text, None, rendered.templated)
    origin = mapped.origin()
    at = (origin[0], origin[1], origin[1] + len(raw)) if origin else None
    return Val("str", None, mapped, at)


def _package_items(value: Optional[Val], node=None) -> Iterable[Tuple[Optional[Val], str]]:
    """Each package a ``name`` option gives: a list, or a comma-separated string. A name whose
    version is a template the repository leaves undefined (``docker-ce={{ pin }}``) is given as
    written: still the engine, its pin unknown."""
    if value is None or not value.known:
        return
    items = value.data if value.kind == "list" else [value]
    written = node.value if value.kind == "list" and is_seq(node) and len(node.value) == len(items) else [node] * len(items)
    for item, raw in zip(items, written):
        if item.kind != "str":
            continue
        if item.partial:
            if is_scalar(raw) and value.kind == "list" or is_scalar(raw) and "," not in str(value_of(raw)):
                yield item, str(value_of(raw)).strip()
            continue
        text = item.mapped().text
        if "," in text and value.kind != "list":
            position = 0
            for part in text.split(","):
                stripped = part.strip()
                if stripped:
                    offset = position + part.index(stripped)
                    sub = item.mapped().slice(offset, offset + len(stripped))
                    origin = sub.origin()
                    at = (origin[0], origin[1], origin[1] + len(stripped)) if origin else item.at
                    yield Val("str", None, sub, at), stripped
                position += len(part) + 1
        else:
            yield item, text.strip()


_RPM_VERSION = re.compile(r"^(docker-ce|docker-ee|docker-engine|moby-engine|docker)-((?:\d+:)?\d[\w.:~+*-]*)$")
_ARCH = re.compile(r"\.(?:x86_64|aarch64|ppc64le|s390x|noarch|armv7hl)$")


# unit settings that do not change how dockerd runs or is stopped: a template there leaves the
# command line known (After={{ x }}, ExecStartPre=/bin/sleep {{ n }})
_HARMLESS_UNIT_KEYS = frozenset(
    """Description Documentation After Before Requires Wants BindsTo PartOf Requisite Conflicts
    ExecStartPre ExecStartPost ExecStopPost TimeoutStartSec TimeoutStopSec TimeoutSec Restart RestartSec
    StartLimitInterval StartLimitIntervalSec StartLimitBurst LimitNOFILE LimitNPROC LimitCORE TasksMax""".split()
)


def _templates_only_harmless_lines(template: str) -> bool:
    """Every Jinja expression of a unit template is in a setting that does not shape dockerd's
    command line or how it is stopped, and there is no {% %} block that could hide lines."""
    if "{%" in template:
        return False
    for line in template.splitlines():
        if "{{" in line or "{#" in line:
            key = re.match(r"\s*([A-Za-z]+)\s*=", line)
            if key is None or key.group(1) not in _HARMLESS_UNIT_KEYS:
                return False
    return True


def _unknown_exec_start(template: str) -> bool:
    """A unit template whose ExecStart= holds Jinja, or sits inside a Jinja block."""
    inside = 0
    for line in template.splitlines():
        # ExecStart= itself, not ExecStartPre=/ExecStartPost= (commands run around dockerd)
        if re.match(r"\s*ExecStart\s*=", line) and ("{{" in line or "{%" in line or inside):
            return True
        inside += len(re.findall(r"{%-?\s*(?:if|for)\b", line)) - len(re.findall(r"{%-?\s*end(?:if|for)\b", line))
        inside = max(inside, 0)
    return False


def _split_package(text: str, manager: str) -> Tuple[str, Optional[str]]:
    """(name, version as written) of ``docker-ce=5:24.0.7-1~…`` (apt) or ``docker-ce-24.0.7`` (yum/dnf)."""
    text = text.strip()
    for operator in (">=", "<=", "==", "=", ">", "<"):
        if operator in text:
            name, version = text.split(operator, 1)
            name = name.strip().split(":", 1)[0]
            if operator in ("=", "=="):
                return name, version.strip() or None
            return name, None  # a lower or upper bound pins nothing
    text = _ARCH.sub("", text)
    match = _RPM_VERSION.match(text)
    if match and manager != "apt":
        return match.group(1), match.group(2)
    return text.split("/", 1)[0], None


_MANAGER_WORD = re.compile(r"(?<![a-z])manager(?![a-z0-9])")
_WORKER_WORD = re.compile(r"(?<![a-z])worker(?![a-z0-9])")


def _token_role(expression: str) -> str:
    """manager or worker when the join token's expression names one (``JoinTokens.Worker``)."""
    said = expression.lower().replace("_", " ").replace(".", " ")
    manager, worker = bool(_MANAGER_WORD.search(said)), bool(_WORKER_WORD.search(said))
    if manager != worker:
        return "manager" if manager else "worker"
    return "unknown"


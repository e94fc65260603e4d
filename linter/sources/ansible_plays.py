"""Ansible: which files end up on the same machine (ansible-machines-facts §1, §2, §5, §7).

A machine is a play target: the ``hosts:`` pattern of a play, inside one Ansible project (the
nearest folder above the playbook with an ``ansible.cfg``, an inventory, ``group_vars/`` or
``roles/``). Two plays on the same pattern in one project are one machine. The machine gets the
play's tasks and handlers, every role the play applies (``roles:``, ``import_role``,
``include_role``, their ``meta/main.yml`` dependencies), its ``vars:`` and ``vars_files:``, and
the ``group_vars/`` of the groups its pattern names (and their parent groups in the inventory),
``all`` included. A Molecule scenario (``molecule/<name>/prepare.yml``, ``converge.yml``, or
``playbook.yml`` before Molecule 3, ``side_effect.yml``) and the role under test are one test machine.

This module only maps the project (playbooks, plays, roles applied, inventory groups); the
Ansible reader reads each file in the scope of every play that reaches it. The map of a project is
built once per process and root: playbooks are found by the same cheap test discovery uses, and
composed once.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import field
from ..lazyclass import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from ..discovery import MAX_BYTES, iter_files, read_bounded
from ..yamlnodes import compose, is_map, is_scalar, is_seq, value_of

MAX_SIBLING_ROLES = 256  # roles of one folder looked at for meta dependencies
MAX_FILES = 20_000  # files of a project looked at
MAX_PLAYBOOKS = 2_000
MAX_ROLE_DEPTH = 8  # role dependencies followed
HEAD = 4096
MAX_SETTER_BYTES = 16 * 1024 * 1024  # bytes of set_fact/register files a project map keeps for set_names

_MOLECULE = re.compile(r"(?:^|/)molecule/([^/]+)/(prepare|converge|side_effect|playbook)\.ya?ml$")
_PROJECT_MARKS = ("ansible.cfg", "inventory", "inventories", "group_vars", "roles", "hosts", "hosts.ini", "hosts.yml", "hosts.yaml")
_INVENTORY_NAMES = ("hosts", "hosts.ini", "hosts.yml", "hosts.yaml", "inventory", "inventory.ini", "inventory.yml", "inventory.yaml")
_ROLE_KEYWORDS = frozenset(
    """role name when tags vars become become_user become_method environment collections connection
    remote_user ignore_errors no_log check_mode run_once module_defaults delegate_to public
    tasks_from handlers_from vars_from defaults_from apply allow_duplicates rolespec_validate""".split()
)
# include_role/import_role with a literal name, in the block form or k=v
_INCLUDED_ROLE = re.compile(
    r"^[ \t-]*(?:ansible\.(?:builtin|legacy)\.)?(?:include|import)_role:[ \t]*\n[ \t]+name:[ \t]*[\"']?([\w.-]+)[\"']?[ \t]*$"
    r"|^[ \t-]*(?:ansible\.(?:builtin|legacy)\.)?(?:include|import)_role:[ \t]*name=([\w.-]+)",
    re.M,
)
_ROLE_MODULES = frozenset({"include_role", "import_role", "ansible.builtin.include_role", "ansible.builtin.import_role", "ansible.legacy.include_role", "ansible.legacy.import_role"})
_TASK_SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")
# the play or inventory says the machine runs Flatcar/Container Linux or Fedora CoreOS (§7 of the issue)
_SYSTEMS = (
    ("fcos", re.compile(r"fedora[-_ ]?coreos|\bfcos\b", re.I)),
    ("flatcar", re.compile(r"flatcar|\bcoreos\b|container[-_ ]linux|/usr/share/oem", re.I)),
)


@dataclass
class Play:
    """One play of a playbook (or a Molecule scenario's plays): the machine it configures."""

    playbook: Path
    index: int  # position of the play in its playbook
    pattern: str  # the hosts: pattern as written (joined with ':' when a list)
    host: Tuple[Path, str]  # (project folder, pattern), or (scenario folder, "molecule")
    groups: List[str] = field(default_factory=list)  # plain group names of the pattern, parents after children
    roles: List[Path] = field(default_factory=list)  # role folders it applies, dependencies first
    vars_files: List[Path] = field(default_factory=list)
    system: Optional[str] = None  # flatcar | fcos, when the play or inventory says so
    # facts every machine of the play has: a Molecule scenario whose platforms all name one OS
    # family (ansible_os_family, ansible_distribution), read from their box or image names
    facts: Dict[str, str] = field(default_factory=dict)
    # role folder -> offset in the playbook of the mapping that gives it parameters (a ``roles:``
    # entry with keys besides role/name, or an include_role/import_role task with ``vars:``)
    role_params: Dict[Path, int] = field(default_factory=dict)
    has_vars: bool = False  # the play has a vars: of its own
    # groups its add_host tasks fill with hosts of a pattern: group -> that pattern (the play's own
    # for ansible_play_hosts/inventory_hostname, X for groups['X'])
    adds: Dict[str, str] = field(default_factory=dict)
    # role names it applies (or its roles depend on) that are not in the repository (Galaxy's)
    missing: List[str] = field(default_factory=list)
    # the Vagrant machines whose ansible provisioner runs its playbook ("Vagrantfile › master"):
    # plays of two playbooks on `all`, each run by its own machine, are two machines
    run_by: str = ""


@dataclass
class Project:
    """The plays of a project root, the roles they apply, and the inventory groups."""

    plays: List[Play] = field(default_factory=list)
    by_role: Dict[Path, List[Play]] = field(default_factory=dict)
    parents: Dict[Path, Dict[str, Set[str]]] = field(default_factory=dict)  # project -> group -> parent groups
    members: Dict[Path, Dict[str, Set[str]]] = field(default_factory=dict)  # project -> group -> the hosts it lists
    group_text: Dict[Path, Dict[str, str]] = field(default_factory=dict)  # project -> group -> inventory text about it
    inventories: Dict[Path, List[Path]] = field(default_factory=dict)  # project -> inventory files
    # project -> folders of the inventories ansible.cfg names that are not in the repository (a
    # dynamic inventory script left out, gce.py): their group_vars/ still apply
    inventory_folders: Dict[Path, List[Path]] = field(default_factory=dict)
    by_playbook: Dict[Path, List[Play]] = field(default_factory=dict)
    yaml_files: List[Path] = field(default_factory=list)
    _set_names: Optional[Set[str]] = None  # names some task sets (set_fact, register): see set_names
    # the bytes of the YAML files that hold either word, kept from the map's one read of each
    # until set_names has read them (None: read them from yaml_files)
    _setter_data: Optional[List[bytes]] = field(default=None, repr=False, compare=False)
    root: Optional[Path] = None
    # role folder -> the roles of its folder that no play applies and that depend on it (meta)
    _dependents: Dict[Path, List[Path]] = field(default_factory=dict, repr=False, compare=False)

    def plays_of_role(self, role: Optional[Path]) -> List[Play]:
        return self.by_role.get(Path(os.path.realpath(role)), []) if role is not None and self.by_role else []

    def standalone_dependents(self, role: Optional[Path]) -> List[Path]:
        """The roles beside ``role`` that no play applies (each read as a machine of its own) and
        that depend on it in their meta/main.yml, directly or through another: their machine runs
        ``role`` first, so its files are read for that machine too."""
        if role is None or self.root is None:
            return []
        role = Path(os.path.realpath(role))
        folder = role.parent
        if folder not in self._dependents:
            self._dependents[folder] = {}
            builder = _Builder(self.root)
            try:
                siblings = sorted(p for p in folder.iterdir() if p.is_dir())[:MAX_SIBLING_ROLES]
            except OSError:
                siblings = []
            for other in siblings:
                if self.plays_of_role(other) or not _is_role(other) or not builder.dependencies(other):
                    continue
                for needed in builder.resolve(other.name, folder, folder, None):
                    if needed != other:
                        self._dependents[folder].setdefault(Path(os.path.realpath(needed)), []).append(other)
        return self._dependents[folder].get(role, [])

    def plays_of(self, playbook: Optional[Path]) -> List[Play]:
        return self.by_playbook.get(Path(os.path.realpath(playbook)), []) if playbook is not None and self.by_playbook else []

    def targets(self, project: Path, group: str) -> bool:
        """Some play of the project targets ``group`` (or every host)."""
        return any(p.host[0] == project and (group in p.groups or group == "all" or "all" in p.groups) for p in self.plays)


_SETTER = re.compile(r"^([ \t]*)(?:-[ \t]+)?(?:ansible\.builtin\.|ansible\.legacy\.)?(set_fact|register)[ \t]*:[ \t]*(.*)$", re.M)
_KEY = re.compile(r"^([ \t]*)([A-Za-z_][A-Za-z0-9_]*)[ \t]*:")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*:")
_PAIR = re.compile(r"(?:^|[ \t])([A-Za-z_][A-Za-z0-9_]*)=")


def set_names(project: Project) -> Set[str]:
    """The names some task of the project sets at run time (``set_fact`` keys, ``register``
    targets), read lexically once per scan: where the repository itself sets a name, a role read
    without that play must not take it as undefined (``when: x is defined`` is then unknown)."""
    if project._set_names is None:
        names: Set[str] = set()
        if project._setter_data is not None:
            texts = (data.decode("utf-8", "replace") for data in project._setter_data)
        else:
            texts = (_read(path) for path in project.yaml_files[:MAX_FILES])
        for text in texts:
            if text is None or ("set_fact" not in text and "register" not in text):
                continue
            for match in _setters(text):
                rest = match.group(3).strip()
                if match.group(2) == "register":
                    names.update(re.findall(r"^[A-Za-z_][A-Za-z0-9_]*", rest))
                elif rest.startswith("{"):
                    names.update(_FLOW_KEY.findall(rest))
                elif rest:
                    names.update(_PAIR.findall(rest))
                else:
                    names.update(_block_keys(text, match.end(), len(match.group(1))))
        project._setter_data = None
        project._set_names = names
    return project._set_names


def _setters(text: str) -> Iterable["re.Match[str]"]:
    """The lines ``_SETTER`` matches (what ``_SETTER.finditer`` finds, in another order): each line
    that holds one of its two words, tried from its start. (``finditer`` tries the pattern at
    every character of the text, which took about as long as reading the files.)"""
    tried: Set[int] = set()
    for word in ("set_fact", "register"):
        found = text.find(word)
        while found >= 0:
            start = text.rfind("\n", 0, found) + 1
            if start not in tried:
                tried.add(start)
                match = _SETTER.match(text, start)
                if match is not None:
                    yield match
            found = text.find(word, found + len(word))


def _block_keys(text: str, start: int, indent: int) -> List[str]:
    """The keys of the block mapping that follows a ``set_fact:`` line (deeper than ``indent``)."""
    keys: List[str] = []
    level = None
    for line in text[start : start + 20_000].split("\n", 200)[1:200]:  # bounded: no copy of the rest per set_fact
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY.match(line)
        depth = len(line) - len(line.lstrip())
        if depth <= indent:
            break
        if match and (level is None or depth == level):
            level = depth
            keys.append(match.group(2))
    return keys


def project(root: Optional[Path], built: Dict[str, Project]) -> Project:
    """The map of the project under ``root``, built once into ``built`` (the reading kind's own,
    so a scan never sees the map of an earlier scan of a tree that has changed since)."""
    if root is None:
        return Project()
    key = os.path.realpath(root)
    if key not in built:
        try:
            built[key] = _Builder(root).build()
            built[key].root = Path(key)
        except (OSError, ValueError, RecursionError):
            built[key] = Project()  # fail closed: every file is read on its own, as before
    return built[key]


def project_folder(playbook: Path, root: Path) -> Path:
    """The Ansible project a playbook belongs to: the nearest folder up to ``root`` that holds an
    ansible.cfg, an inventory, group_vars/ or roles/; else the playbook's own folder."""
    folder = playbook.parent
    while True:
        if any(os.path.lexists(folder / mark) for mark in _PROJECT_MARKS):
            return folder
        if folder == root or root not in folder.parents:
            return playbook.parent
        folder = folder.parent


_EVERY = "*"  # every host of the inventory


def machines(project: Project, play: Play) -> Optional[Set[str]]:
    """The inventory hosts a play's pattern names (``{"*"}`` for all of them), or None when dlint
    cannot tell (a template, a wildcard, a name the repository's inventory does not list)."""
    folder, pattern = play.host
    if pattern == "molecule" or "{{" in pattern:
        return None
    parents = project.parents.get(folder, {})
    members = project.members.get(folder, {})
    children: Dict[str, Set[str]] = {}
    for child, above in parents.items():
        for parent in above:
            children.setdefault(parent, set()).add(child)
    listed = {host for hosts in members.values() for host in hosts}
    out: Set[str] = set()
    for name in (part.strip().lstrip("&") for part in re.split(r"[:,]", pattern)):
        if not name or name.startswith("!"):
            continue  # an exclusion only narrows the set: what it may share stays
        if name in ("all", "*"):
            return {_EVERY}
        if any(c in name for c in "*?[]~"):
            return None
        if name in members or name in children or name in parents:
            queue, seen = [name], set()
            while queue and len(seen) < 512:
                group = queue.pop()
                if group not in seen:
                    seen.add(group)
                    out |= members.get(group, set())
                    queue.extend(children.get(group, ()))
        elif name in listed:
            out.add(name)
        else:
            return None
    return out


def inventory_hosts(project: Project, play: Play) -> Optional[frozenset]:
    """The inventory hosts of a play, ``all`` expanded to every host the inventory lists; None when
    dlint cannot tell or the inventory lists none."""
    found = machines(project, play)
    if found is None:
        return None
    if _EVERY in found:
        found = {host for hosts in project.members.get(play.host[0], {}).values() for host in hosts}
    return frozenset(found) if found else None


def may_share(project: Project, one: Play, other: Play) -> bool:
    """Two plays of one project may configure some of the same machines: their patterns name hosts
    in common in the inventory, or dlint cannot tell that they name none."""
    if one.host[0] != other.host[0] or "molecule" in (one.host[1], other.host[1]):
        return False
    first, second = machines(project, one), machines(project, other)
    if first is None or second is None or _EVERY in first or _EVERY in second:
        return True
    return bool(first & second)


def host_name(play: Play, display_of) -> str:
    """How findings name the machine: ``hosts: docker_hosts``, ``ansible/ › hosts: docker_hosts``,
    ``molecule/default/ (molecule)``."""
    folder, pattern = play.host
    shown = display_of(folder)
    shown = "" if shown in ("", ".") else shown.rstrip("/") + "/"
    if pattern == "molecule":
        return f"{shown or './'} (molecule)"
    name = f"{shown} › hosts: {pattern}" if shown else f"hosts: {pattern}"
    return f"{name} ({play.run_by})" if play.run_by else name


def _read(path: Path, limit: int = MAX_BYTES) -> Optional[str]:
    data, error = read_bounded(path, limit)
    if data is None or error is not None:
        return None
    return data.decode("utf-8", "replace")


def _head(path: Path) -> bytes:
    """The first bytes of a file (what discovery's sniff sees), or b"" when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD)
    except OSError:
        return b""


def _items(node) -> Dict[str, tuple]:
    out: Dict[str, tuple] = {}
    for key, value in node.value:
        if is_scalar(key):
            out[str(key.value)] = (key, value)
    return out


def _scalar(node) -> Optional[str]:
    if node is None or not is_scalar(node):
        return None
    return str(value_of(node))


class _Builder:
    def __init__(self, root: Path):
        self.root = Path(os.path.realpath(root))
        self.out = Project()
        self.yaml: List[Path] = []
        self.role_cache: Dict[Path, List[Path]] = {}
        self.missing_of: Dict[Path, List[str]] = {}  # role -> dependencies not in the repository
        self.vagrantfiles: List[Path] = []
        self.platforms: Dict[Path, Dict[str, str]] = {}  # Molecule scenario folder -> platform_facts

    def inside(self, path: Path) -> bool:
        try:
            Path(os.path.realpath(path)).relative_to(self.root)
            return True
        except (ValueError, OSError):
            return False

    def build(self) -> Project:
        from .ansible import composed
        from .claims import _starts_with_list, is_playbook_head

        self.compose = composed

        for count, path in enumerate(iter_files(self.root)):
            if count > MAX_FILES:
                break
            if isinstance(path, Path) and path.suffix in (".yml", ".yaml"):  # not a Skipped folder or path
                self.yaml.append(path)
            elif isinstance(path, Path) and path.name == "Vagrantfile":
                self.vagrantfiles.append(path)
        found = 0
        setters: Optional[List[bytes]] = []
        kept = 0
        for index, path in enumerate(self.yaml):
            data, _ = read_bounded(path, MAX_BYTES)  # each file read once: its head here, set_names its words
            if setters is not None and data is not None and index < MAX_FILES and (b"set_fact" in data or b"register" in data):
                kept += len(data)
                setters.append(data)
                if kept > MAX_SETTER_BYTES:
                    setters = None  # too much to keep: set_names reads the files again
            start = data[:HEAD] if data is not None else _head(path)
            if not start or not _starts_with_list(start) or not is_playbook_head(start):
                continue
            found += 1
            text = data.decode("utf-8", "replace") if data is not None and found <= MAX_PLAYBOOKS else None
            if text is not None:
                self.playbook(path, text)
        self.out._setter_data = setters
        self.out.yaml_files = self.yaml
        _join_subsets(self.out.plays)
        _vagrant_machines(self.out.plays, _vagrant_playbooks(self.vagrantfiles, self.root))
        for play in self.out.plays:
            for role in play.roles:
                self.out.by_role.setdefault(role, []).append(play)
            self.out.by_playbook.setdefault(play.playbook, []).append(play)
        return self.out

    # -- playbooks -------------------------------------------------------------------------------

    def playbook(self, path: Path, text: str) -> None:
        root, problem = self.compose(os.path.abspath(path), text)
        if problem is not None or not is_seq(root):
            return
        rel = path.relative_to(self.root).as_posix() if self.root in path.parents else path.name
        molecule = _MOLECULE.search(rel)
        folder = project_folder(path, self.root)
        for index, node in enumerate(root.value):
            if not is_map(node):
                continue
            fields = _items(node)
            if "hosts" not in fields:
                continue
            pattern = self.pattern(fields["hosts"][1])
            if pattern is None:
                continue
            if molecule:
                host = (path.parent, "molecule")
            else:
                host = (folder, pattern)
            play = Play(path, index, pattern, host)
            if molecule:
                if path.parent not in self.platforms:
                    self.platforms[path.parent] = platform_facts(path.parent)
                play.facts = self.platforms[path.parent]
            self.inventory(folder)
            play.groups = self.groups(folder, pattern)
            play.vars_files = self.vars_files(fields, path.parent)
            play.has_vars = "vars" in fields
            names = self.role_names(fields)
            project_role = path.parent.parent.parent if molecule else (path.parent.parent if path.parent.name == "tests" else None)
            if project_role is None and not molecule and _is_role(path.parent) and (path.parent / "tasks").is_dir():
                # a playbook in a role's own folder (a repository that is one role, with the
                # playbook its README says to put beside it): it names the role by its name
                project_role = path.parent
            # a playbook in a subfolder of a repository that is one role (install.d/playbook.yml
            # naming the role by its Galaxy name, run with ANSIBLE_ROLES_PATH above it)
            lookup_role = project_role if project_role is not None or molecule else self.enclosing_role(path.parent)
            unresolved = []
            for name, offset in names:
                found = self.resolve(name, path.parent, folder, lookup_role)
                if not found:
                    unresolved.append((name, offset))
                for role in found:
                    if role not in play.roles:
                        play.roles.append(role)
                if found and offset is not None:
                    play.role_params.setdefault(found[-1], offset)  # the role named, not its dependencies
            if project_role is not None and _is_role(project_role) and not molecule:
                # a role's own tests/ playbooks (ansible-galaxy's skeleton): CI checks the role out
                # as ``role_under_test`` (or by its name), beside roles it installs from Galaxy
                aliases = self.role_aliases(project_role) | {"role_under_test"}
                unresolved = [u for u in unresolved if u[0] in aliases or u[0].rpartition(".")[2] in aliases]
            if project_role is not None and _is_role(project_role) and len(unresolved) == 1:
                # the role under test is named after the folder it is checked out in, which may
                # not be the repository's name here: the one name found nowhere else is that role
                role = Path(os.path.realpath(project_role))
                if role not in play.roles:
                    play.roles.append(role)
                    if unresolved[0][1] is not None:
                        play.role_params.setdefault(role, unresolved[0][1])
                unresolved = []  # that name is the project's role, not one missing from it
            play.system = self.system(text[node.start_mark.index : node.end_mark.index], folder, play.groups)
            play.adds = _added_groups(fields, pattern)
            play.missing = [name for name, _ in unresolved if name not in ("role_under_test",)]
            play.missing += [name for role in play.roles for name in self.missing_of.get(role, ()) if name not in play.missing]
            self.out.plays.append(play)

    @staticmethod
    def pattern(node) -> Optional[str]:
        if is_seq(node):
            parts = [str(value_of(item)).strip() for item in node.value if is_scalar(item)]
            return ":".join(p for p in parts if p) or None
        text = _scalar(node)
        if text is None:
            return None
        text = ":".join(part.strip() for part in re.split(r"[:,]", text) if part.strip()) if "{{" not in text else text.strip()
        return text or None

    def groups(self, folder: Path, pattern: str) -> List[str]:
        """The plain group names of a pattern (not ``!x``, not ``&x``), then their parents."""
        if "{{" in pattern:
            return []
        names = [p for p in pattern.split(":") if p and p[0] not in "!&~" and "*" not in p and "[" not in p]
        parents = self.out.parents.get(folder, {})
        out: List[str] = []
        queue = list(names)
        while queue and len(out) < 256:
            name = queue.pop(0)
            if name in out:
                continue
            out.append(name)
            queue.extend(sorted(parents.get(name, ())))
        return out

    def vars_files(self, fields, here: Path) -> List[Path]:
        node = fields.get("vars_files", (None, None))[1]
        out = []
        for item in node.value if is_seq(node) else ():
            name = _scalar(item)
            if not name or "{{" in name:
                continue
            for candidate in (here / "vars" / name, here / name):
                if self.inside(candidate) and candidate.is_file():
                    out.append(Path(os.path.normpath(candidate)))
                    break
        return out

    def role_names(self, fields) -> List[Tuple[str, Optional[int]]]:
        """The names of the roles a play applies, each with where its parameters are written (or
        None): ``roles:`` entries, and include_role/import_role tasks of its task lists (blocks too)."""
        names: List[Tuple[str, Optional[int]]] = []
        roles = fields.get("roles", (None, None))[1]
        for entry in roles.value if is_seq(roles) else ():
            name = _entry_name(entry)
            if name:
                names.append((name, entry.start_mark.index if any(role_parameters(entry)) else None))
        for section in _TASK_SECTIONS:
            node = fields.get(section, (None, None))[1]
            if is_seq(node):
                names.extend(self.task_roles(node, 0))
        return names

    def task_roles(self, node, depth: int) -> Iterable[Tuple[str, Optional[int]]]:
        if depth > 16:
            return
        for task in node.value:
            if not is_map(task):
                continue
            items = _items(task)
            for part in ("block", "rescue", "always"):
                inner = items.get(part, (None, None))[1]
                if is_seq(inner):
                    yield from self.task_roles(inner, depth + 1)
            for module in _ROLE_MODULES & set(items):
                value = items[module][1]
                offset = task.start_mark.index if any(role_parameters(task)) else None
                if is_map(value):
                    name = _scalar(_items(value).get("name", (None, None))[1])
                    if name:
                        yield name, offset
                elif is_scalar(value):
                    match = re.search(r"(?:^|\s)name=(\S+)", str(value_of(value)))
                    if match:
                        yield match.group(1), offset

    # -- roles ------------------------------------------------------------------------------------

    def enclosing_role(self, folder: Path) -> Optional[Path]:
        """The role folder above ``folder`` inside the scanned tree (a repository that is one role)."""
        for up in [folder, *folder.parents]:
            if up != folder and _is_role(up) and (up / "tasks").is_dir():
                return up
            if up == self.root or self.root not in up.parents:
                return None
        return None

    def resolve(self, name: str, here: Path, folder: Path, project_role: Optional[Path], depth: int = 0) -> List[Path]:
        """The role folder a name points at, as Ansible searches (§2.3), then its dependencies
        before it. A Molecule scenario's role under test (its name from the environment, the
        project folder's name, or the galaxy name) is the project."""
        found = self.__dict__.setdefault("_found", {})  # many plays name the same roles from the same folders
        key = (name, here, folder, project_role)
        if key not in found:
            found[key] = self.find_role(name, here, folder, project_role)
        role = found[key]
        if role is None:
            return []
        if role in self.role_cache:
            return self.role_cache[role]
        self.role_cache[role] = [role]  # a dependency cycle stops here
        out: List[Path] = []
        if depth < MAX_ROLE_DEPTH:
            for dependency in self.dependencies(role):
                resolved = self.resolve(dependency, role.parent, folder, None, depth + 1)
                if not resolved:
                    self.missing_of.setdefault(role, []).append(dependency)
                for found in resolved:
                    if found not in out:
                        out.append(found)
        out.append(role)
        self.role_cache[role] = out
        return out

    def find_role(self, name: str, here: Path, folder: Path, project_role: Optional[Path]) -> Optional[Path]:
        if project_role is not None and _is_role(project_role):
            if "MOLECULE_PROJECT_DIRECTORY" in name or name in self.role_aliases(project_role):
                return project_role
        if "{{" in name:
            return None
        for candidate in self.role_candidates(name, here, folder):
            candidate = Path(os.path.normpath(candidate))
            if _is_role(candidate) and self.inside(candidate):  # a stat before a realpath: most candidates are not there
                return candidate
        return None

    def role_candidates(self, name: str, here: Path, folder: Path) -> Iterable[Path]:
        """Where a role name may point, in Ansible's order (made as they are tried: most roles
        are in the first two)."""
        yield here / "roles" / name
        yield folder / "roles" / name
        for p in self.roles_path(folder):
            yield Path(p) / name
        yield here / name
        yield folder / name
        cfg = self.config_folder(folder)
        if cfg is not None:  # a path as a last resort is relative to the working folder: ansible.cfg's
            yield cfg / name
        if name.count(".") == 2:  # a collection role: ns.coll.role
            ns, coll, role = name.split(".")
            yield folder / "collections" / "ansible_collections" / ns / coll / "roles" / role
            if self.own_collection() == (ns, coll):  # the repository is that collection (galaxy.yml)
                yield self.root / "roles" / role

    def own_collection(self) -> Optional[Tuple[str, str]]:
        """(namespace, name) of the collection the repository is, from its galaxy.yml."""
        if "_collection" not in self.__dict__:
            text = _read(self.root / "galaxy.yml") if (self.root / "galaxy.yml").is_file() else None
            space = re.search(r"^namespace:\s*['\"]?([\w]+)", text or "", re.M)
            name = re.search(r"^name:\s*['\"]?([\w]+)", text or "", re.M)
            self._collection = (space.group(1), name.group(1)) if space and name else None
        return self._collection

    def role_aliases(self, role: Path) -> Set[str]:
        """The names a Molecule scenario may give its role under test (facts §5)."""
        names = {role.name, re.sub(r"^(?:ansible-role-|ansible-)", "", role.name)}
        for meta in (role / "meta" / "main.yml", role / "meta" / "main.yaml"):
            text = _read(meta) if meta.is_file() else None
            if text is None:
                continue
            info = re.search(r"^\s+role_name:\s*['\"]?([\w.-]+)", text, re.M)
            space = re.search(r"^\s+namespace:\s*['\"]?([\w-]+)", text, re.M) or re.search(r"^\s+author:\s*['\"]?([\w-]+)['\"]?\s*$", text, re.M)
            role_name = info.group(1) if info else role.name
            names.add(role_name)
            if space:
                names.add(f"{space.group(1)}.{role_name}")
        return names

    def dependencies(self, role: Path) -> List[str]:
        """Its meta dependencies, then the roles its tasks include by name (read once per role)."""
        known = self.__dict__.setdefault("_dependency_names", {})
        if role not in known:
            known[role] = self._dependencies(role)
        return known[role]

    def _dependencies(self, role: Path) -> List[str]:
        for meta in (role / "meta" / "main.yml", role / "meta" / "main.yaml"):
            if not meta.is_file():
                continue
            text = _read(meta)
            root, problem = compose(text) if text is not None else (None, "unread")
            if problem is not None or not is_map(root):
                return []
            deps = _items(root).get("dependencies", (None, None))[1]
            return [name for name in map(_entry_name, deps.value if is_seq(deps) else ()) if name] + self.included_roles(role)
        return self.included_roles(role)

    def included_roles(self, role: Path) -> List[str]:
        """The roles a role's task files apply by a literal name (``include_role: name: docker``):
        they run on its machine, as its dependencies do."""
        names: List[str] = []
        folder = role / "tasks"
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file() and not p.is_symlink())[:64]
        except OSError:
            return names
        for path in files:
            text = _read(path) or ""
            for match in _INCLUDED_ROLE.finditer(text):
                name = match.group(1) or match.group(2)
                if name and "{{" not in name and name not in names:
                    names.append(name)
        return names

    def config_folder(self, folder: Path) -> Optional[Path]:
        """The folder of the ansible.cfg that applies to a project: its own, else the nearest one
        above it inside the scanned tree (Ansible is run from there, with playbooks/ below)."""
        while True:
            if (folder / "ansible.cfg").is_file():
                return folder
            if folder == self.root or self.root not in folder.parents:
                return None
            folder = folder.parent

    def roles_path(self, folder: Path) -> List[str]:
        base = self.config_folder(folder)
        config = self.config(base) if base is not None else None
        if config is None:
            return []
        try:
            value = config.get("defaults", "roles_path", fallback="")
        except (configparser.Error, ValueError):
            return []
        # relative paths in ansible.cfg are relative to the file
        return [str(base / part.strip()) for part in value.split(":") if part.strip() and not part.strip().startswith(("~", "/", "$"))]

    def config(self, folder: Path) -> Optional[configparser.ConfigParser]:
        """The ansible.cfg of a folder, parsed once per build (every role a play names asks for
        its roles_path). Callers only read it."""
        known = self.__dict__.setdefault("_configs", {})
        if folder not in known:
            known[folder] = self._config(folder)
        return known[folder]

    def _config(self, folder: Path) -> Optional[configparser.ConfigParser]:
        path = folder / "ansible.cfg"
        if not path.is_file():
            return None
        text = _read(path, 1 << 20)
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text or "")
        except (configparser.Error, ValueError):
            return None
        return parser

    # -- inventory ---------------------------------------------------------------------------------

    def inventory(self, folder: Path) -> None:
        """The groups' parents and what the inventory says about each group (INI and YAML)."""
        if folder in self.out.parents:
            return
        parents: Dict[str, Set[str]] = {}
        texts: Dict[str, str] = {}
        members: Dict[str, Set[str]] = {}
        self.out.parents[folder] = parents
        self.out.group_text[folder] = texts
        self.out.members[folder] = members
        files = self.inventory_files(folder)
        self.out.inventories[folder] = files
        for path in files:
            text = _read(path, 1 << 20)
            if text is None:
                continue
            if path.suffix in (".yml", ".yaml"):
                self.yaml_inventory(text, parents, texts, members)
            else:
                self.ini_inventory(text, parents, texts, members)

    def inventory_files(self, folder: Path) -> List[Path]:
        entries: List[Path] = []
        base = self.config_folder(folder) or folder
        config = self.config(base)
        if config is not None:
            value = config.get("defaults", "inventory", fallback="") if config.has_section("defaults") else ""
            configured = [Path(os.path.normpath(base / part.strip())) for part in value.split(",") if part.strip() and not part.strip().startswith(("~", "/", "$"))]
            entries += configured
            self.out.inventory_folders[folder] = [p.parent for p in configured if not p.exists() and p.parent.is_dir() and self.inside(p.parent)]
        entries += [folder / name for name in _INVENTORY_NAMES]
        for name in ("inventory", "inventories"):
            entries.append(folder / name)
        out: List[Path] = []
        for entry in entries:
            entry = Path(os.path.normpath(entry))
            if not self.inside(entry):
                continue
            if entry.is_file():
                out.append(entry)
            elif entry.is_dir():
                for dirpath, dirnames, filenames in os.walk(entry):
                    dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("group_vars", "host_vars"))
                    for filename in sorted(filenames):
                        if not filename.startswith(".") and (filename.endswith((".yml", ".yaml", ".ini")) or "." not in filename):
                            out.append(Path(dirpath) / filename)
                    if len(out) > 200:
                        break
        return list(dict.fromkeys(out))[:200]

    @staticmethod
    def ini_inventory(text: str, parents: Dict[str, Set[str]], texts: Dict[str, str], members: Dict[str, Set[str]]) -> None:
        section, suffix = "ungrouped", ""
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped or stripped[0] in "#;":
                continue
            header = re.match(r"^\[([^:\]\s]+)(?::(\w+))?\]", stripped)
            if header:
                section, suffix = header.group(1), header.group(2) or ""
                continue
            if suffix == "children":
                parents.setdefault(stripped.split()[0], set()).add(section)
            elif not suffix:
                members.setdefault(section, set()).add(stripped.split()[0])
            texts[section] = texts.get(section, "") + "\n" + stripped

    def yaml_inventory(self, text: str, parents: Dict[str, Set[str]], texts: Dict[str, str], members: Dict[str, Set[str]]) -> None:
        root, problem = compose(text)
        if problem is not None or not is_map(root) or "plugin" in _items(root):
            return

        def walk(name: str, node, depth: int) -> None:
            if depth > 32 or not is_map(node):
                return
            items = _items(node)
            texts[name] = texts.get(name, "") + "\n" + text[node.start_mark.index : node.end_mark.index][:4096]
            hosts = items.get("hosts", (None, None))[1]
            if is_map(hosts):
                members.setdefault(name, set()).update(str(h) for h in _items(hosts))
            children = items.get("children", (None, None))[1]
            if is_map(children):
                for child, (key, value) in _items(children).items():
                    parents.setdefault(child, set()).add(name)
                    walk(child, value, depth + 1)

        for name, (key, value) in _items(root).items():
            walk(name, value, 0)

    # -- the operating system ------------------------------------------------------------------

    def system(self, play_text: str, folder: Path, groups: List[str]) -> Optional[str]:
        texts = [play_text] + groups + [self.out.group_text.get(folder, {}).get(g, "") for g in groups]
        said = "\n".join(texts)
        return next((system for system, pattern in _SYSTEMS if pattern.search(said)), None)


# a Molecule platform's box or image name -> (ansible_os_family, ansible_distribution), as the
# facts Ansible gathers on that system name them (ansible-core facts/system/distribution.py)
_PLATFORM_OS = (
    (re.compile(r"ubuntu", re.I), "Debian", "Ubuntu"),
    (re.compile(r"debian", re.I), "Debian", "Debian"),
    (re.compile(r"centos", re.I), "RedHat", "CentOS"),
    (re.compile(r"rocky", re.I), "RedHat", "Rocky"),
    (re.compile(r"alma", re.I), "RedHat", "AlmaLinux"),
    (re.compile(r"oracle|\bol[0-9]", re.I), "RedHat", "OracleLinux"),
    (re.compile(r"amazon|amzn", re.I), "RedHat", "Amazon"),
    (re.compile(r"fedora", re.I), "RedHat", "Fedora"),
    (re.compile(r"rhel|redhat|\bubi[0-9]", re.I), "RedHat", "RedHat"),
)


def platform_facts(scenario: Path) -> Dict[str, str]:
    """The OS facts every platform of a Molecule scenario shares, from ``box:``/``image:`` names;
    {} when a platform's name is unknown (``${MOLECULE_DISTRO:-x}`` varies by CI job) or they differ."""
    text = _read(scenario / "molecule.yml", 256 * 1024)
    if text is None:
        return {}
    from .ansible import composed

    root, problem = composed(os.path.abspath(scenario / "molecule.yml"), text)
    platforms = _items(root).get("platforms", (None, None))[1] if problem is None and is_map(root) else None
    if not is_seq(platforms) or not platforms.value:
        return {}
    seen = set()
    for platform in platforms.value[:64]:
        items = _items(platform) if is_map(platform) else {}
        name = _scalar((items.get("box") or items.get("image") or (None, None))[1])
        if not name or "$" in name or "{{" in name:
            return {}
        found = next(((family, distribution) for pattern, family, distribution in _PLATFORM_OS if pattern.search(name)), None)
        if found is None:
            return {}
        seen.add(found)
    families = {family for family, _ in seen}
    if len(families) != 1:
        return {}
    facts = {"ansible_os_family": families.pop()}
    if len(seen) == 1:
        facts["ansible_distribution"] = next(iter(seen))[1]
    return facts


def _entry_name(entry) -> Optional[str]:
    """The role a ``roles:`` or ``dependencies:`` entry names: a string, or ``role:``/``name:``."""
    if is_scalar(entry):
        return str(value_of(entry))
    if is_map(entry):
        items = _items(entry)
        return _scalar((items.get("role") or items.get("name") or (None, None))[1])
    return None


def role_parameters(entry) -> Tuple[List[tuple], List[tuple]]:
    """What a ``roles:`` entry or an include_role/import_role task gives its role, as (key, value)
    node pairs: (params, vars). Params are an entry's keys that configure nothing (``- role: x`` +
    ``docker_version: 24.0``): they beat the role's own vars and include_vars (level 20). The
    entry's or task's ``vars:`` rank below the role's vars/main.yml, above the play's (facts §3)."""
    if not is_map(entry):
        return [], []
    items = _items(entry)
    inner = items.get("vars", (None, None))[1]
    entry_vars = [pair for pair in inner.value if is_scalar(pair[0])] if is_map(inner) else []
    params: List[tuple] = []
    if not (_ROLE_MODULES & set(items)):  # a task's other keys are module options and keywords
        params = [(key, value) for key, value in entry.value if is_scalar(key) and str(key.value) not in _ROLE_KEYWORDS]
    return params, entry_vars


_ADD_HOST = ("add_host", "ansible.builtin.add_host", "ansible.legacy.add_host")
# the hosts an add_host loop or name takes: the play's own, or one group's
_PLAY_HOSTS = re.compile(r"^\{\{-?\s*(?:ansible_play_hosts(?:_all)?|play_hosts|ansible_play_batch|inventory_hostname)\b[^}]*\}\}$")
_GROUP_HOSTS = re.compile(r"^\{\{-?\s*groups(?:\[\s*['\"]([\w.-]+)['\"]\s*\]|\.([\w-]+))\s*(?:\|[^}]*)?\}\}$")


def _added_groups(fields, pattern: str) -> Dict[str, str]:
    """The groups a play's add_host tasks fill with hosts of a known pattern (``hostname: "{{ item
    }}"`` over ``ansible_play_hosts`` or ``groups['x']``, or ``{{ inventory_hostname }}``)."""
    out: Dict[str, str] = {}
    for section in ("pre_tasks", "tasks", "post_tasks"):
        tasks = fields.get(section, (None, None))[1]
        for task in tasks.value if is_seq(tasks) else ():
            if not is_map(task):
                continue
            items = _items(task)
            module = next((items[name][1] for name in _ADD_HOST if name in items), None)
            if module is None or not is_map(module):
                continue
            args = _items(module)
            name = next((_scalar(args[k][1]) for k in ("hostname", "name", "host") if k in args), None)
            groups = next((args[k][1] for k in ("groups", "group") if k in args), None)
            loop = next((_scalar(items[k][1]) for k in ("with_items", "loop") if k in items), None)
            name = (name or "").strip()
            if _PLAY_HOSTS.match(name) and "inventory_hostname" in name:
                source: Optional[str] = pattern
            elif name.replace(" ", "") == "{{item}}" and loop is not None:
                loop = loop.strip()
                group = _GROUP_HOSTS.match(loop)
                source = pattern if _PLAY_HOSTS.match(loop) else (group.group(1) or group.group(2)) if group else None
            else:
                source = None
            if source is None or "{{" in source:
                continue
            names = [_scalar(g) for g in groups.value] if is_seq(groups) else [_scalar(groups)]
            for group_name in names:
                for part in (group_name or "").split(","):
                    if part.strip() and "{{" not in part:
                        out.setdefault(part.strip(), source)
    return out


def _join_subsets(all_plays: List[Play]) -> None:
    """A play on some machines of another play of its project (``managers[0]``,
    ``managers:!managers[0]``, or a group an add_host of that play fills) configures machines of
    that play: it joins that play's machine, so that the swarm init of ``managers[0]`` is on the
    machine whose engine the ``managers`` play installs, not on a machine of its own."""
    bases: Dict[Path, Dict[str, Play]] = {}  # folder -> a plain group pattern -> its first play
    added: Dict[Path, Dict[str, str]] = {}
    for play in all_plays:
        folder, pattern = play.host
        if pattern == "molecule":
            continue
        if re.fullmatch(r"[\w.-]+", pattern):
            bases.setdefault(folder, {}).setdefault(pattern, play)
        for group, source in play.adds.items():
            added.setdefault(folder, {}).setdefault(group, source)
    for play in all_plays:
        folder, pattern = play.host
        if pattern == "molecule" or "{{" in pattern or folder not in bases:
            continue
        found: Set[str] = set()
        narrowed = False
        for part in re.split(r"[:,]", pattern):
            part = part.strip()
            if not part or part[0] in "!&":
                narrowed = narrowed or bool(part)
                continue
            name, bracket, _ = part.partition("[")
            narrowed = narrowed or bool(bracket)
            seen = 0
            while name not in bases[folder] and name in added.get(folder, {}) and seen < 8:
                name, narrowed, seen = added[folder][name], True, seen + 1
            found.add(name)
        if narrowed and len(found) == 1 and next(iter(found)) in bases[folder] and next(iter(found)) != pattern:
            base = bases[folder][next(iter(found))]
            play.host = base.host
            play.groups = play.groups or list(base.groups)  # the group_vars of its machines


MAX_VAGRANTFILES = 64


def _vagrant_playbooks(vagrantfiles: List[Path], root: Path) -> Dict[Path, List[str]]:
    """Playbook -> the Vagrant machines whose ``ansible``/``ansible_local`` provisioner runs it
    (``ansible.playbook = "master.yml"`` in ``config.vm.define "master"``), a label each: the
    Vagrantfile alone where every machine runs it. The path is relative to the Vagrantfile's folder
    (/vagrant for ansible_local)."""
    from ..document import Document
    from .vagrant import ansible_playbooks

    out: Dict[Path, List[str]] = {}
    for vagrantfile in vagrantfiles[:MAX_VAGRANTFILES]:
        text = _read(vagrantfile)
        if not text or "ansible" not in text:
            continue
        shown = vagrantfile.relative_to(root).as_posix() if root in vagrantfile.parents else vagrantfile.name
        for machine, playbook in ansible_playbooks(Document(text, shown)):
            path = Path(os.path.normpath(vagrantfile.parent / playbook))
            label = f"{shown} › {machine}" if machine else shown
            if label not in out.setdefault(path, []):
                out[path].append(label)
    return out


def _vagrant_machines(all_plays: List[Play], runs: Dict[Path, List[str]]) -> None:
    """Plays of one pattern whose playbooks different Vagrant machines run (master.yml by master,
    node.yml by node, both on ``hosts: all``) are those machines, one host each; plays one
    machine, or none, runs stay one host as before."""
    by_host: Dict[Tuple[Path, str], Set[str]] = {}
    for play in all_plays:
        if play.host[1] != "molecule":
            by_host.setdefault(play.host, set()).add("; ".join(runs.get(play.playbook, ())))
    for play in all_plays:
        labels = by_host.get(play.host, set())
        if len(labels - {""}) > 1 and play.playbook in runs:
            play.run_by = "; ".join(runs[play.playbook])


def _is_role(folder: Path) -> bool:
    try:
        return folder.is_dir() and any((folder / part).is_dir() for part in ("tasks", "handlers", "defaults", "vars", "meta"))
    except OSError:
        return False


def group_vars_files(folders: Iterable[Path], group: str, kind: str = "group_vars") -> List[Path]:
    """``group_vars/<group>`` (a file, or a folder of files) in each folder, in order; with
    ``kind="host_vars"``, ``host_vars/<host>``."""
    out: List[Path] = []
    for folder in folders:
        base = folder / kind
        for name in (f"{group}.yml", f"{group}.yaml", f"{group}.json", group):
            candidate = base / name
            try:
                if candidate.is_dir() and not candidate.is_symlink():
                    out += sorted(c for c in candidate.iterdir() if c.suffix in (".yml", ".yaml", ".json") or "." not in c.name)[:200]
                elif candidate.is_file() and not candidate.is_symlink():
                    out.append(candidate)
            except OSError:
                continue
    return out


def var_folders(play: Play, project_: Project) -> List[Path]:
    """Where a play's group_vars are looked up: beside the playbook, the project folder, and each
    inventory source's folder."""
    folders = [play.playbook.parent, play.host[0]] if play.host[1] != "molecule" else [play.playbook.parent]
    folders += [p.parent for p in project_.inventories.get(play.host[0], [])]
    folders += project_.inventory_folders.get(play.host[0], [])
    return list(dict.fromkeys(Path(os.path.normpath(f)) for f in folders))

"""Source kinds: how each kind of file is recognised, and what it yields.

A source kind is registered through the ``dlint_source_kinds`` hook; the built-in ones live here.
Reading a file yields fragments (facts with locations) and embedded documents: text that the file
writes somewhere on the machine (a daemon.json in a shell heredoc, a drop-in in cloud-init's
write_files) or runs (a runcmd entry). Embedded documents go round the flow again, read by the
kind their target or origin calls for, carrying their position in the outer file. This is the one
recursive mechanism for documents inside documents; no pair of kinds is special-cased.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import field
from pathlib import Path
from ..lazyclass import dataclass
from typing import Dict, List, Optional, Pattern, Tuple, Union

from ..document import Document
from ..fragments import Fragment, Opaque
from ..source import Source

SNIFF = "sniff"  # a claims() answer: read the first bytes of the file and ask sniff()
HEAD_BYTES = 4096


@dataclass
class Embedded:
    """A document found inside another one, to be read by the source kind ``kind``."""

    document: Document  # its text, and how its positions map to the outer file
    kind: str  # the source kind that reads it (daemon-json, systemd, envfile, shell, cloud-init, ...)
    target: Optional[str] = None  # the path it is written to on the machine, when it is a file
    templated: bool = False  # it holds expansions dlint cannot evaluate ($VAR in an unquoted heredoc, Jinja)
    append: bool = False  # appended to the target rather than replacing it
    group: Optional[str] = None  # the machine it belongs to (a Terraform resource): its fragments join that host
    reference: Optional[str] = None  # the repository file it is, when it is one a source names (templatefile())
    opaque: Optional[Opaque] = None  # content dlint cannot know (a program's output): said, not read
    placed: Dict[str, "Placed"] = field(default_factory=dict)  # files put on the machine before it runs
    maybe: bool = False  # it runs only under a condition dlint cannot decide (an Ansible when:)


@dataclass(frozen=True)
class Placed:
    """A repository file put on the machine at a path before a script runs there (Packer's file
    provisioner uploads to /tmp): a script that moves or copies that path moves this file."""

    rel: str  # the repository file
    document: Document  # its text, reached through the upload


class Mounted(dict):
    """Machine path -> Placed, with folders of the repository mounted on the machine (Vagrant's
    synced folders, ``/vagrant``): a path under one names that repository file, read when a
    script asks for it (bounded, UTF-8, inside the repository: links out of it are not followed)."""

    def __init__(self, entries=(), mounts: Tuple[Tuple[str, str, str, str, str], ...] = ()):
        super().__init__(entries)
        # (machine folder, the root files are read under, the folder below it, the folder's
        # repository path, the folder as findings show it)
        self.mounts = mounts

    def copy(self) -> "Mounted":
        return Mounted(self, self.mounts)

    def __bool__(self) -> bool:
        return bool(self.mounts) or len(self) > 0

    def __contains__(self, path) -> bool:
        if dict.__contains__(self, path):
            return True
        found = self._mounted(path) if isinstance(path, str) and self.mounts else None
        if found is not None:
            self[path] = found
        return found is not None

    def get(self, path, default=None):
        return self[path] if path in self else default

    def _mounted(self, path: str) -> Optional[Placed]:
        from ..discovery import MAX_BYTES, read_bounded

        for guest, root, folder, rel, shown in self.mounts:
            if path != guest and not path.startswith(guest.rstrip("/") + "/"):
                continue
            sub = path[len(guest) :].lstrip("/")
            inside = posixpath.normpath(posixpath.join(folder, sub)) if sub else folder
            if inside == ".." or inside.startswith(("../", "/")):
                continue
            real, top = os.path.realpath(os.path.join(root, inside)), os.path.realpath(root)
            if real != os.path.join(top, inside) or not os.path.isfile(real):
                continue  # outside the repository, or reached through a symbolic link: not read
            data, error = read_bounded(Path(real), MAX_BYTES)
            if data is None or error is not None:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            below = posixpath.relpath(inside, folder)
            return Placed(posixpath.normpath(posixpath.join(rel, below)), Document(text, posixpath.normpath(posixpath.join(shown, below))))
        return None


@dataclass
class Extraction:
    fragments: List[Fragment] = field(default_factory=list)
    embedded: List[Embedded] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # shown with --verbose (e.g. why a file was skipped)
    group: Optional[str] = None  # the machine every fragment of this file belongs to (an Ansible role)
    # repository files it puts on the machine as something else (a daemon.json copied to /tmp as a
    # jq input): used there, so no machine of their own
    references: set = field(default_factory=set)


@dataclass
class ReadContext:
    """Where a document comes from: the real file, where it lands on the machine, how deep it sits."""

    source: Source
    target: Optional[str] = None
    templated: bool = False
    append: bool = False
    depth: int = 0
    group: Optional[str] = None
    opaque: Optional[Opaque] = None
    placed: Dict[str, Placed] = field(default_factory=dict)  # machine path -> repository file put there
    # the template language of the file whose template this text is part of, when its syntax is
    # still in the text as written (Terraform: ``${}``/``%{}``); None when it may be masked or rendered
    template_syntax: Optional[str] = None


# the syntax that still marks a template's expressions in a text read as written
_TEMPLATE_SYNTAX: Dict[str, Pattern[str]] = {"terraform": re.compile(r"\$\{|%\{")}


def still_templated(text: str, syntax: Optional[str]) -> bool:
    """Whether a document cut out of a template is itself a template: always, unless the
    template's syntax is known and none of it is in the document's own text (a write_files
    entry of a Terraform heredoc whose only ``${}`` is in another entry is literal)."""
    pattern = _TEMPLATE_SYNTAX.get(syntax or "")
    return pattern is None or bool(pattern.search(text))


class SourceKind:
    """Base class of a source kind.

    ``claims`` must be cheap: it sees only the path. It answers True (read the file), False, or
    SNIFF (read its first HEAD_BYTES and let ``sniff`` decide). ``needles``, when set, is a bytes
    pattern the whole file must contain to be parsed at all (a shell script that never mentions
    docker is not read).
    """

    name = ""
    summary = ""
    needles: Optional[Pattern[bytes]] = None

    def claims(self, rel: str, basename: str) -> Union[bool, str]:  # pragma: no cover - interface
        raise NotImplementedError

    def sniff(self, head: bytes) -> bool:
        return False

    def extract(self, source: Source) -> Extraction:
        """Read a file found by discovery. By default: UTF-8 text, read in place."""
        text = (source.data or b"").decode("utf-8", "replace")
        return self.read(Document(text, source.display), ReadContext(source, target=machine_path(source.rel)))

    def read(self, document: Document, context: ReadContext) -> Extraction:  # pragma: no cover - interface
        raise NotImplementedError


DOCKER_NEEDLES = re.compile(rb"docker|dockerd|daemon\.json|ecs\.config")  # ecs.config: an ECS container instance

# Where files of interest live on a machine, as paths of a rootfs-like tree in a repository.
_ROOTFS = re.compile(r"(?:^|/)((?:etc|lib|usr/lib|run)/(?:docker/|systemd/system/|default/docker$|sysconfig/docker$).*)$")


def machine_path(rel: str) -> Optional[str]:
    """The path on the machine of a repository file laid out like a root file system, or None.

    ``images/base/rootfs/etc/docker/daemon.json`` -> ``/etc/docker/daemon.json``.
    """
    match = _ROOTFS.search(rel)
    return "/" + match.group(1) if match else None


def rootfs_prefix(rel: str) -> Optional[str]:
    """The folder that plays the root of the file system for ``rel`` (``images/base/rootfs``)."""
    match = _ROOTFS.search(rel)
    if not match:
        return None
    return rel[: match.start(1)].rstrip("/")


# docker.socket, and the sockets written beside it to hand dockerd more (docker-tcp.socket)
_DOCKER_SOCKET = re.compile(r"docker[\w.@-]*\.socket")


def kind_for_target(path: str) -> Optional[str]:
    """The source kind that reads a file written to ``path`` on the machine."""
    path = path.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    if name == "daemon.json":
        return "daemon-json"
    if name == "docker.service" or _DOCKER_SOCKET.fullmatch(name) or re.search(r"/docker\.service\.d/[^/]+\.conf$", path):
        return "systemd"
    if path.endswith(("/etc/default/docker", "/etc/sysconfig/docker", "/etc/conf.d/docker")):
        return "envfile"
    return None

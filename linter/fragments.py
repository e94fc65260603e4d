"""Fragments: the facts extractors find in sources, each with its location.

Issue-by-issue more kinds join (dockerd flags, swarm membership, engine packages, service
restarts); they all share ``source`` and ``document`` so that findings can point into them.
"""

from __future__ import annotations

from dataclasses import field
from .lazyclass import dataclass
from typing import List, Optional, Tuple

from .document import Document
from .jsonread import Node
from .location import Location
from .source import Source


@dataclass
class Problem:
    """Why a document could not be read as dockerd would read it."""

    message: str  # what dockerd says, verbatim where known
    start: int  # offset in the document text
    end: int
    kind: str = "syntax"  # syntax | encoding | not-object | number (beyond float64) | opaque (content unknown)


@dataclass
class Fragment:
    source: Source
    document: Document
    # the machine it belongs to, when not its file (a Terraform resource, an Ansible role)
    group: Optional[str] = field(default=None, kw_only=True)
    # read from a template: some of its values are not known (masked or unexpanded)
    from_template: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class Opaque:
    """A file whose content dlint cannot know (a program's output, a download, a copy of a file it
    did not see written): why, and the path it is a copy of, when it is one."""

    why: str  # "it is the output of `jq`, which dlint does not run"
    copy_of: Optional[str] = None


@dataclass
class DaemonConfig(Fragment):
    """A daemon.json: its parsed tree (None when empty, null or broken) and the first problem."""

    root: Optional[Node] = None
    problem: Optional[Problem] = None
    target: Optional[str] = None  # where it lands on the machine (/etc/docker/daemon.json), when known
    templated: bool = False  # holds expansions dlint cannot evaluate (an unquoted heredoc, Jinja, ${...})
    append: bool = False  # appended to the target rather than replacing it
    opaque: Optional[Opaque] = None  # content dlint cannot know, and why

    @property
    def readable(self) -> bool:
        return self.problem is None

    @property
    def wholly_templated(self) -> bool:
        """Its whole text is a template's value (``{{ cfg | to_nice_json }}``): nothing of it is known."""
        from .jinja import MASK

        text = self.document.text.strip()
        return self.templated and bool(text) and not text.strip(MASK + " \t\r\n")


@dataclass
class Unreadable(Fragment):
    """A source that could not be read at all (permissions, size, not a regular file)."""

    reason: str = ""


@dataclass
class SyntaxProblem(Unreadable):
    """A file of a kind dlint recognised that does not parse (invalid YAML, an HCL syntax error):
    the tool that reads it refuses it (``severity`` error) or most likely does (warning, where
    dlint's parser may be stricter). Unreadable: what it configures is unknown."""

    location: Optional[Location] = None
    severity: str = "error"


@dataclass
class TemplateError(Fragment):
    """A template that Ansible stops on (a Jinja syntax error): the task fails, its file is not written."""

    message: str = ""
    location: Optional[Location] = None


# --- dockerd's command line, systemd units and environment files ------------------------------


@dataclass
class Word:
    """One argument of a command line, after quote removal and expansion, and where it stands.

    ``location`` is the position of the text that produced it (a flag from ``$DOCKER_OPTS`` points
    into the environment file that defines the variable).
    """

    text: str
    location: Location
    # one argument whatever its expansions hold (docker-machine writes each --engine-opt as one):
    # an unknown value after --name= leaves the value unknown, not the rest of the line
    whole: bool = False


@dataclass
class DockerdCommand(Fragment):
    """dockerd started with arguments: a systemd ExecStart after expansion, or a script."""

    words: List[Word] = field(default_factory=list)  # the arguments after the program
    origin: str = ""  # systemd | shell | packaged-unit | openrc | unknown (a unit edited in a way dlint cannot read)
    location: Optional[Location] = None  # the whole command (ExecStart= line, shell command)
    assumed: bool = False  # not in the repository: the packaged unit, assumed
    note: str = ""  # said in findings that rely on it


@dataclass
class UnitEntry:
    """One ``Key=value`` of a unit file, continuation lines joined."""

    section: str
    key: str
    value: str  # as systemd sees it: continuations joined with a space, comment lines dropped
    location: Location  # of the key
    value_offsets: List[int] = field(default_factory=list)  # document offset of each character of value


@dataclass
class UnitFile(Fragment):
    """A docker.service unit or one of its drop-ins, as systemd reads it."""

    target: str = ""  # where it is on the machine: /etc/systemd/system/docker.service.d/override.conf
    entries: List[UnitEntry] = field(default_factory=list)


@dataclass
class UnitUnknown(Fragment):
    """docker.service, a drop-in of it, or dockerd's environment file, written or edited in a way
    dlint cannot read (``sed -i`` on the unit, ``lineinfile`` on ``ExecStart=``, a template whose
    ExecStart is unknown, docker-machine's generated unit). dockerd's command line on that host is
    then unknown, never "the packaged unit, the repository has none"."""

    target: str = ""  # the file on the machine
    why: str = ""  # "`sed -i` edits it, and dlint does not apply the edit"
    location: Optional[Location] = None  # the command or task that makes it unknown


@dataclass
class EnvVar:
    name: str
    value: str  # after systemd's EnvironmentFile unquoting
    location: Location  # of the name
    value_offsets: List[int] = field(default_factory=list)  # document offset of each character of value


@dataclass
class EnvFile(Fragment):
    """An environment file (/etc/default/docker, /etc/sysconfig/docker) as systemd reads it."""

    target: str = ""
    variables: List[EnvVar] = field(default_factory=list)


# --- what provisioning does to the engine -------------------------------------------------------


@dataclass
class SwarmMembership(Fragment):
    """``docker swarm init|join`` (or an Ansible docker_swarm task): the host is a swarm node."""

    role: str = "unknown"  # manager | worker | unknown (a join token does not say which)
    command: str = ""  # init | join
    location: Optional[Location] = None
    # it runs only under a condition dlint cannot decide (an Ansible when: on a variable given with
    # -e): whether the host is a swarm node is unknown
    maybe: bool = False


@dataclass
class DaemonInUse(Fragment):
    """A task that works the machine's own dockerd (Ansible's community.docker modules run on the
    machine and use its socket unless ``docker_host`` names another): the machine runs the engine,
    set up by something the repository may not show."""

    module: str = ""  # docker_container, docker_network, ...
    location: Optional[Location] = None


@dataclass
class SameMachines(Fragment):
    """An Ansible play's machine (its ``group``) may be some of the machines of other plays of the
    same project (the inventory puts hosts in both, or dlint cannot tell): their names. Evidence
    of nothing by itself."""

    others: tuple = ()
    # the inventory hosts of this play and of each other one ((name, frozenset or None), ...), when
    # the inventory lists them: a play whose hosts the swarm plays' cover is a swarm node
    own: Optional[frozenset] = None
    theirs: tuple = ()


@dataclass
class ImageLayer(Fragment):
    """A Packer build's image on disk: the folder it writes (``output``) and the image it starts
    from (``start``, when another build of the repository may make it). Evidence of nothing."""

    output: str = ""
    start: str = ""


@dataclass
class ContainerImage(Fragment):
    """A Packer build whose every source is Packer's ``docker`` builder: its provisioners, and the
    playbooks its ansible provisioners run (``playbooks``: their display paths), make a container
    image that ``docker run`` starts with no init, not a machine whose dockerd they configure.
    Evidence of nothing."""

    playbooks: tuple = ()


@dataclass
class PlayedBy(Fragment):
    """A file read for the machine of a play, and the playbook of that play (its display path):
    a Packer build may run the playbook to make a container image. Evidence of nothing."""

    playbook: str = ""


@dataclass
class MachineAddress(Fragment):
    """An address the machine (its ``group``) has on a network (Vagrant's ``vm.network
    "private_network", ip: "10.0.7.10"``): a command sent to it (``docker -H tcp://10.0.7.10:2375
    swarm init``) is that machine's. Evidence of nothing."""

    address: str = ""


@dataclass
class CalledModules(Fragment):
    """The folders of the modules a Terraform ``module`` call instantiates (its local ``source``,
    and the modules that one calls in turn): the machine the call's arguments configure is one of
    theirs (a swarm command in their scripts may be its). Evidence of nothing."""

    folders: Tuple[str, ...] = ()  # repository-relative, each ending with "/"


@dataclass
class SwarmByHand(Fragment):
    """``docker swarm init|join`` in a README's code block (run by hand on machines the README does
    not name), or in a script that runs it against another machine's dockerd (``docker -H
    tcp://10.0.7.10:2375 swarm init``). No machine of its own; the machines of its folder may be
    swarm nodes (unknown)."""

    command: str = ""  # init | join
    location: Optional[Location] = None
    remote: str = ""  # run from a script against another machine's dockerd (docker -H tcp://10.0.7.10:2375 swarm init)


@dataclass
class EnginePackage(Fragment):
    """The Docker engine package installed or upgraded, and how tightly its version is pinned."""

    manager: str = ""  # apt | yum | dnf | get.docker.com | cloud-init | ...
    name: str = ""  # docker-ce, docker.io, moby-engine, ...
    version: Optional[str] = None  # as written, when pinned
    pin: str = "none"  # patch | minor | major | none | held | upgrade (moves on every run)
    location: Optional[Location] = None


@dataclass
class ServiceAction(Fragment):
    """Something done to the running dockerd: restart, reload (SIGHUP), start, stop, enable."""

    action: str = ""  # restart | reload | start | stop | enable | daemon-reload
    init: str = ""  # "upstart": an upstart command (start docker, initctl restart docker) says the machine runs upstart
    first_boot: bool = False  # runs while the machine is first provisioned (cloud-init), before any container
    location: Optional[Location] = None

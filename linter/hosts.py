"""Hosts: the fragments that describe one machine, and how dockerd is started on it.

A host is one provisioning document with everything embedded in it (a cloud-init file, a shell
script), or a rootfs-like tree (``…/etc/docker/daemon.json`` with
``…/etc/systemd/system/docker.service.d/*.conf`` and ``…/etc/default/docker``), or a file alone.
When a Linux host's repository holds no docker.service of its own, the host runs the packaged
unit, whose ExecStart is ``dockerd -H fd:// --containerd=/run/containerd/containerd.sock``; that
is assumed (``assume-packaged-unit`` in .dlint.yaml turns it off) and said by findings relying on it.
"""

from __future__ import annotations

import os
import re
from dataclasses import field
from .lazyclass import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional, Sequence, Tuple

from .fragments import (
    CalledModules,
    ContainerImage,
    DaemonConfig,
    DaemonInUse,
    DockerdCommand,
    EnginePackage,
    EnvFile,
    Fragment,
    ImageLayer,
    MachineAddress,
    PlayedBy,
    SameMachines,
    ServiceAction,
    SwarmByHand,
    SwarmMembership,
    SyntaxProblem,
    UnitFile,
    UnitUnknown,
    Unreadable,
    Word,
)
from .discovery import MAX_BYTES, read_bounded
from .location import Location
from .rootless import is_user_unit, read_by_nobody, user_load_rank
from .sources import machine_path, rootfs_prefix

_WINDOWS_MARKERS = ("programdata/docker/config/", "windows/")
_ROOTFS_KINDS = ("daemon-json", "systemd", "envfile")
_KEPT_KINDS = (DaemonConfig, UnitFile, EnvFile)  # files a repository may keep without installing them
_PLAY_MACHINE = re.compile(r"(?:^| › )hosts: ")  # the machine of an Ansible play (ansible_plays.host_name)
_ENGINE_FRAGMENTS = (DaemonConfig, UnitFile, UnitUnknown, EnvFile, DockerdCommand, EnginePackage, SwarmMembership, ServiceAction, Unreadable, DaemonInUse)


@dataclass
class Host:
    name: str
    fragments: List[Fragment]
    platform: str = "linux"
    platform_origin: str = "default"  # default | config | path
    layout: str = "file"  # file | rootfs | group
    service: Optional[object] = None  # linter.units.ServiceView of its docker.service, when it has one
    command: Optional[DockerdCommand] = None  # how dockerd is started (systemd, a script, or assumed)
    evidence: Optional[Fragment] = None  # what shows this machine runs the Docker engine
    # a swarm command of the repository that dlint could not tie to a machine, when this host has none
    swarm_elsewhere: Optional[Fragment] = None  # a SwarmMembership, or a README's SwarmByHand
    swarm_shared: bool = False  # swarm_elsewhere is another Ansible play's, on machines this play's may be
    swarm_covered: bool = False  # and the swarm plays' inventory hosts are all of this play's: a swarm node, known
    # with a candidate: a file of the same kind the repository does install (daemon.json beside
    # daemon_with_registry.json); the candidate is then a variant, judged only for what it says
    variant_of: Optional[Fragment] = None
    # why no machine runs it although the repository keeps it (a Terraform module nothing calls)
    undeployed: Optional[str] = None
    # why its daemon.json is not known to be absent: the repository neither installs the engine
    # on it nor writes a daemon.json (a script that configures a machine set up elsewhere)
    daemon_json_elsewhere: Optional[str] = None
    ignored: List[Fragment] = field(default_factory=list)  # daemon.json files put where no dockerd reads them
    _facts: dict = field(default_factory=dict, repr=False)  # per engine: HostFacts

    @property
    def candidate(self) -> bool:
        """A configuration file the repository keeps but nothing in it installs (a daemon.json at
        the top of the repository copied by hand, daemon_with_registry.json, a spare docker.service):
        a machine of its own, never merged into the machine that installs another file."""
        return self.layout == "file" and all(
            isinstance(f, _KEPT_KINDS) and f.document.parent is None and not f.document.via for f in self.fragments
        )

    def of(self, kind) -> list:
        return [f for f in self.fragments if isinstance(f, kind)]

    @property
    def daemon_configs(self) -> List[DaemonConfig]:
        return self.of(DaemonConfig)

    @property
    def readable(self) -> bool:
        """Every source of the host could be read, and read as dockerd reads it."""
        return not self.of(Unreadable) and all(c.readable for c in self.daemon_configs)

    @property
    def sources(self) -> List[str]:
        seen: Dict[str, None] = {}
        for fragment in self.fragments:
            seen.setdefault(fragment.source.display, None)
        return list(seen)

    def primary_location(self) -> Location:
        """Where host-wide findings point: its daemon.json, else where the engine is installed,
        else its unit, else its first real file."""
        real = [f for f in self.fragments if not f.document.start_location().path.startswith("<")] or self.fragments
        # an install of the engine itself before a blanket `apt-get upgrade` (name "*")
        # (and a docker.service unit or drop-in before a socket unit, which sets no daemon option)
        ordered = sorted(real, key=lambda fragment: (isinstance(fragment, EnginePackage) and fragment.name == "*")
                         or (isinstance(fragment, UnitFile) and fragment.target.endswith(".socket")))
        for kind in (DaemonConfig, EnginePackage, UnitFile, DockerdCommand):
            for fragment in ordered:
                if isinstance(fragment, kind):
                    where = getattr(fragment, "location", None)
                    if where is not None and not where.path.startswith("<"):
                        return where
                    return fragment.document.start_location()
        return real[0].document.start_location()


def _platform(fragments: Sequence[Fragment], configured: Optional[str]) -> Tuple[str, str]:
    if configured:
        return configured, "config"
    for fragment in fragments:
        rel = fragment.source.rel.lower()
        target = (getattr(fragment, "target", None) or "").lower().replace("\\", "/")
        if any(marker in rel for marker in _WINDOWS_MARKERS) or "programdata/docker/config/" in target:
            return "windows", "path"
    return "linux", "default"


def _group(groups) -> Dict[Tuple[str, str], Tuple[str, str, List[Fragment]]]:
    """Fragments by machine: a named group (a Terraform resource, an Ansible role), a rootfs-like
    tree, or the file they come from."""
    buckets: Dict[Tuple[str, str], Tuple[str, str, List[Fragment]]] = {}
    for source, fragments in groups:
        prefix = rootfs_prefix(source.rel) if source.kind in _ROOTFS_KINDS else None
        if prefix is not None:
            machine = machine_path(source.rel) or ""
            display = source.display[: len(source.display) - len(machine)] if source.display.endswith(machine) else prefix
            file_key, file_name, file_layout = ("rootfs", prefix), (display.rstrip("/") or ".") + "/", "rootfs"
        else:
            file_key, file_name, file_layout = ("file", source.rel), source.display, "file"
        for fragment in fragments:
            if fragment.group:
                key, name, layout = ("group", fragment.group), fragment.group, "group"
            else:
                key, name, layout = file_key, file_name, file_layout
            buckets.setdefault(key, (name, layout, []))[2].append(fragment)
    _join_patterns(buckets)
    return buckets


def _image_layers(buckets) -> Dict[str, str]:
    """A Packer build that starts from the image another build of the repository writes (a
    virtualbox-ovf build on the folder a first template outputs) runs that build's provisioners
    first: its machine has both (and, down the chain, all). The image below is only a step
    (its name -> the build on it)."""
    layers = {key: [f for f in bucket[2] if isinstance(f, ImageLayer)] for key, bucket in buckets.items()}
    outputs = {layer.output: key for key, found in layers.items() for layer in found if layer.output}
    below = {}
    for key, found in layers.items():
        under = next((outputs[layer.start] for layer in found if layer.start in outputs and outputs[layer.start] != key), None)
        if under is None:  # an image found by name (ami:server-*): the one build whose name fits
            named = {outputs[o] for layer in found if layer.start.startswith("ami:") for o in outputs if o.startswith("ami:") and globs_meet(layer.start, o)}
            named.discard(key)
            under = named.pop() if len(named) == 1 else None
        if under is not None:
            below[key] = under
    own = {key: [f for f in buckets[key][2] if not isinstance(f, ImageLayer)] for key in layers}
    built_on: Dict[str, str] = {}
    for key in below:
        chain, step = [], key
        while step in below and step not in chain and len(chain) < 32:
            chain.append(step)
            step = below[step]
        if step in chain or step in below:
            continue  # templates built on each other (or a chain past 32): each is judged on its own
        fragments = list(own[step])
        for layer in reversed(chain):
            fragments += own[layer]
        name, layout, _ = buckets[key]
        buckets[key] = (name, layout, fragments)
        built_on[buckets[below[key]][0]] = name
    return built_on


def _addressed(buckets, by_hand: List[SwarmByHand]) -> Tuple[List[SwarmByHand], List[SwarmMembership]]:
    """A swarm command sent to a machine's address (``docker -H tcp://10.0.7.10:2375 swarm init``
    where a Vagrant machine has ``ip: "10.0.7.10"``) makes that machine a swarm node. Returns the
    commands tied to no machine, and the memberships made (they say nothing of other machines)."""
    owners: Dict[str, list] = {}
    for key, (_, _, fragments) in buckets.items():
        for fragment in fragments:
            if isinstance(fragment, MachineAddress):
                owners.setdefault(fragment.address, []).append(key)
    tied: List[SwarmMembership] = []
    if not owners:
        return by_hand, tied
    left = []
    for command in by_hand:
        address = _remote_address(command.remote)
        keys = owners.get(address, []) if address else []
        if len(set(keys)) != 1:
            left.append(command)
            continue
        role = "manager" if command.command == "init" else "unknown"
        tied.append(SwarmMembership(command.source, command.document, role=role, command=command.command, location=command.location))
        buckets[keys[0]][2].append(tied[-1])
    return left, tied


def _remote_address(remote: str) -> str:
    """The host part of ``tcp://10.0.7.10:2375`` (or ``10.0.7.10:2375``, ``ssh://user@host``)."""
    rest = remote.split("://", 1)[-1]
    rest = rest.rsplit("@", 1)[-1].split("/", 1)[0]
    if rest.startswith("["):
        return rest[1:].split("]", 1)[0]
    return rest.rsplit(":", 1)[0] if rest.count(":") == 1 else rest


def globs_meet(a: str, b: str) -> bool:
    """Some text fits both patterns (``*`` any text, everything else itself)."""
    if len(a) > 512 or len(b) > 512:
        return a == b
    seen: set = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))
            if j < len(b):
                todo.append((i, j + 1))
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
            if i < len(a):
                todo.append((i + 1, j))
        if i < len(a) and j < len(b) and a[i] == b[j] and a[i] != "*":
            todo.append((i + 1, j + 1))
    return False


def _join_patterns(buckets) -> None:
    """A machine named by a pattern (``docker-machine create node-$i`` in a loop is the group
    ``docker-machine node-*``) is every machine it names: a group named ``docker-machine node-1``
    (``docker-machine ssh node-1 docker swarm init``, another script) joins it. A pattern with no
    literal part names nothing in particular and takes no one."""
    from .sources.docker_machine import PREFIX

    patterns = [key for key in buckets if key[0] == "group" and key[1].startswith(PREFIX) and "*" in key[1] and key[1][len(PREFIX) :].strip("*")]
    for key in list(buckets):
        if key[0] != "group" or not key[1].startswith(PREFIX) or key in patterns:
            continue
        into = next((pattern for pattern in patterns if fnmatchcase(key[1], pattern[1])), None)
        if into is not None:
            buckets[into][2].extend(buckets.pop(key)[2])


def assemble(groups, settings=None, notes: Optional[List[str]] = None, reported: Optional[set] = None) -> List[Host]:
    """Hosts from the fragments of each scanned file (``groups``: (source, fragments) pairs).
    A host whose docker.service is masked runs no Docker engine: it is left out, with a note."""
    configured = getattr(settings, "platform", None)
    assume = getattr(settings, "assume_packaged_unit", True)
    hosts = []
    by_hand = [f for _, fragments in groups for f in fragments if isinstance(f, SwarmByHand)]
    images = [f for _, fragments in groups for f in fragments if isinstance(f, ContainerImage)]
    buckets = _group(groups)
    built_on = _image_layers(buckets)
    by_hand, tied = _addressed(buckets, by_hand)
    # a task that works a machine's dockerd (docker_container) shows the engine is there only on a
    # play's machine of a repository that installs the engine nowhere (an image or a host set up
    # elsewhere): where it installs it, the play may run on those machines, which dlint cannot tie
    elsewhere = any(engine_evidence(f, in_use=False) is not None for _, _, f in buckets.values())
    for name, layout, fragments in buckets.values():
        if not any(isinstance(f, _ENGINE_FRAGMENTS) for f in fragments):
            continue
        evidence = engine_evidence(fragments, in_use=not elsewhere and _PLAY_MACHINE.search(name) is not None)
        if evidence is None:
            # a restart of docker "if present", a blanket `apt-get upgrade`: not a Docker host
            if notes is not None:
                notes.append(f"{name}: no evidence of the Docker engine (an engine install, a daemon.json, docker.service, dockerd); not a Docker host")
            continue
        fragments, ignored = _unread(_resolve_copies(fragments), name, notes)
        platform, origin = _platform(fragments, configured)
        host = Host(name, fragments, platform, origin, layout, evidence=evidence, ignored=ignored)
        _start_command(host, assume)
        if host.service is not None and any(p.kind == "masked" for p in host.service.problems):
            if notes is not None:
                notes.append(f"{name}: docker.service is masked, so this host runs no Docker engine; not checked")
            continue
        if name in built_on:
            host.undeployed = f"an intermediate image: {built_on[name]} builds on it (judged there, with its own provisioners)"
        hosts.append(host)
    _swarm_elsewhere(hosts, by_hand, tied)
    _engine_of_every_machine(hosts, assume)
    for host in hosts:
        host.daemon_json_elsewhere = _daemon_json_elsewhere(host)
    _sibling_scripts(hosts)
    _unrun_scripts(hosts)
    _unsourced_library(hosts)
    _variants(hosts, notes)
    _copies(hosts, reported)
    _uncalled_modules(hosts)
    _refused_modules(hosts)
    _compiled_ignition(hosts)
    _container_images(hosts, images)
    return hosts


# what a play on every machine puts on each: the engine, its configuration, its unit
_EVERY_MACHINE_FRAGMENTS = (EnginePackage, DaemonConfig, UnitFile, EnvFile, UnitUnknown)


def _engine_of_every_machine(hosts: List[Host], assume: bool) -> None:
    """A play whose machines are some of those a ``hosts: all`` play of its project configures,
    and that installs no engine and writes no configuration of its own (it only inits or joins the
    swarm): its machines have the engine, daemon.json and unit the ``all`` play gives every
    machine, not an engine from elsewhere."""
    # "hosts: all", also "hosts: all (Vagrantfile › node)" (the machines a Vagrant provisioner runs it on)
    every = {h.name: h for h in hosts if re.search(r"hosts: (?:all|\*)(?: \(.*\))?$", h.name) and h.of(EnginePackage)}
    if not every:
        return
    for host in hosts:
        if host.name in every or any(isinstance(f, _EVERY_MACHINE_FRAGMENTS) for f in host.fragments):
            continue
        shared = sorted(o for f in host.of(SameMachines) for o in f.others if o in every)
        if not shared:
            continue
        given = [f for f in every[shared[0]].fragments if isinstance(f, _EVERY_MACHINE_FRAGMENTS)]
        host.fragments = given + host.fragments
        host.command, host.service = None, None
        _start_command(host, assume)


def _container_images(hosts: List[Host], images: List[ContainerImage]) -> None:
    """A Packer build on the docker builder makes a container image, not a machine: its own
    provisioners, and a play whose every playbook such a build runs, are said so in dlint hosts
    and not judged (no dockerd of theirs runs anywhere)."""
    by_build = {image.group: image for image in images}
    by_playbook = {playbook: image for image in images for playbook in image.playbooks}
    for host in hosts:
        if host.undeployed:
            continue
        image = by_build.get(host.name)
        if image is None:
            played = {f.playbook for f in host.fragments if isinstance(f, PlayedBy)}
            if not played or not played <= by_playbook.keys():
                continue
            image = by_playbook[sorted(played)[0]]
        host.undeployed = f"a container image: {image.group} builds it with Packer's docker builder; no dockerd of it runs on a machine"


def _variants(hosts: List[Host], notes: Optional[List[str]]) -> None:
    """A candidate is a variant when the repository installs another file of its kind: it is its
    own candidate configuration (dlint hosts says so), judged for what it says (a key dockerd
    refuses), not for what it lacks (live-restore not set): the deployed machines run the other."""
    installed = {}
    copies = {}  # (kind, text) -> an installed file with that very text
    for host in hosts:
        if not host.candidate:
            for fragment in host.of(_KEPT_KINDS):
                installed.setdefault(type(fragment), fragment)
                copies.setdefault((type(fragment), fragment.document.text), fragment)
    # a copy dlint could not resolve (`{{ playbook_dir }}/x`, `${CURRENT_DIR}/x`, a unit edited in
    # place) may install the candidate itself: then no candidate of that kind is called a variant
    for host in hosts:
        if any(isinstance(f, DaemonConfig) and not f.readable for f in host.fragments):
            installed.pop(DaemonConfig, None)
        if host.of(UnitUnknown):
            installed.pop(UnitFile, None)
            installed.pop(EnvFile, None)
    for host in hosts:
        if host.candidate:
            # a byte-identical copy of an installed file is that file, whatever else may be installed
            same = next((copies[(type(f), f.document.text)] for f in host.fragments if (type(f), f.document.text) in copies), None)
            host.variant_of = same or next((installed[type(f)] for f in host.fragments if type(f) in installed), None)
            if host.variant_of is not None and notes is not None:
                notes.append(f"{host.name}: nothing in the repository installs it, and the repository installs {_display(host.variant_of)} instead: a variant, judged only for what it says")


def _uncalled_modules(hosts: List[Host]) -> None:
    """A host made only of a Terraform module that the repository's configurations never call
    (its module block commented out) runs on no machine: not deployed, not judged."""
    from .sources.terraform_calls import uncalled_module

    memo: dict = {}
    for host in hosts:
        if host.variant_of is not None or any(f.source.kind != "terraform" for f in host.fragments):
            continue
        folders = {uncalled_module(f.source.rel, str(f.source.path), memo) for f in host.fragments}
        if len(folders) == 1 and None not in folders:
            host.undeployed = f"a Terraform module no configuration of the repository calls ({folders.pop()}/)"


def _refused_modules(hosts: List[Host]) -> None:
    """Terraform reads every .tf file of a folder as one configuration and refuses it whole when
    one does not parse (DKD904 says where): the machines the folder's other files define are not
    deployed while it does, so they are not judged (one line says so)."""
    broken: Dict[str, Fragment] = {}
    for host in hosts:
        for fragment in host.of(SyntaxProblem):
            if fragment.source.kind == "terraform" and fragment.source.rel.endswith(".tf"):
                broken.setdefault(_folder(fragment.source.rel), fragment)
    for host in hosts:
        if host.undeployed or host.variant_of is not None or host.of(Unreadable) or not host.fragments:
            continue
        if all(f.source.kind == "terraform" for f in host.fragments):
            refused = next((broken[_folder(f.source.rel)] for f in host.fragments if _folder(f.source.rel) in broken), None)
            if refused is not None:
                host.undeployed = f"Terraform refuses the configuration it is in: {refused.source.display} does not parse (DKD904)"


def _compiled_ignition(hosts: List[Host]) -> None:
    """An Ignition file with the name of a Butane config the repository holds (out/node.json
    beside config/node.yaml) is what butane compiles from it: the same machine, judged at the
    Butane config, not a second time in the generated JSON."""
    stem = lambda rel: rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    butane = {}
    for host in hosts:
        if host.fragments and all(f.source.kind == "butane" for f in host.fragments):
            for fragment in host.fragments:
                butane.setdefault(stem(fragment.source.rel), fragment.source.display)
    for host in hosts:
        if host.undeployed or host.variant_of is not None or not host.fragments:
            continue
        if all(f.source.kind == "ignition" for f in host.fragments):
            compiled_from = next((butane[stem(f.source.rel)] for f in host.fragments if stem(f.source.rel) in butane), None)
            if compiled_from is not None:
                host.undeployed = f"the Ignition config butane compiles from {compiled_from}, judged there"


def _display(fragment: Fragment) -> str:
    target = getattr(fragment, "target", None)
    where = fragment.document.start_location()
    return f"{target or where.path} (at {where.path}:{where.line})"


def _covered(host: Host, swarms) -> bool:
    """Every inventory host of the play is one of the plays that run swarm init/join (``hosts:
    all`` whose inventory is the manager and worker groups): the machine is a swarm node."""
    swarm_plays = {s.group for s in swarms if isinstance(s, SwarmMembership) and not s.maybe}
    for fragment in host.of(SameMachines):
        union = set()
        for name, hosts in fragment.theirs:
            if name in swarm_plays and hosts is not None:
                union |= hosts
        if fragment.own is not None and fragment.own <= union:
            return True
    return False


def _near(swarm: Fragment, host: Host) -> bool:
    """The swarm command's folder holds the host's files. A script a Vagrant machine runs counts
    from its own folder, not the Vagrantfile's (which sits above every script folder)."""
    if swarm.source.kind == "vagrant" and getattr(swarm, "location", None) is not None:
        folder = _folder(swarm.location.path)
        return any(f.source.display.startswith(folder) for f in host.fragments)
    return any(f.source.rel.startswith(_folder(swarm.source.rel)) for f in host.fragments)


def _swarm_elsewhere(hosts: List[Host], by_hand: Sequence[SwarmByHand] = (), tied: Sequence[SwarmMembership] = ()) -> None:
    """Whether a host is a swarm node is unknown, not "no", when the repository runs `docker swarm
    init|join` for some machine, from the folder that holds this host's files or one above it, and
    dlint could not tie it to this one (a join script the manager generates, a node set up by hand
    from the same files, as a README's code block says): live-restore-disabled is not asked of it."""
    from .sources.docker_machine import PREFIX

    # a swarm command sent to one named docker-machine (after `eval $(docker-machine env NAME)`) is
    # tied to that machine: it says nothing of the others
    # nor does one sent to a machine's own address (Vagrant's private_network ip)
    sent = {id(f) for f in tied}
    swarms = [f for host in hosts for f in host.of(SwarmMembership) if not ((f.group or "").startswith(PREFIX) and "*" not in f.group) and id(f) not in sent]
    swarms += list(by_hand)
    seen: Dict[str, bool] = {}  # folder -> holds a .tf file (each folder listed once)
    sharing: Dict[str, set] = {}  # an Ansible play's machine -> other plays' that may be the same machines
    for host in hosts:
        for fragment in host.of(SameMachines):
            for other in fragment.others:
                sharing.setdefault(host.name, set()).add(other)
                sharing.setdefault(other, set()).add(host.name)
    for host in hosts:
        members = host.of(SwarmMembership)
        if members:
            if all(f.maybe for f in members):  # only under a condition dlint cannot decide
                host.swarm_elsewhere = members[0]
            continue
        # another play runs swarm init/join on machines the inventory also puts in this play's
        shared = sharing.get(host.name, ())
        host.swarm_elsewhere = next((s for s in swarms if s.group in shared), None)
        if host.swarm_elsewhere is not None:
            host.swarm_shared = True
            host.swarm_covered = _covered(host, swarms)
            continue
        if host.layout == "file" and host.platform == "linux" and swarms and all(f.source.kind == "daemon-json" and not f.document.via for f in host.fragments):
            # a daemon.json nothing installs: which machine gets it is unknown, and the repository
            # makes some machines swarm nodes
            host.swarm_elsewhere = swarms[0]
            continue
        # the machine of a module call is one of its modules': a swarm command in their folders
        called = [folder for f in host.of(CalledModules) for folder in f.folders]
        host.swarm_elsewhere = next((s for s in swarms if any(_folder(s.source.rel) == f or f and _folder(s.source.rel).startswith(f) for f in called)), None)
        if host.swarm_elsewhere is not None:
            continue
        # the swarm command's folder holds this host's files (the same setup folder, or below it)
        host.swarm_elsewhere = next((s for s in swarms if _near(s, host) and not _other_module(s, host)), None)
        if host.swarm_elsewhere is None and all(f.source.kind == "packer" for f in host.fragments):
            # a machine image: the repository's Terraform boots its machines from it (an AMI that
            # is a variable or a data source dlint does not tie), and makes some of them swarm nodes
            # (in its own provisioners, or in the scripts of its modules)
            host.swarm_elsewhere = next((s for s in swarms if s.source.kind == "terraform" or _in_terraform(s.source, seen)), None)


# the engine comes with the machine: the OS ships it (no daemon.json unless written), or
# docker-machine installs it
_SHIPPED_ORIGINS = ("docker-machine", "rancheros", "coreos.units")
# engine installs whose daemon.json dlint cannot see: an image's (ECS), a script not in the repository
_UNSEEN_PINS = ("image", "unseen")


def _daemon_json_elsewhere(host: Host) -> Optional[str]:
    """Whether what the host's /etc/docker/daemon.json sets is unknown rather than absent: the
    repository writes none, and installs no engine there (an engine package dlint reads, the OS's
    own engine), so the machine and its daemon.json were set up by something dlint does not see."""
    if host.platform != "linux" or host.daemon_configs or host.ignored:
        return None
    if any(isinstance(f, EnginePackage) and f.name != "*" and f.pin not in _UNSEEN_PINS for f in host.fragments):
        return None  # the repository installs the engine: no daemon.json unless it writes one
    if any(f.document.path.startswith("<") for f in host.fragments):
        return None  # files the operating system ships (Flatcar's docker.service)
    if host.command is not None and host.command.origin in _SHIPPED_ORIGINS:
        return None
    image = next((f for f in host.fragments if isinstance(f, EnginePackage) and f.pin == "image"), None)
    if image is not None:
        return f"the engine comes with {image.manager}, and the repository writes no /etc/docker/daemon.json, so what the image's sets is unknown"
    unseen = next((f for f in host.fragments if isinstance(f, EnginePackage) and f.pin == "unseen"), None)
    if unseen is not None:
        return f"the engine is installed by {unseen.manager}, and the repository writes no /etc/docker/daemon.json, so what it sets there is unknown"
    return "the repository neither installs the engine on it nor writes its /etc/docker/daemon.json, so what that file sets is unknown"


def _script_folder(host: Host, kinds: Tuple[str, ...] = ("shell",)) -> Optional[str]:
    """The folder of a host that is one shell script of the repository, run on its own (or one
    file of the other ``kinds``: a cloud-config)."""
    if host.layout != "file" or not host.fragments or any(f.source.kind not in kinds for f in host.fragments):
        return None
    rels = {f.source.rel for f in host.fragments}
    return _folder(next(iter(rels))) if len(rels) == 1 else None


def _sibling_scripts(hosts: List[Host]) -> None:
    """Scripts of one folder that nothing runs (an install script, one that writes the daemon.json,
    one that restarts docker, each run by hand) set up one machine as far as dlint can tell: a
    script that writes no daemon.json does not decide that the machine has none, when another
    script of its folder writes one (judged there)."""
    writers: Dict[str, Host] = {}
    for host in hosts:
        folder = _script_folder(host)
        if folder is not None and host.daemon_configs:
            writers.setdefault(folder, host)
    for host in hosts:
        folder = _script_folder(host)
        writer = writers.get(folder) if folder is not None else None
        if writer is not None and writer is not host and not host.daemon_configs and host.daemon_json_elsewhere is None:
            host.daemon_json_elsewhere = f"{writer.name}, a script of its folder run on its own, writes /etc/docker/daemon.json: what that file sets on this machine is decided there"


def _copies(hosts: List[Host], reported: Optional[set] = None) -> None:
    """A daemon.json standing alone that is byte for byte another one of the repository (the same
    file kept in two setup folders) says the same things: judged once, at the first by path --
    first among the files a --context run reports on (``reported``: their rel paths), so a changed
    file is never judged only at a copy outside them."""
    first: Dict[str, Host] = {}
    outside = lambda h: reported is not None and not any(f.source.rel in reported for f in h.fragments)
    for host in sorted(hosts, key=lambda h: (outside(h), h.name)):
        sources = {f.source.rel for f in host.fragments}
        if host.layout != "file" or len(sources) != 1 or host.variant_of is not None or host.undeployed:
            continue
        if not host.fragments or any(f.source.kind != "daemon-json" or f.document.via for f in host.fragments):
            continue
        text = host.fragments[0].document.text
        if text in first:
            host.undeployed = f"a copy of {first[text].name}, byte for byte: judged there"
        else:
            first[text] = host


_LONE = ("shell", "cloud-init")


def _unrun_scripts(hosts: List[Host]) -> None:
    """A script (or cloud-config) nothing runs, in a folder from which the repository's deployment
    runs another (Terraform's user data, a Packer provisioner): an old copy or a variant beside the
    one that is deployed (cloud-init-example-2.txt beside cloud-init.txt), not a machine of its own
    (said in dlint hosts, not judged)."""
    run: Dict[str, tuple] = {}  # folder -> (a file run from it, the machine that runs it)
    named: Dict[str, tuple] = {}  # file name -> (a file of that name Terraform runs, the machine)
    for host in hosts:
        if _script_folder(host, _LONE) is not None:
            continue
        for fragment in host.fragments:
            shown = fragment.document.path  # a file the deployment reads (templatefile, a script it runs)
            if shown != fragment.source.display and not shown.startswith("<"):
                run.setdefault(_folder(shown), (shown, host.name))
                if fragment.source.kind == "terraform":
                    named.setdefault(PurePosixPath(shown).name, (shown, host.name))
    seen: Dict[str, bool] = {}
    for host in hosts:
        folder = _folder(host.fragments[0].source.display) if _script_folder(host, _LONE) is not None else None
        if folder is None or host.undeployed:
            continue
        what = "a script" if host.fragments[0].source.kind == "shell" else "a cloud-config"
        shown = host.fragments[0].source.display
        if folder in run and _alike(shown, run[folder][0]):
            script, machine = run[folder]
            host.undeployed = f"{what} nothing runs, beside {script}, which {machine} runs"
        elif PurePosixPath(shown).name in named and _in_terraform(host.fragments[0].source, seen) and not _named_by_terraform(host.fragments[0].source):
            # examples/usage/scripts/install.sh that no .tf of its configuration names, while
            # examples/user-data/main.tf runs its own install.sh: a leftover of the same example
            script, machine = named[PurePosixPath(shown).name]
            host.undeployed = f"{what} of a Terraform configuration that nothing runs, named as {script}, which {machine} runs"


def _unsourced_library(hosts: List[Host]) -> None:
    """A script nothing runs or sources, in a folder whose scripts the repository's scripts
    elsewhere source (scripts/inc/, a library of the install scripts): a piece of that library
    nothing uses any more, not a machine of its own (said in dlint hosts, not judged)."""
    sourced: Dict[str, tuple] = {}  # folder -> (a file sourced from it, by a script of another folder)
    for host in hosts:
        for fragment in host.fragments:
            where = fragment.document.start_location()
            trace = where.trace
            for index, step in enumerate(trace):
                if step.label.startswith(("source ", ". ")):
                    library = trace[index + 1].path if index + 1 < len(trace) else where.path
                    if _folder(library) != _folder(step.path):
                        sourced.setdefault(_folder(library), (library, step.path))
    for host in hosts:
        folder = _folder(host.fragments[0].source.display) if _script_folder(host) is not None else None
        if folder is not None and folder in sourced and not host.undeployed and sourced[folder][0] != host.fragments[0].source.display:
            library, user = sourced[folder]
            host.undeployed = f"a script nothing runs or sources, beside {library}, which {user} sources"


def _alike(one: str, other: str) -> bool:
    """Two script names that look like copies of one another (provision_basic.sh, provision_vars.sh):
    a hand-run script of another purpose in the same folder is still judged."""
    a, b = (PurePosixPath(n).stem.lower() for n in (one, other))
    common = len(os.path.commonprefix([a, b]))
    # default.sh run, coreos.sh beside it: the default of a folder of alternatives (one per OS)
    return common >= 4 or a in b or b in a or "default" in (a, b) and PurePosixPath(one).suffix == PurePosixPath(other).suffix


def _in_terraform(source, seen: Dict[str, bool]) -> bool:
    """A file of a Terraform configuration's folder, or a few folders below one (modules/x/data/),
    looked for inside the scanned tree only."""
    folder = source.path.parent
    levels = min(4, len(PurePosixPath(source.rel).parent.parts) + 1)  # up to the scan's root, not above
    for _ in range(levels):
        key = str(folder)
        if key not in seen:
            try:
                seen[key] = any(entry.name.endswith(".tf") for entry in os.scandir(folder))
            except OSError:
                seen[key] = False
        if seen[key]:
            return True
        folder = folder.parent
    return False


def _named_by_terraform(source) -> bool:
    """A ``.tf`` file of the script's folder or the few above it (inside the scan) names the script
    (``file("${path.module}/scripts/userdata.sh")``), whatever dlint made of that."""
    name = source.path.name.encode()
    folder = source.path.parent
    for _ in range(min(3, len(PurePosixPath(source.rel).parent.parts) + 1)):
        try:
            entries = [e for e in os.scandir(folder) if e.name.endswith(".tf") and e.is_file(follow_symlinks=False)]
        except OSError:
            entries = []
        for entry in entries[:200]:
            data, _ = read_bounded(Path(entry.path), MAX_BYTES)
            if data and name in data:
                return True
        folder = folder.parent
    return False


def _other_module(swarm, host: Host) -> bool:
    """A swarm command of one Terraform module's machines says nothing of the machines another
    module (another folder: an example beside it) boots with its own user data."""
    return swarm.source.kind == "terraform" and all(f.source.kind == "terraform" and _folder(f.source.rel) != _folder(swarm.source.rel) for f in host.fragments)


def _folder(rel: str) -> str:
    return rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""


def engine_evidence(fragments: Sequence[Fragment], in_use: bool = True) -> Optional[Fragment]:
    """The first fragment that shows the machine runs the Docker engine: its configuration, its
    unit, dockerd, an engine install, swarm membership (or a file dlint could not read: it fails
    closed), a task that works its dockerd when ``in_use``. A service action alone (restart docker
    if present) and a blanket upgrade are not."""
    socket = None  # a socket unit shows the engine too, but is the place of no daemon setting
    for fragment in fragments:
        if isinstance(fragment, DaemonInUse):
            if in_use:
                return fragment
        elif isinstance(fragment, EnginePackage):
            if fragment.name != "*":
                return fragment
        elif isinstance(fragment, UnitFile) and fragment.target.endswith(".socket"):
            socket = socket or fragment
        elif isinstance(fragment, _ENGINE_FRAGMENTS) and not isinstance(fragment, ServiceAction):
            return fragment
    return socket


def describe_evidence(fragment: Fragment) -> str:
    """What the evidence is, in a few words (``dlint hosts``)."""
    if isinstance(fragment, EnginePackage):
        if fragment.pin == "image":
            return f"an engine {fragment.manager} brings (an ECS container instance)"
        if fragment.pin == "unseen":
            return f"an engine install by {fragment.manager}"
        return f"engine install ({fragment.name}, {fragment.manager})"
    if isinstance(fragment, DaemonConfig):
        return f"daemon.json ({fragment.target or fragment.source.display})"
    if isinstance(fragment, (UnitFile, UnitUnknown)):
        return f"docker unit ({fragment.target})"
    if isinstance(fragment, EnvFile):
        return f"dockerd environment file ({fragment.target})"
    if isinstance(fragment, DockerdCommand):
        return f"dockerd started by {fragment.origin}"
    if isinstance(fragment, SwarmMembership):
        return f"docker swarm {fragment.command}"
    if isinstance(fragment, DaemonInUse):
        return f"a task works its dockerd ({fragment.module})"
    return "a file dlint could not read"


def _resolve_copies(fragments: List[Fragment]) -> List[Fragment]:
    """A daemon.json copied from a file this host also writes (cloud-init's write_files puts
    /root/daemon.json, runcmd copies it to /etc/docker/) is that file, which is read already: the
    copy is not a daemon.json of unknown content."""
    written = {f.target for f in fragments if isinstance(f, DaemonConfig) and f.opaque is None and f.target}
    return [f for f in fragments if not (isinstance(f, DaemonConfig) and f.opaque is not None and f.opaque.copy_of in written)]


def _unread(fragments: List[Fragment], name: str, notes: Optional[List[str]]) -> Tuple[List[Fragment], List[Fragment]]:
    """A daemon.json put where no dockerd reads it (~/.config/systemd/docker/daemon.json) is not the
    machine's configuration: said, not merged. Returns (kept, ignored)."""
    kept, ignored = [], []
    for fragment in fragments:
        if isinstance(fragment, DaemonConfig) and read_by_nobody(fragment.target):
            if notes is not None:
                notes.append(f"{name}: {_display(fragment)} is read by no dockerd (rootless dockerd reads ~/.config/docker/daemon.json); not part of its configuration")
            ignored.append(fragment)
            continue
        kept.append(fragment)
    return kept, ignored


def rootless(host: Host) -> bool:
    """A rootless engine: its daemon.json is ~/.config/docker/daemon.json, it listens in /run/user/,
    its unit starts dockerd-rootless.sh or is the user manager's (~/.config/systemd/user/)."""
    for unit in host.of(UnitFile):
        if is_user_unit(unit.target) or any(e.key == "ExecStart" and "dockerd-rootless" in e.value for e in unit.entries):
            return True
    for config in host.daemon_configs:
        where = (config.target or config.source.rel).replace("\\", "/")
        if ".config/docker/daemon.json" in where:
            return True
        hosts = config.root.get("hosts") if config.root is not None else None
        if hosts is not None and hosts.value.kind == "array":
            if any(item.kind == "string" and item.value.startswith("unix:///run/user/") for item in hosts.value.value):
                return True
    return False


# engines whose init may read /etc/default/docker: Debian's docker.io unit ($DOCKER_OPTS), and the
# docker-engine / lxc-docker packages of the upstart and sysvinit era (their jobs source it)
_READS_ETC_DEFAULT = frozenset({"docker.io", "docker-engine", "lxc-docker"})


def _debian_default(host: Host, unit_files, env_files) -> Optional[EnvFile]:
    """/etc/default/docker on a machine whose engine is the distribution's docker.io and whose unit
    is the packaged one: Debian's unit reads it ($DOCKER_OPTS), Ubuntu's does not (machines-facts
    §7.1, provisioning-facts §2.6), so the command line depends on a system dlint cannot see."""
    if unit_files or not any(p.name in _READS_ETC_DEFAULT for p in host.of(EnginePackage)):
        return None
    return next((e for e in env_files if e.target == "/etc/default/docker" and any(v.name == "DOCKER_OPTS" for v in e.variables)), None)


# DOCKER_OPTS="$DOCKER_OPTS -H ...": the job sources the file, where the name is empty before
_OWN_VALUE = re.compile(r"^\$(?:DOCKER_OPTS|\{DOCKER_OPTS\})$")


def _upstart_job(host: Host, unit_files, env_files) -> Optional[DockerdCommand]:
    """docker-engine (or docker.io) on a machine the repository drives with upstart's commands
    (``start docker``, Ubuntu 14.04): its job (/etc/init/docker.conf) sources /etc/default/docker
    and starts dockerd with $DOCKER_OPTS (machines-facts §7.1): those words, located in that file."""
    if unit_files or not any(isinstance(a, ServiceAction) and a.init == "upstart" for a in host.fragments):
        return None
    package = next((p for p in host.of(EnginePackage) if p.name in _READS_ETC_DEFAULT), None)
    if package is None:
        return None
    job = "the upstart job of " + package.name + " starts dockerd with $DOCKER_OPTS of /etc/default/docker"
    env = next((e for e in reversed(env_files) if e.target == "/etc/default/docker"), None)
    var = next((v for v in reversed(env.variables) if v.name == "DOCKER_OPTS"), None) if env is not None else None
    if var is None:
        return DockerdCommand(package.source, package.document, words=[], origin="upstart", location=package.location, note=job + ", which the repository does not set: no flags")
    words: List[Word] = []
    offsets = var.value_offsets
    for match in re.finditer(r"\S+", var.value):
        text = match.group(0)
        if not words and _OWN_VALUE.match(text):
            continue
        if "$" in text or "`" in text or '"' in text or "'" in text:
            return DockerdCommand(env.source, env.document, words=[], origin="unknown", location=var.location, from_template=True, note=f"dockerd's command line is unknown: {job}, and its words hold {text}, which dlint does not expand")
        exact = len(offsets) >= match.end()
        words.append(Word(text, env.document.location(offsets[match.start()], offsets[match.end() - 1] + 1) if exact else var.location))
    return DockerdCommand(env.source, env.document, words=words, origin="upstart", location=var.location, note=job)


def _fedora_engine(host: Host, unit_files) -> Optional[EnginePackage]:
    """Fedora's moby-engine, with its own unit (the repository writes none): not docker-ce's."""
    if unit_files:
        return None
    return next((p for p in host.of(EnginePackage) if p.name == "moby-engine"), None)


def _alpine_engine(host: Host, unit_files) -> Optional[EnginePackage]:
    """Alpine's docker package (apk), started by OpenRC, not by a systemd unit."""
    if unit_files:
        return None
    return next((p for p in host.of(EnginePackage) if p.manager == "apk"), None)


def _config_file_only(host: Host) -> Optional[DaemonConfig]:
    """The host's daemon configuration when every one is a file that is not daemon.json where it
    lands (daemon-direct-lvm.json, kept or copied to /etc/docker/ under that name; not a
    docker-daemon.json, which scripts copy to daemon.json): dockerd reads none of them by default,
    so some command line the repository lacks names it."""
    configs = host.of(DaemonConfig)
    if not configs or host.of(EnginePackage):
        return None
    for config in configs:
        name = PurePosixPath((config.target or config.document.path).replace("\\", "/")).name
        if name.endswith("daemon.json") or not name.endswith(".json"):  # docker-daemon.json: copied into place, mostly
            return None
    return configs[-1]


def _start_command(host: Host, assume_packaged: bool) -> None:
    """How dockerd is started: the host's docker.service (its drop-ins over the packaged unit when
    it has only drop-ins), else a script that runs dockerd, else the packaged unit (assumed)."""
    from . import units

    unit_files = host.of(UnitFile)
    env_files = host.of(EnvFile)
    scripted = host.of(DockerdCommand)
    if host.platform != "linux" or host.of(Unreadable):
        return
    unknown = host.of(UnitUnknown)
    if unknown:
        # the repository writes or edits the unit in a way dlint cannot read: the command line is
        # unknown (checks that need it are skipped), never the packaged one
        last = unknown[-1]
        host.command = DockerdCommand(
            last.source, last.document, words=[], origin="unknown", location=last.location,
            note=f"dockerd's command line is unknown: {last.target}: {last.why}", from_template=True,
        )
        return
    if assume_packaged and not unit_files and not scripted and _config_file_only(host) is not None:
        assume_packaged = False  # its unit names it with --config-file: not the packaged one, judged on the file alone
    upstart = _upstart_job(host, unit_files, env_files) if assume_packaged and not scripted else None
    if upstart is not None:
        host.command = upstart
        return
    debian_default = _debian_default(host, unit_files, env_files) if assume_packaged else None
    if debian_default is not None:
        host.command = DockerdCommand(
            debian_default.source, debian_default.document, words=[], origin="unknown",
            location=debian_default.document.start_location(), from_template=True,
            note="dockerd's command line is unknown: /etc/default/docker sets DOCKER_OPTS, which Debian's docker.io unit and the upstart and sysvinit jobs of docker-engine pass to dockerd, and Ubuntu's docker.io unit does not; dlint cannot tell which this machine runs",
        )
        return
    alpine = _alpine_engine(host, unit_files) if not scripted else None
    if alpine is not None:
        conf = next((f for f in env_files if (f.target or "").endswith("/etc/conf.d/docker")), None)
        if conf is None:  # known: no flags
            host.command = DockerdCommand(
                alpine.source, alpine.document, words=[], origin="openrc", location=alpine.location,
                note="Alpine's OpenRC service (/etc/init.d/docker) starts dockerd with $DOCKER_OPTS of /etc/conf.d/docker, which the repository does not write: no flags",
            )
        else:
            host.command = DockerdCommand(
                conf.source, conf.document, words=[], origin="unknown", location=conf.document.start_location(), from_template=True,
                note="dockerd's command line is unknown: Alpine's OpenRC service starts dockerd with $DOCKER_OPTS of /etc/conf.d/docker, a shell file dlint does not read as flags",
            )
        return
    fedora = _fedora_engine(host, unit_files) if assume_packaged and not scripted else None
    if fedora is not None:
        host.command = DockerdCommand(
            fedora.source, fedora.document, words=[], origin="unknown", location=fedora.location, from_template=True,
            note="dockerd's command line is unknown: Fedora's moby-engine starts dockerd with $OPTIONS from /etc/sysconfig/docker, "
            "whose packaged default turns --live-restore on (provisioning-facts §2.6), not docker-ce's unit",
        )
        return
    placed = {}
    if rootless(host):
        assume_packaged = False  # rootless dockerd runs from dockerd-rootless.sh in a user unit, without -H fd://
        if any(is_user_unit(unit.target) for unit in unit_files):
            placed = {"load_rank": user_load_rank}  # the user manager's search path, not the system's
    if unit_files or (assume_packaged and not scripted):
        host.service = units.resolve(unit_files, env_files, packaged_base=assume_packaged, **placed)
        if not any(problem.fatal for problem in host.service.problems):  # a refused unit starts nothing
            host.command = units.command_fragment(host.service, host)
    if host.command is None and scripted:
        host.command = scripted[-1]

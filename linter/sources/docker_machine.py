"""docker-machine in shell scripts: each ``docker-machine create … NAME`` is one machine (machines-facts §1, §6).

The shell kind hands every ``docker-machine`` command it finds to ``read`` (its handler table), so
this works wherever shell is read: scripts, Vagrant inline provisioners, cloud-init runcmd.

- ``create``: docker-machine installs the engine and writes dockerd's command line itself (the
  systemd drop-in ``10-machine.conf``: ``-H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock
  --storage-driver overlay2 --tlsverify --tlscacert … --tlscert … --tlskey …``, then ``--label``,
  ``--insecure-registry``, ``--registry-mirror`` and ``--OPT`` for each ``--engine-*`` option). The
  machine's host gets that DockerdCommand; each flag from an ``--engine-*`` option points at the
  value that produced it, the generated ones at ``create``.
- ``ssh NAME CMD…``: CMD runs on that machine, read as shell in its host.
- ``scp FILE NAME:PATH``: a repository file uploaded to that machine (a daemon.json, a unit).

The host is named ``docker-machine NAME``. A name with an expansion the script does not resolve
(``node-$i`` in a loop) is a pattern, ``docker-machine node-*``: one host for every machine it names,
which a literal name elsewhere (``docker-machine ssh node-1 …``) joins (linter.hosts).
"""

from __future__ import annotations

import posixpath
import re
from typing import List, Optional, Tuple

from ..fragments import DockerdCommand, EnginePackage, Word
from ..mapped import Mapped
from . import kind_for_target

PREFIX = "docker-machine "
ORIGIN = "docker-machine"
DEFAULT_PORT = "2376"
DEFAULT_DRIVER = "virtualbox"
# drivers that boot boot2docker, whose ISO carries the engine: docker-machine installs nothing there
_BOOT2DOCKER = frozenset({"virtualbox", "hyperv", "vmwarefusion", "vmwarevsphere", "vmwareworkstation", "parallels", "xhyve"})
_GLOBAL_VALUE = frozenset({"-s", "--storage-path", "--tls-ca-cert", "--tls-ca-key", "--tls-client-cert", "--tls-client-key", "--github-api-token", "--bugsnag-api-token"})
# --engine-X value → the dockerd flag it becomes (the value follows as its own word)
_LISTED = {"--engine-label": "--label", "--engine-insecure-registry": "--insecure-registry", "--engine-registry-mirror": "--registry-mirror"}
_EXPANSION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_0-9@*#?$!-]+")


def machine_group(reader, value: Mapped) -> Optional[str]:
    """``docker-machine NAME``; unresolved expansions become ``*`` (a pattern of machines)."""
    name = reader.resolve(value)
    if name is None:
        name = re.sub(r"\*+", "*", _EXPANSION.sub("*", value.text))
    return PREFIX + name if name.strip() else None


def read(reader, command, program) -> None:
    """The shell kind's handler for ``docker-machine``."""
    index = program.index + 1
    count = len(command.values)
    while index < count and command.text(index).startswith("-"):
        index += 2 if command.text(index) in _GLOBAL_VALUE else 1
    if index >= count:
        return
    verb = command.text(index)
    if verb == "create":
        _create(reader, command, index)
    elif verb == "ssh":
        _ssh(reader, command, index + 1)
    elif verb == "scp":
        _scp(reader, command, index + 1)
    elif verb == "env":
        # `eval "$(docker-machine env NAME)"`: the docker commands after it talk to NAME's dockerd
        words = [command.values[i] for i in range(index + 1, count) if not command.text(i).startswith("-")]
        unset = any(command.text(i) in ("-u", "--unset") for i in range(index + 1, count))
        reader.machine_env = None if unset or len(words) != 1 else machine_group(reader, words[0])


# ------------------------------------------------------------------------------------------
# create


_ENGINE_VALUE = frozenset({"--engine-opt", "--engine-storage-driver", "--engine-install-url", "-d", "--driver", "--generic-engine-port"}) | frozenset(_LISTED)


def _option(command, index: int, last: int) -> Tuple[str, Optional[int]]:
    """(option, index of the word holding its value) for ``--opt v`` and ``--opt=v``; the value of
    an option dlint does not read is left for the loop to step over."""
    option = command.text(index).partition("=")[0]
    if "=" in command.text(index):
        return option, index
    if option in _ENGINE_VALUE and index + 1 < last:
        return option, index + 1
    return option, None


def _value_location(reader, value: Mapped, skip: int):
    """Where the value stands, past ``--option=`` and inside its quotes."""
    return reader.document.location(value.source(skip), value.source(value.length))


def _create(reader, command, verb: int) -> None:
    last = len(command.values) - 1
    if last <= verb or command.text(last).startswith("-") or command.text(last - 1) in _ENGINE_VALUE:
        return  # no machine name (the last word is an option's value): docker-machine refuses it
    group = machine_group(reader, command.values[last])
    if group is None:
        return
    at_create = reader.location(command.words[verb])
    driver, port, storage = DEFAULT_DRIVER, DEFAULT_PORT, ("overlay2", at_create)
    install: Optional[str] = None
    listed: List[Tuple[Word, Word]] = []
    opts: List[Word] = []
    unknown = False
    index = verb + 1
    while index < last:
        if not command.text(index).startswith("-"):
            index += 1
            continue
        option, value_index = _option(command, index, last)
        if value_index is not None and option in _ENGINE_VALUE:
            skip = len(option) + 1 if value_index == index else 0
            value = command.text(value_index)[skip:]
            where = _value_location(reader, command.values[value_index], skip)
            if command.values[value_index].expanded and reader.resolve(command.values[value_index]) is None:
                # an expansion in a flag's value leaves that value unknown, not the command line;
                # one in the name of an --engine-opt may be any flag (or several)
                unknown = unknown or (option == "--engine-opt" and any(c in value.split("=", 1)[0] for c in "$`"))
            if option in _LISTED:
                listed.append((Word(_LISTED[option], reader.location(command.words[index])), Word(value, where)))
            elif option == "--engine-opt":
                opts.append(Word("--" + value, where, whole=True))  # docker-machine writes --{{.}}: any dockerd flag
            elif option == "--engine-storage-driver":
                storage = (value, where)
            elif option == "--engine-install-url":
                install = value
            elif option == "--generic-engine-port":
                port = value
            else:
                driver = value
        elif option == "--engine-flag":
            reader.out.notes.append(f"{reader.at(reader.t.span(command.words[index])[0])}: docker-machine has no --engine-flag option, so this create fails; no machine")
            return
        index = (value_index or index) + 1
    words = [
        Word("-H", at_create), Word(f"tcp://0.0.0.0:{port}", at_create), Word("-H", at_create), Word("unix:///var/run/docker.sock", at_create),
        Word("--storage-driver", at_create), Word(storage[0], storage[1]), Word("--tlsverify", at_create),
        Word("--tlscacert", at_create), Word("/etc/docker/ca.pem", at_create), Word("--tlscert", at_create), Word("/etc/docker/server.pem", at_create),
        Word("--tlskey", at_create), Word("/etc/docker/server-key.pem", at_create),
    ]
    # the unit lists labels (provider= last), then registries, then mirrors, then --OPT
    for flag in ("--label", "--insecure-registry", "--registry-mirror"):
        words += [word for pair in listed if pair[0].text == flag for word in pair]
        if flag == "--label":
            words += [Word("--label", at_create), Word(f"provider={driver}", at_create)]
    words += opts
    location = reader.location(command.node)
    note = f"the drop-in docker-machine writes for `{group}` (10-machine.conf, or the OS's equivalent)"
    reader.out.fragments.append(
        DockerdCommand(reader.source, reader.document, words=words, origin=ORIGIN, location=location, note=note, group=group, from_template=unknown)
    )
    if driver not in _BOOT2DOCKER:
        pin = "none" if install is None or "get.docker.com" in install else "unknown"
        reader.out.fragments.append(
            EnginePackage(reader.source, reader.document, manager="docker-machine", name="docker-ce", version=None, pin=pin, location=at_create, group=group)
        )


# ------------------------------------------------------------------------------------------
# ssh and scp


def _ssh(reader, command, index: int) -> None:
    count = len(command.values)
    if index + 1 >= count:
        return  # an interactive session
    group = machine_group(reader, command.values[index])
    if group is None:
        return
    reader.remote_commands(command, index + 1, group)  # joined with spaces for the machine's shell


def _scp(reader, command, index: int) -> None:
    operands = [i for i in range(index, len(command.values)) if not command.text(i).startswith("-")]
    if len(operands) != 2:
        return
    source, destination = operands
    local = reader.resolve(command.values[source])
    match = re.match(r"([^/:]+):(.*)", command.text(destination))
    if local is None or ":" in local or match is None:
        return  # a download, a machine-to-machine copy, or a path the script does not resolve
    name = Mapped()
    command.values[destination].copy_into(name, 0, len(match.group(1)))
    name.expanded = command.values[destination].expanded
    group = machine_group(reader, name)
    target = _landing(match.group(2), local)
    if group is None or target is None:
        return
    from ..hcl import Embedder, Files  # the upload is a repository file, read as Packer's and Terraform's are

    def note(offset: int, message: str) -> None:
        reader.out.notes.append(f"docker-machine: {reader.document.location(offset)}: {message}")

    files = Files(reader.context, fallback_to_root=True)
    ref = files.ref(local, reader.t.span(command.words[source]), (f"{group} scp",), 'source "{path}"')
    if isinstance(ref, str):
        note(reader.t.span(command.words[source])[0], f"scp {local!r}: {ref}")
        return
    Embedder(reader.document, files, reader.out, note).written([ref], target, group=group)


def _landing(destination: str, local: str) -> Optional[str]:
    """Where scp puts the file: into a folder it names (``/etc/docker/``, ``/etc/docker``)."""
    if "$" in destination or "`" in destination or not destination.startswith("/"):
        return None
    inside = destination.rstrip("/") + "/" + posixpath.basename(local.rstrip("/"))
    if destination.endswith("/") or (kind_for_target(destination) is None and kind_for_target(inside) is not None):
        return inside
    return destination

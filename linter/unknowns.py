"""What dlint could not know about each host, and which checks it skipped because of it.

A setting is known, unknown or absent, never two of them (DESIGN.md, the host model): a check that
needs an unknown value is skipped, and the default output says so, one line a host, with the place
that makes it unknown (a daemon.json that is a program's output, a unit edited by ``sed``, a value
a template decides)."""

from __future__ import annotations

from dataclasses import field
from .lazyclass import dataclass
from typing import Dict, List, Optional

from .facts import templated_command
from .fragments import SwarmByHand, SwarmMembership, Unreadable
from .location import Location


@dataclass
class Unknown:
    host: str
    why: str  # "/etc/docker/daemon.json is what `jq` prints, which dlint does not run"
    location: Optional[Location]
    skipped: List[str] = field(default_factory=list)  # ids of the checks not judged on this host
    # on a change-aware run: the base revision of the change that is not judged (fully) on this
    # host, because one side could not be read (linter/change/impact.py unjudged)
    diff_base: Optional[str] = None
    location_rev: Optional[str] = None  # the git revision ``location`` is in (None: the work tree)

    def to_dict(self) -> dict:
        out = {"host": self.host, "why": self.why, "skipped": list(self.skipped)}
        if self.diff_base is not None:
            out["diff_base"] = self.diff_base
        if self.location is not None:
            where = self.location
            out["from"] = {"path": where.path, "line": where.line, "column": where.column}
            if self.location_rev is not None:
                out["from"]["revision"] = self.location_rev
        return out


class Skips:
    """Checks skipped per host while evaluating: filled by ``evaluate``."""

    def __init__(self) -> None:
        self.rules: Dict[str, List[str]] = {}
        self.keys: Dict[str, List[str]] = {}  # templated keys a finding was withheld on

    def skip(self, host: str, rule: str, key: Optional[str] = None) -> None:
        rules = self.rules.setdefault(host, [])
        if rule not in rules:
            rules.append(rule)
        if key is not None and key not in self.keys.setdefault(host, []):
            self.keys[host].append(key)


def _first_reason(host):
    """Why the host could not be read fully, and where: an unreadable file, an unread daemon.json,
    or dockerd's command line."""
    for fragment in host.of(Unreadable):
        return f"{fragment.source.display} could not be read ({fragment.reason})", fragment.document.start_location()
    for config in host.daemon_configs:
        if config.problem is None:
            continue
        target = config.target or config.source.display
        if config.opaque is not None:  # the command that writes it
            return f"{target}: {config.opaque.why}", config.document.start_location()
        if config.wholly_templated:
            return f"{target} is the value of a template expression dlint does not render", config.document.start_location()
        return f"{target} does not parse ({config.problem.message})", config.document.location(config.problem.start, config.problem.end)
    return None


def describe(hosts, skips: Skips) -> List[Unknown]:
    out: List[Unknown] = []
    for host in hosts:
        if host.variant_of is not None or host.undeployed:
            continue  # not judged at all: dlint hosts says why
        skipped = skips.rules.get(host.name, [])
        reason = _first_reason(host)
        command = host.command
        templated = templated_command(host) if command is not None else None
        if reason is None and command is not None and (command.origin == "unknown" or templated is not None):
            if command.origin == "unknown":
                reason = (command.note, command.location)
            elif templated is command:
                reason = ("dockerd's command line is assembled from a template", command.location)
            else:  # a unit or environment file a template writes: flags may hide in its loops and values
                reason = (f"dockerd's command line is assembled from a template ({templated.document.path})", templated.document.start_location())
        if reason is None and host.swarm_elsewhere is not None and not host.swarm_covered and all(f.maybe for f in host.of(SwarmMembership)):
            swarm = host.swarm_elsewhere
            if any(f is swarm for f in host.of(SwarmMembership)):
                how = f"`docker swarm {swarm.command}` runs on it only under a condition dlint cannot decide"
            elif isinstance(swarm, SwarmByHand) and swarm.remote:
                how = f"{swarm.source.display} runs `docker swarm {swarm.command}` on the dockerd at {swarm.remote}, a machine dlint cannot tie to this one"
            elif isinstance(swarm, SwarmByHand):
                how = f"{swarm.source.display} says to run `docker swarm {swarm.command}` by hand"
            elif host.swarm_shared:
                how = f"the play of {swarm.group} runs `docker swarm {swarm.command}` on machines that may be some of this play's (by the inventory, or dlint cannot tell)"
            else:
                how = f"the repository runs `docker swarm {swarm.command}` for a machine dlint cannot tie to this one"
            reason = (f"whether it is a swarm node ({how})", swarm.location)
            skipped = sorted(set(skipped) | {"DKD101"})
        if reason is None and host.daemon_json_elsewhere and skipped:
            evidence = host.evidence
            at = (getattr(evidence, "location", None) or evidence.document.start_location()) if evidence is not None else None
            reason = (f"its daemon.json: {host.daemon_json_elsewhere}", at)
        keys = skips.keys.get(host.name, [])
        if reason is None and keys:
            reason = (f"a template decides the value of {', '.join(keys)}", None)
        if reason is None:
            continue
        # the live-restore checks first: they are what a user reads the line for
        out.append(Unknown(host.name, reason[0], reason[1], sorted(skipped, key=lambda rule: (not rule.startswith("DKD1"), rule))))
    return out

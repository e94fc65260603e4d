"""Run the enabled policies over each host and turn their hits into findings."""

from __future__ import annotations

from dataclasses import replace
from .lazyclass import dataclass
from typing import Iterable, List, Optional, Sequence

from .engine.knowledge import Engine, engine
from .engine.pinned import host_release, pinned_before_known
from .facts import HostFacts, facts_for
from .findings import Finding
from .location import Location
from .policy.model import Hit, Policy
from .unknowns import Skips


WINDOWS_ONLY = frozenset({"DKD103"})  # rules about the Windows engine alone (live-restore-unsupported-platform)


class PolicyCrash(Exception):
    """A policy raised: a bug in dlint or a plugin (exit code 4, no traceback without --debug)."""


@dataclass
class Context:
    """What a check may use besides the host."""

    engine_version: str
    allowed_keys: frozenset = frozenset()
    settings: Optional[object] = None
    # where engine_version comes from: "command line", "config", "default" (dlint's newest), or
    # "repository" (the release this host's engine install pins)
    version_origin: str = "default"
    pinned_at: Optional[Location] = None  # the install that pins it, with "repository"
    # (major, minor) the install pins when it is older than every release dlint knows (judged as
    # the oldest): a check of something that came later (a deprecation) does not hold there
    pinned_before_known: Optional[tuple] = None

    def for_host(self, host) -> "Context":
        """The context a host is judged in: the release its repository pins, unless the user named
        one (a named release wins: it is what the user says the fleet runs)."""
        if self.version_origin != "default":
            return self
        pinned = host_engine(host)
        if pinned is None:
            return self
        release, package = pinned
        before = pinned_before_known(package.version)
        return replace(self, engine_version=release, version_origin="repository", pinned_at=package.location, pinned_before_known=before)

    def engine(self, host) -> Engine:
        return engine(self.engine_version, host.platform)

    def facts(self, host) -> HostFacts:
        return facts_for(host, self.engine(host))


def host_engine(host):
    """(release, package) the host's engine install pins, or None."""
    from .fragments import EnginePackage

    return host_release(host.of(EnginePackage))


def _pointer_in_config(pointer: Optional[str]) -> Optional[str]:
    """Facts pointers under /config are reported in daemon.json terms (/config/x -> /x)."""
    if pointer and pointer.startswith("/config/"):
        return pointer[len("/config") :]
    return pointer


def _refused_by_name(key: str, host, context: Context) -> bool:
    """A key dockerd does not know is refused whatever its value: a templated value does not
    withhold that (a key only some renderings write still does)."""
    if key.startswith("-") or any(key in getattr(config.document, "undecided", ()) for config in host.daemon_configs):
        return False  # a flag's spelling (--log-level): withheld only when it is a flag dockerd knows
    return context.for_host(host).engine(host).status(key).state == "unknown"


def _about(hit: Hit) -> str:
    """The top-level configuration key a hit is about ("" when none)."""
    for ref in (hit.pointer, hit.key):
        if ref and ref.startswith("/"):
            parts = ref.split("/")
            if parts[1] in ("config", "file", "flags") and len(parts) > 2:
                return parts[2].replace("~1", "/").replace("~0", "~")
            return parts[1].replace("~1", "/").replace("~0", "~")
    return ""


def _absent(hit: Hit, config: dict) -> bool:
    """The hit is about a daemon.json key the host's configuration does not set."""
    pointer = hit.pointer or hit.key or ""
    return pointer.startswith("/config/") and _about(hit) not in config


def _synthetic(location: Location) -> bool:
    return location.path.startswith("<")


def evaluate(hosts: Sequence, policies: Sequence[Policy], base: Context, skips: Optional[Skips] = None) -> List[Finding]:
    """Findings of every policy on every host; ``skips`` collects the checks not judged because
    something they need is unknown."""
    findings: List[Finding] = []
    skips = skips if skips is not None else Skips()
    for host in hosts:
        if host.variant_of is not None or host.undeployed:
            continue  # no machine runs it (the deployed machines run the file the repository installs)
        context = base.for_host(host)
        readable = host.readable
        for policy in policies:
            if policy.meta.id in WINDOWS_ONLY and host.platform != "windows":
                continue  # a Windows daemon's rule says nothing of a Linux machine, judged or not
            if policy.needs_readable and not readable:
                skips.skip(host.name, policy.meta.id)
                continue
            try:
                hits: Iterable[Hit] = list(policy.check(host, context) or ())
            except Exception as err:  # noqa: BLE001 - reported as a crash of that policy
                raise PolicyCrash(f"policy {policy.meta.id} ({policy.meta.origin}) failed on {host.name}: {err!r}") from err
            unknown = context.facts(host).unknown if readable else frozenset()
            config = context.facts(host).data["config"] if readable and host.daemon_json_elsewhere else None
            if config is not None and not hits and policy.needs_readable and policy.applies(host, context):
                skips.skip(host.name, policy.meta.id)  # a pass a daemon.json dlint does not see may undo
            for hit in hits:
                if unknown and _about(hit) in unknown and not _refused_by_name(_about(hit), host, context):
                    skips.skip(host.name, policy.meta.id, _about(hit))
                    continue  # judged on a value a template decides
                if config is not None and _absent(hit, config):
                    skips.skip(host.name, policy.meta.id)
                    continue  # "not set" where a daemon.json dlint does not see may set it
                findings.append(_finding(policy, host, hit, context))
    return findings


def _finding(policy: Policy, host, hit: Hit, context: Context) -> Finding:
    meta = policy.meta
    location: Location
    # anchored: the location is the place that causes the finding, not a stand-in for the host
    # (the daemon.json that lacks a key, the engine install)
    if hit.location is not None:
        location, anchored = hit.location, True
    else:
        facts = context.facts(host)
        location = facts.locate(hit.pointer)
        anchored = bool(hit.pointer) and hit.pointer in facts.provenance
    if _synthetic(location):  # the assumed packaged unit is no file to point at
        location, anchored = host.primary_location(), False
    return Finding(
        rule=meta.id,
        name=meta.name,
        severity=hit.severity or meta.severity,
        breaks=hit.breaks or meta.breaks,
        message=hit.message,
        location=location,
        related=tuple(r for r in hit.related if not _synthetic(r)),
        fix=hit.fix or meta.remediation or None,
        help=f"dlint explain {meta.id}",
        host=host.name,
        pointer=_pointer_in_config(hit.pointer) if hit.pointer else (hit.key or None),
        input_error=meta.input_error,
        engine=context.engine_version,
        anchored=anchored,
    )

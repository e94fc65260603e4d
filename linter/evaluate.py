"""Run the enabled policies over each host and turn their hits into findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

from .engine.knowledge import Engine, engine
from .facts import HostFacts, facts_for
from .findings import Finding
from .location import Location
from .policy.model import Hit, Policy


class PolicyCrash(Exception):
    """A policy raised: a bug in dlint or a plugin (exit code 4, no traceback without --debug)."""


@dataclass
class Context:
    """What a check may use besides the host."""

    engine_version: str
    allowed_keys: frozenset = frozenset()
    settings: Optional[object] = None

    def engine(self, host) -> Engine:
        return engine(self.engine_version, host.platform)

    def facts(self, host) -> HostFacts:
        return facts_for(host, self.engine(host))


def _pointer_in_config(pointer: Optional[str]) -> Optional[str]:
    """Facts pointers under /config are reported in daemon.json terms (/config/x -> /x)."""
    if pointer and pointer.startswith("/config/"):
        return pointer[len("/config") :]
    return pointer


def _about(hit: Hit) -> str:
    """The top-level configuration key a hit is about ("" when none)."""
    for ref in (hit.pointer, hit.key):
        if ref and ref.startswith("/"):
            parts = ref.split("/")
            if parts[1] in ("config", "file", "flags") and len(parts) > 2:
                return parts[2].replace("~1", "/").replace("~0", "~")
            return parts[1].replace("~1", "/").replace("~0", "~")
    return ""


def _synthetic(location: Location) -> bool:
    return location.path.startswith("<")


def evaluate(hosts: Sequence, policies: Sequence[Policy], context: Context) -> List[Finding]:
    findings: List[Finding] = []
    for host in hosts:
        readable = host.readable
        for policy in policies:
            if policy.needs_readable and not readable:
                continue
            try:
                hits: Iterable[Hit] = list(policy.check(host, context) or ())
            except Exception as err:  # noqa: BLE001 - reported as a crash of that policy
                raise PolicyCrash(f"policy {policy.meta.id} ({policy.meta.origin}) failed on {host.name}: {err!r}") from err
            unknown = context.facts(host).unknown if readable else frozenset()
            for hit in hits:
                if unknown and _about(hit) in unknown:
                    continue  # judged on a value a template decides
                findings.append(_finding(policy, host, hit, context))
    return findings


def _finding(policy: Policy, host, hit: Hit, context: Context) -> Finding:
    meta = policy.meta
    location: Location
    if hit.location is not None:
        location = hit.location
    else:
        location = context.facts(host).locate(hit.pointer)
    if _synthetic(location):  # the assumed packaged unit is no file to point at
        location = host.primary_location()
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
    )

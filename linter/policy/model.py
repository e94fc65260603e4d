"""What a policy is: metadata shared by both kinds, and the check that yields hits."""

from __future__ import annotations

from dataclasses import field
from ..lazyclass import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ..location import Location

SEVERITIES = ("error", "warning", "info")

# Profiles nest: recommended (what breaks dockerd, the live-restore family, unambiguous hardening)
# is in cis (plus every CIS Docker Benchmark section 2 control), which is in all.
PROFILES = ("recommended", "cis", "all")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}

# What happens if a finding is ignored (dockerd-facts.md and the issue that defined them).
BREAKS = {
    "config-load": "dockerd refuses the configuration: dockerd --validate and start-up both fail",
    "daemon-start": "dockerd --validate passes, but dockerd exits at start-up",
    "swarm": "swarm init or join, or the restart of a swarm node, fails",
    "ignored": "dockerd accepts it and silently does nothing",
    "none": "dockerd runs; it is a risk",
}


@dataclass(frozen=True)
class PolicyMeta:
    id: str
    name: str
    severity: str
    breaks: str
    summary: str
    rationale: str
    remediation: str
    dockerd: str = ""  # what dockerd does
    tags: Tuple[str, ...] = ()
    benchmarks: Dict[str, str] = field(default_factory=dict)
    references: Tuple[str, ...] = ()
    examples: Dict[str, List[dict]] = field(default_factory=dict)
    input_error: bool = False  # its findings mean an input could not be read (exit code 3)
    profile: str = "recommended"  # the smallest profile that runs it: recommended < cis < all
    origin: str = ""  # the pack or file it came from
    fix: Dict[str, str] = field(default_factory=dict)  # {safety: safe|unsafe, description}: what `dlint fix` does
    severity_by_profile: Dict[str, str] = field(default_factory=dict)  # profile -> severity where it is not ``severity``

    def severity_in(self, profile: str) -> str:
        """The severity its findings have under ``profile`` (before .dlint.yaml's severity:)."""
        return self.severity_by_profile.get(profile, self.severity)

    def severity_said(self) -> str:
        """``info`` or ``info (all: warning)``: the severity, and where a profile changes it."""
        other = ", ".join(f"{name}: {level}" for name, level in self.severity_by_profile.items() if level != self.severity)
        return f"{self.severity} ({other})" if other else self.severity


@dataclass
class Hit:
    """One problem a check found. The engine turns it into a Finding.

    Give ``location`` directly, or a ``pointer`` into the host's facts; ``key`` makes the
    fingerprint stable when one check reports several hits at one pointer.
    """

    message: str
    location: Optional[Location] = None
    pointer: Optional[str] = None
    related: Tuple[Location, ...] = ()
    fix: Optional[str] = None
    breaks: Optional[str] = None
    severity: Optional[str] = None
    key: str = ""


class Policy:
    """A policy: metadata plus ``check(host, context) -> Iterable[Hit]``."""

    kind = "python"
    needs_readable = True  # skip hosts whose configuration dockerd could not even read

    def __init__(self, meta: PolicyMeta, check: Optional[Callable[..., Iterable[Hit]]] = None):
        self.meta = meta
        self._check = check

    def __repr__(self) -> str:
        return f"<Policy {self.meta.id} {self.meta.name}>"

    def applies(self, host, context) -> bool:
        """Whether the policy asks anything of this host at all, whatever its daemon.json says: a
        Python check says so with an ``applies(host, context)`` attribute (else it may)."""
        applies = getattr(self._check, "applies", None)
        return bool(applies(host, context)) if applies is not None else True

    def check(self, host, context) -> Iterable[Hit]:
        if self._check is None:  # pragma: no cover - a declarative policy overrides check
            return ()
        return self._check(host, context)

    def to_dict(self) -> Dict[str, Any]:
        m = self.meta
        return {
            "id": m.id,
            "name": m.name,
            "severity": m.severity,
            "breaks": m.breaks,
            "summary": m.summary,
            "tags": list(m.tags),
            "benchmarks": dict(m.benchmarks),
            "kind": self.kind,
            "profile": m.profile,
            "origin": m.origin,
            "fix": dict(m.fix) or None,
            "severity_by_profile": dict(m.severity_by_profile) or None,
        }

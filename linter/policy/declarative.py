"""Declarative policies: Kubernetes-style YAML resources whose check is JSON Schema over host facts.

    apiVersion: dlint.dev/v1alpha1
    kind: Policy
    metadata: {name: live-restore-disabled, id: DKD101}
    spec:
      severity: warning
      breaks: none
      when: {...}      # JSON Schema: the host facts the policy applies to
      require: {...}   # JSON Schema: what those facts must satisfy
      at: /config/live-restore   # where a finding points (nearest existing parent otherwise)

A resource is data: loading and evaluating one runs no code from it. It is validated against
``linter/schemas/policy.schema.json``, which the package publishes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

from ..errors import PolicyError
from .compiled import policy_predicate
from .model import PROFILES, Hit, Policy, PolicyMeta
from .safe import BUDGET, PolicyBudget, problems, registry, render as render_message, validator_class

API_VERSION = "dlint.dev/v1alpha1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "policy.schema.json"


@lru_cache(maxsize=1)
def resource_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


@lru_cache(maxsize=1024)
def _compiled(schema_json: str, untrusted: bool):
    return validator_class(untrusted)(json.loads(schema_json), registry=registry())


def compile_schema(schema: dict, untrusted: bool = False):
    """A validator for ``schema``; references never retrieved, and an ``untrusted`` (repository)
    schema runs RE2 patterns within a step budget."""
    return _compiled(json.dumps(schema, sort_keys=True), untrusted)


class DeclarativePolicy(Policy):
    kind = "declarative"

    def __init__(
        self,
        meta: PolicyMeta,
        when: Optional[dict],
        require: dict,
        at: Optional[str],
        message: Optional[str],
        at_item: Optional[dict] = None,
        untrusted: bool = False,
    ):
        super().__init__(meta)
        self.untrusted = untrusted  # from a scanned repository's policy-paths
        self.when = when
        self.require = require
        self.at = at
        self.message = message
        self.at_item = at_item
        self._when_on_config = '"config"' in json.dumps(when)

    def check(self, host, context) -> Iterable[Hit]:
        if not self.untrusted:
            return self._evaluate(host, context)
        BUDGET.reset()
        try:
            return list(self._evaluate(host, context))
        except (PolicyBudget, RecursionError, MemoryError) as err:
            what = {RecursionError: "its schema refers to itself without end", MemoryError: "it ran out of memory"}.get(type(err), str(err))
            raise PolicyError(f"{self.meta.origin}: policy {self.meta.id} cannot be evaluated on {host.name}: {what}") from None

    def applies(self, host, context) -> bool:
        """Its ``when`` holds, judged only where it says nothing of daemon.json (a daemon.json dlint
        does not see may meet it): DKD101 asks nothing of a swarm node, so it is not applicable
        there rather than "not judged" when the node's daemon.json is unknown."""
        if self.when is None or self._when_on_config:
            return True
        data = context.facts(host).data
        command = data.get("command")
        if isinstance(command, dict) and command.get("complete") is False:
            # a command line dlint cannot read whole may be the one the check asks of: DKD101
            # applies there (not judged), unless something else rules it out (a swarm node)
            data = dict(data, command=dict(command, complete=True))
        return self._valid(self.when, data)

    def _evaluate(self, host, context) -> Iterable[Hit]:
        facts = context.facts(host)
        if self.when is not None and not self._valid(self.when, facts.data):
            return
        pointer = self.at
        if pointer is None:  # the errors' paths say where
            errors = list(self._schema(self.require).iter_errors(facts.data))
            if not errors:
                return
            path = min((tuple(e.absolute_path) for e in errors), key=len)
            pointer = "".join("/" + str(p) for p in path)
        elif self._valid(self.require, facts.data):
            return
        pointer = self._narrow(pointer, facts)
        yield Hit(self.render(facts.get(pointer, _ABSENT), context), pointer=pointer)

    def _narrow(self, pointer: str, facts) -> str:
        """With ``atItem``, point at the first item of the array at ``at`` that matches it."""
        if self.at_item is None:
            return pointer
        items = facts.get(pointer)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if self._valid(self.at_item, item):
                    return f"{pointer}/{index}"
        return pointer

    def _schema(self, schema: dict):
        return compile_schema(schema, self.untrusted)

    def _valid(self, schema: dict, value: Any) -> bool:
        """A built-in policy's schema compiled to Python (no jsonschema import at scan time); a
        repository's own, or a keyword the compiler lacks: jsonschema."""
        predicate = None if self.untrusted else policy_predicate(schema)
        return predicate(value) if predicate is not None else self._schema(schema).is_valid(value)

    def render(self, value: Any, context) -> str:
        template = self.message or self.meta.summary
        shown = "not set" if value is _ABSENT else json.dumps(value)
        fields = {"value": "null" if value is _ABSENT else json.dumps(value), "shown": shown, "version": context.engine_version}
        return render_message(template, fields)


_ABSENT = object()


def _examples(spec: dict) -> Dict[str, List[dict]]:
    out: Dict[str, List[dict]] = {}
    for verdict in ("fail", "pass"):
        items = []
        for example in (spec.get("examples") or {}).get(verdict, []) or []:
            if "files" in example and isinstance(example["files"], dict):
                items.append(dict(example))
            else:
                items.append({"files": dict(example)})
        out[verdict] = items
    return out


def meta_from(resource: dict, origin: str) -> PolicyMeta:
    metadata = resource["metadata"]
    spec = resource["spec"]
    return PolicyMeta(
        id=metadata["id"],
        name=metadata["name"],
        severity=spec["severity"],
        breaks=spec["breaks"],
        summary=spec["summary"],
        rationale=spec.get("rationale", ""),
        remediation=spec.get("remediation", ""),
        dockerd=spec.get("dockerd", ""),
        tags=tuple(spec.get("tags", ())),
        benchmarks=dict(spec.get("benchmarks", {})),
        references=tuple(spec.get("references", ())),
        examples=_examples(spec),
        input_error=bool(spec.get("inputError", False)),
        profile=spec.get("profile", "recommended"),
        origin=origin,
        fix=dict(spec.get("fix") or {}),
        severity_by_profile={name: spec["severityByProfile"][name] for name in PROFILES if name in spec.get("severityByProfile", {})},
    )


def build(resource: dict, origin: str, checks: Optional[Dict[str, Callable]] = None, untrusted: bool = False) -> Policy:
    """A Policy from a validated resource. ``checks`` maps names to Python checks (packs only);
    ``untrusted``: it comes from a scanned repository."""
    meta = meta_from(resource, origin)
    spec = resource["spec"]
    if "check" in spec:
        name = spec["check"]
        if checks is None or name not in checks:
            raise PolicyError(
                f"{origin}: policy {meta.id} names the Python check {name!r}, which this source cannot provide "
                "(Python checks come only from installed packages)"
            )
        policy = Policy(meta, checks[name])
    else:
        policy = DeclarativePolicy(meta, spec.get("when"), spec["require"], spec.get("at"), spec.get("message"), spec.get("atItem"), untrusted)
    # a policy about unreadable input must see the hosts the others skip
    policy.needs_readable = not (meta.input_error or spec.get("unreadableHosts", False))
    return policy


def validate_resource(resource: Any, where: str, positions=None, untrusted: bool = False) -> None:
    """Raise PolicyError (with the line of the problem) unless ``resource`` is a valid policy
    whose schemas refer to nothing outside (and, ``untrusted``, whose patterns RE2 runs)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(resource_schema())
    errors = sorted(validator.iter_errors(resource), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        line = positions.find(tuple(error.absolute_path))[0] if positions else 1
        path = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise PolicyError(f"{where}:{line}: invalid policy at {path}: {error.message}")
    spec = resource["spec"]
    for name in ("when", "require", "atItem"):
        if name in spec:
            try:
                jsonschema.Draft202012Validator.check_schema(spec[name])
            except jsonschema.SchemaError as err:
                line = positions.find(("spec", name))[0] if positions else 1
                raise PolicyError(f"{where}:{line}: spec.{name} is not a valid JSON Schema: {err.message}") from None
            for path, problem in problems(spec[name], untrusted):
                line = positions.find(("spec", name) + path)[0] if positions else 1
                raise PolicyError(f"{where}:{line}: spec.{name}: {problem}")

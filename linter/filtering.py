"""Which rules run, at which severity, and which findings the configuration waives."""

from __future__ import annotations

from .lazyclass import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .errors import ConfigError, UsageError


def resolve(selector: str, policies: Sequence, where: str) -> List:
    """Policies named by an id, a name or an id prefix (``DKD1`` is the live-restore family)."""
    token = selector.strip()
    exact = [p for p in policies if token in (p.meta.id, p.meta.name)]
    if exact:
        return exact
    prefixed = [p for p in policies if token and p.meta.id.startswith(token.upper())]
    if prefixed:
        return prefixed
    error = UsageError if where == "command line" else ConfigError
    raise error(f"{where}: unknown rule {selector!r}; `dlint rules` lists them")


def in_profile(policies: Sequence, profile: str) -> List:
    from .policy.model import PROFILES

    rank = PROFILES.index(profile)
    return [p for p in policies if PROFILES.index(p.meta.profile) <= rank]


def enabled(
    policies: Sequence, select: Sequence[str], ignore: Sequence[str], where_select: str, where_ignore: str, profile: str = "all"
) -> List:
    """select names rules outright (whatever the profile); without it, the profile decides."""
    chosen = in_profile(policies, profile)
    if select:
        picked = {p.meta.id for s in select for p in resolve(s, policies, where_select)}
        chosen = [p for p in policies if p.meta.id in picked]
    dropped = {p.meta.id for s in ignore for p in resolve(s, policies, where_ignore)}
    return [p for p in chosen if p.meta.id not in dropped]


def severities(overrides: Dict[str, str], policies: Sequence, where: str) -> Dict[str, str]:
    out = {}
    for selector, level in overrides.items():
        for policy in resolve(selector, policies, where):
            out[policy.meta.id] = level
    return out


@dataclass
class Exception_:
    matches_path: Callable[[str], bool]
    rule: str  # id
    pointer: Optional[str]
    reason: str
    used: int = 0
    expires: Optional[str] = None  # YYYY-MM-DD; past it the exception no longer applies


def exceptions(entries: Iterable[dict], policies: Sequence, where: str) -> List[Exception_]:
    out = []
    for entry in entries:
        (policy,) = resolve(entry["rule"], policies, where)[:1]
        out.append(Exception_(path_matcher([entry["path"]]), policy.meta.id, entry.get("pointer"), entry["reason"], expires=entry.get("expires")))
    return out


def waiver(finding, rel_path: str, rules: List[Exception_]) -> Optional[str]:
    for rule in rules:
        if rule.rule != finding.rule or not rule.matches_path(rel_path):
            continue
        if rule.pointer:
            pointer = finding.pointer or ""
            if pointer != rule.pointer and not pointer.startswith(rule.pointer + "/"):
                continue
        if expired(rule.expires):
            finding.message += f" (the .dlint.yaml exception that waived it expired on {rule.expires}: {rule.reason})"
            continue
        rule.used += 1
        return rule.reason
    return None


def expired(until: Optional[str]) -> bool:
    """A waiver's date (YYYY-MM-DD) is past: it held through that day."""
    import datetime

    return bool(until) and str(until) < datetime.date.today().isoformat()


def path_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A test for paths relative to the project root, with .gitignore semantics."""
    if not patterns:
        return lambda rel: False
    rules = _linear_rules(patterns)

    def matches(rel: str) -> bool:
        if _gitignore_match(rules, rel):
            return True
        parts = rel.split("/")
        return any(_gitignore_match(rules, "/".join(parts[:i]) + "/") for i in range(1, len(parts)))

    return matches


def _linear_rules(patterns: Sequence[str]) -> List[Tuple[bool, object]]:
    """pathspec's translation of each pattern, run on RE2: time linear in the path whatever the
    pattern (``*a*a*a…c`` or ``**/**/…`` from a repository's .dlint.yaml backtrack for ages in
    Python's engine, which pathspec uses unless it happens to pick a faster backend)."""
    import pathspec
    import re2

    from .linear_re import compile_linear

    rules = []
    for pattern in pathspec.GitIgnoreSpec.from_lines(list(patterns)).patterns:
        if pattern.include is None or pattern.regex is None:
            continue  # a blank line or a comment
        try:
            rules.append((pattern.include, compile_linear(pattern.regex.pattern)))
        except re2.error as err:
            raise ConfigError(f"path pattern {pattern.pattern!r} cannot be matched ({err})") from None
    return rules


def _gitignore_match(rules: List[Tuple[bool, object]], path: str) -> bool:
    """GitIgnoreSpec's verdict: the last pattern that matches decides, except that a later match
    of a pattern through a folder (``dir/`` matching ``dir/file``) does not undo a file match
    unless it includes."""
    include, rank = False, 0
    for pattern_include, regex in rules:
        match = regex.search(path)  # as pathspec: its patterns carry their own anchors
        if match is None:
            continue
        through_folder = bool(match.groupdict().get("ps_d"))
        priority = 1 if through_folder else 2
        if (pattern_include and through_folder) or priority >= rank:
            include, rank = pattern_include, priority
    return include

"""The flow: discover → extract → assemble → evaluate → filter. Reports render the result."""

from __future__ import annotations

import os
import time
from dataclasses import field
from .lazyclass import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from . import exitcodes, filtering, unknowns
from .config import Settings, find as find_config, load as load_config, line_of
from .discovery import Discovery, discover, git_root
from .engine.knowledge import newest_release, oldest_release
from .engine.versions import parse_version
from .budget import Overrun
from .errors import ConfigError, UsageError
from .evaluate import Context, evaluate
from .findings import Finding, capped, fingerprint
from .said import Said
from .fragments import SwarmMembership, Unreadable
from .hosts import Host, assemble
from .unknowns import Skips
from .policy.model import SEVERITY_RANK

FAIL_ON = ("error", "warning", "info", "never")


@dataclass
class Options:
    paths: Sequence[str] = ()
    config: Optional[str] = None
    engine_version: Optional[str] = None
    platform: Optional[str] = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    fail_on: Optional[str] = None
    plugins: Sequence[str] = ()
    cwd: Optional[Path] = None
    assume_packaged_unit: Optional[bool] = None  # overrides .dlint.yaml
    profile: Optional[str] = None
    context: Sequence[str] = ()  # also read these for context; report only on ``paths``
    kind: Optional[str] = None  # --kind: the source kind of every file named
    cache: bool = False  # reuse what unchanged files yielded (linter/cache.py); the command line asks
    progress: Optional[bool] = None  # files read, on stderr: None = on a terminal, for long runs
    jobs: Optional[int] = None  # processes reading files; None = by the tree's size (linter/parallel.py)
    diff_base: Optional[str] = None  # --diff-base REV: judge the change since REV, report new findings (linter/change)
    all_findings: bool = False  # --all: with diff_base, also the findings that existed at REV
    baseline: Optional[str] = None  # --baseline FILE; None: .dlint-baseline.json at the root, if any (linter/change/baseline.py)
    use_baseline: bool = True  # --no-baseline: report every finding


@dataclass
class Setup:
    """Everything a run needs before it reads any input: settings, engine version, policies."""

    settings: Settings
    engine_version: str
    all_policies: List
    policies: List  # enabled
    severity: Dict[str, str]
    exceptions: List
    fail_on: str
    kinds: List
    formats: Dict[str, object]
    profile: str = "recommended"
    notes: List[str] = field(default_factory=list)
    engine_origin: str = "default"  # command line | config | default (then a host's own pin wins)


@dataclass
class Result:
    setup: Setup
    findings: List[Finding]
    files_seen: int
    sources: int
    hosts: List[Host]
    notes: List[str]
    duration: float
    exit_code: int = 0
    unknowns: List = field(default_factory=list)  # linter.unknowns.Unknown: what each host could not be judged on
    warnings: List[str] = field(default_factory=list)  # said on stderr whatever the format (a named symlink)

    @property
    def active(self) -> List[Finding]:
        return [f for f in self.findings if f.waived is None]


def check_version(text: str, where: str) -> str:
    try:
        version = parse_version(text)
    except ValueError as err:
        raise (UsageError if where == "command line" else ConfigError)(f"{where}: {err}") from None
    if version < parse_version(oldest_release()):
        raise UsageError(f"{where}: engine version {text} is older than {oldest_release()}, the oldest dlint knows")
    _released(version, text, where)
    return f"{version.major}.{version.minor}" if version.major >= 23 else str(version)


def _released(version, text: str, where: str) -> None:
    """A release that never existed (22.0, 21.3, 26.10) is a typo, not a version to judge for;
    one newer than dlint's facts is judged as the newest (prepare says so)."""
    from .engine.knowledge import releases_sorted

    known = releases_sorted()
    if version > parse_version(known[-1]) or version.major < 19:
        return  # newer than the facts; or 17.x/18.x, whose monthly edge releases dlint has no facts for
    if all((v.major, v.minor) != (version.major, version.minor) for v in map(parse_version, known)):
        error = UsageError if where == "command line" else ConfigError
        raise error(f"{where}: engine version {text} is no Docker Engine release; dlint knows {', '.join(known)}")


def prepare(options: Options) -> Setup:
    cwd = options.cwd or Path.cwd()
    first = Path(os.path.abspath(cwd / (options.paths[0] if options.paths else ".")))
    if options.config:
        config_path = Path(os.path.abspath(cwd / options.config))
        if not config_path.is_file():
            raise UsageError(f"--config {options.config}: no such file")
        settings = load_config(config_path)
    else:
        found = find_config(first)
        if found is not None:
            settings = load_config(found)
        else:
            root = git_root(first if first.is_dir() else first.parent) or cwd
            settings = Settings(root=root)
    notes: List[str] = [f"configuration: {settings.path}"] if settings.path else []  # -v says which file
    if options.engine_version:
        version, origin = check_version(options.engine_version, "command line"), "command line"
    elif settings.engine_version:
        version, origin = check_version(settings.engine_version, line_of(settings, "engine-version")), "config"
    else:
        version, origin = newest_release(), "default"
    if parse_version(version) > parse_version(newest_release()):
        notes.append(f"engine version {version} is newer than dlint's facts; judged as {newest_release()}")
        version = newest_release()

    from . import plugins

    pm = plugins.manager(options.plugins)
    all_policies = plugins.collect_policies(pm)
    all_policies = _with_repo_policies(all_policies, settings)
    where_select = "command line" if options.select else line_of(settings, "select")
    where_ignore = line_of(settings, "ignore")
    select = list(options.select) or settings.select
    ignore_cli = list(options.ignore)
    profile = options.profile or settings.profile or "recommended"
    policies = filtering.enabled(all_policies, select, settings.ignore, where_select, where_ignore, profile)
    if ignore_cli:  # a rule the profile leaves out may still be named (it exists; nothing to drop)
        dropped = {p.meta.id for s in ignore_cli for p in filtering.resolve(s, all_policies, "command line")}
        policies = [p for p in policies if p.meta.id not in dropped]
    # a policy's severity under the profile (severityByProfile), then .dlint.yaml's severity: over it
    severity = {p.meta.id: p.meta.severity_in(profile) for p in all_policies if p.meta.severity_in(profile) != p.meta.severity}
    severity.update(filtering.severities(settings.severity, all_policies, line_of(settings, "severity")))
    exceptions = filtering.exceptions(settings.exceptions, all_policies, line_of(settings, "exceptions"))
    fail_on = options.fail_on or settings.fail_on or "warning"
    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {fail_on}: use one of {', '.join(FAIL_ON)}")
    platform = options.platform or settings.platform
    if platform:
        settings.platform = platform
    if options.assume_packaged_unit is not None:
        settings.assume_packaged_unit = options.assume_packaged_unit
    return Setup(
        settings=settings,
        engine_version=version,
        engine_origin=origin,
        all_policies=all_policies,
        policies=policies,
        severity=severity,
        exceptions=exceptions,
        fail_on=fail_on,
        profile=profile,
        kinds=plugins.collect_source_kinds(pm),
        formats=plugins.collect_formats(pm),
        notes=notes,
    )


def _with_repo_policies(policies: List, settings: Settings) -> List:
    """A repository's own declarative policies: data only, never Python, never from outside it."""
    if not settings.policy_paths:
        return policies
    from .errors import PolicyError
    from .policy.pack import load_folder

    extra = []
    for entry in settings.policy_paths:
        folder = _policy_folder(entry, settings)
        try:
            extra.extend(load_folder(folder, origin=entry.rstrip("/") + "/", untrusted=True))
        except PolicyError as err:
            raise ConfigError(str(err)) from None
    ids = {p.meta.id for p in policies} | {p.meta.name for p in policies}
    for policy in extra:
        if policy.meta.id in ids or policy.meta.name in ids:
            raise ConfigError(f"policy {policy.meta.id} ({policy.meta.name}) from {policy.meta.origin} clashes with an existing rule")
        ids |= {policy.meta.id, policy.meta.name}
    return sorted(policies + extra, key=lambda p: p.meta.id)


def _policy_folder(entry: str, settings: Settings) -> Path:
    """A ``policy-paths`` folder: relative, and really inside the repository of the configuration
    (its git root, else its folder), symbolic links resolved."""
    where = line_of(settings, "policy-paths")
    if os.path.isabs(entry) or Path(entry).drive:
        raise ConfigError(f"{where}: policy folder {entry}: give a path relative to the configuration, inside the repository")
    root = Path(os.path.realpath(git_root(settings.root) or settings.root))
    folder = Path(os.path.realpath(settings.root / entry))
    if folder != root and root not in folder.parents:
        raise ConfigError(f"{where}: policy folder {entry} is outside the repository ({root}); policies are read only from inside it")
    if not folder.is_dir():
        raise ConfigError(f"{where}: policy folder {entry} does not exist")
    return folder


def gather(options: Options, setup: Setup):
    """Discover, extract and assemble: the hosts of the scanned paths (and notes on what was skipped)."""
    cwd = options.cwd or Path.cwd()
    settings = setup.settings
    excluded = filtering.path_matcher(settings.exclude)
    found: Discovery = discover(
        options.paths, setup.kinds, project_root=settings.root, excluded=excluded, cwd=cwd,
        kind=getattr(options, "kind", None), changed=bool(options.context),
    )
    notes = setup.notes + found.notes
    sources = list(found.sources)
    if options.context:
        # the rest of the host (its unit, its environment file) may live in files not given
        known = {s.path for s in sources}
        context = discover(options.context, setup.kinds, project_root=settings.root, excluded=excluded, cwd=cwd)
        sources.extend(s for s in context.sources if s.path not in known)
    kinds = kinds_by_name(setup.kinds)
    groups = []
    pulls: Dict[str, set] = {}
    from .parallel import CACHE_MIN_FILES, extract_all

    cache = None
    if options.cache and len(sources) >= CACHE_MIN_FILES:  # fewer: reading is faster than the cache's key (and its import)
        from .cache import for_scan

        cache = for_scan(options, settings, cwd)
    read = extract_all(sources, kinds, extract, cache=cache, jobs=options.jobs, progress=options.progress)
    for source, (fragments, extraction_notes, references) in zip(sources, read):
        notes.extend(extraction_notes)
        pulls.setdefault(source.rel, set()).update(references)
        groups.append((source, fragments))
    # a file another source pulls in whole is judged where it is used, not again on its own
    referenced = _pulled_in(pulls)
    groups = [(s, f) for s, f in groups if s.rel not in referenced or any(x.group for x in f)]
    reported = {s.rel for s in found.sources} if options.context else None
    hosts = assemble(groups, settings, notes, reported)
    notes[:] = _once_each(notes)
    return found, hosts, notes


def _once_each(notes: List[str]) -> List[str]:
    """Each note once, at its first place (a role file read for each play that applies it says a
    thing once); a note said without -v keeps that status over a plain twin."""
    once: Dict[str, str] = {}
    for note in notes:
        if note not in once or isinstance(note, Said):
            once[note] = note  # an equal key keeps its first place; the value becomes the Said twin
    return list(once.values())


def _pulled_in(pulls: Dict[str, set]) -> set:
    """The files some entry point (a file nothing pulls in) pulls in, directly or through others.
    Two scripts that source each other and nothing else reaches stay hosts of their own."""
    every = set().union(*pulls.values()) if pulls else set()
    stack = [rel for rel in pulls if rel not in every]
    reached: set = set()
    while stack:
        for rel in pulls.get(stack.pop(), ()):
            if rel not in reached:
                reached.add(rel)
                stack.append(rel)
    return reached


def run(options: Options, setup: Optional[Setup] = None) -> Result:
    started = time.perf_counter()
    cwd = options.cwd or Path.cwd()
    setup = setup or prepare(options)
    found, hosts, notes = gather(options, setup)
    context = Context(setup.engine_version, frozenset(setup.settings.allowed_keys), setup.settings, setup.engine_origin)
    before = _before(options, setup, hosts, context)
    skips = Skips()
    findings = evaluate(hosts, setup.policies, context, skips)
    if before is not None and not options.all_findings:
        findings = before.only_new(findings)
    unknown = unknowns.describe(hosts, skips)
    if before is not None:  # a change dlint could not judge on a host is said, one line a host
        from .change.transition import not_judged

        unknown.extend(not_judged(before, hosts, context, setup.policies))
    if options.context:
        scope = _scope(options.paths, cwd)
        findings = [f for f in findings if _in_scope(f, scope)]
        # what could not be judged, said only of the machines the given files belong to
        touched = {h.name for h in hosts if any(_place_in_scope(path, scope) for path in h.sources)}
        unknown = [u for u in unknown if u.host in touched]
    pragmas = _finish(findings, setup, cwd)
    findings.extend(_unused_waivers(options, setup, pragmas, found))
    applied = _baselined(options, setup, findings, cwd, hosts)
    findings = capped(findings)
    result = Result(setup, findings, found.files_seen, len(found.sources), hosts, notes, time.perf_counter() - started)
    result.unknowns = unknown
    result.cwd = cwd  # reports name paths relative to the repository root, whatever the cwd
    result.warnings = list(found.warnings)
    result.change = before  # linter.change.transition.Before with --diff-base, else None
    result.baseline = applied  # linter.change.baseline.Applied when a baseline was used, else None
    if applied is not None and applied.stale:
        result.warnings.append(f"baseline {applied.path.name}: {len(applied.stale)} entries match no finding now (stale); `dlint baseline --prune` removes them")
    result.exit_code = exit_code(result)
    return result


def _unused_waivers(options: Options, setup: Setup, pragmas, found) -> List[Finding]:
    """unused-waiver (DKD905): waivers naming no rule; on a whole scan, waivers that waived nothing."""
    from .change import waivers

    whole = not options.context and not options.diff_base and not getattr(options, "stdin", None)
    paths = [s.display for s in found.sources if s.data is not None]
    return waivers.findings(setup, pragmas, paths, whole, not options.paths, options.cwd or Path.cwd())


def _baselined(options: Options, setup: Setup, findings, cwd: Path, hosts=()):
    """The findings a baseline holds, marked as waived by it (a baseline is used when named, or
    when the repository root holds .dlint-baseline.json). Its paths are relative to the root,
    whatever the working directory (linter/change/baseline.py)."""
    from .change import baseline

    if not options.use_baseline:
        return None
    path = Path(os.path.abspath(cwd / options.baseline)) if options.baseline else baseline.default_path(setup, options)
    if not options.baseline and not path.is_file():
        return None
    root = baseline.root_of(setup, options)
    ident = baseline.Identity(root, cwd, shown_paths(findings, hosts))
    return baseline.apply(findings, baseline.load(path), ident, path, baseline.scope_of(options, root))


def shown_paths(findings, hosts) -> set:
    """Every path a run displays: its findings' files and places, its hosts' files."""
    shown = {f.location.path for f in findings} | {r.path for f in findings for r in f.related}
    shown |= {step.path for f in findings for step in f.location.trace}
    return shown | {path for host in hosts for path in host.sources}


def _before(options: Options, setup: Setup, hosts, context):
    """With --diff-base: the hosts at that revision, each paired with its host now."""
    if not options.diff_base:
        return None
    from .change import transition

    before = transition.read(options, setup, options.diff_base)
    transition.attach(before, hosts, context)
    return before


MAX_EMBEDDING_DEPTH = 8
MAX_EMBEDDED = 10_000


def kinds_by_name(kinds) -> Dict[str, object]:
    return {kind.name: kind for kind in kinds}


def extract(source, kinds: Dict[str, object]):
    """All fragments of one file, or, when a reader fails on it (a bug in dlint), one Unreadable
    fragment that says so: one odd file must not end the scan of the others (--debug re-raises)."""
    from .document import Document

    try:
        return _extract(source, kinds)
    except Overrun as err:  # a budget of linter.budget ran out: the file is too costly to read
        reason = f"{source.kind}: {err}"
    except Exception as err:  # noqa: BLE001 - reported as a finding on that file (exit code 3)
        if DEBUG:
            raise
        reason = f"dlint's {source.kind} reader failed on it ({type(err).__name__}: {err}); please report it"
    return [Unreadable(source, Document("", source.display), reason)], [], set()


DEBUG = False  # set by --debug: let internal errors raise


def _extract(source, kinds: Dict[str, object]):
    """All fragments of one file: what its kind reads, then, round again, every document embedded
    in it (a daemon.json in a heredoc in cloud-init), each read by the kind it calls for.

    Returns (fragments, notes, references): references are the repository files that the file
    pulls in whole (a template named by templatefile()); they are judged as part of it."""
    from .document import Document
    from .sources import ReadContext, still_templated

    if source.error is not None:
        return [Unreadable(source, Document("", source.display), source.error)], [], set()
    extraction = kinds[source.kind].extract(source)
    fragments = _grouped(extraction.fragments, extraction.group)
    notes = list(extraction.notes)
    references = set(extraction.references)
    syntax = source.kind if source.kind == "terraform" else None  # read as written: ${} stays in the text
    # depth first, in document order: writes are seen in the order they happen
    pending = [(embedded, 1, False, extraction.group, embedded.maybe) for embedded in reversed(extraction.embedded)]
    handled = 0
    while pending:
        embedded, depth, inherited, group, maybe = pending.pop()
        handled += 1
        label = embedded.document.label or embedded.kind
        if depth > MAX_EMBEDDING_DEPTH or handled > MAX_EMBEDDED:
            notes.append(f"{source.display}: {label}: documents nested too deep or too many; not read")
            continue
        kind = kinds.get(embedded.kind)
        if kind is None:
            notes.append(f"{source.display}: {label}: no source kind reads {embedded.kind!r}")
            continue
        if embedded.reference:
            references.add(embedded.reference)
        # inside a template, everything is templated, unless the template's own syntax shows it is not
        templated = embedded.templated or (inherited and still_templated(embedded.document.text, syntax))
        group = embedded.group or group
        context = ReadContext(source, embedded.target, templated, embedded.append, depth, group, embedded.opaque, embedded.placed, syntax)
        sub = kind.read(embedded.document, context)
        if templated:
            for fragment in sub.fragments:
                fragment.from_template = True
        if maybe:  # whether it runs is unknown: so is the swarm it makes the host part of
            for fragment in sub.fragments:
                if isinstance(fragment, SwarmMembership):
                    fragment.maybe = True
        fragments.extend(_grouped(sub.fragments, group))
        notes.extend(sub.notes)
        references |= sub.references
        pending.extend((inner, depth + 1, templated, group, maybe or inner.maybe) for inner in reversed(sub.embedded))
    return fragments, notes, references


def _grouped(fragments, group):
    if group:
        for fragment in fragments:
            if fragment.group is None:
                fragment.group = group
    return list(fragments)


def _scope(paths: Sequence[str], cwd: Path):
    """The given paths as display paths: files exactly, folders as prefixes."""
    from .discovery import display_path

    files, folders = set(), []
    for raw in paths or ["."]:
        absolute = Path(os.path.abspath(cwd / raw))
        shown = display_path(absolute, cwd)
        if absolute.is_dir():
            folders.append("" if shown == "." else shown.rstrip("/") + "/")
        else:
            files.add(shown)
    return files, folders


def _in_scope(finding: Finding, scope) -> bool:
    """With --context: a finding counts when it points into, or through, one of the given paths
    (a changed template counts even though no kind reads it on its own)."""
    location = finding.location
    places = [location.path, *(r.path for r in finding.related), *(step.path for step in location.trace)]
    return any(_place_in_scope(place, scope) for place in places)


def _place_in_scope(place: str, scope) -> bool:
    files, folders = scope
    return place in files or any(place.startswith(folder) for folder in folders)


def _finish(findings: List[Finding], setup: Setup, cwd: Path) -> None:
    """Severity overrides, waivers (.dlint.yaml exceptions, then inline pragmas) and fingerprints;
    then a stable order."""
    from .pragmas import Pragmas

    def resolve(selector: str):
        try:
            return {p.meta.id for p in filtering.resolve(selector, setup.all_policies, "inline")}
        except Exception:  # noqa: BLE001 - an unknown rule name in a comment waives nothing
            return set()

    pragmas = Pragmas(cwd, resolve)
    root = setup.settings.root
    seen: Dict[str, int] = {}
    findings.sort(key=Finding.sort_key)
    # one place reached twice on one host (a task file included twice) is one finding; a file two
    # hosts share keeps a finding for each
    unique = {}
    for finding in findings:
        unique.setdefault((finding.rule, str(finding.location), finding.message, finding.host), finding)
    findings[:] = list(unique.values())
    for finding in findings:
        if finding.rule in setup.severity:
            finding.severity = setup.severity[finding.rule]
        rel = _relative(cwd / finding.location.path, root)
        finding.waived = filtering.waiver(finding, rel, setup.exceptions)
        if finding.waived is None:
            finding.waived, refused = pragmas.waiver(finding)
            if refused:
                finding.message += " (an inline dlint: disable here gives no reason after --, so it does not apply)"
        base = fingerprint(finding.rule, rel, finding.pointer, "")
        count = seen.get(base, 0)
        seen[base] = count + 1
        finding.fingerprint = base if count == 0 else fingerprint(finding.rule, rel, finding.pointer, str(count))
    return pragmas


def _relative(path: Path, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def exit_code(result: Result) -> int:
    active = result.active
    if any(f.input_error for f in active):
        return exitcodes.INPUT
    threshold = result.setup.fail_on
    if threshold == "never":
        return exitcodes.OK
    floor = SEVERITY_RANK[threshold]
    if any(f.rank >= floor for f in active):
        return exitcodes.FINDINGS
    return exitcodes.OK

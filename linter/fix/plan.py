"""From a scan's findings to the new bytes of each file: which fixes apply, where, and whether the
edited file reads back as meant.

A fix is applied only where its finding was reported and not waived (so ``--select``,
``--ignore``, exceptions and inline waivers hold). Fixes of one document that touch the same text
wait for the next round. The edited real file is read again by its own source kind: every edited
daemon.json must come out as the fixed text and parse; otherwise the fix is offered as a diff only.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import field
from ..lazyclass import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..document import Document
from ..evaluate import Context
from ..findings import Finding
from ..fragments import DaemonConfig
from .daemon import Fix, fixes
from .host import HOST_RULES, fixes as host_fixes, flag_fixes, pin_fixes, service_fixes, write_files_fixes
from .edits import Edit, NotLiteral, apply, outward, overlaps

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass
class Change:
    """One real file to rewrite."""

    path: Path
    display: str
    source: object  # the Source that read it (its kind reads it back)
    original: bytes
    text: str
    new_text: str = ""
    new: bytes = b""
    fixed: List[Tuple[Finding, Fix]] = field(default_factory=list)
    expected: List[str] = field(default_factory=list)  # each edited daemon.json as it must read back
    edits: List[Edit] = field(default_factory=list)  # in the real file's text
    placed: List[Tuple[Finding, Fix, List[Edit]]] = field(default_factory=list)  # each fix with its edits of the real file
    created: bool = False  # a new file (a drop-in): written only where nothing is


@dataclass
class Offer:
    """A fix shown as a diff of the embedded daemon.json, not applied: why."""

    where: str
    reason: str
    before: str
    after: str
    fixed: List[Tuple[Finding, Fix]]


@dataclass
class Plan:
    changes: Dict[str, Change] = field(default_factory=dict)
    offers: List[Offer] = field(default_factory=list)
    unsafe_skipped: int = 0


def make(result, cwd: Path, unsafe: bool = False) -> Plan:
    setup = result.setup
    context = Context(setup.engine_version, frozenset(setup.settings.allowed_keys), setup.settings, setup.engine_origin)
    choice = _Choice(result, unsafe)
    for host in result.hosts:
        engine = context.for_host(host).engine(host)
        flags = list(flag_fixes(host, engine))
        # a live-restore flag goes before the key does (the key is where a reload can change it)
        for holder, fix in [pair for pair in flags if pair[1].rule == "DKD202"]:
            choice.consider(holder, [fix], host)
        for config in host.daemon_configs:
            if choice.first(config):
                choice.consider(config, fixes(config, engine), host)  # the file's own fixes: once
            choice.consider(config, host_fixes(host, config, engine), host)
            for holder, fix in write_files_fixes(host, config, engine):
                choice.consider(holder, [fix], host)
        # another flag goes where daemon.json's copy cannot (a file that hosts without the flag share)
        for holder, fix in [pair for pair in flags if pair[1].rule != "DKD202"]:
            choice.consider(holder, [fix], host)
        for holder, fix in service_fixes(host):
            choice.consider(holder, [fix], host)
        for holder, fix in pin_fixes(host, engine, setup.engine_origin):
            choice.consider(holder, [fix], host)
    for holder, chosen in choice.per_document.values():
        if chosen:
            _place(choice.plan, holder, chosen, cwd)
    kinds = {kind.name: kind for kind in setup.kinds}
    for key in [k for k, c in choice.plan.changes.items() if not c.created]:
        _finish(choice.plan, choice.plan.changes[key], kinds)
    return choice.plan


class _Choice:
    """Which fixes apply: each where its finding was reported (on every host that shares the
    file, for HOST_RULES), not waived, safe unless asked, not overlapping one already chosen."""

    def __init__(self, result, unsafe: bool):
        self.plan = Plan()
        self.unsafe = unsafe
        self.reported: Dict[tuple, Finding] = {}
        self.reported_on: Dict[tuple, set] = {}
        for f in result.active:
            place = (f.rule, f.location.path, f.location.line, f.location.column)
            self.reported.setdefault(place, f)
            self.reported_on.setdefault(place, set()).add(f.host)
        self.per_document: Dict[int, Tuple[object, List[Tuple[Finding, Fix]]]] = {}
        self.sharing: Dict[str, set] = {}  # the hosts that install each daemon.json, or run each command word
        self.fixed: set = set()  # the findings a fix was chosen for (one fix each)
        for host in result.hosts:
            for config in host.daemon_configs:
                self.sharing.setdefault(_start(config.document), set()).add(host.name)
            if host.command is not None and not host.command.assumed:
                for word in host.command.words:
                    self.sharing.setdefault(_word_place(word.location), set()).add(host.name)

    def first(self, holder) -> bool:
        return id(holder.document) not in self.per_document

    def consider(self, holder, candidates, host) -> None:
        chosen = self.per_document.setdefault(id(holder.document), (holder, []))[1]
        for fix in candidates:
            where = fix.finding_at or holder.document.location(*fix.at)
            place = (fix.rule, where.path, where.line, where.column)
            finding = self.reported.get(place)
            if finding is None or id(finding) in self.fixed or any(overlaps(fix.edits, other.edits) for _, other in chosen):
                continue
            # the file (or command line) is shared: every host it is part of must have the finding
            shared = {h for word in fix.words for h in self.sharing.get(_word_place(word), {host.name})} if fix.words else self.sharing.get(_start(holder.document), {host.name})
            if fix.rule in HOST_RULES and not shared <= self.reported_on[place]:
                continue  # another host that installs this file does not have the finding
            if not fix.safe and not self.unsafe:
                self.plan.unsafe_skipped += 1
                continue
            chosen.append((finding, fix))
            self.fixed.add(id(finding))


def _place(plan: Plan, config: DaemonConfig, chosen: List[Tuple[Finding, Fix]], cwd: Path) -> None:
    """The chosen fixes of one daemon.json, carried out to its real file (or offered as a diff)."""
    for finding, fix in [pair for pair in chosen if pair[1].creates]:
        _create(plan, finding, fix, cwd)
    chosen = [pair for pair in chosen if not pair[1].creates]
    if not chosen:
        return
    document = config.document
    inner = [edit for _, fix in chosen for edit in fix.edits]
    fixed_text = apply(document.text, inner)
    try:
        carried = [outward(document, edit) for edit in inner]
    except NotLiteral as err:
        plan.offers.append(Offer(_where(document), str(err), document.text, fixed_text, chosen))
        return
    root = carried[0][0]
    change = plan.changes.get(root.path)
    if change is None:
        change = _open(root, config, cwd)
        if change is None:
            plan.offers.append(Offer(_where(document), "its file does not read back as dlint read it", document.text, fixed_text, chosen))
            return
        plan.changes[root.path] = change
    outer = [edit for _, edit in carried]
    if overlaps(outer, change.edits):
        return  # two documents edit the same text: the next round
    change.edits.extend(outer)
    change.fixed.extend(chosen)
    cursor = 0
    for finding, fix in chosen:
        change.placed.append((finding, fix, outer[cursor : cursor + len(fix.edits)]))
        cursor += len(fix.edits)
    if isinstance(config, DaemonConfig):
        change.expected.append(fixed_text)  # a daemon.json must read back as fixed


def _create(plan: Plan, finding: Finding, fix: Fix, cwd: Path) -> None:
    display, text = fix.creates
    path = Path(cwd) / display
    if display in plan.changes or os.path.lexists(path) or _read(path) is not None:  # on disk, or in a preview's memory
        return  # a file is there: what it says is for the next scan to judge
    change = Change(path=path, display=display, source=None, original=b"", text="", new_text=text, new=text.encode("utf-8"), created=True)
    change.fixed.append((finding, fix))
    change.placed.append((finding, fix, [Edit(0, 0, text)]))
    plan.changes[display] = change


def _word_place(location) -> str:
    return f"{location.path}:{location.line}:{location.column}"


def _start(document: Document) -> str:
    """Where a document starts in its real file: the same file read for two hosts is one place."""
    return str(document.location(0, 0))


def _where(document: Document) -> str:
    parts = []
    while document.parent is not None:
        parts.append(document.label or "embedded")
        document = document.parent
    return " › ".join([document.path, *reversed(parts)])


def _open(root: Document, config: DaemonConfig, cwd: Path) -> Optional[Change]:
    source = config.source
    path = source.path if source.display == root.path else Path(cwd) / root.path
    data = source.data if source.display == root.path and source.data is not None else _read(path)
    if data is None:
        return None
    text = decode(data)
    if text is None or text[2] != root.text:
        return None
    # a file another one pulls in (an Ansible copy's src:, a templatefile()) is read back alone
    own = source if source.display == root.path else None
    return Change(path=Path(path), display=root.path, source=own, original=data, text=root.text)


def _read(path: Path) -> Optional[bytes]:
    from ..discovery import MAX_BYTES, read_bounded

    return read_bounded(path, MAX_BYTES)[0]  # a preview's round reads its own earlier edits


def decode(data: bytes) -> Optional[Tuple[bytes, str, str]]:
    """(BOM, encoding, text) of a file as dlint reads it; None when it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return bom, encoding, data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return b"", "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _finish(plan: Plan, change: Change, kinds: dict) -> None:
    """The new bytes, in the file's own encoding and BOM, checked by reading them back."""
    bom, encoding, _ = decode(change.original)
    change.new_text = apply(change.text, change.edits)
    change.new = bom + change.new_text.encode(encoding)
    problem = _reads_back(change, kinds)
    if problem:
        del plan.changes[change.display]
        for finding, fix in change.fixed:
            plan.offers.append(Offer(change.display, problem, "", "", [(finding, fix)]))


def _reads_back(change: Change, kinds: dict) -> str:
    """Why the new bytes are not what the fixes meant ('' when they are)."""
    from dataclasses import replace

    from ..scan import extract
    from ..sources.daemon_json import read

    if change.source is None:
        # pulled in by another file: it must be the daemon.json itself, and parse
        if change.expected == [change.new_text] and read(change.new_text)[1] is None:
            return ""
        return "it is read through another file, and the edit cannot be checked on its own"
    if change.source.kind not in kinds:
        return f"no source kind reads {change.display} back"
    fragments, _, _ = extract(replace(change.source, data=change.new, error=None), kinds)
    configs = [f for f in fragments if isinstance(f, DaemonConfig)]
    texts = {f.document.text for f in configs if f.readable}
    missing = [text for text in change.expected if text not in texts]
    if missing:
        return "the edit does not read back exactly from its container (its quoting or escaping would change it)"
    return ""

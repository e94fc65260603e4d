"""Fixes that need the whole host: a key also set as a flag, live-restore and swarm.

The edit is still made in the daemon.json; ``linter.fix.plan`` applies one only where every host
that installs that daemon.json reported the finding, since the file is shared by them all.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Iterator, List, Optional, Tuple

from ..fragments import ServiceAction
from ..jsonread import Node, to_python
from .daemon import Fix, remove_member
from .edits import Edit

# rules whose fix must hold on every host that shares the file
HOST_RULES = frozenset({"DKD101", "DKD102", "DKD201", "DKD202"})


def fixes(host, config, engine) -> Iterator[Fix]:
    if config.root is None:
        return
    yield from _agreeing_flags(host, config, engine)
    yield from _reset_drop_in(host, config, engine)
    yield from _live_restore(config)


def _normal(value):
    """A value for comparison: list order and repeats do not matter to what dockerd runs."""
    if isinstance(value, list):
        return sorted({repr(_normal(v)) for v in value})
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def _agree(member, flags, engine) -> bool:
    """The command line's flags give the key the value daemon.json gives it."""
    from dlint_docker.policies.checks._conflicts import flag_value

    values = [flag_value(f, engine) for f in flags]
    if values and isinstance(values[0], list):
        flag_side = [item for v in values for item in v]
    elif values and isinstance(values[0], dict):
        flag_side = {k: v for d in values for k, v in d.items()}
    else:
        flag_side = values[-1] if values else None
    return flag_side is not None and _normal(flag_side) == _normal(to_python(member.value))


def _agreeing_flags(host, config, engine) -> Iterator[Fix]:
    """A key that the command line sets to the same value: daemon.json's copy goes (safe)."""
    from dlint_docker.policies.checks._conflicts import conflicts

    root = config.root
    for found, member, flags in conflicts(host, engine):
        if found is not config or not any(m is member for m in root.value) or root.get(member.key) is not member:
            continue  # only a top-level key given once: its removal is the whole change
        if not _agree(member, flags, engine):
            continue
        rule = "DKD202" if member.key == "live-restore" else "DKD201"
        at = (member.key_start, member.key_end)
        yield Fix(rule, at, (remove_member(root, member),), f'remove "{member.key}" from daemon.json (the command line sets the same value)')


# the packaged docker.service's ExecStart without -H fd://, as a drop-in that resets it
RESET = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n"
_DAEMON_JSON = "etc/docker/daemon.json"


def _reset_drop_in(host, config, engine) -> Iterator[Fix]:
    """"hosts" in a rootfs tree's daemon.json against the packaged unit's -H fd:// (assumed: the
    tree has no docker.service): the drop-in that takes -H fd:// off, beside the daemon.json."""
    from dlint_docker.policies.checks._conflicts import conflicts

    command = host.command
    display = config.document.path
    if command is None or not command.assumed or config.document.parent is not None or not display.endswith(_DAEMON_JSON):
        return
    if display != _DAEMON_JSON and not display.endswith("/" + _DAEMON_JSON):
        return
    for found, member, flags in conflicts(host, engine):
        if found is config and member.key == "hosts" and config.root.get("hosts") is member:
            prefix = display[: -len(_DAEMON_JSON)]
            creates = (prefix + "etc/systemd/system/docker.service.d/override.conf", RESET)
            title = f"add {creates[0]}: the packaged unit's ExecStart without -H fd://"
            yield Fix("DKD201", (member.key_start, member.key_end), (), title, creates=creates)


def _live_restore(config) -> Iterator[Fix]:
    """Unsafe: live-restore on where DKD101 says a host lacks it, off where DKD102 says it is a swarm node."""
    root: Node = config.root
    member = root.get("live-restore")
    if member is None:
        yield Fix("DKD101", (root.start, root.start + 1), (_add_member(root, config.document.text, '"live-restore": true'),), 'add "live-restore": true', safe=False)
        return
    if member.value.kind == "false":
        edit = Edit(member.value.start, member.value.end, "true")
        yield Fix("DKD101", (member.key_start, member.key_end), (edit,), 'set "live-restore" to true', safe=False)
    if member.value.kind == "true":
        edits = tuple(remove_member(root, m) for m in root.value if m.key == "live-restore")
        yield Fix("DKD102", (member.key_start, member.key_end), edits, 'remove "live-restore" from this swarm node', safe=False)


def _add_member(root: Node, text: str, member: str) -> Edit:
    """``member`` added last, laid out like the others (its own line when they have theirs)."""
    if not root.value:
        return Edit(root.start, root.end, "{" + member + "}")
    last = root.value[-1]
    if len(root.value) > 1:  # the separator the last two members have
        return Edit(last.value.end, last.value.end, text[root.value[-2].value.end : last.key_start] + member)
    first = root.value[0]
    between = text[root.start + 1 : first.key_start]
    if "\n" not in between:
        return Edit(last.value.end, last.value.end, ", " + member)
    newline = "\r\n" if "\r\n" in text else "\n"
    line_start = text.rfind("\n", 0, last.key_start) + 1
    indentation = text[line_start : last.key_start]
    return Edit(last.value.end, last.value.end, "," + newline + indentation + member)


# `systemctl restart docker` (options before the verb allowed) and `service docker restart`, under sudo too
_RESTART = re.compile(r"(?:sudo\s+(?:-\S+\s+)*)?(?:systemctl\s+(?:-\S+\s+)*(restart)\s+docker(?:\.service)?|service\s+docker\s+(restart))\Z")


def service_fixes(host) -> Iterator[Tuple[object, Fix]]:
    """Unsafe: a restart after live-restore is turned on becomes a reload (DKD107). The edit is
    made in the file the command is written in, at the finding's own place."""
    for action in host.of(ServiceAction):
        if action.action != "restart" or action.location is None or not action.location.exact:
            continue
        root = action.document
        while root.parent is not None:
            root = root.parent
        start, end = _offsets(root, action.location)
        match = _RESTART.match(root.text, start, end) if start is not None else None
        if match is None:
            continue
        verb = 1 if match.group(1) else 2
        edit = Edit(match.start(verb), match.end(verb), "reload")
        yield SimpleNamespace(document=root, source=action.source), Fix("DKD107", (start, end), (edit,), "reload docker instead of restarting it", safe=False)


def _offsets(document, location):
    """Offsets in ``document`` (a real file's text) of a location in it; (None, None) if it is elsewhere."""
    if location.path != document.path:
        return None, None
    starts = document._line_starts()
    if location.end_line > len(starts):
        return None, None
    return starts[location.line - 1] + location.column - 1, starts[location.end_line - 1] + location.end_column - 1


# -- the flag side: the repository's own unit, script or environment file --------------------------


def flag_fixes(host, engine) -> Iterator[Tuple[object, Fix]]:
    """Safe: the flags that set a key daemon.json sets to the same value, taken off the command line
    where the repository writes it (an ExecStart= of its unit or drop-in, also one cloud-init's
    write_files or a heredoc writes; a script; DOCKER_OPTS in an environment file). The edit is made
    in that real file, at each flag's exact place. ``linter.fix.plan`` prefers it for live-restore
    (DKD202: the key is where a reload can change it) and otherwise uses it only where daemon.json's
    copy cannot go (the file is shared with hosts that lack the flag)."""
    from dlint_docker.policies.checks._conflicts import conflicts

    command = host.command
    if command is None or command.assumed:
        return
    for config, member, flags in conflicts(host, engine):
        if not _agree(member, flags, engine):
            continue
        words = [w for flag in flags for w in (flag.word, flag.value_word) if w is not None]
        if len({w.location.path for w in words}) != 1:
            continue  # flags in two files: not one edit
        found = _real_file(host, words[0].location.path)
        if found is None:
            continue
        source, root = found
        spans = [_offsets(root, w.location) for w in words]
        if any(s is None or root.text[s:e] != w.text or not w.location.exact for (s, e), w in zip(spans, words)):
            continue  # the word is not written as such there (quoted, expanded, rendered)
        edits = _dropped(root.text, spans)
        if edits is None:
            continue
        rule = "DKD202" if member.key == "live-restore" else "DKD201"
        spelled = " ".join(w.text for w in words)
        title = f'remove {spelled} from the command line ("{member.key}" in daemon.json says the same)'
        at = config.document.location(member.key_start, member.key_end)
        yield SimpleNamespace(document=root, source=source), Fix(rule, spans[0], tuple(edits), title, finding_at=at, words=tuple(w.location for w in words))


def _real_file(host, path: str):
    """(Source, root Document) of the repository file ``path`` among the host's fragments."""
    for fragment in host.fragments:
        document = fragment.document
        while document.parent is not None:
            document = document.parent
        if document.path == path and fragment.source.display == path and not document.via:
            return fragment.source, document
    return None


def _dropped(text: str, spans) -> Optional[List[Edit]]:
    """Edits that take words (a flag, then its value) out of a command line with the blank that
    separates them; a word alone on a continued line takes its line."""
    spans = sorted(spans)
    merged = []
    for start, end in spans:  # a flag and its value on one line go as one run
        if merged and text[merged[-1][1] : start].strip(" \t") == "":
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    edits = []
    for start, end in merged:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        before, after = text[line_start:start], text[end:line_end].rstrip("\r")
        if before.strip(" \t") == "" and after.strip(" \t") == "\\":
            edits.append(Edit(line_start, line_end + 1, ""))  # its own continued line
        elif before.strip(" \t") == "":
            # first on its line: the continuation that led to it goes with it
            previous_end = line_start - 1
            if previous_end <= 0 or not text[:previous_end].rstrip("\r").endswith("\\"):
                return None
            cut = text[:previous_end].rstrip("\r")[:-1].rstrip(" \t")
            edits.append(Edit(len(cut), end, ""))
        else:
            blank = start
            while blank > line_start and text[blank - 1] in " \t":
                blank -= 1
            edits.append(Edit(blank if blank < start else start, end + (len(after) - len(after.lstrip(" \t")) if blank == start else 0), ""))
    return edits


# -- cloud-init: the reset drop-in as one more write_files entry ---------------------------------

DROP_IN = "/etc/systemd/system/docker.service.d/override.conf"


def write_files_fixes(host, config, engine) -> Iterator[Tuple[object, Fix]]:
    """Safe: "hosts" in a daemon.json that cloud-init's write_files writes, against the packaged
    unit's -H fd:// (the user-data writes no docker.service): the drop-in that resets ExecStart,
    written by a write_files entry added right after the daemon.json's, laid out like it. The edit
    is made in the cloud-config's text and carried out to its real file (a Terraform heredoc, say)
    where that is literal; elsewhere it is offered as a diff."""
    from dlint_docker.policies.checks._conflicts import conflicts

    from ..yamlnodes import compose, is_map, is_seq, mapping_of

    command, document = host.command, config.document
    cloud = document.parent
    if command is None or not command.assumed or cloud is None or config.target != "/etc/docker/daemon.json":
        return
    member = next((m for found, m, _ in conflicts(host, engine) if found is config and m.key == "hosts" and config.root.get("hosts") is m), None)
    start = document._to_parent(0)
    if member is None or start is None or not document.label.startswith("write_files["):
        return
    root, problem = compose(cloud.text)
    if problem is not None or root is None or not is_map(root) or "write_files" not in mapping_of(root):
        return
    entries = mapping_of(root)["write_files"][1]
    if not is_seq(entries):
        return
    paths = [mapping_of(e).get("path", (None, None))[1] for e in entries.value if is_map(e)]
    if any(getattr(p, "value", None) in (DROP_IN, DROP_IN.lstrip("/")) for p in paths):
        return  # an entry already writes that drop-in: what it says is for the next scan to judge
    entry = next((e for e in entries.value if is_map(e) and e.start_mark.index <= start <= e.end_mark.index), None)
    insert = _entry_end(cloud.text, entry) if entry is not None else None
    if insert is None:
        return
    text = cloud.text
    key_column = entry.start_mark.column
    line_start = text.rfind("\n", 0, entry.start_mark.index) + 1
    dash = text[line_start : entry.start_mark.index]  # "  - ": the entry's own lead
    if dash.strip(" ") != "-" and not dash.rstrip(" ").endswith("-"):
        return
    newline = "\r\n" if "\r\n" in text else "\n"
    keys = " " * key_column
    body = "".join(f"{keys}  {line}{newline}" if line else newline for line in RESET.splitlines())
    item = f"{dash}path: {DROP_IN}{newline}{keys}content: |{newline}{body}"
    title = f"write {DROP_IN} in write_files: the packaged unit's ExecStart without -H fd://"
    at = document.location(member.key_start, member.key_end)
    yield SimpleNamespace(document=cloud, source=config.source), Fix("DKD201", (insert, insert), (Edit(insert, insert, item),), title, finding_at=at)


def _entry_end(text: str, entry) -> Optional[int]:
    """Where the line after a block write_files entry starts (its last value's last line ended),
    or None when the entry is a flow mapping or the file ends without a line break."""
    if text[entry.start_mark.index : entry.start_mark.index + 1] == "{":
        return None
    last = entry.value[-1][1] if entry.value else None
    if last is None:
        return None
    end = last.end_mark.index
    if end > 0 and text[end - 1] == "\n":
        # a block scalar ends after its line break, and after the blank lines it kept: back to its last line
        while end > 1 and text[end - 2] == "\n":
            end -= 1
        return end
    line_end = text.find("\n", end)
    return None if line_end == -1 else line_end + 1


# -- DKD104 (unsafe): the engine pinned to the release series the hosts run -------------------------

_PIN_MANAGERS = ("apt", "yum", "dnf")


def pin_fixes(host, engine, origin: str) -> Iterator[Tuple[object, Fix]]:
    """Unsafe: a script's ``apt-get install docker-ce`` (yum, dnf) without a version, pinned to the
    release series the user says the hosts run (``--engine-version``, ``engine-version:``):
    ``'docker-ce=5:27.5.*'``, ``'docker-ce-27.5.*'``, quoted so the shell does not glob it. Never
    for dlint's default release: that is the newest dlint knows, not what runs, and pinning to it
    could downgrade a newer engine. Not held (apt-mark hold) by the fix: that is the user's call."""
    from ..fragments import EnginePackage

    if origin not in ("command line", "config"):
        return
    version = engine.version
    series = f"{version.major}.{version.minor:02d}" if version.major < 23 else f"{version.major}.{version.minor}"
    for package in host.of(EnginePackage):
        if package.pin != "none" or package.name != "docker-ce" or package.manager not in _PIN_MANAGERS or package.location is None:
            continue
        found = _real_file(host, package.location.path)
        if found is None or not package.location.exact:
            continue
        source, root = found
        start, end = _offsets(root, package.location)
        if start is None or root.text[start:end] != package.name:
            continue  # the name comes from a variable or is quoted: not one word to rewrite
        if package.manager == "apt":
            pinned = f"docker-ce={'5:' if (version.major, version.minor) >= (18, 9) else ''}{series}.*"
        else:
            pinned = f"docker-ce-{series}.*"
        title = f"install '{pinned}' (the engine pinned to the {series} series dlint judges for)"
        yield SimpleNamespace(document=root, source=source), Fix("DKD104", (start, end), (Edit(start, end, f"'{pinned}'"),), title, safe=False)

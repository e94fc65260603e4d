"""Fixes that need the whole host: a key also set as a flag, live-restore and swarm.

The edit is still made in the daemon.json; ``linter.fix.plan`` applies one only where every host
that installs that daemon.json reported the finding, since the file is shared by them all.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Iterator, Tuple

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


def _agreeing_flags(host, config, engine) -> Iterator[Fix]:
    """A key that the command line sets to the same value: daemon.json's copy goes (safe)."""
    from policies.checks._conflicts import conflicts, flag_value

    root = config.root
    for found, member, flags in conflicts(host, engine):
        if found is not config or not any(m is member for m in root.value) or root.get(member.key) is not member:
            continue  # only a top-level key given once: its removal is the whole change
        values = [flag_value(f, engine) for f in flags]
        if values and isinstance(values[0], list):
            flag_side = [item for v in values for item in v]
        elif values and isinstance(values[0], dict):
            flag_side = {k: v for d in values for k, v in d.items()}
        else:
            flag_side = values[-1] if values else None
        if flag_side is None or _normal(flag_side) != _normal(to_python(member.value)):
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
    from policies.checks._conflicts import conflicts

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

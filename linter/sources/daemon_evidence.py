"""Is a JSON object a Docker daemon configuration? Decided from its keys, as dockerd sees them.

dockerd flattens the file before it checks keys (dockerd-facts §1.1 step 2): a top-level object
that is not a map option is replaced by its own members, so ``{"prod": {"live-restore": true}}``
configures live-restore. The evidence is therefore the flattened keys: one that some dockerd
release knows (or a case/separator slip of one) makes a configuration; so do keys that are mostly
near misses of options (``debu``, ``cgroup-paren``: dockerd refuses them, the file is still meant
for it). A PM2 process file named daemon.json has neither.
"""

from __future__ import annotations

import re
from typing import List, Tuple

from ..engine.knowledge import key_table
from ..engine.suggest import suggest

# map options dockerd does not flatten (dockerd-facts §1.1 step 2), across releases
FLAT_OPTIONS = frozenset({"cluster-store-opts", "default-network-opts", "log-opts", "runtimes", "default-ulimits", "features", "builder", "nri-opts"})
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]]')
_COLON = re.compile(r"[ \t\r\n]*:")
MAX_NEAR_LENGTH_GAP = 2  # log_date_format is not a slip of log-format


def flattened(root) -> List[str]:
    """The keys dockerd checks of a parsed object (jsonread.Node), and the wrappers' own keys (a
    misspelt map option, "log-opt": {...}, is evidence too)."""
    keys: List[str] = []
    for member in root.value:
        keys.append(member.key)
        value = member.value
        if value is not None and value.kind == "object" and member.key not in FLAT_OPTIONS:
            keys.extend(inner.key for inner in value.value)
    return keys


def flattened_lenient(text: str) -> List[str]:
    """The same keys from text that may not parse (a trailing comma): top-level keys, and the
    members of a top-level object that dockerd would flatten."""
    keys: List[str] = []
    stack: List[Tuple[str, str]] = []  # (opening bracket, key that owns it)
    last_key = ""
    pos = 0
    while True:
        match = _TOKEN.search(text, pos)
        if not match:
            return keys
        token, pos = match.group(0), match.end()
        if token in "{[":
            owner = last_key if len(stack) == 1 and token == "{" else ""
            stack.append((token, owner))
            last_key = ""
        elif token in "}]":
            if stack:
                stack.pop()
        elif _COLON.match(text, pos) and stack and stack[-1][0] == "{":
            key = _unquote(token)
            if len(stack) == 1 or (len(stack) == 2 and stack[1][1] and stack[1][1] not in FLAT_OPTIONS):
                keys.append(key)
            last_key = key


def _unquote(token: str) -> str:
    import json

    try:
        return json.loads(token)
    except ValueError:
        return token[1:-1]


def near_miss(key: str) -> bool:
    """A slip of a dockerd option that dockerd itself would refuse: ``debu``, ``fixed-cid``."""
    options = [k for k, fact in key_table().items() if fact.kind == "option"]
    meant = suggest(key, options, fuzzy=True)
    return meant is not None and abs(len(meant) - len(key)) <= MAX_NEAR_LENGTH_GAP


def is_daemon_config(keys: List[str], known) -> bool:
    """``known(key)``: a key some dockerd release knows. A configuration has one such key, or keys
    at least half of which are near misses of options."""
    if any(known(k) for k in keys):
        return True
    near = sum(1 for k in keys if near_miss(k))
    return near > 0 and 2 * near >= len(keys)

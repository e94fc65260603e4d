"""The kind of a file named on the command line whose name no kind claims, from its content.

``dlint scan prod.json`` of a daemon configuration under a name dlint does not claim must not be a
silent pass: the file is read as the kind its content shows. Only kinds whose first bytes are
evidence on their own are asked (a ``#!`` line, ``#cloud-config``, Butane's ``variant:``); a JSON
object is a daemon configuration when its keys, flattened as dockerd flattens them, are dockerd's.
"""

from __future__ import annotations

from typing import Optional, Sequence

# kinds whose sniff() needs no name to go with it, in the order they are asked
CONTENT_KINDS = ("ignition", "packer", "butane", "ansible", "cloud-init", "shell")


def by_content(kinds: Sequence, data: bytes):
    """The kind whose content ``data`` is, or None."""
    from .sources import HEAD_BYTES

    named = {kind.name: kind for kind in kinds}
    daemon = named.get("daemon-json")
    if daemon is not None and looks_like_daemon_json(data):
        return daemon
    head = data[:HEAD_BYTES]
    for name in CONTENT_KINDS:
        kind = named.get(name)
        if kind is not None and kind.sniff(head):
            return kind
    return None


def looks_like_daemon_json(data: bytes) -> bool:
    from .sources.daemon_evidence import flattened, flattened_lenient, is_daemon_config
    from .sources.daemon_json import decode, known_anywhere, read

    text, problem = decode(data)
    if not text.strip().startswith("{"):
        return False
    root, problem = read(text, problem)
    if root is not None:
        keys = flattened(root)
    elif problem is not None:
        keys = flattened_lenient(text)
    else:
        return False
    return bool(keys) and is_daemon_config(keys, known_anywhere)


def kind_named(kinds: Sequence, name: Optional[str]):
    """The kind ``--kind NAME`` forces, or a usage error that lists them."""
    from .errors import UsageError

    for kind in kinds:
        if kind.name == name:
            return kind
    raise UsageError(f"--kind {name}: use one of {', '.join(sorted(k.name for k in kinds))}")

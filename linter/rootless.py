"""Rootless Docker: where its files are, and what ``dockerd-rootless-setuptool.sh install`` writes.

Rootless dockerd runs under the user's systemd manager from ``~/.config/systemd/user/docker.service``
(``$XDG_CONFIG_HOME/systemd/user``), started by ``dockerd-rootless.sh``, which passes its arguments
to dockerd; it reads ``$XDG_CONFIG_HOME/docker/daemon.json``, i.e. ``~/.config/docker/daemon.json``
(dockerd-facts §2.4). A daemon.json put anywhere else under a home's ``.config`` is read by no
dockerd. ``dockerd-rootless-setuptool.sh install`` writes the user unit below unless one is there
(moby ``contrib/dockerd-rootless-setuptool.sh`` install_systemd; ``$BIN`` is /usr/bin for the
docker-ce-rootless-extras package; its flags are empty, but with ``--skip-iptables`` they hold
``--iptables=false`` when the machine lacks iptables: then the command line is not known).
"""

from __future__ import annotations

import re
from typing import Optional

from .document import Document

USER_UNIT = "~/.config/systemd/user/docker.service"
CONFIG = "~/.config/docker/daemon.json"

# the user manager's unit search path (systemd.unit(5), "User Unit Search Path"), highest first;
# a home may be written ~, $HOME, /home/NAME, /root or a template
_USER_DIRS = (
    re.compile(r"(?:^|/)\.config/systemd/user$"),
    re.compile(r"^(?:/etc/xdg|/etc)/systemd/user$"),
    re.compile(r"^/run/systemd/user$"),
    re.compile(r"(?:^|/)\.local/share/systemd/user$"),
    re.compile(r"^/usr/local/(?:lib|share)/systemd/user$"),
    re.compile(r"^(?:/usr)?/lib/systemd/user$"),
)
_HOME_CONFIG = re.compile(r"(?:^~|^\$\{?HOME\}?|^/home/[^/]+|^/root|\}\})/\.config/")
_ROOTLESS_CONFIG = re.compile(r"(?:^|/)\.config/docker/daemon\.json$")

SETUPTOOL_DISPLAY = "<dockerd-rootless-setuptool.sh docker.service>"
_SETUPTOOL_UNIT = """\
# dlint's summary of the user unit dockerd-rootless-setuptool.sh install writes
[Unit]
Description=Docker Application Container Engine (Rootless)
Requires=dbus.socket

[Service]
Environment=PATH=/usr/bin:/sbin:/usr/sbin:$PATH
ExecStart=/usr/bin/dockerd-rootless.sh
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutSec=0
RestartSec=2
Restart=always
StartLimitBurst=3
StartLimitInterval=60s
LimitNOFILE=infinity
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
Delegate=yes
Type=notify
NotifyAccess=all
KillMode=mixed

[Install]
WantedBy=default.target
"""


def user_load_rank(folder: str) -> Optional[int]:
    """The place of ``folder`` in the user manager's unit search path (0 first), or None."""
    for rank, pattern in enumerate(_USER_DIRS):
        if pattern.search(folder):
            return rank
    return None


def is_user_unit(target: Optional[str]) -> bool:
    """A unit or drop-in of the user's systemd manager (``~/.config/systemd/user/docker.service``)."""
    if not target:
        return False
    folder = target.replace("\\", "/").rsplit("/", 1)[0]
    if folder.endswith(".d"):
        folder = folder.rsplit("/", 1)[0]
    return user_load_rank(folder) is not None


def is_rootless_config(target: Optional[str]) -> bool:
    return bool(target) and _ROOTLESS_CONFIG.search(target.replace("\\", "/")) is not None


def read_by_nobody(target: Optional[str]) -> bool:
    """A daemon.json put under a home's ``.config`` but not at ``.config/docker/daemon.json``
    (``~/.config/systemd/docker/daemon.json``): no dockerd reads it."""
    if not target or is_rootless_config(target):
        return False
    path = target.replace("\\", "/")
    return path.endswith("/daemon.json") and _HOME_CONFIG.search(path) is not None


def setuptool_unit() -> Document:
    """The user unit ``dockerd-rootless-setuptool.sh install`` writes, as a synthetic document."""
    return Document(_SETUPTOOL_UNIT, SETUPTOOL_DISPLAY)


def setuptool(reader, command, program) -> None:
    """The shell kind's handler for ``dockerd-rootless-setuptool.sh``: ``install`` writes the user
    unit (embedded where the command stands, so a later copy over it wins)."""
    from .sources import Embedded

    words = [command.text(i) for i in range(program.index + 1, len(command.values))]
    if "install" not in words:
        return
    start = reader.t.span(command.node)[0]
    unsure = "--skip-iptables" in words  # --iptables=false only where the machine lacks iptables
    reader._embedded.append((start, Embedded(setuptool_unit(), "systemd", target=USER_UNIT, templated=unsure)))

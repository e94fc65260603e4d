"""DKD201: a key both in daemon.json and as a flag on dockerd's command line."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._conflicts import conflicts, dockerd_message, flag_origin
from ._daemon import key_location, pointer

RESET_DROP_IN = "a drop-in docker.service.d/override.conf with `ExecStart=` then `ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock`"


def check(host, context):
    engine = context.engine(host)
    for config, member, flags in conflicts(host, engine):
        key = member.key
        if key == "live-restore":
            continue  # DKD202 says it for live-restore
        related = tuple(f.word.location for f in flags if not host.command.assumed)
        yield Hit(
            f'"{key}" is set in daemon.json and by {flag_origin(host, flags)}: dockerd refuses to start '
            f"(dockerd: {dockerd_message(key, flags, member, engine)})",
            location=key_location(config, member),
            related=related,
            fix=f'remove "{key}" from daemon.json, or start dockerd without {flags[0].spelling}: {RESET_DROP_IN}',
            key=pointer(key),
        )

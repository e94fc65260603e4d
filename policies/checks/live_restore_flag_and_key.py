"""DKD202: --live-restore on dockerd's command line and "live-restore" in daemon.json."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._conflicts import conflicts, dockerd_message, flag_origin
from ._daemon import key_location, pointer


def check(host, context):
    engine = context.engine(host)
    for config, member, flags in conflicts(host, engine):
        if member.key != "live-restore":
            continue
        yield Hit(
            f"live-restore is set in daemon.json and by {flag_origin(host, flags)}: dockerd refuses to start, and a "
            f"reload that changes it fails (dockerd: {dockerd_message('live-restore', flags, member, engine)})",
            location=key_location(config, member),
            related=tuple(f.word.location for f in flags if not host.command.assumed),
            fix='keep "live-restore" in daemon.json (a reload can change it) and remove --live-restore from the command line '
            "(ExecStart, DOCKER_OPTS or OPTIONS)",
            key=pointer("live-restore"),
        )

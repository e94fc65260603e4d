"""DKD902: a daemon.json dlint cannot know without rendering a template or running a program, so it
is not checked."""

from __future__ import annotations

from dlint_docker.policy.model import Hit


def check(host, context):
    for config in host.daemon_configs:
        if config.opaque:
            yield Hit(
                f"dlint cannot know this daemon.json: {config.opaque.why}; nothing that depends on its content is "
                "checked on this host (live-restore included)",
                location=config.document.start_location(),
                key=config.target or "",
            )
        elif config.templated and config.problem is not None and config.wholly_templated:
            yield Hit(
                "this daemon.json is the value of a template expression, which dlint cannot know without "
                "rendering it; nothing that depends on its content is checked on this host",
                location=config.document.start_location(),
                key=config.target or "",
            )
        elif config.templated and config.problem is not None:
            yield Hit(
                "this daemon.json is a template that is not JSON until it is rendered "
                f"({config.problem.message}); dlint does not check it",
                location=config.document.start_location(),
                key=config.target or "",
            )

"""DKD103: live-restore in a Windows daemon configuration."""

from __future__ import annotations

from dlint_docker.policy.model import Hit

from ._daemon import configs, key_location


def check(host, context):
    if host.platform != "windows":
        return
    for config in configs(host):
        member = config.root.get("live-restore")
        if member is not None:
            yield Hit(
                'live-restore exists only on Linux: a Windows dockerd refuses "live-restore" as an unknown option '
                "(dockerd: the following directives don't match any configuration option: live-restore)",
                location=key_location(config, member),
                key="/live-restore",
            )

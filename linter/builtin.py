"""dlint's core plugin: the source kinds and output formats that ship with the engine."""

from __future__ import annotations

from .hookspecs import hookimpl


@hookimpl
def dlint_source_kinds():
    # the first kind that claims a file reads it: specific names first, cloud-init before shell
    # (user-data.sh is user-data), shell last
    from .sources.ansible import AnsibleKind
    from .sources.butane import ButaneKind
    from .sources.cloudinit import CloudInitKind
    from .sources.daemon_json import DaemonJsonKind
    from .sources.ignition import IgnitionKind
    from .sources.packer import PackerKind
    from .sources.shell import ShellKind
    from .sources.systemd import EnvFileKind, SystemdKind
    from .sources.terraform import TerraformKind

    return [
        DaemonJsonKind(),
        SystemdKind(),
        EnvFileKind(),
        IgnitionKind(),  # before packer: both sniff *.json
        PackerKind(),
        TerraformKind(),
        ButaneKind(),
        AnsibleKind(),  # before cloud-init: both sniff *.yml
        CloudInitKind(),
        ShellKind(),
    ]


@hookimpl
def dlint_output_formats():
    from .report import json_report, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render}

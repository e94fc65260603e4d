"""dlint's core plugin: the source kinds and output formats that ship with the engine."""

from __future__ import annotations

from importlib import import_module

from .hookspecs import hookimpl


class _Lazy:
    """A source kind imported on first use: a one-file scan claimed by the first kind never
    pays for importing the others (each a module of its own, some with a parser)."""

    def __init__(self, name: str, module: str, cls: str):
        self.name = name
        self._where = (module, cls)
        self._kind = None

    def _load(self):
        if self._kind is None:
            module, cls = self._where
            self._kind = getattr(import_module(module, __package__), cls)()
        return self._kind

    def __getattr__(self, attribute):  # claims, sniff, needles, extract, read, summary
        return getattr(self._load(), attribute)


@hookimpl
def dlint_source_kinds():
    # the first kind that claims a file reads it: specific names first, ignition before packer
    # (both sniff *.json), ansible before cloud-init (both sniff *.yml), shell last
    return [
        _Lazy("daemon-json", ".sources.daemon_json", "DaemonJsonKind"),
        _Lazy("systemd", ".sources.systemd", "SystemdKind"),
        _Lazy("envfile", ".sources.systemd", "EnvFileKind"),
        _Lazy("ignition", ".sources.ignition", "IgnitionKind"),
        _Lazy("packer", ".sources.packer", "PackerKind"),
        _Lazy("terraform", ".sources.terraform", "TerraformKind"),
        _Lazy("butane", ".sources.butane", "ButaneKind"),
        _Lazy("vagrant", ".sources.vagrant", "VagrantKind"),
        _Lazy("ansible", ".sources.ansible", "AnsibleKind"),
        _Lazy("cloud-init", ".sources.cloudinit", "CloudInitKind"),
        _Lazy("shell", ".sources.shell", "ShellKind"),
        _Lazy("readme", ".sources.readme", "ReadmeKind"),
    ]


class _Format:
    """An output format imported when a report is written in it (checkstyle and junit import an
    XML library, sarif the fixes): a scan imports the formats it writes, not every one."""

    def __init__(self, module: str):
        self._module = module

    def __call__(self, result, options) -> str:
        return import_module(self._module, __package__).render(result, options)


@hookimpl
def dlint_output_formats():
    return {
        "text": _Format(".report.text"), "json": _Format(".report.json_report"), "sarif": _Format(".report.sarif"),
        "github": _Format(".report.github"), "junit": _Format(".report.junit"), "gitlab": _Format(".report.gitlab"),
        "checkstyle": _Format(".report.checkstyle"),
    }

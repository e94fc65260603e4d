"""dlint's core plugin: the source kinds and output formats that ship with the engine."""

from __future__ import annotations

from importlib import import_module
from typing import Optional

from .hookspecs import hookimpl


class _Lazy:
    """A source kind imported on first use: a one-file scan claimed by the first kind never
    pays for importing the others (each a module of its own, some with a parser).

    ``named`` (rel, basename) -> bool is a cheap test, true of every name the kind's ``claims``
    answers other than False: asking about any other name imports nothing
    (tests/test_builtin_kinds.py holds each test against its kind's ``claims``). ``light``
    names the class in ``sources/claims.py`` that the kind inherits its claims, sniff and
    needles from: discovery asks those without importing the reader (a scan whose files all
    come from the cache never needs it)."""

    def __init__(self, name: str, module: str, cls: str, named=None, light: Optional[str] = None):
        self.name = name
        self._where = (module, cls)
        self._kind = None
        self._named = named
        self._light_name = light
        self._light = None

    def _load(self):
        if self._kind is None:
            module, cls = self._where
            self._kind = getattr(import_module(module, __package__), cls)()
        return self._kind

    def _asked(self):
        """What answers claims, sniff and needles: the kind once it is loaded, else its light part."""
        if self._kind is not None or self._light_name is None:
            return self._load()
        if self._light is None:
            self._light = getattr(import_module(".sources.claims", __package__), self._light_name)()
        return self._light

    def claims(self, rel: str, basename: str):
        if self._kind is None and self._named is not None and not self._named(rel, basename):
            return False
        return self._asked().claims(rel, basename)

    def sniff(self, head: bytes) -> bool:
        return self._asked().sniff(head)

    @property
    def needles(self):
        return self._asked().needles

    def __getattr__(self, attribute):  # extract, read, summary
        return getattr(self._load(), attribute)


def _suffix(*suffixes: str):
    return lambda rel, basename: basename.lower().endswith(suffixes)


def _ansible_named(rel: str, basename: str) -> bool:
    """A YAML name (role files, playbooks, task lists), or a file under group_vars/ or host_vars/."""
    if basename.endswith((".yml", ".yaml")):
        return True
    rel = "/" + rel.replace("\\", "/")
    return "/group_vars/" in rel or "/host_vars/" in rel


@hookimpl
def dlint_source_kinds():
    # the first kind that claims a file reads it: specific names first, ignition before packer
    # (both sniff *.json), ansible before cloud-init (both sniff *.yml), shell last
    return [
        _Lazy("daemon-json", ".sources.daemon_json", "DaemonJsonKind", lambda rel, basename: basename.endswith(".json")),
        _Lazy("systemd", ".sources.systemd", "SystemdKind", lambda rel, basename: basename.endswith((".service", ".socket", ".conf"))),
        _Lazy("envfile", ".sources.systemd", "EnvFileKind", lambda rel, basename: basename == "docker"),
        _Lazy("ignition", ".sources.ignition", "IgnitionKind", _suffix(".ign", ".json", ".tpl", ".tftpl", ".tmpl", ".j2"), light="IgnitionClaims"),
        _Lazy("packer", ".sources.packer", "PackerKind", _suffix(".hcl", ".json"), light="PackerClaims"),
        _Lazy("terraform", ".sources.terraform", "TerraformKind", lambda rel, basename: basename.endswith(".tf"), light="TerraformClaims"),
        _Lazy("butane", ".sources.butane", "ButaneKind", _suffix(".bu", ".butane", ".fcc", ".clc", ".yml", ".yaml", ".tmpl", ".tpl", ".tftpl"), light="ButaneClaims"),
        _Lazy("vagrant", ".sources.vagrant", "VagrantKind", lambda rel, basename: basename in ("Vagrantfile", "vagrantfile"), light="VagrantClaims"),
        _Lazy("ansible", ".sources.ansible", "AnsibleKind", _ansible_named, light="AnsibleClaims"),
        _Lazy("cloud-init", ".sources.cloudinit", "CloudInitKind", light="CloudInitClaims"),
        _Lazy("shell", ".sources.shell", "ShellKind", light="ShellClaims"),
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

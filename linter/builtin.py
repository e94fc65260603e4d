"""dlint's core plugin: the source kinds and output formats that ship with the engine."""

from __future__ import annotations

from .hookspecs import hookimpl


@hookimpl
def dlint_source_kinds():
    from .sources.daemon_json import DaemonJsonKind

    return [DaemonJsonKind()]


@hookimpl
def dlint_output_formats():
    from .report import json_report, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render}

"""The JSON report: documented and versioned by ``linter/schemas/report.schema.json``."""

from __future__ import annotations

import json

from .. import __version__

SCHEMA_VERSION = 1


def document(result) -> dict:
    active = result.active
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "dlint", "version": __version__},
        "engine": {"version": result.setup.engine_version},
        "findings": [f.to_dict() for f in result.findings],
        "unknown": [u.to_dict() for u in getattr(result, "unknowns", ())],
        "summary": {
            "files_scanned": result.files_seen,
            "sources": result.sources,
            "hosts": len(result.hosts),
            "findings": len(active),
            "waived": len(result.findings) - len(active),
            "by_severity": {level: sum(1 for f in active if f.severity == level) for level in ("error", "warning", "info")},
            "fail_on": result.setup.fail_on,
            "exit_code": result.exit_code,
            "duration_seconds": round(result.duration, 4),
            **_baseline(result),
        },
    }


def _baseline(result) -> dict:
    """With a baseline: how many findings it holds now, and how many of its entries match none."""
    applied = getattr(result, "baseline", None)
    if applied is None:
        return {}
    return {"baseline": {"path": str(applied.path), "baselined": applied.baselined, "stale": len(applied.stale)}}


def render(result, options) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"

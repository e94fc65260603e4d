"""SARIF 2.1.0 for GitHub code scanning and other SARIF readers."""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__
from .paths import report_root, repo_path, root_uri
from .rules_meta import help_uri, information_uri, properties

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(policy) -> dict:
    meta = policy.meta
    text = f"{meta.rationale}\n\nFix: {meta.remediation}".strip()
    markdown = f"**{meta.summary}**\n\n{meta.rationale}\n\n**Fix:** {meta.remediation}"
    if meta.references:
        markdown += "\n\n" + "\n".join(f"- {ref}" for ref in meta.references)
    rule = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.rationale or meta.summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL[meta.severity]},
        "helpUri": help_uri(meta),  # from [project.urls]; left out when the project declares none
        "properties": {**properties(meta), "breaks": meta.breaks, "benchmarks": dict(meta.benchmarks), **({"fix": dict(meta.fix)} if meta.fix else {})},
    }
    if not rule["helpUri"]:
        del rule["helpUri"]
    return rule


def _uri(path: str) -> str:
    # a file name that is not UTF-8 arrives with surrogate escapes: percent-encode its own bytes
    return quote(path.replace("\\", "/").encode("utf-8", "surrogateescape"), safe="/:@-._~")


def _region(loc) -> dict:
    return {"startLine": loc.line, "startColumn": loc.column, "endLine": loc.end_line, "endColumn": max(loc.end_column, loc.column)}


def _physical(loc, where) -> dict:
    """``where(path)``: the path relative to the repository root (%SRCROOT%)."""
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(where(loc.path)), "uriBaseId": "%SRCROOT%"}, "region": _region(loc)}}


def _rooted(fixes: list, where) -> list:
    """The fixes' files, like every location, relative to %SRCROOT%."""
    for fix in fixes:
        for change in fix.get("artifactChanges", ()):
            location = change.get("artifactLocation", {})
            if "uri" in location:
                location["uri"] = _uri(where(location["uri"]))
    return fixes


def document(result) -> dict:
    policies = sorted(result.setup.all_policies, key=lambda p: p.meta.id)
    index = {p.meta.id: i for i, p in enumerate(policies)}
    from ..fix import sarif_fixes

    fixes = sarif_fixes(result)  # what `dlint fix` would change, edit by edit
    root = report_root(result)

    def where(path: str) -> str:
        return repo_path(result, path, root)

    results = []
    for finding in result.findings:
        item = {
            "ruleId": finding.rule,
            "ruleIndex": index.get(finding.rule, 0),
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message + (f" Fix: {finding.fix}" if finding.fix else "")},
            "locations": [_physical(finding.location, where)],
            "partialFingerprints": {"dlint/v1": finding.fingerprint},
            "properties": {"breaks": finding.breaks, "host": finding.host, "trace": [s.to_dict() for s in finding.location.trace]},
        }
        if finding.related:
            item["relatedLocations"] = [dict(_physical(r, where), id=i + 1) for i, r in enumerate(finding.related)]
        if id(finding) in fixes:
            item["fixes"] = _rooted(fixes[id(finding)], where)
        baselined = getattr(finding, "baselined", False)
        if finding.waived is not None and not baselined:
            # an inline waiver is in the source; a .dlint.yaml exception is kept beside it
            kind = "inSource" if finding.waived.endswith(" (inline)") else "external"
            item["suppressions"] = [{"kind": kind, "justification": finding.waived}]
        if getattr(result, "baseline", None) is not None:
            item["baselineState"] = "unchanged" if baselined else "new"
        results.append(item)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        **({"informationUri": information_uri()} if information_uri() else {}),
                        "rules": [_rule(p) for p in policies],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri(root), "description": {"text": "the repository root (git root, else the configuration's folder)"}}},
                "columnKind": "unicodeCodePoints",
                "invocations": [_invocation(result, where)],
                "results": results,
            }
        ],
    }


def _invocation(result, where) -> dict:
    """The run, with one notification a host dlint could not judge fully (a change it could not
    judge: a warning, as a gate that passed without judging it must not look like a clean pass)."""
    invocation = {"executionSuccessful": True, "exitCode": result.exit_code}
    notes = []
    for unknown in getattr(result, "unknowns", ()):
        change = unknown.diff_base is not None
        head = f"change since {unknown.diff_base} not judged on" if change else "unknown on"
        note = {
            "level": "warning" if change else "note",
            "message": {"text": f"{head} {unknown.host}: {unknown.why}; not judged: {', '.join(unknown.skipped) or 'the checks that need it'}"},
            "properties": {"host": unknown.host, "skipped": list(unknown.skipped), **({"diffBase": unknown.diff_base} if change else {})},
        }
        if unknown.location is not None and getattr(unknown, "location_rev", None) is None:  # a place in the files scanned
            note["locations"] = [_physical(unknown.location, where)]
        notes.append(note)
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def render(result, options) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"

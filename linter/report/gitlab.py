"""GitLab Code Quality (Code Climate JSON): one issue per finding as shown (merged over hosts),
with a fingerprint that survives line moves (dlint's own: rule, file, logical place)."""

from __future__ import annotations

import hashlib
import json

from .paths import report_root, repo_path
from .rules_meta import is_security

_SEVERITY = {"error": "critical", "warning": "major", "info": "info"}


def _issue(result, finding, root, policies) -> dict:
    loc = finding.location
    meta = policies.get(finding.rule)
    issue = {
        "type": "issue",
        "engine_name": "dlint",
        "check_name": f"{finding.rule} {finding.name}",
        "description": finding.message,
        "categories": ["Security"] if meta is not None and is_security(meta) else ["Bug Risk"],
        "severity": _SEVERITY[finding.severity],
        # GitLab wants a fingerprint unique in the report: dlint's, which ignores the line
        "fingerprint": hashlib.md5(f"dlint:{finding.fingerprint}".encode()).hexdigest(),  # noqa: S324 - an id, not security
        "location": {"path": repo_path(result, loc.path, root), "lines": {"begin": loc.line, "end": max(loc.end_line, loc.line)}},
    }
    if finding.fix:
        issue["content"] = {"body": "Fix: " + " ".join(finding.fix.split())}
    return issue


def document(result) -> list:
    from .text import _merged

    root = report_root(result)
    policies = {p.meta.id: p.meta for p in result.setup.all_policies}
    return [_issue(result, finding, root, policies) for finding, *_ in _merged(result.active)]


def render(result, options) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"

"""What CI systems want to know of a rule: where its documentation is, its tags, how precise it
is, and for security rules how severe (GitHub code scanning sorts alerts by it)."""

from __future__ import annotations

import re
from functools import lru_cache

from .. import __version__

# dlint reads configuration exactly: a finding on what dockerd refuses is certain; advice less so
_PRECISION = {"config-load": "very-high", "daemon-start": "very-high", "swarm": "very-high", "ignored": "high", "none": "high"}
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "3.0"}
_SECURITY_TAGS = ("security", "cis")


def anchor(meta) -> str:
    """The rule's heading in docs/rules.md as GitHub anchors it (``## DKD001 invalid-json``)."""
    text = f"{meta.id} {meta.name}".lower()
    return re.sub(r"[^a-z0-9 _-]", "", text).replace(" ", "-")


@lru_cache(maxsize=1)
def project_urls() -> dict:
    """The distribution's ``Project-URL`` entries (``[project.urls]``), by lower-case label;
    empty when dlint runs from a checkout that is not installed or declares none."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        entries = metadata("dlint-docker").get_all("Project-URL") or []
    except (ImportError, PackageNotFoundError):  # pragma: no cover - not installed
        entries = []
    urls = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        if url.strip().startswith("https://"):
            urls.setdefault(label.strip().lower(), url.strip())
    return urls


def docs_base() -> str:
    """docs/rules.md at the installed version, from the project's own metadata: its Documentation
    URL (the page of the rules), else its repository's file at the release tag; '' when the
    distribution names neither (then rules carry no helpUri rather than a guessed address)."""
    urls = project_urls()
    documentation = urls.get("documentation", "")
    if documentation:
        return documentation.split("#", 1)[0]
    for label in ("repository", "source", "source code"):
        if urls.get(label):
            return f"{urls[label].rstrip('/')}/blob/v{__version__}/docs/rules.md"
    return ""


def help_uri(meta) -> str:
    """The rule's section of docs/rules.md ('' when the project declares no public address)."""
    base = docs_base()
    return f"{base}#{anchor(meta)}" if base else ""


def information_uri() -> str:
    urls = project_urls()
    return urls.get("homepage") or urls.get("repository") or urls.get("documentation") or ""


def is_security(meta) -> bool:
    return any(tag in _SECURITY_TAGS for tag in meta.tags) or bool(meta.benchmarks)


def properties(meta) -> dict:
    tags = list(meta.tags)
    if is_security(meta) and "security" not in tags:
        tags.append("security")  # what GitHub reads to show security severity
    props = {"tags": tags, "precision": _PRECISION.get(meta.breaks, "high")}
    if is_security(meta):
        props["security-severity"] = _SECURITY_SEVERITY[meta.severity]
    return props

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
def _docs_base() -> str:
    """docs/rules.md at the installed version: in the repository the distribution declares, else
    the release's page on PyPI."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        urls = metadata("dlint-docker").get_all("Project-URL") or []
    except (ImportError, PackageNotFoundError):  # pragma: no cover - not installed
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("repository", "source", "source code") and url.strip():
            return f"{url.strip().rstrip('/')}/blob/v{__version__}/docs/rules.md"
    return f"https://pypi.org/project/dlint-docker/{__version__}/"


def help_uri(meta) -> str:
    return f"{_docs_base()}#{anchor(meta)}"


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

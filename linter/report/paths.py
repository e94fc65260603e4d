"""Paths in CI reports (SARIF, GitHub annotations, JUnit, GitLab, Checkstyle): relative to the
repository root (the git root, else the configuration's folder), whatever the working directory,
so that code scanning and merge requests place them on the right file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def report_root(result) -> Path:
    from ..discovery import git_root

    root = Path(os.path.abspath(result.setup.settings.root))
    return git_root(root) or root


def _cwd(result) -> Path:
    return Path(getattr(result, "cwd", None) or Path.cwd())


def repo_path(result, shown: str, root: Optional[Path] = None) -> str:
    """A finding's path (as shown, relative to the working directory) relative to the root; a
    path outside it stays absolute."""
    root = root or report_root(result)
    absolute = Path(os.path.abspath(_cwd(result) / shown))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def root_uri(root: Path) -> str:
    """``file:///…/`` of the root, for SARIF's originalUriBaseIds (ends with a slash)."""
    uri = root.as_uri()
    return uri if uri.endswith("/") else uri + "/"

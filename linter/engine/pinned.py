"""The engine release a host runs, where the repository pins one (``docker-ce=5:26.1.4-1~ubuntu``,
``docker_version: "24.0"``, ``docker-ce-26.1.*``): the host is judged for that release unless the
user names one (``--engine-version``, ``engine-version:`` in .dlint.yaml)."""

from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

from .knowledge import releases
from .versions import parse_version

# an epoch ("5:"), then MAJOR.MINOR; a version that is a template ("${V}", "{{ v }}") matches nothing
_PINNED = re.compile(r"^(?:\d+:)?v?(\d{2})\.(\d{1,2})(?![\d])")
_MAJOR_ONLY = re.compile(r"^(?:\d+:)?v?(\d{2})(?:\.\*|\*|$)")


def release_of(version: Optional[str]) -> Optional[str]:
    """The known release a package version pins, or None (a template, or not a version).
    A pin to a major series alone (``5:26.*``) is the newest release of that series dlint knows."""
    if not version:
        return None
    text = version.strip().strip("'\"")
    known = releases()
    match = _PINNED.match(text)
    if match:
        # a release dlint has no facts of (an edge release such as 18.03, or one older than all it
        # knows) is judged as the nearest it knows at or before it, else the oldest: far closer to
        # what runs than the newest release
        pinned = (int(match.group(1)), int(match.group(2)))
        earlier = [r for r in known if (parse_version(r).major, parse_version(r).minor) <= pinned]
        return max(earlier, key=parse_version) if earlier else min(known, key=parse_version)
    match = _MAJOR_ONLY.match(text)
    if match and int(match.group(1)) >= 23:
        series = [r for r in known if parse_version(r).major == int(match.group(1))]
        return max(series, key=parse_version) if series else None
    return None


def pinned_before_known(version: Optional[str]) -> Optional[Tuple[int, int]]:
    """(major, minor) of a pin older than every release dlint knows (``docker-ce=17.03.0~ce``), else None."""
    match = _PINNED.match((version or "").strip().strip("'\""))
    if not match:
        return None
    pinned = (int(match.group(1)), int(match.group(2)))
    oldest = min((parse_version(r) for r in releases()), key=lambda v: (v.major, v.minor))
    return pinned if pinned < (oldest.major, oldest.minor) else None


def host_release(packages: Sequence) -> Optional[Tuple[str, object]]:
    """(release, the package fragment that pins it) for the last engine install with a version a
    known release matches; None when the host pins no version dlint can read."""
    for package in reversed(list(packages)):
        if package.pin in ("upgrade", "none") or package.name == "*":
            continue
        release = release_of(package.version)
        if release is not None:
            return release, package
    return None

"""Docker Engine release numbers (``MAJOR.MINOR``) and the ranges the facts use."""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

_VERSION_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+~].*)?\s*$")


class Version(NamedTuple):
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor:02d}" if self.major >= 17 and self.major < 23 else f"{self.major}.{self.minor}"


def parse_version(text: str) -> Version:
    """Parse ``26.1``, ``v26.1.5`` or ``26.1.5+dfsg1``; ``<=1.13`` (the facts' oldest mark) reads as 1.13."""
    raw = text.strip()
    if raw.startswith("<="):
        raw = raw[2:]
    match = _VERSION_RE.match(raw)
    if not match:
        raise ValueError(f"not a Docker Engine version: {text!r} (expected MAJOR.MINOR, e.g. 26.1)")
    return Version(int(match.group(1)), int(match.group(2)))


def in_range(version: Version, since: Optional[str], until: Optional[str]) -> bool:
    """True when ``since <= version < until`` (either bound may be absent)."""
    if since is not None and version < parse_version(since):
        return False
    if until is not None and version >= parse_version(until):
        return False
    return True

"""A file found by discovery: where it is, which kind of source it is, and its bytes."""

from __future__ import annotations

from dataclasses import field
from .lazyclass import dataclass
from pathlib import Path
from typing import Optional


@dataclass
class Source:
    path: Path  # absolute
    display: str  # how findings name it (relative to the working directory when possible)
    rel: str  # posix path relative to the project root, for globs in .dlint.yaml
    kind: str  # the source kind that claimed it (daemon-json, ...)
    data: Optional[bytes] = None
    error: Optional[str] = None  # why it could not be read (then data is None)
    explicit: bool = False  # named on the command line rather than found by a walk
    forced: bool = False  # its kind named with --kind: read as that kind, not second-guessed
    notes: list = field(default_factory=list)

"""Source kinds: how each kind of file is recognised and what fragments it yields.

A source kind is registered through the ``dlint_source_kinds`` hook; the built-in ones live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

from ..fragments import Fragment
from ..source import Source


@dataclass
class Extraction:
    fragments: List[Fragment] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # shown with --verbose (e.g. why a file was skipped)


class SourceKind:
    """Base class of a source kind. ``claims`` must be cheap: it sees only the path."""

    name = ""
    summary = ""

    def claims(self, rel: str, basename: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def extract(self, source: Source) -> Extraction:  # pragma: no cover - interface
        raise NotImplementedError

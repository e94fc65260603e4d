"""Fragments: the facts extractors find in sources, each with its location.

Issue-by-issue more kinds join (dockerd flags, swarm membership, engine packages, service
restarts); they all share ``source`` and ``document`` so that findings can point into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .document import Document
from .jsonread import Node
from .source import Source


@dataclass
class Problem:
    """Why a document could not be read as dockerd would read it."""

    message: str  # what dockerd says, verbatim where known
    start: int  # offset in the document text
    end: int
    kind: str = "syntax"  # syntax | encoding | not-object


@dataclass
class Fragment:
    source: Source
    document: Document


@dataclass
class DaemonConfig(Fragment):
    """A daemon.json: its parsed tree (None when empty, null or broken) and the first problem."""

    root: Optional[Node] = None
    problem: Optional[Problem] = None
    target: Optional[str] = None  # where it lands on the machine (/etc/docker/daemon.json), when known

    @property
    def readable(self) -> bool:
        return self.problem is None


@dataclass
class Unreadable(Fragment):
    """A source that could not be read at all (permissions, size, not a regular file)."""

    reason: str = ""

"""Where a finding points: ``path:line:col`` (1-based) in the file the user edits, plus the chain of
outer places it was reached through when the configuration is embedded in another file."""

from __future__ import annotations

from dataclasses import field
from .lazyclass import dataclass
from typing import Tuple


@dataclass(frozen=True)
class TraceStep:
    """One outer place: the value in an outer file that holds an embedded document."""

    path: str
    line: int
    column: int
    label: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} › {self.label}" if self.label else f"{self.path}:{self.line}"

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column, "label": self.label}


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    trace: Tuple[TraceStep, ...] = field(default=())
    exact: bool = True  # False when the position is that of an encoded value holding the content

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column)

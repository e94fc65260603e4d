"""A text to parse and where it sits: the real file, or an outer document that embeds it.

An embedded document (a daemon.json in a cloud-init ``write_files`` entry, say) carries the offset
in its parent's text where each of its lines starts, so every position maps back exactly to the
outermost real file, or, when it was cut in pieces that do not start lines (a joined
backslash-newline, a removed escape), the parent offset of each piece. When no exact map exists
(base64, gzip), it carries the parent span of the value that holds it, and every position maps to
that span.

A document read because another file references it (a template named by Terraform's
``templatefile()``) is a real file with its own positions; ``via`` records the places it was
reached through, for the trace.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Dict, List, Optional, Sequence, Tuple

from .location import Location, TraceStep


# id(text) -> (text, its line starts): the documents of one text share them (the Ansible reader makes
# a Document of a vars file for every variable it resolves from it, and kubespray's vars files are
# long). The text is kept with them, so its id stays its own; the lists are never changed.
_STARTS: Dict[int, Tuple[str, List[int]]] = {}
_STARTS_KEPT = 512


class Document:
    def __init__(
        self,
        text: str,
        path: str,
        *,
        parent: Optional["Document"] = None,
        label: str = "",
        line_offsets: Optional[Sequence[int]] = None,
        anchor: Optional[Tuple[int, int]] = None,
        pieces: Optional[Tuple[Sequence[int], Sequence[int]]] = None,
        via: Tuple[TraceStep, ...] = (),
    ):
        """``path`` is the display path of the real file. For an embedded document give ``parent``,
        a ``label`` for the trace, the ``anchor`` (parent span of the holding value) and, when the
        map is exact, ``line_offsets`` (parent offset of each of this text's line starts) or
        ``pieces`` (the start of each piece in this text, and its offset in the parent)."""
        self.text = text
        self.path = path
        self.parent = parent
        self.label = label
        self.via = tuple(via)
        self._line_offsets = list(line_offsets) if line_offsets is not None else None
        self._pieces = (list(pieces[0]), list(pieces[1])) if pieces is not None else None
        self._anchor = anchor
        self._starts: Optional[List[int]] = None

    # -- own coordinates ---------------------------------------------------------------------

    def _line_starts(self) -> List[int]:
        if self._starts is None:
            text = self.text
            kept = _STARTS.get(id(text))
            if kept is not None and kept[0] is text:
                self._starts = kept[1]
                return kept[1]
            starts = [0]
            find = text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._starts = starts
            if len(_STARTS) >= _STARTS_KEPT:
                _STARTS.clear()
            _STARTS[id(text)] = (text, starts)
        return self._starts

    def line_col(self, offset: int) -> Tuple[int, int]:
        """1-based line and column (in characters) of an offset into this document's text."""
        starts = self._line_starts()
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    # -- outer coordinates ---------------------------------------------------------------------

    def _to_parent(self, offset: int) -> Optional[int]:
        """The parent offset of one of this document's offsets, when the map is exact."""
        if self._pieces is not None:
            starts, sources = self._pieces
            offset = max(0, min(offset, len(self.text)))
            index = max(0, bisect_right(starts, offset) - 1)
            return sources[index] + offset - starts[index]
        if self._line_offsets is None:
            return None
        starts = self._line_starts()
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(starts, offset) - 1
        if index >= len(self._line_offsets):
            index = len(self._line_offsets) - 1
        return self._line_offsets[index] + (offset - starts[index])

    def location(self, start: int, end: Optional[int] = None) -> Location:
        """The Location of ``text[start:end]`` in the outermost real file."""
        if end is None or end < start:
            end = start
        if self.parent is None:
            line, column = self.line_col(start)
            end_line, end_column = self.line_col(end)
            return Location(self.path, line, column, end_line, end_column, trace=self.via)
        outer_start = self._to_parent(start)
        outer_end = self._to_parent(end)
        exact = outer_start is not None
        if outer_start is None or outer_end is None:
            outer_start, outer_end = self._anchor or (0, 0)
        outer = self.parent.location(outer_start, outer_end)
        holder = self.parent.location(*(self._anchor or (outer_start, outer_start)))
        step = TraceStep(holder.path, holder.line, holder.column, self.label)
        return Location(
            outer.path,
            outer.line,
            outer.column,
            outer.end_line,
            outer.end_column,
            trace=outer.trace + (step,),
            exact=exact and outer.exact,
        )

    def start_location(self) -> Location:
        return self.location(0, 0)

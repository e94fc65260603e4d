"""Text cut from a document, with the document offset of each character: for embedded documents
whose map is piecewise.

``Offsets`` turns the UTF-8 byte offsets a parser reports (tree-sitter) into character offsets;
``Mapped`` is a value built from pieces of the document text (quote removal, escapes, joins) that
keeps the document offset of each piece; ``embedded_document`` makes a Document of it whose
positions map back into the parent.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import List, Optional, Tuple

from .document import Document


# ------------------------------------------------------------------------------------------
# Byte offsets (tree-sitter) and character offsets (Document)


class Offsets:
    """Character offset of a UTF-8 byte offset of ``text``."""

    def __init__(self, text: str):
        self._bytes: List[int] = []  # byte offset of each non-ASCII character
        self._chars: List[int] = []  # its character offset
        self._after: List[int] = []  # bytes beyond characters once past it
        extra = 0
        for match in re.finditer(r"[^\x00-\x7f]", text):
            index = match.start()
            code = ord(match.group())
            size = 2 if code < 0x800 else 3 if code < 0x10000 else 4
            self._bytes.append(index + extra)
            self._chars.append(index)
            extra += size - 1
            self._after.append(extra)
        self._sizes_end = [b + (a - (self._after[i - 1] if i else 0)) + 1 for i, (b, a) in enumerate(zip(self._bytes, self._after))]

    def char(self, byte: int) -> int:
        index = bisect_right(self._bytes, byte) - 1
        if index < 0:
            return byte
        if byte < self._sizes_end[index]:  # inside a multi-byte character
            return self._chars[index]
        return byte - self._after[index]


# ------------------------------------------------------------------------------------------
# Text that comes from pieces of the document, and its map back


class Mapped:
    """A value built from pieces of the document text (quote removal, escapes, tab stripping),
    with the document offset of each piece, so every character maps back exactly."""

    __slots__ = ("_parts", "starts", "sources", "length", "expanded", "_joinable", "_text")

    def __init__(self) -> None:
        self._parts: List[str] = []
        self.starts: List[int] = []  # value offset where each piece starts
        self.sources: List[int] = []  # document offset of that character
        self.length = 0
        self.expanded = False  # holds a $ or ` expansion left as written
        self._joinable: Optional[int] = None  # document offset a contiguous next piece would start at
        self._text: Optional[str] = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self._parts)
            self._parts = [self._text] if self._text else []
        return self._text

    def add(self, value: str, source: int) -> None:
        """``value`` stands as such at ``source`` in the document."""
        if not value:
            return
        if self._joinable != source:
            self.starts.append(self.length)
            self.sources.append(source)
        self._parts.append(value)
        self._text = None
        self.length += len(value)
        self._joinable = source + len(value)

    def produce(self, value: str, source: int) -> None:
        """``value`` is produced by the text at ``source`` (an escape, an added newline)."""
        if not value:
            return
        self.starts.append(self.length)
        self.sources.append(source)
        self._parts.append(value)
        self._text = None
        self.length += len(value)
        self._joinable = None

    def source(self, offset: int) -> int:
        if not self.starts:
            return 0
        offset = max(0, min(offset, self.length))
        index = max(0, bisect_right(self.starts, offset) - 1)
        return self.sources[index] + offset - self.starts[index]

    def copy_into(self, target: "Mapped", start: int, end: int) -> None:
        """Append ``text[start:end]`` to ``target``, keeping the map."""
        text = self.text
        index = max(0, bisect_right(self.starts, start) - 1)
        while start < end:
            piece_end = self.starts[index + 1] if index + 1 < len(self.starts) else self.length
            stop = min(end, piece_end)
            if stop > start:
                target.add(text[start:stop], self.sources[index] + start - self.starts[index])
            start = stop
            index += 1

    def extend(self, other: "Mapped") -> None:
        other.copy_into(self, 0, other.length)
        self.expanded = self.expanded or other.expanded


def embedded_document(parent: Document, value: Mapped, label: str, anchor: Tuple[int, int]) -> Document:
    """A Document for ``value`` whose positions map into ``parent``: line by line when every piece
    starts a line, piece by piece otherwise."""
    text = value.text
    if not value.starts:
        return Document(text, parent.path, parent=parent, label=label, line_offsets=[anchor[0]], anchor=anchor)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    line_offsets = [value.source(start) for start in line_starts]
    ends = value.starts[1:] + [value.length]
    # a piece may start inside a line only as the newline that ends it (echo's, printf's)
    at_line_starts = all(start == 0 or text[start - 1] == "\n" or text[start:end] == "\n" for start, end in zip(value.starts, ends))
    if at_line_starts:
        return Document(text, parent.path, parent=parent, label=label, line_offsets=line_offsets, anchor=anchor)
    return Document(text, parent.path, parent=parent, label=label, pieces=(value.starts, value.sources), anchor=anchor)

"""Text edits at exact spans, and carrying them from an embedded document out to its real file.

An edit is made on the text of the document that holds the daemon.json (the file itself, or a
heredoc inside cloud-init inside Terraform). Each level out, the span must be literal in the
container: every character of it stands as such in the parent text, lines broken only by the
container's indentation (a YAML block scalar, a quoted heredoc, an HCL heredoc). A line break in
the replacement takes the container's indentation. Where the map is not literal (base64, gzip, a
rendering, an escaped string), ``NotLiteral`` says why, and the fix is offered as a diff only.
Whether the re-encoded edit really reads back as intended is checked by re-reading the file
(``linter.fix.plan``).
"""

from __future__ import annotations

from ..lazyclass import dataclass
from typing import List, Sequence, Tuple

from ..document import Document


class NotLiteral(Exception):
    """The edit cannot be carried out to the real file exactly."""


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` made (in any order)."""
    out: List[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[cursor : edit.start])
        out.append(edit.text)
        cursor = edit.end
    out.append(text[cursor:])
    return "".join(out)


def overlaps(a: Sequence[Edit], b: Sequence[Edit]) -> bool:
    """Two groups of edits touch the same text (an insertion at a shared point counts)."""
    return any(x.start < y.end and y.start < x.end or x.start == y.start for x in a for y in b)


def outward(document: Document, edit: Edit) -> Tuple[Document, Edit]:
    """The real file's document and the edit in its text; NotLiteral where that is not exact."""
    while document.parent is not None:
        edit = _one_level(document, edit)
        document = document.parent
    return document, edit


def _one_level(document: Document, edit: Edit) -> Edit:
    if document._line_offsets is None and document._pieces is None:
        raise NotLiteral(f"{document.label or 'the document'} is not written literally in its container (it is encoded, escaped or rendered)")
    parent = document.parent.text
    to_parent = document._to_parent
    for index in range(edit.start, edit.end):
        here, after = to_parent(index), to_parent(index + 1)
        char = document.text[index]
        if parent[here : here + 1] != char:
            raise NotLiteral(f"{document.label or 'the document'} is escaped in its container here")
        gap = parent[here + 1 : after]
        if after != here + 1 and not (char == "\n" and after > here and gap.strip(" \t") == ""):
            raise NotLiteral(f"{document.label or 'the document'} is not one literal run of text here")
    text = edit.text
    if "\n" in text:
        text = text.replace("\n", "\n" + _indentation(document, edit.start))
    return Edit(to_parent(edit.start), to_parent(edit.end), text)


def _indentation(document: Document, offset: int) -> str:
    """What the container puts before each line of the document (a YAML block's indentation)."""
    if document._line_offsets is None:
        raise NotLiteral(f"{document.label or 'the document'}: a new line cannot be written into its container")
    line_start = document.text.rfind("\n", 0, offset) + 1
    outer = document._to_parent(line_start)
    parent = document.parent.text
    indentation = parent[parent.rfind("\n", 0, outer) + 1 : outer]
    if indentation.strip(" \t"):
        raise NotLiteral(f"{document.label or 'the document'}: its lines do not start at the container's indentation")
    return indentation

"""Work budgets of the readers: a hostile file under the size limit must not stall a scan.

tree-sitter's error recovery is superlinear on some inputs (a long run of spaces and ``${`` in
HCL: minutes for 500 KB), so every tree-sitter parse of a document runs against one deadline in
CPU seconds; past it the parse is cancelled and the file is an ``Overrun``, reported as
unreadable (DKD901, exit 3) rather than skipped or waited for."""

from __future__ import annotations

import time

PARSE_SECONDS = 5.0  # CPU seconds of tree-sitter work per document (4 MiB of ordinary HCL: well under 1 s)
_CHUNK = 1 << 16


class Overrun(Exception):
    """A document dlint stopped reading because it took more than its budget."""


class Deadline:
    """One document's budget, shared by all its parses (the legacy-HCL repair parses again)."""

    def __init__(self, seconds: float = PARSE_SECONDS):
        self.seconds = seconds
        self.end = time.process_time() + seconds

    def passed(self, *_progress) -> bool:
        return time.process_time() > self.end

    def parse(self, parser, data: bytes, what: str):
        """``parser.parse(data)`` cancelled at the deadline (raises Overrun)."""
        try:
            return parser.parse(lambda offset, _point: data[offset : offset + _CHUNK], progress_callback=self.passed)
        except ValueError:  # tree-sitter cancelled the parse: it says "Parsing failed"
            parser.reset()
            raise Overrun(f"{what} takes the parser more than {self.seconds:g} s of CPU (pathological nesting or runs); not analysed") from None

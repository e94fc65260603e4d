"""Work budgets of the readers: a hostile file under the size limit must not stall a scan.

tree-sitter's error recovery is superlinear on some inputs (a long run of spaces and ``${`` in
HCL: minutes and 500 MB for 500 KB), so every tree-sitter parse of a document runs against one
deadline in CPU seconds and a bound on memory growth; past either the parse is cancelled and the
file is an ``Overrun``, reported as unreadable (DKD901, exit 3) rather than skipped or waited for."""

from __future__ import annotations

import resource
import time

PARSE_SECONDS = 5.0  # CPU seconds of tree-sitter work per document (4 MiB of ordinary HCL: well under 1 s)
PARSE_GROWTH = 256 << 20  # bytes the peak memory may grow by during them (1 MiB of HCL: ~170 MB)
_CHUNK = 1 << 16


def _peak() -> int:
    """The process's peak resident memory in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Overrun(Exception):
    """A document dlint stopped reading because it took more than its budget."""


class Deadline:
    """One document's budget, shared by all its parses (the legacy-HCL repair parses again): CPU
    time, and growth of the process's peak memory (error recovery can take 500 MB in 5 s)."""

    def __init__(self, seconds: float = PARSE_SECONDS, growth: int = PARSE_GROWTH):
        self.seconds = seconds
        self.end = time.process_time() + seconds
        self.peak = _peak() + growth
        self.why = ""

    def passed(self, *_progress) -> bool:
        if time.process_time() > self.end:
            self.why = f"more than {self.seconds:g} s of CPU"
        elif _peak() > self.peak:
            self.why = f"more than {PARSE_GROWTH >> 20} MiB of memory"
        return bool(self.why)

    def parse(self, parser, data: bytes, what: str):
        """``parser.parse(data)`` cancelled at the deadline (raises Overrun)."""
        try:
            return parser.parse(lambda offset, _point: data[offset : offset + _CHUNK], progress_callback=self.passed)
        except ValueError:  # tree-sitter cancelled the parse: it says "Parsing failed"
            parser.reset()
            raise Overrun(f"{what} takes the parser {self.why or 'too long'} (pathological nesting or runs); not analysed") from None

"""Regular expressions whose pattern comes from the scanned repository (a policy's ``pattern``, a
``sed`` expression in a script) run on RE2: time linear in the text whatever the pattern, where
Python's backtracking engine can take years on a few kilobytes (``a.*a.*a.*a.*b``)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1024)
def compile_linear(pattern: str):
    """The compiled pattern (``search``/``finditer`` like ``re``); raises ``re2.error`` for what
    RE2 does not support (backreferences, lookaround)."""
    import re2  # only when a repository's pattern is run: not on every scan's start-up

    options = re2.Options()
    options.max_mem = 32 << 20  # RE2 falls back to a slower linear engine past this, never more memory
    options.log_errors = False  # a pattern RE2 refuses is the caller's to say, not a line on stderr
    return re2.compile(pattern, options)


def linear_or_none(pattern: str):
    """``compile_linear``, or None where RE2 cannot run the pattern: the caller treats what the
    pattern decides as unknown."""
    import re2

    try:
        return compile_linear(pattern)
    except re2.error:
        return None

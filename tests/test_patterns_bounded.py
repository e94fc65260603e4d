"""Every regular expression of dlint's modules runs in bounded time on the shapes a hostile file
can repeat (a pattern with two ways to match a repeated piece backtracks 2^n times where it fails:
a scan then stalls). Patterns dlint only anchors with ``match`` are tried that way."""

from __future__ import annotations

import importlib
import pkgutil
import re
import signal
import sys

import pytest

import dlint_docker

# pieces a file can repeat, and what may end them where the pattern fails
PIECES = ["a", " ", "${A}", "$AB", '"', "{{", "/*", "a ", "\\", "%{", "a-", "a.", "1.", "a=", "-a ", "'", "a/", "#", "\t", "a:", "{% ", "x}", "*", "[", "(a", "a,", "<<", "A_"]
ENDINGS = ["", "\\", "\x00", "!", "\n"]
# what an anchored pattern wants before the repeated part (NAME=, a YAML key, a unit's setting)
PREFIXES = ["", "X=", "x: ", "--a=", "ExecStart=", '"', "{", "- ", "export X=", "a.b "]
ANCHORED = {("dlint_docker.engine.values", "_DOMAIN")}  # used with match() only: moby's domain pattern, verbatim


def _patterns():
    seen = set()
    for info in pkgutil.walk_packages(dlint_docker.__path__, "dlint_docker."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in sorted(vars(module).items()):
            if isinstance(value, re.Pattern) and id(value) not in seen:
                seen.add(id(value))
                yield info.name, name, value


class _Stalled(Exception):
    pass


@pytest.mark.skipif(sys.platform == "win32", reason="SIGALRM")
def test_no_pattern_backtracks_without_bound():
    def alarm(*_):
        raise _Stalled()

    previous = signal.signal(signal.SIGALRM, alarm)
    stalled = []
    try:
        patterns = list(_patterns())
        assert len(patterns) > 100  # the walk found dlint's modules
        for module, name, pattern in patterns:
            run = pattern.match if (module, name) in ANCHORED else pattern.search
            # long runs (a pattern slow on each character), then short runs after each prefix (2^n
            # backtracking never ends on 60 pieces)
            cases = [("", piece, 1500, ending) for piece in PIECES for ending in ENDINGS]
            cases += [(prefix, piece, 60, ending) for prefix in PREFIXES[1:] for piece in PIECES for ending in ENDINGS]
            for prefix, piece, count, ending in cases:
                if True:
                    text = prefix + piece * count + ending
                    subject = text.encode() if isinstance(pattern.pattern, bytes) else text
                    signal.setitimer(signal.ITIMER_REAL, 2.0)
                    try:
                        run(subject)
                    except _Stalled:
                        stalled.append(f"{module}.{name} on {prefix!r} + {piece!r} x {count} + {ending!r}")
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not stalled, stalled

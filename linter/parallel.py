"""Reading the files of a scan: from the cache where it has them, in a process pool where the tree
is large enough to pay for one, serially otherwise; with progress on a terminal for long runs.

The results are the same whichever way (a test compares them): each file is read by the same
reader, and what a worker made is sent back pickled with its Source replaced by the scan's own.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, List, Optional, Sequence

from .fragments import Unreadable

PARALLEL_MIN_FILES = 64  # fewer files to read than this: a pool costs more than it saves
PARALLEL_MIN_BYTES = 256 * 1024
MAX_WORKERS = 8
CACHE_MIN_FILES = 2
PROGRESS_AFTER = 1.0  # seconds before progress shows (unless asked for)

_WORK: dict = {}  # what forked workers read: the sources and kinds of the scan


def extract_all(sources: Sequence, kinds: dict, extract: Callable, *, cache=None, jobs: Optional[int] = None, progress: Optional[bool] = None) -> List[tuple]:
    """(fragments, notes, references) of each source, in order."""
    results: List[Optional[tuple]] = [None] * len(sources)
    if len(sources) < CACHE_MIN_FILES:
        cache = None  # one file reads faster than the cache's key is made
    todo = []
    for index, source in enumerate(sources):
        cached = cache.get(source) if cache is not None else None
        if cached is not None:
            results[index] = cached
        else:
            todo.append(index)
    meter = Progress(len(sources), len(sources) - len(todo), progress)
    workers = _workers(sources, todo, jobs)
    if workers > 1:
        _in_pool(sources, kinds, extract, todo, results, workers, meter)
    for index in todo:
        if results[index] is None:
            meter.show(sources[index])
            results[index] = extract(sources[index], kinds)
            meter.done()
    meter.close()
    if cache is not None:
        for index in todo:
            if _cacheable(results[index]):
                cache.put(sources[index], results[index])
    return results  # type: ignore[return-value]


def _cacheable(result: tuple) -> bool:
    """Not a file whose reader failed or ran out of time (that may not happen again)."""
    fragments = result[0]
    return not (len(fragments) == 1 and isinstance(fragments[0], Unreadable))


def _workers(sources: Sequence, todo: List[int], jobs: Optional[int]) -> int:
    if jobs is not None:
        return max(1, jobs) if len(todo) > 1 else 1
    if len(todo) < PARALLEL_MIN_FILES or sum(len(sources[i].data or b"") for i in todo) < PARALLEL_MIN_BYTES:
        return 1
    if sys.platform != "linux":  # workers are forked: they share the loaded readers
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


def _in_pool(sources, kinds, extract, todo, results, workers: int, meter) -> None:
    """Fill ``results`` for ``todo`` from forked workers; a file whose result cannot be sent back
    (or a pool that cannot start) is left None, to be read here."""
    import multiprocessing

    from .cache import dumps, loads

    _WORK.update(sources=sources, kinds=kinds, extract=extract, dumps=dumps)
    for name in sorted({sources[i].kind for i in todo}):
        kind = kinds.get(name)
        getattr(kind, "extract", None)  # the readers imported once, here, not in each worker
        prepare = getattr(kind, "prepare", None)
        if prepare is not None:  # what every worker would build alike (Ansible's project maps): built once
            prepare([sources[i] for i in todo])
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            # big files first, so that one large file does not finish last
            order = sorted(todo, key=lambda i: -len(sources[i].data or b""))
            for index, blob in pool.imap_unordered(_work, order, chunksize=4):
                if blob is not None:
                    try:
                        results[index] = loads(blob, sources[index])
                    except Exception:  # noqa: BLE001 - read it here instead
                        results[index] = None
                meter.show(sources[index])
                meter.done()
    except (OSError, ValueError, ImportError):
        pass
    finally:
        _WORK.clear()


def _work(index: int):
    source = _WORK["sources"][index]
    result = _WORK["extract"](source, _WORK["kinds"])
    return index, _WORK["dumps"](result, source)


class Progress:
    """``read N of M files (folder)`` on stderr, rewritten in place: on a terminal once the run
    has taken PROGRESS_AFTER seconds, never in a pipe or on CI unless forced (``--progress``)."""

    def __init__(self, total: int, done: int, forced: Optional[bool], stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.count = done
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False
        self.inline = _interactive(self.stream)
        if forced is None and not self.inline:
            forced = False
        self.forced = forced

    def show(self, source) -> None:
        if self.forced is False:
            return
        now = time.monotonic()
        if self.forced is None and now - self.started < PROGRESS_AFTER:
            return
        if self.shown and now - self.last < 0.1:
            return
        if not self.inline and self.shown and now - self.last < 1.0:
            return  # a log, not a terminal: a line a second at most
        self.last = now
        folder = os.path.dirname(source.display) or "."
        line = f"dlint: read {self.count} of {self.total} files ({folder})"
        if self.inline:
            self.stream.write("\r" + line[:119].ljust(min(119, max(len(line), 60))))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        self.count += 1

    def close(self) -> None:
        if self.shown and self.inline:
            self.stream.write("\r" + " " * 119 + "\r")
            self.stream.flush()


def _interactive(stream) -> bool:
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

"""Writing a fixed file: only inside the paths given, never through a symbolic link, never over a
file that changed since it was read, atomically (a temporary file in the same folder, renamed over
it) with the file's mode and owner kept."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Sequence


ON_DISK = object()  # what a file holds is on disk (not in a preview's memory)


def refusal(path: Path, original: bytes, given: Sequence[Path], new: bool = False, held=ON_DISK) -> str:
    """Why ``path`` must not be written ('' when it may); ``new``: it is to be created. ``held``:
    in a preview, the bytes a previous round left in memory for the file (ON_DISK: none)."""
    absolute = Path(os.path.abspath(path))
    inside = [root for root in given if absolute == root or root in absolute.parents]
    if not inside:
        return "it is outside the paths given"
    root = max(inside, key=lambda p: len(p.parts))
    for folder in [absolute, *absolute.parents]:
        if folder == root.parent:
            break
        info = _lstat(folder)
        if info is not None and stat.S_ISLNK(info.st_mode):
            return f"{folder} is a symbolic link"
        if info is None and not new and held is ON_DISK:
            return "it is gone"
    if held is not ON_DISK:
        if new:
            return "a file is there now"
        return "" if held == original else "it changed since dlint read it"
    if new:
        return "a file is there now" if _lstat(absolute) is not None else ""
    info = _lstat(absolute)
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    try:
        with open(absolute, "rb", opener=lambda p, f: os.open(p, f | getattr(os, "O_NOFOLLOW", 0))) as handle:
            current = handle.read()
    except OSError as err:
        return f"it cannot be read again ({err.strerror or err})"
    if current != original:
        return "it changed since dlint read it"
    return ""


def _lstat(path: Path):
    try:
        return os.lstat(path)
    except OSError:
        return None


def replace(path: Path, data: bytes) -> None:
    """Write ``data`` over ``path`` atomically, keeping its mode and (where allowed) owner."""
    info = os.lstat(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".dlint-fix")
    renamed = False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        with contextlib.suppress(OSError):  # not ours to give away: the file keeps our ownership
            os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, path)  # a rename: a link planted meanwhile is replaced, not followed
        renamed = True
    finally:
        if not renamed:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def create(path: Path, data: bytes) -> None:
    """A new file (and its folders), never over one that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".dlint-fix")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.link(temporary, path)  # fails if anything is there: nothing is replaced
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)

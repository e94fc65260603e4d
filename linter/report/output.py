"""``-o FILE``: write a report to exactly the file the user named.

A scanned repository may hold symbolic links placed to redirect a report (``report.txt ->
~/.bashrc``, ``out -> /etc``). So the named file is never a symbolic link, no folder on its way
inside a scanned tree is one, and the report is written to a temporary file in the same folder and
renamed over the target: a reader never sees half a report, and a link planted meanwhile is
replaced, not followed. A FIFO or a device named directly (``/dev/null``) is written in place.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Sequence

from ..errors import DlintError


def write(name: str, data: bytes, scanned: Sequence[Path] = ()) -> None:
    target = Path(os.path.abspath(name))
    info = _lstat(target)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise DlintError(f"--output {name}: is a symbolic link; dlint writes a report only to a file, not through a link")
    _no_links_inside(target, scanned, name)
    try:
        if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            _write_in_place(target, data)
        else:
            _replace(target, data, info)
    except OSError as err:
        raise DlintError(f"--output {name}: cannot write: {err.strerror or err}") from None


def _lstat(path: Path):
    try:
        return os.lstat(path)
    except OSError:
        return None


def _no_links_inside(target: Path, scanned: Sequence[Path], name: str) -> None:
    """Refuse a symbolic link among the folders of ``target`` that lie inside a scanned tree."""
    trees = [Path(os.path.abspath(tree)) for tree in scanned]
    for folder in target.parents:
        if not any(tree in folder.parents for tree in trees):
            continue
        info = _lstat(folder)
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise DlintError(f"--output {name}: the folder {folder} is a symbolic link in the scanned tree; name the real path")


def _replace(target: Path, data: bytes, info) -> None:
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    import tempfile  # only a report written to a file

    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)  # rename: replaces a link planted meanwhile, never follows it
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _write_in_place(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Find the files to check: command-line paths, git's view of a work tree, or a walk.

Inside a git work tree, the files are git's own list (tracked, plus untracked ones it does not
ignore). Elsewhere a walk honours ``.gitignore`` files. Symbolic links are never followed, only
regular files are read, and a file is read only when a source kind claims it by name, up to a size
limit, so that a large repository costs little.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from .errors import UsageError
from .source import Source

# Folders a walk never enters (a git work tree already leaves out what it ignores).
DEFAULT_EXCLUDES = (".git", ".hg", ".svn", "node_modules", ".terraform", ".tox", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache")

MAX_BYTES = 4 * 1024 * 1024


@dataclass
class Discovery:
    sources: List[Source] = field(default_factory=list)
    files_seen: int = 0
    notes: List[str] = field(default_factory=list)


def display_path(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def git_root(start: Path) -> Optional[Path]:
    """The nearest folder at or above ``start`` that holds ``.git``."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def git_files(folder: Path) -> Optional[List[str]]:
    """git's list of files below ``folder`` (relative to it), or None when git cannot say."""
    command = [
        "git",
        # a scanned repository's own config must not run programs (core.fsmonitor can name one)
        "-c", "core.fsmonitor=false",
        "-c", "core.untrackedCache=false",
        "-C", str(folder),
        "ls-files", "-z", "--cached", "--others", "--exclude-standard",
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=60, env=_git_env())
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _git_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # never write the index of a scanned repository
    return env


class _Ignores:
    """The .gitignore files met during a walk, deepest last."""

    def __init__(self):
        self._specs: List[Tuple[Path, object]] = []

    def push(self, folder: Path) -> bool:
        ignore_file = folder / ".gitignore"
        try:
            if not ignore_file.is_file() or ignore_file.is_symlink():
                return False
            lines = ignore_file.read_text("utf-8", "replace").splitlines()
        except OSError:
            return False
        import pathspec  # only a walk outside git needs it

        self._specs.append((folder, pathspec.GitIgnoreSpec.from_lines(lines)))
        return True

    def pop(self) -> None:
        self._specs.pop()

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in reversed(self._specs):
            rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            result = spec.check_file(rel)
            if result.include is not None:
                return bool(result.include)
        return False


def walk(top: Path) -> Iterator[Path]:
    """Regular files below ``top``; no symlinks followed, .gitignore and default excludes honoured."""
    ignores = _Ignores()

    def visit(folder: Path) -> Iterator[Path]:
        pushed = ignores.push(folder)
        try:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                return
            for entry in entries:
                path = Path(entry.path)
                try:
                    if entry.is_symlink():
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name in DEFAULT_EXCLUDES or ignores.ignored(path, True):
                            continue
                        yield from visit(path)
                    elif entry.is_file(follow_symlinks=False):
                        if not ignores.ignored(path, False):
                            yield path
                except OSError:
                    continue
        finally:
            if pushed:
                ignores.pop()

    yield from visit(top)


def iter_files(top: Path) -> Iterator[Path]:
    root = git_root(top)
    if root is not None:
        listed = git_files(top)
        if listed is not None:
            for rel in listed:
                parts = rel.split("/")
                if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
                    continue
                yield top / rel
            return
    yield from walk(top)


def read_bounded(path: Path, limit: int) -> Tuple[Optional[bytes], Optional[str]]:
    """The bytes of a regular file, or why not (never follows a symlink, never blocks on a FIFO)."""
    try:
        info = os.lstat(path)
    except OSError as err:
        return None, f"cannot read: {err.strerror or err}"
    if stat.S_ISLNK(info.st_mode):
        return None, "symbolic link (not followed)"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file"
    if info.st_size > limit:
        return None, f"too large to analyse ({info.st_size} bytes; the limit is {limit})"
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        return None, f"cannot read: {err.strerror or err}"
    try:
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        return None, f"cannot read: {err.strerror or err}"
    if len(data) > limit:
        return None, f"too large to analyse (over {limit} bytes)"
    return data, None


def discover(
    paths: Sequence[str],
    kinds: Sequence,
    *,
    project_root: Path,
    excluded: Callable[[str], bool],
    cwd: Optional[Path] = None,
    max_bytes: int = MAX_BYTES,
) -> Discovery:
    """Sources for ``paths``. ``excluded(rel)`` applies the config's exclude globs."""
    cwd = cwd or Path.cwd()
    found = Discovery()
    seen = set()
    for raw in paths or ["."]:
        given = Path(raw)
        absolute = Path(os.path.abspath(cwd / given))
        if not os.path.lexists(absolute):
            raise UsageError(f"{raw}: no such file or directory")
        explicit = not absolute.is_dir() or absolute.is_symlink()
        candidates: Iterable[Path] = [absolute] if explicit else iter_files(absolute)
        base = _base(absolute, project_root)
        for path in candidates:
            if path in seen:
                continue
            seen.add(path)
            found.files_seen += 1
            rel = _relative(path, base)
            display = display_path(path, cwd)
            if excluded(rel):
                if explicit:
                    found.notes.append(f"{display}: skipped, excluded by the configuration")
                continue
            kind, data, error = _claim(kinds, path, rel, max_bytes)
            if kind is None:
                if explicit:
                    found.notes.append(f"{display}: skipped, not a kind of file dlint reads")
                continue
            if os.path.islink(path):
                found.notes.append(f"{display}: skipped, symbolic link (not followed)")
                continue
            if data is None and error is None:
                data, error = read_bounded(path, max_bytes)
            if data is not None and kind.needles is not None and not kind.needles.search(data):
                if explicit:
                    found.notes.append(f"{display}: skipped, it never mentions Docker")
                continue
            found.sources.append(Source(path, display, rel, kind.name, data, error, explicit))
    return found


def _claim(kinds: Sequence, path: Path, rel: str, max_bytes: int):
    """The first kind that claims the file (by name, or by its first bytes), and the bytes if read."""
    from .sources import HEAD_BYTES, SNIFF

    head = None
    basename = path.name
    for kind in kinds:
        claim = kind.claims(rel, basename)
        if claim is True:
            return kind, None, None
        if claim == SNIFF:
            if head is None:
                head = read_head(path, HEAD_BYTES)
            if head and kind.sniff(head):
                return kind, None, None
    return None, None, None


def read_head(path: Path, size: int) -> bytes:
    """The first bytes of a regular file (b"" when it cannot be read): enough to sniff its kind."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return b""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return b""
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _base(absolute: Path, project_root: Path) -> Path:
    """What paths are relative to: the project root, or, for a path outside it (a second
    repository on the command line), the root of its own work tree, else its own folder. Sources
    read the files they reference only inside it."""
    try:
        absolute.relative_to(project_root)
        return project_root
    except ValueError:
        folder = absolute if absolute.is_dir() and not absolute.is_symlink() else absolute.parent
        return git_root(folder) or folder


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix().lstrip("/")

"""Find the files to check: command-line paths, git's view of a work tree, or a walk.

Inside a git work tree, the files are git's own list (tracked, plus untracked ones it does not
ignore). Elsewhere a walk honours ``.gitignore`` files. Symbolic links are never followed, only
regular files are read, and a file is read only when a source kind claims it by name, up to a size
limit, so that a large repository costs little.
"""

from __future__ import annotations

import os
import re
import stat
from contextlib import contextmanager
from dataclasses import field
from .lazyclass import dataclass
from itertools import chain
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from .errors import UsageError
from .source import Source

# Folders a walk never enters (a git work tree already leaves out what it ignores).
DEFAULT_EXCLUDES = (".git", ".hg", ".svn", "node_modules", ".terraform", ".tox", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache")

MAX_BYTES = 4 * 1024 * 1024

# A preview of fixes (``dlint fix --diff``) scans again without writing: absolute path -> the bytes
# to read there instead of the file's (or where no file is: a drop-in the fixes would add).
_OVERLAY: Optional[Dict[str, bytes]] = None


@contextmanager
def overlay(files: Dict[str, bytes]) -> Iterator[None]:
    """Within it, every read of discovery and of the readers (``read_bounded``, ``read_head``)
    sees ``files`` in place of the disk, and a walk finds those that are not on disk."""
    global _OVERLAY
    saved, _OVERLAY = _OVERLAY, dict(files)
    try:
        yield
    finally:
        _OVERLAY = saved


def _overlaid(path: Path) -> Optional[bytes]:
    return _OVERLAY.get(os.path.abspath(path)) if _OVERLAY else None


def _overlay_files(top: Path) -> List[Path]:
    """The overlay's files below ``top`` that are not on disk (a walk cannot find them)."""
    if not _OVERLAY:
        return []
    prefix = os.path.join(os.path.abspath(top), "")
    return [Path(p) for p in sorted(_OVERLAY) if p.startswith(prefix) and not os.path.lexists(p)]


@dataclass
class Discovery:
    sources: List[Source] = field(default_factory=list)
    files_seen: int = 0
    notes: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)  # said on stderr even without -v


@dataclass(frozen=True)
class Skipped:
    """A place discovery could not or would not enter; ``unreadable``: a folder it could not list,
    reported as a finding (what is inside was not checked)."""

    path: Path
    reason: str
    unreadable: bool = False


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


GIT_TIMEOUT = 10  # seconds; git stalls only on hostile input (a FIFO as an ignore file)
TIMED_OUT = "timed out"
_UNLISTABLE = re.compile(r"^warning: could not open directory '(.*)': (.*)$")


def git_files(folder: Path, root: Optional[Path] = None) -> Optional[Tuple[List[str], List[Tuple[str, str]]]]:
    """git's list of files below ``folder`` (relative to it) and the folders git could not open
    (relative, why), or None when git cannot say (TIMED_OUT when it did not answer in time)."""
    command = [
        "git",
        # a scanned repository's own config must not run programs (core.fsmonitor can name one)
        "-c", "core.fsmonitor=false",
        "-c", "core.untrackedCache=false",
        "-C", str(folder),
        # the listing is of this work tree, whatever core.worktree in the repository's config says
        *(["--work-tree", str(root)] if root is not None else []),
        "ls-files", "-z", "--cached", "--others", "--exclude-standard",
    ]
    import subprocess  # a scan of files, not folders, never runs git

    try:
        done = subprocess.run(command, capture_output=True, timeout=GIT_TIMEOUT, env=_git_env(), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return TIMED_OUT
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    listed = [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    unlistable = []
    for line in done.stderr.decode("utf-8", "surrogateescape").splitlines():
        match = _UNLISTABLE.match(line)
        if match:
            unlistable.append((match.group(1).rstrip("/"), match.group(2)))
    return listed, unlistable


def _git_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # never write the index of a scanned repository
    return env


MAX_IGNORE_BYTES = 1024 * 1024
MAX_STARS = 16  # a .gitignore pattern with more wildcards is ignored: matching it can backtrack


def _ignore_spec(folder: Path):
    """The .gitignore of ``folder`` when it is a regular file (never a FIFO or a link), or None."""
    data, _ = read_bounded(folder / ".gitignore", MAX_IGNORE_BYTES)
    if not data:
        return None
    import pathspec  # only a walk outside git needs it

    lines = [_tame(line) for line in data.decode("utf-8", "replace").splitlines()]
    return pathspec.GitIgnoreSpec.from_lines([line for line in lines if line.count("*") <= MAX_STARS])


def _tame(line: str) -> str:
    """A run of three or more ``*`` means what ``**`` (a whole segment) or ``*`` does: one
    wildcard, not one per star to backtrack over."""
    return re.sub(r"\*{3,}", lambda m: "**" if _whole_segment(line, m) else "*", line)


def _whole_segment(line: str, match) -> bool:
    before = line[match.start() - 1] if match.start() else "/"
    after = line[match.end()] if match.end() < len(line) else "/"
    return before == "/" and after == "/"


def _ignored(specs: Tuple, path: str, is_dir: bool) -> bool:
    """``path`` (a string below each spec's folder) ignored by the nearest .gitignore that says."""
    for prefix, spec in reversed(specs):
        rel = path[len(prefix) :]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        result = spec.check_file(rel + "/" if is_dir else rel)
        if result.include is not None:
            return bool(result.include)
    return False


def _listing(folder: Path):
    """The entries of ``folder`` in name order, or a Skipped that says why it cannot be listed."""
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        return Skipped(folder, f"a folder dlint cannot list ({err.strerror or err}); the files in it are not checked", True)


def _with_ignores(folder: Path, specs: Tuple, listing) -> Tuple:
    """``specs`` and the .gitignore of ``folder``, when its listing holds one: (the folder's path
    with a trailing slash, spec) pairs, nearest last."""
    if not any(entry.name == ".gitignore" for entry in listing):
        return specs
    spec = _ignore_spec(folder)
    if spec is None:
        return specs
    prefix = str(folder)
    return specs + ((prefix if prefix.endswith(os.sep) else prefix + os.sep, spec),)


def walk(top: Path) -> Iterator[Union[Path, Skipped]]:
    """Regular files below ``top``; no symlinks followed, .gitignore and default excludes honoured.
    Iterative: a tree thousands of folders deep is walked like any other."""
    listing = _listing(top)
    if isinstance(listing, Skipped):
        yield listing
        return
    stack = [(iter(listing), _with_ignores(top, (), listing))]
    while stack:
        entries, specs = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        try:
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name in DEFAULT_EXCLUDES or (specs and _ignored(specs, entry.path, True)):
                    continue
                path = Path(entry.path)
                listing = _listing(path)
                if isinstance(listing, Skipped):
                    yield listing
                    continue
                stack.append((iter(listing), _with_ignores(path, specs, listing)))
            elif entry.is_file(follow_symlinks=False) and not (specs and _ignored(specs, entry.path, False)):
                yield Path(entry.path)
        except OSError:
            continue


def iter_files(top: Path) -> Iterator[Union[Path, Skipped]]:
    root = git_root(top)
    if root is not None:
        answer = git_files(top, root)
        if answer == TIMED_OUT:
            yield Skipped(top, f"git ls-files did not answer in {GIT_TIMEOUT} s (a FIFO as an ignore file?); walked instead")
        elif answer is not None:
            yield from _from_git(top, *answer)
            return
    yield from walk(top)


def _from_git(top: Path, listed: List[str], unlistable: List[Tuple[str, str]]) -> Iterator[Union[Path, Skipped]]:
    """git's paths that stay inside ``top``: no absolute or ``..`` entries, no folder on the way
    that is a symbolic link now (an index can name what the work tree no longer holds)."""
    for rel, why in unlistable:
        yield Skipped(top / rel, f"a folder dlint cannot list ({why}); the files in it are not checked", True)
    real: dict = {}
    for rel in listed:
        parts = rel.split("/")
        if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
            yield Skipped(top / rel.lstrip("/"), "skipped, a path git lists outside the work tree")
            continue
        if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
            continue
        linked = _linked_folder(top, parts[:-1], real)
        if linked is not None:
            yield Skipped(top / rel, f"skipped, its folder {linked.name} is a symbolic link (not followed)")
            continue
        yield top / rel


def _linked_folder(top: Path, folders: List[str], real: dict) -> Optional[Path]:
    """The first of ``folders`` below ``top`` that is a symbolic link, else None (``real`` keeps
    what each folder, by its path string, was found to be)."""
    folder = os.fspath(top).rstrip("/")
    for part in folders:
        folder = folder + "/" + part
        plain = real.get(folder)
        if plain is None:
            try:
                plain = not stat.S_ISLNK(os.lstat(folder).st_mode)
            except OSError:
                plain = True  # gone: reading the file will say so
            real[folder] = plain
        if not plain:
            return Path(folder)
    return None


def read_bounded(path: Path, limit: int) -> Tuple[Optional[bytes], Optional[str]]:
    """The bytes of a regular file, or why not (never follows a symlink, never blocks on a FIFO)."""
    held = _overlaid(path)
    if held is not None:
        return (held, None) if len(held) <= limit else (None, f"too large to analyse ({len(held)} bytes; the limit is {limit})")
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
        data = _read_fd(fd, limit, info.st_size)
    except OSError as err:
        return None, f"cannot read: {err.strerror or err}"
    finally:
        os.close(fd)
    if len(data) > limit:
        return None, f"too large to analyse (over {limit} bytes)"
    return data, None


def _read_fd(fd: int, limit: int, size: int) -> bytes:
    """Up to ``limit + 1`` bytes of an open file: its ``size`` as stat saw it (and a byte more, to
    see it has grown) in one read, then on to the end (no buffer of ``limit`` bytes)."""
    parts = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(limit + 1 - total, max(size + 1 - total, 1 << 16)))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def discover(
    paths: Sequence[str],
    kinds: Sequence,
    *,
    project_root: Path,
    excluded: Callable[[str], bool],
    cwd: Optional[Path] = None,
    max_bytes: int = MAX_BYTES,
    kind: Optional[str] = None,
    changed: bool = False,
) -> Discovery:
    """Sources for ``paths``. ``excluded(rel)`` applies the config's exclude globs. ``kind``
    (--kind) is the kind of every file named; ``changed``: the paths are a list of changed files
    (--context, a pre-commit hook), where a deleted one is skipped and one of no kind is no news."""
    from .recognise import kind_named
    from .said import Said

    cwd = cwd or Path.cwd()
    found = Discovery()
    seen = set()
    forced = kind_named(kinds, kind) if kind else None
    for raw in paths or ["."]:
        given = Path(raw)
        absolute = Path(os.path.abspath(cwd / given))
        if not os.path.lexists(absolute):
            if not changed:
                raise UsageError(f"{raw}: no such file or directory")
            found.notes.append(Said(f"{raw}: skipped, no such file (deleted?)"))
            continue
        explicit = not absolute.is_dir() or absolute.is_symlink()
        if absolute.is_symlink():
            found.warnings.append(f"{raw}: a symbolic link, not followed; name the file or folder it points to")
        candidates: Iterable[Union[Path, Skipped]] = [absolute] if explicit else chain(iter_files(absolute), _overlay_files(absolute))
        base = _base(absolute, project_root)
        for path in candidates:
            if isinstance(path, Skipped):
                _skipped(found, path, base, cwd, kinds)
                continue
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
            kind, data, error = (forced, None, None) if forced and explicit else _claim(kinds, path, rel, max_bytes)
            if kind is None and explicit and not changed:
                kind, data, error = _by_content(kinds, path, max_bytes)
            if kind is None:
                if explicit:
                    said = f"{display}: not read, not a kind of file dlint reads (--kind names one)"
                    found.notes.append(said if changed else Said(said))
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
            found.sources.append(Source(path, display, rel, kind.name, data, error, explicit, forced=bool(forced and explicit)))
    return found


def _skipped(found: Discovery, skipped: Skipped, base: Path, cwd: Path, kinds: Sequence) -> None:
    """A folder that cannot be listed is an unreadable input (DKD901 at its path); anything else
    skipped is a note."""
    display = display_path(skipped.path, cwd)
    if not skipped.unreadable:
        found.notes.append(f"{display}: {skipped.reason}")
        return
    rel = _relative(skipped.path, base)
    if skipped.path not in {s.path for s in found.sources}:
        found.sources.append(Source(skipped.path, display, rel, kinds[0].name, None, skipped.reason, True))


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


def _by_content(kinds: Sequence, path: Path, max_bytes: int):
    """A named file no kind claims by name: the kind its content shows (a daemon configuration
    named prod.json), with its bytes, or (None, None, None)."""
    from .recognise import by_content

    data, error = read_bounded(path, max_bytes)
    kind = by_content(kinds, data) if data else None
    return (kind, data, error) if kind is not None else (None, None, None)


def read_head(path: Path, size: int) -> bytes:
    """The first bytes of a regular file (b"" when it cannot be read): enough to sniff its kind."""
    held = _overlaid(path)
    if held is not None:
        return held[:size]
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

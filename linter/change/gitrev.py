"""A revision's files, read from git's object store with plumbing commands only.

Readers follow references between files (an Ansible role's templates, a Terraform templatefile),
so the revision's blobs are written into a private temporary folder outside the scanned tree and
read there like any folder: no checkout, no worktree, no index, nothing written to the repository.
Only ``rev-parse``, ``ls-tree`` and ``cat-file --batch`` run, with fixed arguments and a
configuration that starts no program (no fsmonitor, hooks, pager, filters or textconv).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional, Tuple

from ..discovery import DEFAULT_EXCLUDES, MAX_BYTES, _git_env
from ..errors import UsageError

TIMEOUT = 60  # seconds for one git command; a huge history is refused, not waited on
MAX_FILES = 100_000
MAX_TOTAL = 512 * 1024 * 1024
_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false")
_HEX = re.compile(r"^[0-9a-f]{40,64}$")


def _git(root: Path, *args: str, data: Optional[bytes] = None) -> bytes:
    command = ["git", "--no-pager", *_SAFE, "-C", str(root), *args]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=TIMEOUT, env=_git_env(),
                              stdin=None if data is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} did not answer in {TIMEOUT} s; the revision is not read") from None
    except OSError as err:
        raise UsageError(f"git cannot run ({err}); a change-aware scan needs git") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {said[-1] if said else 'failed'}")
    return done.stdout


def resolve(root: Path, rev: str) -> str:
    """The commit ``rev`` names in the repository at ``root`` (a full object id)."""
    if not rev or rev.startswith("-") or "\0" in rev:
        raise UsageError(f"{rev!r}: not a revision")
    try:
        out = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}")
    except UsageError:
        raise UsageError(f"{rev}: no such revision in {root}") from None
    sha = out.decode("ascii", "replace").strip()
    if not _HEX.match(sha):
        raise UsageError(f"{rev}: no such revision in {root}")
    return sha


def _entries(root: Path, sha: str) -> List[Tuple[str, str, int]]:
    """(blob id, path, size) of the regular files of the commit, within the bounds."""
    out = _git(root, "ls-tree", "-r", "-z", "--long", "--full-tree", sha)
    entries, total = [], 0
    for record in out.split(b"\0"):
        if not record:
            continue
        head, _, raw_path = record.partition(b"\t")
        fields = head.split()
        if len(fields) != 4 or fields[1] != b"blob" or fields[0] not in (b"100644", b"100755"):
            continue  # links, submodules: never followed
        path = raw_path.decode("utf-8", "surrogateescape")
        parts = path.split("/")
        if any(p in ("", ".", "..") or p.lower() == ".git" for p in parts) or any(p in DEFAULT_EXCLUDES for p in parts[:-1]):
            continue
        size = int(fields[3]) if fields[3].isdigit() else MAX_BYTES + 1
        if size > MAX_BYTES:
            continue
        total += size
        entries.append((fields[2].decode("ascii"), path, size))
        if len(entries) > MAX_FILES or total > MAX_TOTAL:
            raise UsageError(f"the revision holds more than {MAX_FILES} files or {MAX_TOTAL >> 20} MiB; not read")
    return entries


def materialise(root: Path, sha: str) -> Path:
    """A private temporary folder holding the commit's files (the caller removes it: ``remove``)."""
    entries = _entries(root, sha)
    folder = Path(tempfile.mkdtemp(prefix="dlint-rev-"))
    try:
        request = "".join(f"{blob}\n" for blob, _, _ in entries).encode("ascii")
        out = _git(root, "cat-file", "--batch", data=request) if entries else b""
        _write(folder, entries, out)
    except BaseException:
        remove(folder)
        raise
    return folder


def _write(folder: Path, entries, out: bytes) -> None:
    offset = 0
    for blob, path, _ in entries:
        newline = out.index(b"\n", offset)
        header = out[offset:newline].split()
        if len(header) != 3 or header[0].decode("ascii") != blob:
            raise UsageError("git cat-file answered out of order; the revision is not read")
        size = int(header[2])
        start = newline + 1
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:  # never through a link: the folder is new and ours
            handle.write(out[start : start + size])
        offset = start + size + 1


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def toplevel(start: Path) -> Optional[Path]:
    """The work tree's top folder at or above ``start`` (git's own answer), or None."""
    try:
        out = _git(start if start.is_dir() else start.parent, "rev-parse", "--show-toplevel")
    except UsageError:
        return None
    text = out.decode("utf-8", "surrogateescape").strip()
    return Path(text) if text else None

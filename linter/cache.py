"""A content-addressed cache of what each file yields (its fragments, notes and references), so
that a second scan of an unchanged tree skips the readers, as ruff's and mypy's caches do.

Where: ``$DLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/dlint``, else ``~/.cache/dlint``; never
inside a scanned tree (the cache is then off). ``--no-cache`` turns it off.

The key of a file: the hash of its bytes, its path and kind, and the salt: dlint's version and
code, the engine data, the Python version, the configuration file. A reader that may look at other
files of the repository (Ansible roles and inventories, Terraform modules, Butane's local files)
also keys on the tree: the path, size, modification time and inode of every file in it, so any
change anywhere reads those files again.

An entry is a pickle, which runs code when loaded, so it is trusted only when its HMAC (a random
key made once, readable by the user only) and its salt match: a corrupt, truncated or foreign
entry is ignored and the file read again.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

FORMAT = b"dlint-cache-1"
# kinds whose reader looks at nothing but the file itself (embedded documents included)
CLOSED_KINDS = frozenset(("daemon-json", "systemd", "envfile", "ignition", "cloud-init", "shell", "readme"))
_KEY_FILE = "key"
_SOURCE = "source"


def cache_dir() -> Path:
    explicit = os.environ.get("DLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlint"


@lru_cache(maxsize=1)
def code_salt() -> bytes:
    """dlint's version, the size and time of each of its modules and data files (an edited
    checkout must not reuse entries), the Python version."""
    from . import __version__

    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for folder, folders, files in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".json")):
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{folder[len(package):]}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    data = os.path.join(package, "engine", "data")
    for name in sorted(os.listdir(data)):  # the engine data by content, whatever its times
        if name.endswith(".json"):
            try:
                with open(os.path.join(data, name), "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
            except OSError:
                pass
    return digest.digest()


def tree_fingerprint(root: Path) -> bytes:
    """Every file and link under ``root`` (not .git) by path, size, time and inode."""
    digest = hashlib.sha256()
    stack = [str(root)]
    entries = []
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.name != ".git":
                                stack.append(entry.path)
                            continue
                        stat = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    entries.append(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n")
        except OSError:
            entries.append(f"{folder}\0unlistable\n")
    for line in sorted(entries):
        digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.digest()


def _inside(path: Path, folders: Iterable[Path]) -> bool:
    real = os.path.realpath(path)
    for folder in folders:
        top = os.path.realpath(folder)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


# what readers keep beside their fragments, keyed by Document (where a cloud-init part came from,
# what an Ansible file was): carried with the documents a result holds
SIDE_TABLES = (("dlint_docker.sources.cloudinit", "_INFO"), ("dlint_docker.sources.ansible", "_INFO"))


def _side_tables() -> list:
    found = []
    for module_name, attribute in SIDE_TABLES:
        module = sys.modules.get(module_name)
        table = getattr(module, attribute, None) if module is not None else None
        if table is not None:
            found.append((module_name, attribute, table))
    return found


class _Pickler(pickle.Pickler):
    def __init__(self, handle, source):
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.source = source
        self.seen: dict = {}
        self.tables = _side_tables()

    def persistent_id(self, obj):
        return _SOURCE if obj is self.source else None  # the live Source, not a copy

    def reducer_override(self, obj):
        if self.tables and not isinstance(obj, type):
            self.seen.setdefault(id(obj), obj)
        return NotImplemented

    def side_entries(self) -> list:
        """(module, attribute, object, entry) of every pickled object a side table knows."""
        out = []
        for module_name, attribute, table in self.tables:
            for obj in list(self.seen.values()):
                try:
                    entry = table.get(obj)
                except TypeError:  # not weakly referenceable: not a key
                    continue
                if entry is not None:
                    out.append((module_name, attribute, obj, entry))
        return out


class _Unpickler(pickle.Unpickler):
    def __init__(self, handle, source):
        super().__init__(handle)
        self.source = source

    def persistent_load(self, pid):
        if pid != _SOURCE:
            raise pickle.UnpicklingError("unknown reference")
        return self.source


def dumps(value, source) -> Optional[bytes]:
    """``value`` pickled with the side-table entries of what it holds (one memo: the entries
    refer to the same objects)."""
    handle = io.BytesIO()
    try:
        pickler = _Pickler(handle, source)
        pickler.dump(value)
        pickler.dump(pickler.side_entries())
    except Exception:  # noqa: BLE001 - something a reader made cannot be pickled: not cached
        return None
    return handle.getvalue()


def loads(data: bytes, source):
    unpickler = _Unpickler(io.BytesIO(data), source)
    value = unpickler.load()
    entries = unpickler.load()
    for module_name, attribute, obj, entry in entries:
        if (module_name, attribute) not in SIDE_TABLES:
            raise pickle.UnpicklingError("unknown side table")
        module = importlib.import_module(module_name)
        getattr(module, attribute)[obj] = entry
    return value


class FileCache:
    """get(source) -> what extract returned, or None; put(source, value)."""

    def __init__(self, folder: Path, root: Path, config: Optional[bytes] = None):
        self.folder = folder
        self.root = root
        self.config = config
        self._salt: Optional[bytes] = None
        self._tree: Optional[bytes] = None
        self._secret: Optional[bytes] = None
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, roots: Iterable[Path], root: Path, config: Optional[bytes] = None) -> Optional["FileCache"]:
        """The cache, or None when it would live inside a scanned tree or cannot be made."""
        folder = cache_dir()
        if _inside(folder, roots):
            return None
        cache = cls(folder, root, config)
        return cache if cache.secret() is not None else None

    def secret(self) -> Optional[bytes]:
        if self._secret is None:
            self._secret = _secret(self.folder)
        return self._secret

    @property
    def salt(self) -> bytes:
        if self._salt is None:
            self._salt = hashlib.sha256(FORMAT + code_salt() + hashlib.sha256(self.config or b"").digest()).digest()
        return self._salt

    def key(self, source) -> Optional[str]:
        if source.data is None or source.error is not None:
            return None
        digest = hashlib.sha256(self.salt)
        for part in (source.kind, source.rel, source.display, str(source.path), str(bool(source.explicit)), str(bool(source.forced)), repr(source.notes)):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(source.data).digest())
        if source.kind not in CLOSED_KINDS:
            if self._tree is None:
                self._tree = tree_fingerprint(self.root)
            digest.update(self._tree)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key[2:]

    def get(self, source):
        key = self.key(source)
        if key is None:
            return None
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        value = self._verified(blob, key, source)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def _verified(self, blob: bytes, key: str, source):
        mac, body = blob[:32], blob[32:]
        expected = hmac.new(self.secret(), key.encode() + body, hashlib.sha256).digest()
        if len(mac) != 32 or not hmac.compare_digest(mac, expected):
            return None  # corrupt, or written by someone else: never unpickled
        try:
            value = loads(body, source)
        except Exception:  # noqa: BLE001 - an entry that does not load is a miss
            return None
        if not (isinstance(value, tuple) and len(value) == 3):
            return None
        return value

    def put(self, source, value) -> None:
        key = self.key(source)
        if key is None:
            return
        body = dumps(value, source)
        if body is None:
            return
        mac = hmac.new(self.secret(), key.encode() + body, hashlib.sha256).digest()
        _write_atomic(self._path(key), mac + body)


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a cache that cannot be written is a slower scan, not an error


def _secret(folder: Path) -> Optional[bytes]:
    """The HMAC key of this cache folder, made once (owner-only permissions)."""
    path = folder / _KEY_FILE
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = os.urandom(32)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".key-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
        return path.read_bytes() if path.stat().st_size == 32 else None
    except OSError:
        return None


def for_scan(options, settings, cwd: Path) -> Optional[FileCache]:
    """The cache a scan uses: None unless asked for (the command line asks, unless --no-cache)."""
    if not getattr(options, "cache", False):
        return None
    roots = [Path(settings.root)] + [cwd / p for p in options.paths]
    config = None
    if settings.path is not None:
        try:
            config = Path(settings.path).read_bytes()
        except OSError:
            config = b"unreadable"
    return FileCache.open(roots, Path(settings.root), config)

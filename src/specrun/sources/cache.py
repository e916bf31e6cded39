"""On-disk cache of sampled sources, keyed by URI, ETag and sampling parameters.

An entry is a directory ``ROOT/entries/KEY/`` holding ``entry.json`` (what it is)
and ``data/`` (the sampled files).  It is built in ``ROOT/tmp/`` and moved into place
with one ``os.replace``, so an interrupted download never leaves an entry that will be
served.  The total size is capped: least-recently-used entries (by the time their
``entry.json`` was last touched) are evicted first.  A ``cachetools`` LRU index spares
repeated lookups in one process from reading ``entry.json`` again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from ..atomic import write_text_atomic

DEFAULT_CACHE_DIR = Path(".specrun/cache/s3")
DEFAULT_MAX_BYTES = 5 * 1024**3
ENTRY_FILE = "entry.json"
DATA_DIR = "data"
STALE_TEMP_S = 24 * 3600     # temp dirs older than this are leftovers of a crashed process


@dataclass(frozen=True)
class CacheEntry:
    """A complete cache entry: its key, its directory and the metadata stored with it."""

    key: str
    path: Path
    meta: Mapping[str, Any]

    @property
    def data_dir(self) -> Path:
        return self.path / DATA_DIR

    @property
    def size_bytes(self) -> int:
        return int(self.meta.get("bytes", 0))


@dataclass
class PendingEntry:
    """An entry being written: fill ``data_dir``, add to ``meta``; committed when the block ends."""

    data_dir: Path
    meta: dict[str, Any]


def cache_key(uri: str, etag: str, params: Mapping[str, Any]) -> str:
    """A stable key for a URI at one version (ETag) sampled with ``params``."""
    blob = json.dumps({"uri": uri, "etag": etag, "params": dict(params)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:40]


def _tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class SourceCache:
    """The cache directory, its size cap and the in-process index."""

    def __init__(self, root: Path | str = DEFAULT_CACHE_DIR, max_bytes: int = DEFAULT_MAX_BYTES,
                 index_size: int = 1024) -> None:
        self.root = Path(root).absolute()
        self.max_bytes = max_bytes
        self.entries_dir = self.root / "entries"
        self.tmp_dir = self.root / "tmp"
        self._index: LRUCache[str, CacheEntry] = LRUCache(maxsize=index_size)
        self._lock = threading.Lock()
        self.entries_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temps()

    # -- lookup --------------------------------------------------------------
    def get(self, key: str) -> CacheEntry | None:
        """The complete entry for ``key`` (marking it recently used), or ``None``."""
        with self._lock:
            entry = self._index.get(key)
        path = self.entries_dir / key
        try:
            os.utime(path / ENTRY_FILE)
        except FileNotFoundError:
            with self._lock:
                self._index.pop(key, None)
            return None
        if entry is None:
            try:
                meta = json.loads((path / ENTRY_FILE).read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                return None
            entry = CacheEntry(key, path, meta)
            with self._lock:
                self._index[key] = entry
        return entry

    def entries(self) -> list[CacheEntry]:
        """Every complete entry on disk, least recently used first."""
        found = []
        for path in self.entries_dir.iterdir():
            try:
                stamp = (path / ENTRY_FILE).stat().st_mtime
                meta = json.loads((path / ENTRY_FILE).read_text())
            except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
                continue
            found.append((stamp, CacheEntry(path.name, path, meta)))
        return [entry for _, entry in sorted(found, key=lambda item: item[0])]

    def size_bytes(self) -> int:
        return sum(entry.size_bytes for entry in self.entries())

    # -- writing -------------------------------------------------------------
    @contextmanager
    def writing(self, key: str, meta: Mapping[str, Any]) -> Iterator[PendingEntry]:
        """Yield a :class:`PendingEntry`; when the block ends it becomes the entry for ``key``.

        If the block raises, its directory is removed and nothing is stored.  An
        existing entry for ``key`` is replaced (this is how ``refresh`` works).
        """
        temp = self.tmp_dir / f"{key}.{uuid.uuid4().hex}"
        pending = PendingEntry(temp / DATA_DIR, dict(meta))
        pending.data_dir.mkdir(parents=True)
        try:
            yield pending
            full_meta = {**pending.meta, "key": key, "bytes": _tree_bytes(pending.data_dir),
                         "stored": time.time()}
            write_text_atomic(temp / ENTRY_FILE, json.dumps(full_meta, indent=1, sort_keys=True, default=str))
            self._commit(key, temp)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        with self._lock:
            self._index.pop(key, None)
        self.evict(keep=key)

    def _commit(self, key: str, temp: Path) -> None:
        target = self.entries_dir / key
        if target.exists():
            self._discard(target)
        try:
            os.replace(temp, target)
        except OSError:
            if not (target / ENTRY_FILE).exists():   # not another process's complete entry
                raise

    def _discard(self, path: Path) -> None:
        """Remove an entry: first move it out of ``entries/`` (atomic), then delete it."""
        trash = self.tmp_dir / f"{path.name}.evicted.{uuid.uuid4().hex}"
        try:
            os.replace(path, trash)
        except FileNotFoundError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    # -- eviction ------------------------------------------------------------
    def remove(self, key: str) -> None:
        with self._lock:
            self._index.pop(key, None)
        self._discard(self.entries_dir / key)

    def evict(self, keep: str | None = None) -> list[str]:
        """Drop least-recently-used entries until the cache fits ``max_bytes``; their keys."""
        entries = self.entries()
        total = sum(entry.size_bytes for entry in entries)
        dropped = []
        for entry in entries:
            if total <= self.max_bytes:
                break
            if entry.key == keep:
                continue
            self.remove(entry.key)
            total -= entry.size_bytes
            dropped.append(entry.key)
        return dropped

    def _remove_stale_temps(self) -> None:
        cutoff = time.time() - STALE_TEMP_S
        for path in self.tmp_dir.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    shutil.rmtree(path, ignore_errors=True)
            except FileNotFoundError:
                continue

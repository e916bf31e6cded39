"""The on-disk store of cached case results: one JSON file per key, written atomically.

An entry is ``ROOT/<key[:2]>/<key>.json`` (the case's JSON record and what stored it),
written with :func:`specrun.atomic.write_text_atomic` (a temporary file beside it, fsync,
``os.replace``), so a reader — this run's other threads or another process sharing the
folder — sees a whole entry or none.  A hit touches the file, so its mtime is the time of
last use; past ``max_bytes`` the least recently used entries are deleted first.  An entry
that cannot be read (truncated by a crash of the disk, edited by hand) is a miss, never an
error: it is only a cache.

A pipeline step's entry also keeps the outputs it handed over, in ``<key>.outputs/<port>``
beside it (:meth:`ResultStore.put_tree`): built in a temporary folder, renamed into place,
then the entry written, so an entry that names outputs finds them whole.  Its size counts
towards the cap and it is evicted with its entry.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...atomic import write_text_atomic

DEFAULT_MAX_BYTES = 256 * 1024**2
SUFFIX = ".json"
TREE_SUFFIX = ".outputs"


class ResultStore:
    """The cache folder, its size cap, and the running total of what it holds."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None   # bytes on disk, scanned once then kept up to date

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry stored under ``key`` (marking it used), or None."""
        path = self.path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        try:
            os.utime(path)
        except OSError:   # evicted by another run between the read and now: still a whole entry
            pass
        return data

    def tree_path(self, key: str) -> Path:
        """The folder of the files kept with ``key``'s entry (a pipeline step's outputs)."""
        return self.root / key[:2] / f"{key}{TREE_SUFFIX}"

    def put_tree(self, key: str, sources: Mapping[str, Path]) -> int:
        """Copy each file or folder of ``sources`` to ``<key>.outputs/<name>``, all or nothing
        (a temporary folder beside it, renamed into place); the bytes copied."""
        final = self.tree_path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
        try:
            for name, source in sources.items():
                if source.is_dir():
                    shutil.copytree(source, staging / name)
                elif source.is_file():
                    shutil.copy2(source, staging / name)
            size = _tree_bytes(staging)
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            os.replace(staging, final)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return size

    def put(self, key: str, entry: Mapping[str, Any], extra_bytes: int = 0) -> None:
        """Store ``entry`` under ``key`` (replacing any), then evict past the size cap;
        ``extra_bytes``: what :meth:`put_tree` kept beside it."""
        text = json.dumps({**entry, "key": key, "stored": time.time()}, sort_keys=True)
        path = self.path(key)
        write_text_atomic(path, text)
        with self._lock:
            if self._total is None:
                self._total = self._scan_total()
            else:
                self._total += len(text.encode()) + extra_bytes
            over = self._total > self.max_bytes
        if over:
            self.evict(keep=key)

    def entries(self) -> list[tuple[float, int, Path]]:
        """(mtime, size, path) of every complete entry, least recently used first."""
        found = []
        if not self.root.is_dir():
            return []
        for folder in self.root.iterdir():
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.suffix != SUFFIX or path.name.startswith("."):
                    continue   # temporary files of a write in progress start with a dot
                try:
                    stat = path.stat()
                except OSError:
                    continue
                tree = path.with_suffix(TREE_SUFFIX)
                found.append((stat.st_mtime, stat.st_size + (_tree_bytes(tree) if tree.is_dir() else 0), path))
        return sorted(found)

    def evict(self, keep: str | None = None) -> int:
        """Delete least recently used entries until the store fits ``max_bytes``; how many."""
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        dropped = 0
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            if keep is not None and path.name == f"{keep}{SUFFIX}":
                continue
            path.unlink(missing_ok=True)   # another run may have evicted it already
            shutil.rmtree(path.with_suffix(TREE_SUFFIX), ignore_errors=True)
            total -= size
            dropped += 1
        with self._lock:
            self._total = total
        return dropped

    def clear(self) -> None:
        """Forget every entry (``--cache-clear``)."""
        shutil.rmtree(self.root, ignore_errors=True)
        with self._lock:
            self._total = 0

    def _scan_total(self) -> int:
        return sum(size for _, size, _ in self.entries())


def _tree_bytes(folder: Path) -> int:
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                pass
    return total

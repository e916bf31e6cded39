"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The one way specrun replaces a file it writes (reports, records, ports, cache meta):
a temporary file beside the target, flushed to disk with ``fsync``, then renamed over
it, so a crash or a kill leaves the old file or the whole new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path | str, write: Callable[[Path], object], *, durable: bool = True) -> Path:
    """Call ``write(temp)`` to fill a temporary file beside ``path`` (its return value is
    ignored), fsync it, rename it over ``path``; on any failure the temporary file is
    removed and ``path`` left as it was.  ``durable=False`` leaves out the fsync (still
    atomic for every reader, but not across a power cut): for data in a case's sandbox,
    which nothing reads after specrun's process is gone."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        if durable:
            with open(tmp, "rb") as written:
                os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`write_atomic`)."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding))

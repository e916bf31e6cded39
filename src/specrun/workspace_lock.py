"""One run at a time per workspace: parallel CI jobs on one runner must not share
``.specrun/`` (a second run would delete the first one's sandboxes in flight).

The lock is an ``flock`` on ``<workspace>/run.lock``, held for the whole run and
released by the kernel if the process dies; the file names the holder's pid.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "run.lock"


class WorkspaceBusy(Exception):
    """Another live run holds the workspace; the message names its pid."""


class WorkspaceLock:
    """Exclusive use of a workspace folder while a run executes scripts."""

    def __init__(self, workspace: Path) -> None:
        self.path = workspace / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise WorkspaceBusy(f"another specrun run (pid {holder}) is using the workspace {self.path.parent}; "
                                "wait for it to finish or give this run its own --workspace DIR") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)   # closing the descriptor drops the flock
            self._fd = None

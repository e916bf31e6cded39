"""A download bandwidth cap for real-data reads (deep dive's ``bandwidth: 20MB/s``).

Every byte read from S3 passes :meth:`Bandwidth.spend` as it arrives (bodies are read in
chunks of :data:`CHUNK_BYTES`), which paces the readers so that all of them together never
run ahead of the cap: a virtual clock advances by ``bytes / rate`` per chunk (from now,
when the readers were idle: an idle spell earns no burst), and a reader returns from
``spend`` only once the clock has passed, so ``B`` bytes have taken at least ``B / rate``
seconds.  One :class:`Bandwidth` is shared by every read of a run (threads included).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CHUNK_BYTES = 64 * 1024      # a body is read (and paced) this much at a time


class Bandwidth:
    """At most ``bytes_per_s`` bytes per second across every caller of :meth:`spend`."""

    def __init__(self, bytes_per_s: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if bytes_per_s <= 0:
            raise ValueError(f"a bandwidth must be positive, found {bytes_per_s!r}")
        self.bytes_per_s = float(bytes_per_s)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._free_at: float | None = None     # when the bytes spent so far are paid for
        self.spent = 0                          # bytes, for the record
        self.waited_s = 0.0                     # time spent pacing

    def spend(self, n: int) -> None:
        """``n`` bytes have arrived: wait until the cap allows them."""
        if n <= 0:
            return
        with self._lock:
            now = self._clock()
            start = now if self._free_at is None or self._free_at < now else self._free_at
            self._free_at = start + n / self.bytes_per_s
            self.spent += n
            wait = self._free_at - now          # until these bytes are paid for
            self.waited_s += wait
        if wait > 0:
            self._sleep(wait)


def read_body(body: object, bandwidth: Bandwidth | None) -> bytes:
    """A streaming body's bytes, paced by ``bandwidth`` chunk by chunk (read whole without one)."""
    if bandwidth is None:
        return body.read()  # type: ignore[attr-defined]
    parts: list[bytes] = []
    while True:
        chunk = body.read(CHUNK_BYTES)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(parts)
        bandwidth.spend(len(chunk))
        parts.append(chunk)

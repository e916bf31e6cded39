"""How specrun stops: SIGINT, SIGTERM and SIGHUP all end a run the same way.

CI systems and ``timeout`` send SIGTERM, terminals closing send SIGHUP; each is turned
into the ``KeyboardInterrupt`` that Ctrl-C raises, so the runs in flight are killed
(their whole process trees), the record is written with ``interrupted: true`` and
specrun exits 2.  A second signal while stopping exits at once with 128 + its number.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_received: list[int] = []


def received() -> str | None:
    """The name of the first stop signal received in this process, if any."""
    return signal.Signals(_received[0]).name if _received else None


def _handle(signum: int, frame: FrameType | None) -> None:
    if _received:   # a second signal while stopping: leave now
        os._exit(128 + signum)
    _received.append(signum)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def stop_signals() -> Iterator[None]:
    """Handle the stop signals for the duration of the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    _received.clear()
    for sig in STOP_SIGNALS:
        signal.signal(sig, _handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

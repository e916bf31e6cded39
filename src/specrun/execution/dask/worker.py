"""What a Dask worker runs for one case: unpack it into a fresh folder of the worker's
own (its ``local_directory``: nothing is shared with the client), run it with the fresh
runner (same sandbox, isolation, limits, monitoring and classification as a local run),
pack the sandbox back.  Imports only ``specrun.execution`` and below, so a worker needs
specrun installed and nothing else of the client's."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..request import RunRecord
from ..runner import FreshExecutor
from .task import CasePackage, ResultPackage, TransferTooLarge, pack_results, remap, unpack

#: how often a running case checks whether its task was cancelled or its worker is closing
WATCH_S = 0.2


def _task_gone(worker: Any, key: Any) -> bool:
    """The client cancelled the task (``-x``, Ctrl-C) or the worker is shutting down."""
    if str(getattr(worker, "status", "running")).rsplit(".", 1)[-1] not in ("running", "paused"):
        return True
    task = worker.state.tasks.get(key)
    return task is None or task.state not in ("executing", "long-running")


def _watch(executor: FreshExecutor, stop: threading.Event) -> None:
    """Kill the case's process tree once its task is gone: a cancelled Dask task's thread
    cannot be interrupted, its script must be."""
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        worker, key = get_worker(), getattr(thread_state, "key", None)
    except (ImportError, ValueError):
        return
    if key is None:
        return

    def watch() -> None:
        while not stop.wait(WATCH_S):
            if _task_gone(worker, key):
                executor.close()
                return

    threading.Thread(target=watch, daemon=True, name="specrun-dask-watch").start()


def _worker_place() -> tuple[str, str | None]:
    """This worker's address and local directory (outside a worker: none)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return "", None
    return str(worker.address), str(worker.local_directory)


def run_packed(package: CasePackage, isolation: str, cap: int) -> ResultPackage:
    """Run one packed case here and return what it wrote (or why it could not ship it back)."""
    address, local = _worker_place()
    base = Path(tempfile.mkdtemp(prefix="specrun-case-", dir=local))
    try:
        request, back = unpack(package, base)
        executor = FreshExecutor(isolation=isolation)   # one per case: cancelling kills this case only
        stop = threading.Event()
        _watch(executor, stop)
        try:
            record = executor.run(request)
        finally:
            stop.set()
        # the paths specrun reports (logs, traceback frames, messages) as the client knows them;
        # what the script printed is kept as it printed it
        tails = record.stdout_tail, record.stderr_tail
        record = remap(record, back)
        record.stdout_tail, record.stderr_tail = tails
        try:
            return pack_results(package, base, record, address, cap)
        except TransferTooLarge as exc:
            return ResultPackage(record=_too_large(record, str(exc)), worker=address)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _too_large(record: RunRecord, message: str) -> RunRecord:
    from ...results import ErrorClass

    record.ok, record.classification, record.message = False, ErrorClass.SETUP_ERROR, message
    return record

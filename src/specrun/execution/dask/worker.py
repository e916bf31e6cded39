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

from ..request import RunRecord
from ..runner import FreshExecutor
from .task import CasePackage, ResultPackage, TransferTooLarge, pack_results, remap, unpack

_executors: dict[str, FreshExecutor] = {}
_lock = threading.Lock()


def _executor(isolation: str) -> FreshExecutor:
    with _lock:
        if isolation not in _executors:
            _executors[isolation] = FreshExecutor(isolation=isolation)
        return _executors[isolation]


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
        record = _executor(isolation).run(request)
        record = remap(record, back)
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

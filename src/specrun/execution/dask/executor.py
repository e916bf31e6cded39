"""DaskExecutor: ``executor.run(request)`` packs the case, submits it to the cluster and
waits for its result, so the modes' own concurrency (``-n``, the pipeline's ready steps)
puts as many cases in flight as they run threads, and each result streams to the console
as its case finishes.  ``close()`` (``-x``, Ctrl-C, the end of the run) cancels every
task still queued or running and stops the embedded cluster.

A worker that dies mid-case (``KilledWorker``, or the task lost with its worker) gives
that attempt an ``ERROR`` naming the worker; the case is submitted once more, to the
other workers; a second death is the case's ``SETUP_ERROR`` (outcome ``ERROR``).  On the
worker, a cancelled task's script is killed (worker.py watches the task's state).  A case
whose inputs or outputs exceed the transfer cap is an ``ERROR`` saying so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ...results import ErrorClass, ExecutionMetrics, RetryAttempt
from ..request import RunRecord, RunRequest
from ..runner import ExecutorClosed
from .cluster import ClusterOptions, connect
from .resources import placement
from .task import DEFAULT_CAP, TransferTooLarge, pack, restore
from .worker import run_packed


def _error_record(message: str) -> RunRecord:
    return RunRecord(ok=False, metrics=ExecutionMetrics(), classification=ErrorClass.SETUP_ERROR, message=message)


class TaskFailed(Exception):
    """The task itself raised on its worker: the case's ERROR, never specrun's crash."""


class WorkerDied(Exception):
    def __init__(self, worker: str, detail: str) -> None:
        super().__init__(f"worker {worker or '?'} died mid-case ({detail})")
        self.worker = worker


class DaskExecutor:
    name = "dask"

    def __init__(self, options: ClusterOptions, *, isolation: str = "process", cap: int = DEFAULT_CAP,
                 classifier: Callable[..., Any] | None = None) -> None:
        self.client, self.cluster = connect(options)
        self.isolation, self.cap, self.classifier = isolation, cap, classifier
        self._futures: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def slots(self) -> int:
        """How many cases the cluster runs at once (its workers' threads)."""
        info = self.workers()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))

    def workers(self) -> dict[str, Any]:
        """Every worker's info (distributed 2025.1+ lists only 5 unless ``n_workers=-1``;
        older releases list all and take no such argument)."""
        try:
            info = self.client.scheduler_info(n_workers=-1)
        except TypeError:
            info = self.client.scheduler_info()
        return dict(info.get("workers", {}))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            futures = list(self._futures)
        if futures:
            self.client.cancel(futures, force=True)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, request: RunRequest) -> RunRecord:
        if self._closed:
            raise ExecutorClosed("the executor is closed: specrun is stopping")
        try:
            package = pack(request, self.cap)
            workers = self.workers()
            resources = placement(request.memory_limit, workers)
        except (TransferTooLarge, ValueError) as exc:
            return _error_record(str(exc))
        try:
            result = self._submit(package, resources, exclude=None)
            earlier: list[RetryAttempt] = []
        except WorkerDied as died:
            earlier = [RetryAttempt(ErrorClass.SETUP_ERROR, f"ERROR: {died}; retried once on another worker")]
            try:
                result = self._submit(package, resources, exclude=died.worker)
            except WorkerDied as again:
                return _error_record(f"{died}; the retry's {again}")
            except TaskFailed as exc:
                return _error_record(str(exc))
        except TaskFailed as exc:
            return _error_record(str(exc))
        record: RunRecord = result.record
        if result.files or result.dirs:
            restore(package, result)
        if earlier:
            record.attempts = earlier + list(record.attempts)
        if not record.ok and self.classifier is not None and record.classification is not ErrorClass.SETUP_ERROR:
            found = self.classifier(record.error, record.metrics, record.stderr_tail, request.inputs_valid)
            if found is not None:
                record.classification = found
        return record

    def _submit(self, package: Any, resources: dict[str, float] | None, exclude: str | None) -> Any:
        from distributed import CancelledError
        from distributed.scheduler import KilledWorker

        workers = None
        if exclude:
            others = [w for w in self.workers() if w != exclude]
            workers = others or None
        future = self.client.submit(run_packed, package, self.isolation, self.cap, pure=False,
                                    resources=resources, workers=workers, allow_other_workers=False,
                                    retries=0)
        with self._lock:
            if self._closed:
                future.cancel()
                raise ExecutorClosed("the executor is closed: specrun is stopping")
            self._futures.add(future)
        try:
            return future.result()
        except KilledWorker as exc:
            last = getattr(exc, "last_worker", None)
            address = getattr(last, "address", None) or (str(last) if last is not None else "")
            raise WorkerDied(address, "KilledWorker") from None
        except CancelledError:
            if self._closed:
                raise ExecutorClosed("cancelled: specrun is stopping") from None
            raise
        except Exception as exc:   # specrun's own failure on the worker (no bwrap there, a full disk …)
            raise TaskFailed(f"the case could not run on the cluster: {type(exc).__name__}: {exc}") from None
        finally:
            with self._lock:
                self._futures.discard(future)

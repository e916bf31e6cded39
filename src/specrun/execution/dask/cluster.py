"""The cluster a run uses: an embedded ``distributed.LocalCluster`` (worker processes on
127.0.0.1, each with a local directory of its own, no dashboard unless asked), or an
existing one at ``--scheduler ADDRESS``.  ``distributed`` is imported here and only here
(and by the worker function), so ``--dist dask`` without it is a one-line usage error."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any

import psutil

from ...errors import UsageError
from .resources import MEMORY, worker_memory


@dataclass(frozen=True)
class ClusterOptions:
    scheduler: str | None = None        # an existing cluster's address (None: embedded)
    workers: int = 2                    # the embedded cluster's worker processes
    dashboard: bool = False             # serve the embedded cluster's dashboard (127.0.0.1, a free port)


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError("--dist dask needs the 'distributed' package: pip install 'specrun[dask]'") from None
    return distributed


def connect(options: ClusterOptions) -> tuple[Any, Any]:
    """(client, cluster or None).  The embedded cluster's scheduler marks a case's task
    failed at the first death of its worker (``allowed-failures`` 0), so the executor
    names the worker and retries once itself."""
    try:
        return _connect(options)
    except (OSError, RuntimeError, TimeoutError) as exc:
        where = f"the scheduler at {options.scheduler}" if options.scheduler else "an embedded LocalCluster"
        raise UsageError(f"--dist dask: could not reach {where}: {type(exc).__name__}: {exc}") from None


def _connect(options: ClusterOptions) -> tuple[Any, Any]:
    distributed = import_distributed()
    import dask

    if options.scheduler:
        return distributed.Client(options.scheduler, timeout=30), None
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        memory = worker_memory(psutil.virtual_memory().total, options.workers)
        cluster = distributed.LocalCluster(
            n_workers=options.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0" if options.dashboard else None,
            # one folder per worker process: no temp folder is shared between them
            local_directory=tempfile.mkdtemp(prefix="specrun-dask-"),
            resources={MEMORY: memory}, memory_limit=0, silence_logs=50)
        client = distributed.Client(cluster)
    return client, cluster

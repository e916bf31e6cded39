"""Memory-aware placement: a case's ``memory_limit`` is a Dask resource (``MEMORY``, bytes),
and each worker of the embedded cluster offers its share of the machine's memory, so the
scheduler never runs more cases on a worker than their limits fit.  A worker started by
hand offers it with ``dask worker --resources MEMORY=8e9``; a cluster none of whose
workers offers ``MEMORY`` places cases without it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MEMORY = "MEMORY"


def worker_memory(total: int, workers: int) -> int:
    """Each of ``workers`` workers' share of ``total`` bytes."""
    return max(1, total // max(1, workers))


def offered(workers_info: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Each worker's ``MEMORY`` resource (workers without one left out)."""
    return {addr: float(info.get("resources", {}).get(MEMORY)) for addr, info in workers_info.items()
            if info.get("resources", {}).get(MEMORY) is not None}


def placement(memory_limit: int | None, workers_info: Mapping[str, Mapping[str, Any]]) -> dict[str, float] | None:
    """The ``resources=`` of a case's task (None: no constraint); ``ValueError`` when no
    worker offers as much memory as the case's limit (it would wait forever)."""
    if memory_limit is None:
        return None
    memory = offered(workers_info)
    if not memory:
        return None
    if max(memory.values()) < memory_limit:
        raise ValueError(f"memory_limit {memory_limit} bytes: no worker offers that much MEMORY "
                         f"(largest {int(max(memory.values()))} bytes)")
    return {MEMORY: float(memory_limit)}

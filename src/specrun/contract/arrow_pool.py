"""Give the memory Arrow's allocator keeps after a large read or validation back to the OS.

Arrow's default pool (mimalloc) keeps the pages of freed buffers for reuse: after reading
a 2M-row parquet file (its Arrow table converted to pandas and dropped) specrun's process
stayed ~50 MiB above what it holds, and its peak with it (issue 15 pt 1).  Releasing
costs under a microsecond when there is nothing to give back.
"""

from __future__ import annotations

import sys


def release_unused() -> None:
    """Return the pool's unused memory to the OS (nothing when pyarrow was never imported)."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()

"""Where the memory of specrun's own Arrow buffers comes from, and how it goes back to the OS.

specrun's process reads and writes every port through Arrow (parquet files, pandas' ``str``
columns).  Arrow's default pool (mimalloc) keeps the pages of freed buffers for reuse, so
after a large read the process stays well above what it holds, and the next read's peak
starts from there.  The ``specrun`` command therefore starts with Arrow's pool set to the C
library's allocator (:func:`prefer_system_pool`), whose large blocks are unmapped when freed.
It must be chosen before pyarrow is imported (``pyarrow.set_memory_pool`` later does not
reach the buffers Arrow's C++ code allocates from its own default), so it is the
``ARROW_DEFAULT_MEMORY_POOL`` variable, and only when the user did not set it.  Scripts
never see it: every script, and the fork executor's warm parent, gets an environment built
from nothing (``execution/sandbox.py``), so each runs with Arrow's default.
:func:`release_unused` returns what the pool still keeps after a read or a validation.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def prefer_system_pool(environ: MutableMapping[str, str] = os.environ) -> None:
    """Have Arrow allocate from the C library in this process, unless the user chose a pool
    (takes effect only if pyarrow is not imported yet)."""
    environ.setdefault(POOL_VARIABLE, "system")


def release_unused() -> None:
    """Return the pool's unused memory to the OS (nothing when pyarrow was never imported)."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()

"""How a failure is classified: the names a spec's ``expect.error_class`` may use.

It sits below every layer because the spec grammar lists these names and the spec must
not depend on the result records; ``specrun.results`` (and the package) re-export it.
Imports nothing of specrun.
"""

from __future__ import annotations

import enum


class ErrorClass(str, enum.Enum):
    """How a failure is classified, from the child's real exception type or fate."""

    IMPORT_ERROR = "IMPORT_ERROR"        # ImportError / ModuleNotFoundError / SyntaxError at load
    DATA_ERROR = "DATA_ERROR"            # ValueError, KeyError, TypeError, pandas/pyarrow parse errors…
    RESOURCE_ERROR = "RESOURCE_ERROR"    # MemoryError, memory limit exceeded, OOM kill
    TIMEOUT = "TIMEOUT"                  # killed after the timeout
    CONTRACT_ERROR = "CONTRACT_ERROR"    # missing/invalid outputs, property violated, bad signature
    SCRIPT_ERROR = "SCRIPT_ERROR"        # any other exception or non-zero exit
    CRASH = "CRASH"                      # killed by a signal (segfault, abort)
    SETUP_ERROR = "SETUP_ERROR"          # specrun could not prepare the case (source, fixture)
    EXPECTATION_ERROR = "EXPECTATION_ERROR"  # expected a failure that did not happen / wrong error
    ACCEPTED_INVALID = "ACCEPTED_INVALID"    # exited 0 on input that broke its contract, passed the bad data on

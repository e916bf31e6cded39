"""The plugin :func:`specrun.run_specs` registers to keep the run's result and spec errors.

Its own module so that ``import specrun`` (which imports :mod:`specrun.api`) does not
import pluggy: this one is imported when a run starts.
"""

from __future__ import annotations

from typing import Any

from .hooks import hookimpl
from .results import SessionResult


class ResultCapture:
    """Keeps what :func:`specrun.run_specs` returns (the result) or raises (the first spec error)."""

    def __init__(self) -> None:
        self.result: SessionResult | None = None
        self.spec_errors: list[Exception] = []

    @hookimpl
    def specrun_spec_error(self, session: Any, error: Exception) -> None:
        self.spec_errors.append(error)

    @hookimpl
    def specrun_sessionfinish(self, session: Any, result: SessionResult) -> None:
        self.result = result

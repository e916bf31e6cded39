"""The entry point of specrun-drift: registers the ``drift`` testing mode."""

from __future__ import annotations

from specrun.plugin import hookimpl

from .mode import DriftMode


@hookimpl
def specrun_modes() -> list[DriftMode]:
    return [DriftMode()]

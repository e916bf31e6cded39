"""specrun: test data-pipeline scripts from declarative YAML specs.

Public API: :func:`run` (the CLI as a function), :func:`load` (a spec file → model),
the result records and :class:`ExitCode`.
"""

from __future__ import annotations

from ._version import __version__
from .results import (
    CaseResult,
    ErrorClass,
    ExecutionMetrics,
    ExitCode,
    Outcome,
    SessionResult,
)


def run(args: list[str] | None = None) -> int:
    """Run specrun as the CLI would, returning the exit code."""
    from .cli import main

    return main(args)


def load(path: str):
    """Load and check one spec file; raises :class:`specrun.spec.model.SpecError`."""
    from pathlib import Path

    from .spec.loader import load_spec

    return load_spec(Path(path))


__all__ = ["run", "load", "CaseResult", "ErrorClass", "ExecutionMetrics", "ExitCode",
           "Outcome", "SessionResult", "__version__"]

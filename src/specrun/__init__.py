"""specrun: test data-pipeline scripts from declarative YAML specs.

Public API: :func:`run_specs` (a run, returning its :class:`SessionResult`; see
docs/python-api.md), :func:`load_result` (a JSON record read back), :func:`run` (the CLI
as a function, returning the exit code), :func:`load` (a spec file → model), the result
records and :class:`ExitCode`.  Results and specs display as HTML in notebooks.
"""

from __future__ import annotations

from . import notebook as _notebook
from ._version import __version__
from .api import load_result, run_specs
from .results import (
    CaseResult,
    ErrorClass,
    ExecutionMetrics,
    ExitCode,
    Outcome,
    PipelineRun,
    SessionResult,
)

_notebook.register()


def run(args: list[str] | None = None) -> int:
    """Run specrun as the CLI would, returning the exit code."""
    from .cli import main

    return main(args)


def load(path: str):
    """Load and check one spec file; raises :class:`specrun.spec.model.SpecError`."""
    from pathlib import Path

    from .spec.loader import load_spec

    return load_spec(Path(path))


__all__ = ["run", "run_specs", "load", "load_result", "CaseResult", "ErrorClass", "ExecutionMetrics",
           "ExitCode", "Outcome", "PipelineRun", "SessionResult", "__version__"]

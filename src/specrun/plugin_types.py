"""The shapes of what plugins hand to specrun through the registry hooks.

:class:`Mode` is what ``specrun_modes`` returns (the built-in isolation, pipeline and
deep-dive modes are ones); :class:`SessionLike` is what a mode is given of the session;
:class:`StaticFinding` is what ``specrun_static_check`` returns; :class:`PluginError`
is a plugin breaking this boundary (a misspelt hook, a name registered twice).
Importable by every layer: it imports nothing of specrun at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    import argparse
    from pathlib import Path

    import pandera.pandas as pa

    from .contract.compiler import ContractCompiler
    from .contract.properties import PropertyContext
    from .contract.types import TypeRegistry
    from .execution.request import Executor
    from .plan import PlannedCase
    from .results import CaseResult, PropertyResult
    from .run_options import RunOptions
    from .session import Session
    from .spec.model import PipelineSpec


@runtime_checkable
class SessionLike(Protocol):
    """What a mode uses of the session that runs it (``session.Session`` is one).

    Modes are annotated with this rather than with ``Session`` so that they do not
    depend on the layer above them; it names exactly what the built-in modes read
    and call, nothing more.
    """

    #: set by a mode to stop the run (``"interrupted"``); read to stop early
    shouldstop: str | None

    @property
    def config(self) -> argparse.Namespace:
        """The parsed command line (with the project config folded in)."""
        ...

    @property
    def options(self) -> RunOptions:
        """The run's typed options (command line, project config)."""
        ...

    @property
    def workspace(self) -> Path:
        """The ``.specrun`` folder: sandboxes, saved failures, pipeline state."""
        ...

    @property
    def types(self) -> TypeRegistry:
        """The column types, built-in and from plugins."""
        ...

    @property
    def contracts(self) -> ContractCompiler:
        """Compiles port schemas into pandera schemas (cached)."""
        ...

    @property
    def properties(self) -> dict[str, PropertyChecker]:
        """The step properties by kind, built-in and from plugins."""
        ...

    @property
    def project_modes(self) -> Mapping[str, Mapping[str, Any]]:
        """Mode options from the project config (``[tool.specrun.modes.NAME]``)."""
        ...

    @property
    def specs(self) -> list[PipelineSpec]:
        """Every spec collected in this run."""
        ...

    @property
    def cases(self) -> list[PlannedCase]:
        """The cases this run selected (planned, then filtered by ``-k``, ``--step``, ``--id``)."""
        ...

    def executor(self, name: str | None = None) -> Executor:
        """The executor called ``name`` (default: ``--executor`` or ``fresh``)."""
        ...

    def executor_name(self, spec: PipelineSpec, default: str = "fresh") -> str:
        """Which executor runs ``spec``'s steps."""
        ...

    def close(self) -> None:
        """Close the executors (a mode calls it when the run is interrupted)."""
        ...

    def spec_seed(self, spec: PipelineSpec) -> int:
        """The run seed for ``spec``."""
        ...

    def case_seed(self, spec: PipelineSpec, case_id: str, explicit: int | None = None) -> int:
        """The seed of one case: explicit (scenario) or derived from the run seed and id."""
        ...

    def start_case(self, case: PlannedCase) -> None:
        """Tell the reporters a case starts (``specrun_case_start``)."""
        ...

    def publish(self, name: str, record: Any) -> None:
        """Keep a mode-level record in the JSON report and tell the reporters."""
        ...

    def replay_command(self, spec: PipelineSpec, case_id: str) -> str:
        """The command line that reruns one case with the same seed."""
        ...


@runtime_checkable
class Mode(Protocol):
    """A testing mode: plans cases for a spec and runs them into results.  It never prints."""

    name: str

    def plan(self, session: Session, spec: PipelineSpec) -> list[PlannedCase]:
        """The cases this mode would run for ``spec`` (before ``-k``/``--step`` selection)."""
        ...

    def run(self, session: Session, spec: PipelineSpec, cases: list[PlannedCase]) -> Iterable[CaseResult]:
        """Run the selected ``cases`` of ``spec``, yielding one result per case as it finishes."""
        ...


class StaticFinding(Protocol):
    """One thing ``specrun check`` found without running anything."""

    severity: str                  # "error" or "warning"
    message: str                   # one line (a ``location`` attribute, when present, is shown too)


#: ``checks: [{name: args}]`` on a column: ``factory(args) -> pandera.Check``.
CheckFactory = Callable[[Any], "pa.Check"]
#: ``properties: [{kind: params}]`` of a step: ``checker(params, context) -> PropertyResult``.
PropertyChecker = Callable[[Any, "PropertyContext"], "PropertyResult"]
#: ``--executor NAME`` / ``defaults.executor``: ``factory(session) -> Executor``.
ExecutorFactory = Callable[["Session"], "Executor"]


class PluginError(Exception):
    """A plugin broke the plugin boundary (exit code 3); the message names the plugin."""

"""The shapes of what plugins hand to specrun through the registry hooks.

:class:`Mode` is what ``specrun_modes`` returns (the built-in isolation, pipeline and
deep-dive modes are ones); :class:`StaticFinding` is what ``specrun_static_check``
returns; :class:`PluginError` is a plugin breaking this boundary (a misspelt hook, a
name registered twice).  Importable by every layer: it imports nothing of specrun at
run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

    from .contract.properties import PropertyContext
    from .execution.request import Executor
    from .plan import PlannedCase
    from .results import CaseResult, PropertyResult
    from .session import Session
    from .spec.model import PipelineSpec


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

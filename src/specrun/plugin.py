"""What a plugin author needs, in one import: ``from specrun.plugin import ...``.

Everything here is re-exported from the module that owns it (nothing is
redefined), so a plugin mode builds on exactly what the built-in modes use:

* hooks: :data:`hookimpl` (decorate ``specrun_*`` functions or methods);
* planning and results: :class:`PlannedCase`, :class:`CaseResult`, :class:`Outcome`,
  :class:`ErrorClass`, :class:`PortValidation`, :class:`PropertyResult`,
  :func:`stable_seed`, :func:`mode_options`;
* options: :class:`RunOptions` (``session.options``, specrun's own options, typed) and
  :class:`NamespaceOptions` (a base for a plugin's own options dataclass);
* running a step: :class:`SandboxDir`, :class:`StepRunPlan`, :func:`run_step`
  (executor, output validation, properties), :func:`fill_result`, :func:`judge`,
  :func:`resolve_limits` (a :class:`RunLimits`), :func:`synthetic_step_plan` (inputs generated from their
  contracts, as isolation mode writes them);
* column types: :class:`ColumnTypeBase` (the defaults a plugin type inherits);
* data: :func:`vectorised_frame` (the seeded generator), :func:`write_port` /
  :func:`read_port` / :func:`port_target` / :func:`copy_fixture` (port I/O);
* spec model and errors: :class:`PipelineSpec`, :class:`StepSpec`,
  :class:`PortSpec`, :class:`SchemaSpec`, :class:`ColumnSpec`,
  :class:`ScenarioSpec`, :class:`ExpectSpec`, :class:`Location`, :class:`SpecError`.

See ``docs/plugins.md`` for the hooks and a worked example of each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .contract.io import (
    copy_fixture,
    port_target,
    read_port,
    read_port_frame,
    write_port,
)
from .contract.types import ColumnTypeBase
from .contract.vectorised import vectorised_frame
from .execution.sandbox import SandboxDir
from .hooks import hookimpl, hookspec
from .modes.limits import RunLimits, resolve_limits
from .modes.options import mode_options
from .modes.step_case import (
    StepOutcome,
    StepRunPlan,
    fill_result,
    input_schema,
    judge,
    run_step,
)
from .plan import PlannedCase, stable_seed
from .results import (
    CaseResult,
    ColumnFailure,
    ErrorClass,
    Outcome,
    PortValidation,
    PropertyResult,
)
from .run_options import NamespaceOptions, RunOptions
from .spec.model import (
    ColumnSpec,
    ExpectSpec,
    Location,
    PipelineSpec,
    PortSpec,
    ScenarioSpec,
    SchemaSpec,
    SpecError,
    StepSpec,
)

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session


def synthetic_step_plan(session: Session, spec: PipelineSpec, step: StepSpec, sandbox: SandboxDir,
                        seed: int, rows: int | None = None, label: str = "") -> StepRunPlan:
    """Write synthetic inputs for ``step`` into ``sandbox`` exactly as isolation mode's
    ``standard`` scenario would (``rows`` per input unless a port fixes its own), and
    return the plan to hand to :func:`run_step`."""
    from .modes.isolation.mode import IsolationCase, IsolationMode

    scenario = ScenarioSpec(name="synthetic", rows=rows)
    case_id = label or f"{spec.pipeline}::{step.name}[synthetic]"
    case = PlannedCase(case_id, "isolation", spec.pipeline, step.name, scenario.name, {}, spec=spec,
                       payload=IsolationCase(step, scenario, {}))
    return IsolationMode().prepare(session, spec, case, sandbox, seed)


__all__ = [
    "CaseResult", "ColumnFailure", "ColumnSpec", "ColumnTypeBase", "ErrorClass", "ExpectSpec", "Location",
    "NamespaceOptions", "Outcome", "PipelineSpec", "PlannedCase", "PortSpec", "PortValidation", "PropertyResult",
    "RunLimits", "RunOptions", "SandboxDir", "ScenarioSpec",
    "SchemaSpec", "SpecError", "StepOutcome", "StepRunPlan", "StepSpec", "copy_fixture", "fill_result",
    "hookimpl", "hookspec", "input_schema", "judge", "mode_options", "port_target", "read_port",
    "read_port_frame",
    "resolve_limits", "run_step", "stable_seed", "synthetic_step_plan", "vectorised_frame", "write_port",
]

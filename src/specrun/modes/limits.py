"""The limits one run of a script gets, and the one rule that decides them.

Every mode (built-in or plugin, through :mod:`specrun.plugin`) asks
:func:`resolve_limits`; :func:`~specrun.modes.step_case.run_step` records the limits
that applied in the run's :class:`~specrun.results.ExecutionMetrics`, so the JSON
record carries them.  A step's ``cpu:`` (and ``max_output_size:``) come from the step,
else the spec's ``defaults:``, filled in at load time (``spec/build_steps.py``), and the
executor records what held them (``metrics.cpu_limit``, ``metrics.cpu_enforcement``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from ..spec.model import PipelineSpec, StepSpec

DEFAULT_TIMEOUT_S = 300.0   #: the timeout of a run when nothing sets one

T = TypeVar("T")


@dataclass(frozen=True)
class RunLimits:
    """Wall-clock seconds and bytes of memory (of the whole process tree) of one run.

    As a resolved value, ``None`` means unlimited; as one level of the precedence
    (a scenario's, a mode option's), ``None`` means "this level does not say".
    """

    timeout_s: float | None = None
    memory_limit_bytes: int | None = None


def resolve_limits(spec: PipelineSpec, step: StepSpec, *, scenario: RunLimits | None = None,
                   mode: RunLimits | None = None) -> RunLimits:
    """The limits of one run of ``step``, each decided on its own, highest first:

    the scenario (with its parameters), the mode's options (``modes.isolation``
    ``timeout``/``memory_limit``, ``modes.pipeline``/``deep_dive`` ``timeout_per_step``/
    ``memory_limit``), the step, the spec's ``defaults``; the timeout then falls back
    to :data:`DEFAULT_TIMEOUT_S` and the memory to unlimited.
    """
    levels = [scenario or RunLimits(), mode or RunLimits(), RunLimits(step.timeout, step.memory_limit),
              RunLimits(spec.defaults.timeout, spec.defaults.memory_limit)]
    timeout = _first(level.timeout_s for level in levels)
    memory = _first(level.memory_limit_bytes for level in levels)
    return RunLimits(float(timeout) if timeout is not None else DEFAULT_TIMEOUT_S,
                     int(memory) if memory is not None else None)


def _first(values: Iterable[T | None]) -> T | None:
    return next((value for value in values if value is not None), None)

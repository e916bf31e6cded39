"""The pipeline mode's run record: what the JSON report and the pipeline console show.

One :class:`PipelineRecord` per pipeline run, published as ``pipeline:<pipeline>`` (or
``pipeline:<pipeline>[<run>]`` when the spec runs the DAG several times: see ``runs.py``)
through ``session.publish``.  Plain dataclasses, serialisable with
:func:`specrun.results.to_jsonable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...analysis.evolution import DataEvolution


@dataclass
class StepTiming:
    """One step of the run: outcome, and when it ran relative to the pipeline's start."""

    step: str
    outcome: str                 # passed | failed | error | skipped
    duration_s: float = 0.0
    started_s: float | None = None
    finished_s: float | None = None
    message: str = ""
    reused: bool = False         # not rerun: its kept outputs of the last run were handed over (--from)
    cached: bool = False         # served by the result cache with its stored outputs: the script did not run


@dataclass
class TransitionSummary:
    """One validated (or skipped) edge; ``blame`` says whose contract is wrong."""

    id: str
    edge: str                    # "producer.output -> consumer.input"
    outcome: str
    blame: str | None = None     # producer | contracts | None
    rows: int | None = None
    handoff: str | None = None   # hardlink | copy (how the data reached the consumer)
    message: str = ""


@dataclass
class PipelineRecord:
    """Everything one pipeline run did, including the data evolution."""

    pipeline: str
    spec: str
    execution: str
    validation: str
    max_parallel: int
    continue_on_failure: bool
    scenario: str
    seed: int
    from_step: str | None = None
    run: str | None = None       # the run's label (scenario, parameters) when the DAG runs several times
    params: dict[str, Any] = field(default_factory=dict)   # the run's parametrize values
    wall_s: float = 0.0
    steps: list[StepTiming] = field(default_factory=list)
    transitions: list[TransitionSummary] = field(default_factory=list)
    critical_path: list[str] = field(default_factory=list)
    critical_path_s: float = 0.0
    bottleneck: str | None = None
    bottleneck_s: float = 0.0
    stopped: str | None = None   # why the run stopped early, if it did
    kept_outputs: str = ""       # <workspace>/pipeline/<pipeline>
    evolution: DataEvolution = field(default_factory=DataEvolution)

    @property
    def title(self) -> str:
        """``PIPELINE`` or ``PIPELINE[RUN]``: what the run is called in reports."""
        return self.pipeline + (f"[{self.run}]" if self.run else "")

    @property
    def failed_transitions(self) -> list[TransitionSummary]:
        return [t for t in self.transitions if t.outcome in ("failed", "error")]

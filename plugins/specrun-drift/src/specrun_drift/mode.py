"""The ``drift`` testing mode: one case per step, run twice — on synthetic inputs
generated from the contracts, and on reference inputs (snapshot, folder or S3
prefix) — then every output column compared (PSI and KS, ``compare_frames``).

The case fails when either run fails (its own classification and message), and
with ``DATA_ERROR`` when a column drifts past the thresholds; ``details`` holds the
drift of every compared column.  A reference that cannot be read is an ``ERROR``
(``SETUP_ERROR``).  The mode publishes a ``drift`` record: per case, the drifted
columns.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from specrun.analysis.drift import compare_frames
from specrun.lazy import lazy_module
from specrun.plugin import (
    CaseResult,
    ErrorClass,
    ExpectSpec,
    Outcome,
    PipelineSpec,
    PlannedCase,
    SandboxDir,
    StepOutcome,
    StepRunPlan,
    StepSpec,
    fill_result,
    input_schema,
    judge,
    port_target,
    read_port_frame,
    resolve_limits,
    run_step,
    synthetic_step_plan,
)
from specrun.sources import SourceError

from .options import NAME, DriftOptions, drift_options
from .reference import Reference, place

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from specrun.session import Session


class DriftMode:
    name = NAME

    def plan(self, session: Session, spec: PipelineSpec) -> list[PlannedCase]:
        options = drift_options(spec, session.project_modes)
        return [PlannedCase(f"{spec.pipeline}::{step}[drift]", self.name, spec.pipeline, step, "drift",
                            spec=spec, payload=options) for step in options.steps]

    def run(self, session: Session, spec: PipelineSpec, cases: list[PlannedCase]) -> Iterator[CaseResult]:
        summary: dict[str, Any] = {}
        reference: Reference | None = None
        for case in cases:
            if session.shouldstop:
                break
            options: DriftOptions = case.payload
            reference = reference or Reference(options, session.workspace / "cache" / "drift")
            result = self.run_case(session, spec, case, options, reference)
            summary[case.id] = {"outcome": result.outcome.value,
                                "drifted": [f"{o}.{c['column']}" for o, cols in result.details.get("outputs", {}).items()
                                            for c in cols if c["drifted"]]}
            yield result
        session.publish(self.name, {"reference": cases[0].payload.reference if cases else None, "cases": summary})

    def run_case(self, session: Session, spec: PipelineSpec, case: PlannedCase, options: DriftOptions,
                 reference: Reference) -> CaseResult:
        step = spec.steps[case.step]
        seed = session.case_seed(spec, case.id)
        result = CaseResult(id=case.id, mode=self.name, pipeline=spec.pipeline, step=step.name, scenario="drift",
                            kind="drift", seed=seed, replay=session.replay_command(spec, case.id),
                            details={"reference": options.reference, "thresholds": asdict(options.thresholds)})
        session.start_case(case)
        started = time.perf_counter()
        base = session.workspace / "sandboxes"
        with SandboxDir(base=base, prefix="drift-synthetic-") as synthetic_box, \
                SandboxDir(base=base, prefix="drift-reference-") as reference_box:
            synthetic = run_step(session, synthetic_step_plan(session, spec, step, synthetic_box, seed,
                                                              rows=options.rows, label=case.id))
            try:
                plan = reference_plan(spec, step, reference_box, reference, seed, case.id)
            except (SourceError, OSError) as exc:
                result.outcome, result.classification = Outcome.ERROR, ErrorClass.SETUP_ERROR
                result.message = f"reference data: {exc}"
            else:
                self.judge(result, case.id, synthetic, run_step(session, plan), options)
        result.duration_s = time.perf_counter() - started
        return result

    @staticmethod
    def judge(result: CaseResult, case_id: str, synthetic: StepOutcome, real: StepOutcome,
              options: DriftOptions) -> None:
        fill_result(result, synthetic)
        for label, outcome in (("synthetic", synthetic), ("reference", real)):
            verdict, classification, message = judge(case_id, outcome, ExpectSpec())
            if verdict is not Outcome.PASSED:
                result.outcome, result.classification = verdict, classification
                result.message = f"{label} run: {message}"
                return
        compared: dict[str, list[dict[str, Any]]] = {}
        drifted: list[str] = []
        for name in options.outputs or list(real.output_frames):
            if name not in real.output_frames or name not in synthetic.output_frames:
                continue
            expected, actual = _columns(real.output_frames[name], options), _columns(synthetic.output_frames[name], options)
            if expected.empty or actual.empty:
                continue
            columns = compare_frames(expected, actual, options.thresholds)
            compared[name] = [asdict(c) for c in columns]
            drifted += [f"{name}.{c.message}" for c in columns if c.drifted]
        result.details["outputs"] = compared
        result.details["rows"] = {"synthetic": {n: len(f) for n, f in synthetic.output_frames.items()},
                                  "reference": {n: len(f) for n, f in real.output_frames.items()}}
        if drifted:
            result.outcome, result.classification = Outcome.FAILED, ErrorClass.DATA_ERROR
            result.message = "outputs drift from the reference: " + "; ".join(drifted)
        else:
            count = sum(len(c) for c in compared.values())
            result.outcome, result.message = Outcome.PASSED, f"no drift in {count} output column(s)"


def reference_plan(spec: PipelineSpec, step: StepSpec, sandbox: SandboxDir, reference: Reference,
                   seed: int, label: str) -> StepRunPlan:
    """The step's inputs taken from the reference, placed in ``sandbox``."""
    inputs, frames = {}, {}
    for name, port in step.inputs.items():
        target = port_target(sandbox.root, port, "input")
        place(reference.locate(step, name, port, seed), port, target)
        inputs[name] = target
        if port.tabular:
            frames[name] = read_port_frame(port, target, input_schema(spec, port))
    outputs = {}
    for name, port in step.outputs.items():
        target = port_target(sandbox.root, port, "output")
        (target if port.is_dir else target.parent).mkdir(parents=True, exist_ok=True)
        outputs[name] = target
    limits = resolve_limits(spec, step)
    return StepRunPlan(step=step, workdir=sandbox.root, input_paths=inputs, output_paths=outputs,
                       output_schemas={n: p.schema for n, p in step.outputs.items()}, env=dict(step.env),
                       job_args=dict(step.job_args), timeout=limits.timeout_s, memory_limit=limits.memory_limit_bytes,
                       input_frames=frames, label=label)


def _columns(frame: pd.DataFrame, options: DriftOptions) -> pd.DataFrame:
    if options.columns is None:
        return frame
    return frame[[c for c in options.columns if c in frame.columns]]

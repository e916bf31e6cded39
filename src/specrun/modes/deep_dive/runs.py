"""Running one step of a deep dive: on its real samples, on synthetic data of the same row
count, and at the row counts of a volume-scaling series.

Every run goes through :func:`~specrun.modes.step_case.run_step` — the same sandbox,
fresh process and resource monitor as isolation mode — and becomes a
:class:`~specrun.modes.deep_dive.analysis.RunSummary` (time, CPU, peak memory, I/O).
Scaling inputs are the real samples resampled with replacement (seeded; columns the
contract declares unique are regenerated so keys stay unique), or synthetic data when
a port has no real frame.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...contract.io import PortReadError, port_target, read_port, write_port
from ...contract.types import TypeRegistry
from ...contract.vectorised import vectorised_column, vectorised_frame
from ...execution.sandbox import SandboxDir, safe_name
from ...lazy import lazy_module
from ...plan import stable_seed
from ...results import PortValidation
from ...spec.model import ExpectSpec, PipelineSpec, SchemaSpec, StepSpec
from ..limits import RunLimits, resolve_limits
from ..pipeline.step import disk_bytes
from ..step_case import (
    StepOutcome,
    StepRunPlan,
    input_schema,
    judge,
    run_step,
    validate_port_parts,
)
from .analysis import RunSummary
from .sources import RealInput, place_input

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

#: writes a step's inputs under a sandbox root: port → path, and the tabular frames written
InputWriter = Callable[[Path], tuple[dict[str, Path], dict[str, "pd.DataFrame"]]]


@dataclass
class RealFrames:
    """The real samples of a step's tabular inputs, read once, with their validations."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    validations: list[PortValidation] = field(default_factory=list)
    nbytes: dict[str, int] = field(default_factory=dict)


@dataclass
class StepRunner:
    """Runs one step of one spec in sandboxes under the session's workspace."""

    session: SessionLike
    spec: PipelineSpec
    step: StepSpec
    case_id: str
    seed: int
    timeout: float | None
    memory_limit: int | None
    kept: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, session: SessionLike, spec: PipelineSpec, step: StepSpec, case_id: str,
               options: Mapping[str, Any]) -> StepRunner:
        limits = resolve_limits(spec, step,
                                mode=RunLimits(options.get("timeout_per_step"), options.get("memory_limit")))
        seed = session.case_seed(spec, case_id)
        return cls(session, spec, step, case_id, seed, limits.timeout_s, limits.memory_limit_bytes)

    # -- inputs -----------------------------------------------------------------
    def read_real(self, reals: Mapping[str, RealInput], validate: bool) -> RealFrames:
        """Read the real samples of the tabular inputs (and validate them against the contract)."""
        out = RealFrames()
        with SandboxDir(base=self.session.workspace / "sandboxes", prefix="deep-dive-read-") as box:
            for name, port in self.step.inputs.items():
                if not port.tabular or name not in reals:
                    continue
                target = port_target(box.root, port, "input")
                place_input(port, reals[name], target)
                schema = input_schema(self.spec, port)
                try:
                    parts = read_port(port, target, schema, types=self.session.types)
                except PortReadError as exc:
                    out.validations.append(PortValidation(name, "input", False, message=str(exc)))
                    continue
                frames = list(parts.values())
                out.frames[name] = (pd.concat(frames, ignore_index=True) if len(frames) > 1
                                    else frames[0] if frames else pd.DataFrame())
                out.nbytes[name] = disk_bytes(target)
                if validate and schema is not None:
                    out.validations.append(validate_port_parts(self.session, name, "input", parts, schema))
        return out

    def real_writer(self, reals: Mapping[str, RealInput], frames: Mapping[str, pd.DataFrame]) -> InputWriter:
        def write(root: Path) -> tuple[dict[str, Path], dict[str, pd.DataFrame]]:
            paths = {}
            for name, port in self.step.inputs.items():
                paths[name] = port_target(root, port, "input")
                place_input(port, reals[name], paths[name])
            return paths, dict(frames)
        return write

    def sized_writer(self, reals: Mapping[str, RealInput], frames: Mapping[str, pd.DataFrame],
                     rows: Mapping[str, int], resample_real: bool, salt: str) -> InputWriter:
        """Tabular inputs of ``rows[port]`` rows: synthetic, or the real sample resampled."""
        types = self.session.types

        def write(root: Path) -> tuple[dict[str, Path], dict[str, pd.DataFrame]]:
            paths: dict[str, Path] = {}
            written: dict[str, pd.DataFrame] = {}
            for name, port in self.step.inputs.items():
                paths[name] = target = port_target(root, port, "input")
                schema = input_schema(self.spec, port)
                seed = stable_seed(self.seed, name, salt)
                if port.tabular and name in rows and (schema is not None or name in frames):
                    if resample_real and name in frames and len(frames[name]):
                        frame = resampled(frames[name], rows[name], schema, seed, types)
                    elif schema is not None:
                        frame = vectorised_frame(schema, rows[name], seed, types)
                    else:
                        frame = frames[name].iloc[:0]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    write_port(port, frame, target, seed=seed)
                    written[name] = frame
                else:
                    place_input(port, reals[name], target)
            return paths, written
        return write

    # -- running ----------------------------------------------------------------------
    def run(self, label: str, write_inputs: InputWriter,
            judged: bool = True) -> tuple[RunSummary, StepOutcome, dict[str, pd.DataFrame]]:
        """Run the step once in a fresh sandbox: its summary, outcome and the tabular inputs
        written.  The sandbox is kept when the run fails."""
        sandbox = SandboxDir(base=self.session.workspace / "sandboxes",
                             prefix=safe_name(f"{self.case_id}-{label}") + "-", keep=True)
        with sandbox:
            inputs, frames = write_inputs(sandbox.root)
            outputs = {}
            for name, port in self.step.outputs.items():
                outputs[name] = port_target(sandbox.root, port, "output")
                (outputs[name] if port.is_dir else outputs[name].parent).mkdir(parents=True, exist_ok=True)
            plan = StepRunPlan(step=self.step, workdir=sandbox.root, input_paths=inputs, output_paths=outputs,
                               output_schemas={n: p.schema for n, p in self.step.outputs.items()},
                               env=dict(self.step.env), job_args=dict(self.step.job_args),
                               timeout=self.timeout, memory_limit=self.memory_limit, input_frames=frames,
                               label=f"{self.case_id} {label}")
            outcome = run_step(self.session, plan, self.session.executor_name(self.spec))
            summary = summarise(label, sum(len(f) for f in frames.values()), outcome, judged)
            if summary.ok:
                shutil.rmtree(sandbox.root, ignore_errors=True)
            else:
                self.kept.append(str(sandbox.root))
        return summary, outcome, frames


def summarise(label: str, rows: int, outcome: StepOutcome, judged: bool = True) -> RunSummary:
    """A :class:`RunSummary` of one run; ``judged`` also counts output contracts and properties."""
    metrics = outcome.record.metrics
    if judged:
        verdict, classification, message = judge(label, outcome, ExpectSpec())
        ok = verdict.value == "passed"
    else:
        ok, classification, message = outcome.record.ok, outcome.record.classification, outcome.record.message
    return RunSummary(label=label, rows=rows, ok=ok,
                      classification=classification.value if classification is not None and not ok else None,
                      message="" if ok else message, wall_s=metrics.wall_s, cpu_s=metrics.cpu_s,
                      peak_rss_bytes=metrics.peak_rss_bytes, read_bytes=metrics.read_bytes,
                      write_bytes=metrics.write_bytes,
                      output_rows=(sum(len(f) for f in outcome.output_frames.values())
                                   if outcome.output_frames else None))


def resampled(frame: pd.DataFrame, rows: int, schema: SchemaSpec | None, seed: int,
              types: TypeRegistry) -> pd.DataFrame:
    """``rows`` rows drawn with replacement from ``frame``; unique columns regenerated."""
    picks = np.random.default_rng(seed).integers(0, len(frame), size=rows)
    out = frame.iloc[picks].reset_index(drop=True)
    for name, column in (schema.columns.items() if schema is not None else ()):
        if column.unique and name in out.columns:
            out[name] = vectorised_column(column, rows, seed, types).to_numpy()
    return out


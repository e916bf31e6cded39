"""One step of a pipeline run: inputs in place, transitions validated, script run, outputs kept.

Source inputs (fed by no step) are fixtures/samples copied as-is or data synthesised
from their contracts with the run's seed; every other input is the producer's kept
output, hard-linked into the consumer's sandbox (copied only where a link is
impossible) and validated as a transition before the consumer runs.  The step
runs through the same sandbox, executor and output checks as isolation mode.
Every port's data is profiled for the run's data evolution.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...analysis.compat import Edge, effective_consumer_port
from ...analysis.evolution import ProfileKey
from ...analysis.profile import DataProfile, profile_frame
from ...contract.io import (
    PortReadError,
    copy_fixture,
    port_target,
    read_port,
    read_port_frame,
    write_parts,
    write_port,
)
from ...contract.mutators import apply_mutations
from ...contract.part_mutations import write_targeted
from ...contract.split_schemas import generate_split_parts, whole_frame
from ...contract.vectorised import vectorised_frame
from ...execution.sandbox import SandboxDir, safe_name
from ...lazy import lazy_module
from ...plan import PlannedCase, stable_seed
from ...results import CaseResult, ErrorClass, Outcome, PortValidation
from ...spec.model import ExpectSpec, PipelineSpec, PortSpec, ScenarioSpec, SchemaSpec, SpecError, StepSpec
from ..isolation.mode import DEFAULT_ROWS, column_overrides, with_overrides
from ..large_ports import checked_by_column
from ..limits import RunLimits, resolve_limits
from ..result_cache.cache import result_cache
from ..result_cache.case_key import tree_digest
from ..step_case import (
    StepRunPlan,
    fill_result,
    input_schema,
    judge,
    run_step,
    validate_port_parts,
)
from .profile_reuse import PortRead, port_read, reused_check, reused_profile
from .run import StepReport
from .runs import PipelineCase, ScenarioRun
from .state import KeptOutputs, files_in, link_tree
from .transition import skipped_transition, validate_transition

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
else:
    nx = lazy_module("networkx")
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike


def disk_bytes(path: Path) -> int:
    """Bytes on disk of a port: one file or every file of a directory."""
    return sum(p.stat().st_size for p in files_in(path))


@dataclass
class PipelineContext:
    """What every step of one pipeline run shares (thread-safe where steps write)."""

    session: SessionLike
    spec: PipelineSpec
    dag: nx.DiGraph
    options: dict[str, Any]
    run: ScenarioRun
    seed: int
    kept: KeptOutputs
    cases: dict[str, PlannedCase]
    #: steps whose {job_args.NAME} / {env.NAME} this run gives no value (name → why): setup errors
    unresolved: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    deadline: float | None = None
    profiles: dict[ProfileKey, DataProfile] = field(default_factory=dict)
    producer_checks: dict[tuple[str, str], PortValidation] = field(default_factory=dict)
    #: how each output profile's frame was read (files, contract): a consumer reading the same
    #: files under an equal contract reuses that profile (profile_reuse.py)
    output_reads: dict[tuple[str, str], PortRead] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def scenario(self) -> ScenarioSpec:
        return self.run.scenario

    @property
    def prefix(self) -> str:
        """The start of this run's case ids (``PIPELINE::pipeline`` or ``PIPELINE::pipeline[RUN]``)."""
        return self.run.prefix(self.spec.pipeline)

    @property
    def strict(self) -> bool:
        return self.options["validation"] == "strict"

    def edges_into(self, step: str) -> dict[str, Edge]:
        """The edges feeding ``step``, by input name."""
        return {edge.input: edge for _, _, ports in self.dag.in_edges(step, data="ports") for edge in ports}

    def case(self, step: str) -> PlannedCase:
        """The planned case of ``step`` (made here for an ancestor pulled in by a selection)."""
        with self.lock:
            if step not in self.cases:
                self.cases[step] = PlannedCase(step_case_id(self.prefix, step), "pipeline",
                                               self.spec.pipeline, step, self.scenario.name, dict(self.run.params),
                                               spec=self.spec, payload=PipelineCase(self.spec.steps[step], self.run))
            return self.cases[step]

    def profile(self, step: str, port: str, direction: str, frame: pd.DataFrame, nbytes: int | None,
                read: PortRead | None = None) -> None:
        self.keep_profile(step, port, direction, profile_frame(frame, f"{step}.{port}", nbytes=nbytes), read)

    def keep_profile(self, step: str, port: str, direction: str, made: DataProfile,
                     read: PortRead | None = None) -> None:
        """Keep the profile of a port's data (``read``: how an output was read, for reuse)."""
        with self.lock:
            self.profiles[(step, port, direction)] = made
            if direction == "output" and read is not None:
                self.output_reads[(step, port)] = read

    def input_profile(self, edge: Edge, frame: pd.DataFrame | None, before: PortRead, port: PortSpec,
                      schema: SchemaSpec | None, target: Path) -> None:
        """The consumer's profile of a handed-over input: the producer's when the consumer read
        the same files (unchanged during its read, ``before``) under an equal contract; its
        ``frame``'s otherwise (None: not read, the files changed since ``before``: read now)."""
        with self.lock:
            produced = self.profiles.get((edge.producer, edge.output, "output"))
            producer_read = self.output_reads.get((edge.producer, edge.output))
        nbytes = disk_bytes(target)
        reused = (reused_profile(produced, producer_read, before, f"{edge.consumer}.{edge.input}", nbytes)
                  if before == port_read(port, schema, target) else None)
        if reused is None:
            if frame is None:
                try:
                    frame = read_port_frame(port, target, schema, types=self.session.types)
                except PortReadError:
                    return                  # not profiled, as an unreadable hand-off is not
            self.profile(edge.consumer, edge.input, "input", frame, nbytes)
            return
        with self.lock:
            self.profiles[(edge.consumer, edge.input, "input")] = reused

    def known_input_check(self, edge: Edge, before: PortRead, schema: SchemaSpec | None) -> PortValidation | None:
        """The consumer's validation of a hand-off it reads exactly as the producer's passing
        output check did (then its profile is the producer's too), else None."""
        with self.lock:      # an output read is recorded with its profile (profile())
            check = self.producer_checks.get((edge.producer, edge.output))
            read = self.output_reads.get((edge.producer, edge.output))
        return reused_check(check, read, before, schema, edge.target)

    def producer_check(self, edge: Edge) -> PortValidation:
        """The producer's own output validation (from its run, or of its kept outputs)."""
        with self.lock:
            known = self.producer_checks.get((edge.producer, edge.output))
        if known is not None:
            return known
        port = self.spec.steps[edge.producer].outputs[edge.output]
        path = self.kept.output_path(edge.producer, port)
        try:
            parts = read_port(port, path, port.schema, types=self.session.types) if port.tabular else {}
        except PortReadError as exc:
            check = PortValidation(edge.output, "output", False, message=str(exc))
        else:
            check = (validate_port_parts(self.session, edge.output, "output", parts, port.schema, port)
                     if port.tabular
                     else PortValidation(edge.output, "output", True, message="kept"))
            if port.tabular and parts:
                frame = pd.concat(list(parts.values()), ignore_index=True)
                self.profile(edge.producer, edge.output, "output", frame, disk_bytes(path),
                             read=port_read(port, port.schema, path))
        with self.lock:
            self.producer_checks[(edge.producer, edge.output)] = check
        return check


def step_case_id(prefix: str, step: str) -> str:
    """``PREFIX::STEP``, the prefix of the step's run (``PIPELINE::pipeline[RUN]``)."""
    return f"{prefix}::{step}"


class PipelineStepRun:
    """Runs one step of a pipeline run (in a worker thread) and returns its report."""

    def __init__(self, context: PipelineContext, step: str) -> None:
        self.ctx = context
        self.step: StepSpec = context.spec.steps[step]
        self.case = context.case(step)
        self.store: Callable[[], None] | None = None   # stores the step's result and outputs in the cache

    def __call__(self) -> StepReport:
        ctx, step = self.ctx, self.step
        session = ctx.session
        result = CaseResult(id=self.case.id, mode="pipeline", pipeline=ctx.spec.pipeline, step=step.name,
                            scenario=ctx.scenario.name, params=dict(ctx.run.params), kind="step", seed=ctx.seed,
                            replay=session.replay_command(ctx.spec, self.case.id))
        session.start_case(self.case)
        started = time.monotonic()
        report = StepReport(step.name, result, started_s=started - ctx.started)
        sandbox = SandboxDir(base=session.workspace / "sandboxes", prefix=safe_name(self.case.id) + "-", keep=True)
        with sandbox:
            try:
                inputs, frames = self.prepare_inputs(sandbox.root, report)
            except SpecError as exc:
                result.outcome, result.classification, result.message = Outcome.ERROR, ErrorClass.SETUP_ERROR, str(exc)
                report.failure = f"step {step.name} failed"
            except MemoryError:   # a frame too big for specrun's own process: this step's error only
                result.outcome, result.classification = Outcome.ERROR, ErrorClass.RESOURCE_ERROR
                result.message = ("specrun ran out of memory generating or reading this step's inputs "
                                  "(rows x columns too large for this machine?)")
                report.failure = f"step {step.name} failed"
            else:
                blocking = [t for t in report.transitions if t.outcome is Outcome.FAILED] if ctx.strict else []
                if blocking:
                    edges = ", ".join(t.details["edge"] for t in blocking)
                    result.outcome = Outcome.SKIPPED
                    result.message = f"skipped: input transition {edges} failed validation (validation: strict)"
                    report.failure = f"transition {edges} failed validation"
                else:
                    self.run(sandbox.root, inputs, frames, report)
            result = report.result          # the stored one, when the result cache served the step
            finished = time.monotonic()
            if not result.cached:           # a served step keeps its original record, duration included
                result.duration_s = finished - started
            if self.store is not None:
                self.store()
            report.finished_s = finished - ctx.started
            keep = session.options.keep_sandboxes
            if (result.outcome is Outcome.PASSED or result.cached) and not keep:
                shutil.rmtree(sandbox.root, ignore_errors=True)
            elif not result.cached:
                result.workdir = str(sandbox.root)
        return report

    # -- inputs ------------------------------------------------------------------

    def prepare_inputs(self, root: Path, report: StepReport) -> tuple[dict[str, Path], dict[str, pd.DataFrame]]:
        """Put every input in the sandbox; validate the handed-over ones as transitions.  The
        input frames are returned (held while the step runs) only for its properties."""
        ctx, step = self.ctx, self.step
        if step.name in ctx.unresolved:
            raise SpecError(ctx.unresolved[step.name])
        fed = ctx.edges_into(step.name)
        inputs: dict[str, Path] = {}
        frames: dict[str, pd.DataFrame] = {}
        for name, port in step.inputs.items():
            edge = fed.get(name)
            effective = effective_consumer_port(ctx.spec, edge) if edge is not None else port
            target = inputs[name] = port_target(root, effective, "input")
            port = ctx.scenario.port_of(step, port)    # a scenario's fixture replaces the port's
            source = port.fixture or port.sample
            frame: pd.DataFrame | None = None
            if edge is not None:
                produced = ctx.kept.output_path(edge.producer, ctx.spec.steps[edge.producer].outputs[edge.output])
                method = link_tree(produced, target) if produced.exists() else "none"   # an optional output not written
                schema = input_schema(ctx.spec, port)
                before = port_read(effective, schema, target)
                producer = ctx.producer_check(edge)
                # read and validated again only when the step's properties need the frame or
                # the consumer reads other files or under another contract than the producer's check
                known = None if step.properties else ctx.known_input_check(edge, before, schema)
                transition, frame, profile = validate_transition(
                    ctx.session, ctx.spec.pipeline, ctx.prefix, edge, effective, schema, target, producer, known,
                    profile_as=None if step.properties else f"{step.name}.{name}", nbytes=disk_bytes(target))
                transition.scenario, transition.details["handoff"] = ctx.scenario.name, method
                transition.params = dict(ctx.run.params)
                report.transitions.append(transition)
                if frame is not None and step.properties:
                    frames[name] = frame
                if profile is not None:                       # checked column by column
                    ctx.keep_profile(step.name, name, "input", profile)
                elif frame is not None or known is not None:  # known: nothing read, the producer's profile
                    ctx.input_profile(edge, frame, before, effective, schema, target)
                continue
            if source is not None:
                copy_fixture(source, target)
                if port.tabular and not step.properties:   # a large parquet fixture: profiled column by column
                    checked = checked_by_column(ctx.session, name, "input", port, target, input_schema(ctx.spec, port),
                                                validate=False, profile_as=f"{step.name}.{name}",
                                                nbytes=disk_bytes(target))
                    if checked is not None and checked[1] is not None:
                        ctx.keep_profile(step.name, name, "input", checked[1])
                        continue
                if port.tabular:
                    try:
                        frame = read_port_frame(port, target, input_schema(ctx.spec, port), types=ctx.session.types)
                    except PortReadError:
                        pass            # handed to the script as it is, not profiled
            else:
                frame = self.synthesise(name, target)
            if frame is not None:
                if step.properties:
                    frames[name] = frame
                ctx.profile(step.name, name, "input", frame, disk_bytes(target))
        return inputs, frames

    def inputs_valid(self, report: StepReport) -> bool | None:
        """Whether the step's inputs kept their contracts: every hand-off validated and the
        source inputs generated from unmodified contracts; None (not known) when the
        scenario mutates or overrides data or a tabular fixture is fed unchecked."""
        scenario, step = self.ctx.scenario, self.step
        if scenario.mutate or scenario.columns or any(
                (p.fixture or p.sample) is not None and p.tabular and p.schema is not None
                for p in (scenario.port_of(step, q) for q in step.inputs.values())):
            return None
        return all(t.outcome is Outcome.PASSED for t in report.transitions)

    def synthesise(self, name: str, target: Path) -> pd.DataFrame | None:
        """Generate a source input from its contract with the run's seed and write it."""
        ctx, port = self.ctx, self.step.inputs[name]
        schema = input_schema(ctx.spec, port)
        if schema is None and port.split_schemas and port.tabular:
            return self._synthesise_splits(port, target)
        if schema is None or not port.tabular:
            if port.required:
                raise SpecError(f"input {name!r} has no schema and no fixture: nothing to generate", port.location)
            return None
        scenario = ctx.scenario
        params = ctx.run.params
        schema = with_overrides(schema, column_overrides(scenario, params))
        rows = params.get("rows", scenario.rows)
        if port.rows is not None and "rows" not in params:
            rows = port.rows
        rows = rows if rows is not None else DEFAULT_ROWS
        seed = stable_seed(ctx.seed, self.step.name, name)
        frame = vectorised_frame(schema, int(rows), seed, ctx.session.types)
        mutations = scenario.mutations_for(self.step.name, name)
        whole = [m for m in mutations if not m.targeted]
        if whole:
            frame = apply_mutations(frame, schema, whole, stable_seed(seed, "mutate"), ctx.session.types)
        targeted = [m for m in mutations if m.targeted]
        if targeted:
            return write_targeted(port, frame, schema, targeted, target, seed, stable_seed(seed, "mutate-files"),
                                  ctx.session.types).frame()
        write_port(port, frame, target, seed=seed)
        return frame

    def _synthesise_splits(self, port: PortSpec, target: Path) -> pd.DataFrame:
        """A ``split_schemas`` source input: each split generated from its own schema."""
        ctx = self.ctx
        scenario, params = ctx.scenario, ctx.run.params
        if scenario.mutations_for(self.step.name, port.name):
            raise SpecError(f"scenario {scenario.name!r} mutates input {port.name!r}, which has "
                            "'split_schemas': mutations of a split-schema input are not supported",
                            scenario.location)
        rows = params.get("rows", scenario.rows)
        if port.rows is not None and "rows" not in params:
            rows = port.rows
        overrides = column_overrides(scenario, params)
        parts = generate_split_parts(port, int(rows if rows is not None else DEFAULT_ROWS),
                                     stable_seed(ctx.seed, self.step.name, port.name), ctx.session.types,
                                     lambda schema: with_overrides(schema, overrides))
        write_parts(port, parts, target)
        return whole_frame(parts)

    # -- running -------------------------------------------------------------------

    def run(self, root: Path, inputs: dict[str, Path], frames: dict[str, pd.DataFrame], report: StepReport) -> None:
        ctx, step, result = self.ctx, self.step, report.result
        params = ctx.run.params
        limits = resolve_limits(ctx.spec, step,
                                scenario=RunLimits(params.get("timeout"), params.get("memory_limit")),
                                mode=RunLimits(ctx.options["timeout_per_step"], ctx.options["memory_limit"]))
        timeout, memory = limits.timeout_s, limits.memory_limit_bytes
        capped = False
        if ctx.deadline is not None:
            remaining = max(ctx.deadline - time.monotonic(), 0.05)
            if timeout is None or remaining < timeout:
                timeout, capped = remaining, True
        outputs = {}
        for name, port in step.outputs.items():
            target = outputs[name] = port_target(root, port, "output")
            (target if port.is_dir else target.parent).mkdir(parents=True, exist_ok=True)
        cache = result_cache(ctx.session)
        key = cache.key(ctx.spec, self.case, {"inputs": {n: tree_digest(p) for n, p in inputs.items()}}) \
            if cache is not None else None
        if cache is not None and key is not None:
            hit = cache.lookup_outputs(key, self.case, outputs)
            if hit is not None:
                self.served(hit, root, outputs, report)
                return
        plan = StepRunPlan(step=step, workdir=root, input_paths=inputs, output_paths=outputs,
                           output_schemas={n: p.schema for n, p in step.outputs.items()},
                           env={**step.env, **ctx.run.env}, job_args={**step.job_args, **ctx.run.job_args},
                           timeout=timeout,
                           memory_limit=memory, input_frames=frames, label=self.case.id,
                           inputs_valid=self.inputs_valid(report))
        outcome = run_step(ctx.session, plan, ctx.session.executor_name(ctx.spec), profile_outputs=step.name)
        fill_result(result, outcome)
        result.outcome, result.classification, result.message = judge(self.case.id, outcome, ExpectSpec())
        if outcome.input_changes:
            self.input_tampered(outcome.input_changes, result)
        if capped and outcome.record.metrics.timed_out:
            result.message += f" (timeout capped by max_pipeline_time {ctx.options['max_pipeline_time']:g}s)"
        for validation in outcome.validations:
            with ctx.lock:
                ctx.producer_checks[(step.name, validation.port)] = validation
        for name, frame in outcome.output_frames.items():
            ctx.profile(step.name, name, "output", frame, disk_bytes(outputs[name]),
                        read=port_read(step.outputs[name], step.outputs[name].schema, outputs[name]))
        for name, made in outcome.output_profiles.items():     # checked column by column
            ctx.keep_profile(step.name, name, "output", made,
                             read=port_read(step.outputs[name], step.outputs[name].schema, outputs[name]))
        written = outcome.record.ok and all(files_in(outputs[n]) or not p.required
                                            for n, p in step.outputs.items())
        report.handed_over = written and (result.outcome is Outcome.PASSED or not ctx.strict)
        if cache is not None and key is not None and not outcome.input_changes:
            # stored by __call__ once the duration is known (before the sandbox goes)
            self.store = lambda: cache.save_outputs(key, result, outputs, report.handed_over)
        self.hand_over(root, report)

    def hand_over(self, root: Path, report: StepReport) -> None:
        """Keep the outputs of a step that hands them over (forget the old ones otherwise)."""
        ctx, step = self.ctx, self.step
        if report.handed_over:
            ctx.kept.keep(step.name, root, step.outputs, {"spec": str(ctx.spec.path), "seed": ctx.seed,
                                                          "scenario": ctx.scenario.name, "run": ctx.run.label,
                                                          "params": dict(ctx.run.params),
                                                          "cached": report.result.cached})
        else:
            ctx.kept.discard(step.name)
        if report.result.outcome is not Outcome.PASSED:
            report.failure = f"step {step.name} failed"

    def served(self, hit: CaseResult, root: Path, outputs: dict[str, Path], report: StepReport) -> None:
        """The result cache served the step, its outputs restored at ``outputs``: what a run would
        have handed over is handed over (its output checks and profiles, for the transitions and
        the data evolution), and nothing of the script runs."""
        ctx, step = self.ctx, self.step
        hit.params = dict(ctx.run.params)
        report.result = hit
        for validation in hit.validations:
            if validation.direction == "output":
                with ctx.lock:
                    ctx.producer_checks[(step.name, validation.port)] = validation
        for name, port in step.outputs.items():
            if port.tabular and files_in(outputs[name]):
                try:
                    parts = read_port(port, outputs[name], port.schema, types=ctx.session.types)
                except PortReadError:
                    continue
                if parts:
                    frame = pd.concat(list(parts.values()), ignore_index=True)
                    ctx.profile(step.name, name, "output", frame, disk_bytes(outputs[name]),
                                read=port_read(port, port.schema, outputs[name]))
        report.handed_over = bool(hit.details["cache"].get("handed_over")) and all(
            files_in(outputs[n]) or not p.required for n, p in step.outputs.items())
        self.hand_over(root, report)


    @staticmethod
    def input_tampered(changes: dict[str, str], result: CaseResult) -> None:
        """The script modified its inputs: hand-offs are the producers' kept outputs (hard links),
        so the data a later ``--from`` run would start from is corrupted.  The case fails (a pass
        would be false); the kept outputs' fingerprints make ``--from`` refuse them."""
        said = "; ".join(changes.values())
        if result.outcome is Outcome.PASSED:
            result.outcome, result.classification = Outcome.FAILED, ErrorClass.SCRIPT_ERROR
            result.message = ("the script modified its inputs, which in pipeline mode are the producers' "
                              f"kept outputs: {said}")
        else:
            result.message += f" (it also modified its inputs: {said})"


def skip_step(ctx: PipelineContext, step: str, reason: str, failure: str | None) -> StepReport:
    """The report of a step that did not run: SKIPPED, saying why; its edges not validated."""
    case = ctx.case(step)
    result = CaseResult(id=case.id, mode="pipeline", pipeline=ctx.spec.pipeline, step=step,
                        scenario=ctx.scenario.name, params=dict(ctx.run.params), kind="step",
                        outcome=Outcome.SKIPPED,
                        message=f"skipped: {reason}", seed=ctx.seed)
    transitions = [skipped_transition(ctx.spec.pipeline, ctx.prefix, edge, reason)
                   for edge in ctx.edges_into(step).values()]
    for transition in transitions:
        transition.scenario, transition.params = ctx.scenario.name, dict(ctx.run.params)
    return StepReport(step, result, transitions, handed_over=False, failure=failure or f"step {step} did not run")

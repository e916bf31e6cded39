"""Deep dive mode: the selected steps on real data, measured, validated and compared.

One case (kind ``analysis``) per selected step.  For each step the inputs are resolved
to real samples (:mod:`.deep_dive_sources`: ``source:`` URIs, a snapshot, or an
execution's channels — fetched for that step only).  A step whose data cannot be had
is an ERROR with the reason; the others still run.  Then, by ``focus_areas``:

* ``data_quality`` — the real inputs validated against their contracts (failures per
  column: where the contract is wrong about production) and profiled;
* ``performance`` — the step on the real samples (time, CPU, peak memory, I/O) and on
  synthetic data of the same row count, side by side;
* ``error_patterns`` — failed runs grouped by classification;
* ``scaling`` — the step at each of ``volume_rows`` (and 0 rows, the fixed cost),
  from the real samples resampled, with log-log exponents of time and memory.

After the last step the mode publishes ``deep_dive:<pipeline>``: every step's
analysis, bottlenecks, recommendations, error patterns and — with
``baseline_execution`` — the comparison of two executions.  It never prints.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...analysis.drift import DriftThresholds, compare_frames
from ...analysis.profile import profile_frame
from ...hooks import hookimpl
from ...plan import PlannedCase
from ...results import CaseResult, ErrorClass, Outcome, to_jsonable
from ...sources import SourceError
from ...spec.model import PipelineSpec, SpecError, StepSpec
from ...spec.units import mib
from ..options import mode_options
from ..result_cache.cache import ResultCache, result_cache
from ..result_cache.case_key import tree_digest
from ..step_case import fill_result
from .analysis import (
    BASELINE_RUNS,
    NEAR_FLOOR_RUNS,
    Bottleneck,
    ErrorPattern,
    Recommendation,
    RunSummary,
    StepAnalysis,
    error_patterns,
    find_bottlenecks,
    near_floor,
    quietest,
    recommend,
    scaling_result,
    time_noise_floor,
)
from .cli_options import DeepDiveRunOptions
from .cli_options import specrun_addoption as specrun_addoption  # the plugin's options (light module)
from .compare import ExecutionComparison, compare_executions, headerless_columns, open_side
from .runs import StepRunner
from .sources import RealData, StepSources, sagemaker_name
from .stored import StoredAnalysisError, stored_analysis

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

FOCUS_AREAS = ("performance", "data_quality", "error_patterns", "scaling")
RESOURCE_AREAS = ("performance", "scaling")   # what resource_monitoring: false switches off


@dataclass
class DeepDiveRecord:
    """The mode-level record published as ``deep_dive:<pipeline>``."""

    pipeline: str
    data: dict[str, Any]
    steps: dict[str, StepAnalysis] = field(default_factory=dict)
    bottlenecks: list[Bottleneck] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    error_patterns: list[ErrorPattern] = field(default_factory=list)
    comparison: ExecutionComparison | None = None
    comparison_error: str | None = None


def deep_dive_options(session: SessionLike, spec: PipelineSpec) -> dict[str, Any]:
    """The mode's options with command-line overrides applied and checked."""
    options = mode_options(spec, "deep_dive", session.project_modes)
    options.update(DeepDiveRunOptions.from_namespace(session.config).mode_overrides())
    focus = options.get("focus_areas") or []
    unknown = [f for f in focus if f not in FOCUS_AREAS]
    if unknown:
        raise SpecError(f"unknown focus area(s) {', '.join(map(str, unknown))} (known: {', '.join(FOCUS_AREAS)})",
                        spec.where("modes.deep_dive.focus_areas"))
    if not options["resource_monitoring"]:   # no resource figures: drop the areas that are made of them
        options["focus_areas"] = [f for f in focus if f not in RESOURCE_AREAS]
    rows = options.get("volume_rows") or []
    if not isinstance(rows, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in rows):
        raise SpecError("volume_rows must be a list of row counts > 0", spec.where("modes.deep_dive.volume_rows"))
    options["drift"] = DriftThresholds.from_mapping(options.get("drift_thresholds"),
                                                    spec.where("modes.deep_dive.drift_thresholds"))
    return options


class DeepDiveMode:
    name = "deep_dive"

    # -- planning ------------------------------------------------------------------
    def plan(self, session: SessionLike, spec: PipelineSpec) -> list[PlannedCase]:
        options = deep_dive_options(session, spec)
        has_execution = any(options.get(k) for k in ("snapshot", "execution_arn", "comparison_execution"))
        if options.get("comparative_analysis") and not options.get("baseline_execution"):
            raise SpecError("comparative_analysis needs baseline_execution (an ARN or a snapshot folder)",
                            spec.where("modes.deep_dive.comparative_analysis"))
        chosen = options.get("steps")
        if chosen:
            unknown = [s for s in chosen if s not in spec.steps]
            if unknown:
                raise SpecError(f"unknown step(s) {', '.join(unknown)} (steps: {', '.join(spec.steps)})",
                                spec.where("modes.deep_dive.steps"))
            steps = [spec.steps[s] for s in chosen]
        elif has_execution:
            steps = list(spec.steps.values())
        else:
            steps = [s for s in spec.steps.values() if any(p.source for p in s.inputs.values())]
        if not steps:
            raise SpecError("deep dive needs real data: set modes.deep_dive.execution_arn or snapshot, "
                            "or source: on an input", spec.where("modes.deep_dive"))
        return [PlannedCase(f"{spec.pipeline}::{step.name}[deep_dive]", self.name, spec.pipeline, step.name,
                            spec=spec, payload=step) for step in steps]

    # -- running ---------------------------------------------------------------------
    def run(self, session: SessionLike, spec: PipelineSpec, cases: list[PlannedCase]) -> Iterator[CaseResult]:
        options = deep_dive_options(session, spec)
        refresh = DeepDiveRunOptions.from_namespace(session.config).refresh
        real = RealData(spec, options, session.spec_seed(spec), session.workspace, refresh)
        record = DeepDiveRecord(spec.pipeline, {
            "execution": real.execution_reference(), "sample_size": real.sample_size,
            "seed": real.seed, "focus_areas": list(options["focus_areas"]), "cache": str(real.cache_root)})
        try:
            for case in cases:
                if session.shouldstop:
                    return
                session.start_case(case)
                analysis, result = self.analyse(session, spec, case, real, options)
                record.steps[analysis.step] = analysis
                yield result
            self.compare(spec, options, real, record, [c.payload for c in cases])
        finally:
            if real.bandwidth is not None:      # what the download cap held back
                record.data["bandwidth"] = {"bytes_per_s": real.bandwidth.bytes_per_s,
                                            "bytes": real.bandwidth.spent,
                                            "paced_s": round(real.bandwidth.waited_s, 3)}
            if record.steps:
                record.bottlenecks = find_bottlenecks(record.steps.values())
                record.recommendations = recommend(list(record.steps.values()), record.bottlenecks)
                if "error_patterns" in options["focus_areas"]:
                    record.error_patterns = error_patterns(record.steps.values())
                session.publish(f"deep_dive:{spec.pipeline}", record)

    def analyse(self, session: SessionLike, spec: PipelineSpec, case: PlannedCase, real: RealData,
                options: dict[str, Any]) -> tuple[StepAnalysis, CaseResult]:
        step: StepSpec = case.payload
        runner = StepRunner.create(session, spec, step, case.id, options)
        result = CaseResult(id=case.id, mode=self.name, pipeline=spec.pipeline, step=step.name,
                            kind="analysis", seed=runner.seed)
        analysis = StepAnalysis(step.name, sagemaker_name(step), memory_limit=runner.memory_limit)
        started = time.perf_counter()
        focus = set(options["focus_areas"])
        sources = real.resolve(step)
        cache, key = self._cache_key(session, spec, case, options, sources)
        if cache is not None and key is not None:
            served = self._served(cache, key, case, sources)
            if served is not None:
                return served
        analysis.sources = {port: found.describe() for port, found in sources.inputs.items()}
        analysis.source_error = sources.message or None
        if analysis.source_error is None:
            try:
                self._run_step(runner, sources.inputs, analysis, result, focus, options)
            except SourceError as exc:      # a sample that cannot be placed (a channel without data files)
                analysis.source_error = str(exc)
        if analysis.source_error:
            result.outcome, result.classification = Outcome.ERROR, ErrorClass.SETUP_ERROR
            result.message = f"real data unavailable: {analysis.source_error}"
        result.duration_s = time.perf_counter() - started
        result.details = {"sources": analysis.sources, "real": to_jsonable(analysis.real),
                          "synthetic": to_jsonable(analysis.synthetic),
                          "scaling": to_jsonable(analysis.scaling) if analysis.scaling else None}
        if runner.kept:
            result.workdir = runner.kept[0]
        if cache is not None and key is not None and analysis.source_error is None:
            cache.save(key, result, analysis)
        return analysis, result

    # -- the result cache ---------------------------------------------------------------
    @staticmethod
    def _cache_key(session: SessionLike, spec: PipelineSpec, case: PlannedCase, options: dict[str, Any],
                   sources: StepSources) -> tuple[ResultCache | None, str | None]:
        """The case's key: what decides any case's result (modes/result_cache/case_key.py), the
        deep dive's options as given for this run, and the content of every real sample the
        step is fed (fetched or read from the sample cache first: new data in S3 is a miss)."""
        cache = result_cache(session)
        if cache is None or sources.message:
            return None, None
        samples = {port: tree_digest(found.path) for port, found in sources.inputs.items()}
        return cache, cache.key(spec, case, {"deep_dive": {"options": options, "samples": samples}})

    @staticmethod
    def _served(cache: ResultCache, key: str, case: PlannedCase,
                sources: StepSources) -> tuple[StepAnalysis, CaseResult] | None:
        hit = cache.lookup_attached(key, case)
        if hit is None:
            return None
        result, stored = hit
        try:
            analysis = stored_analysis(stored)
        except StoredAnalysisError:
            return None       # stored by another specrun version: run it
        # where the samples came from this time (fetched, or from the sample cache)
        analysis.sources = {port: found.describe() for port, found in sources.inputs.items()}
        result.details["sources"] = analysis.sources
        return analysis, result

    def _run_step(self, runner: StepRunner, inputs: dict[str, Any], analysis: StepAnalysis,
                  result: CaseResult, focus: set[str], options: dict[str, Any]) -> None:
        real_frames = runner.read_real(inputs, validate="data_quality" in focus)
        analysis.input_validations = real_frames.validations
        if "data_quality" in focus:
            analysis.profiles = {name: profile_frame(frame, name, real_frames.nbytes.get(name))
                                 for name, frame in real_frames.frames.items()}
        summary, outcome, _ = runner.run("real", runner.real_writer(inputs, real_frames.frames))
        analysis.real = summary
        fill_result(result, outcome)
        result.validations[:0] = real_frames.validations
        rows = {name: len(frame) for name, frame in real_frames.frames.items()}
        if "performance" in focus:
            if rows:
                analysis.synthetic, _, synthetic_frames = runner.run(
                    "synthetic", runner.sized_writer(inputs, real_frames.frames, rows, False, "synthetic"))
                analysis.synthetic.label = "synthetic"
                for name, frame in synthetic_frames.items():
                    if name in real_frames.frames and len(frame) and len(real_frames.frames[name]):
                        drifted = [d for d in compare_frames(real_frames.frames[name], frame, options["drift"])
                                   if d.drifted]
                        if drifted:
                            analysis.synthetic_drift[name] = drifted
            else:
                analysis.synthetic_note = "no tabular input: nothing to synthesise"
        if "scaling" in focus and options["volume_rows"]:
            analysis.scaling = self._scale(runner, inputs, real_frames.frames, options["volume_rows"])
        self._judge(analysis, result)

    @staticmethod
    def _scale(runner: StepRunner, inputs: dict[str, Any], frames: dict[str, Any], sizes: list[int]) -> Any:
        tabular = [n for n, p in runner.step.inputs.items() if p.tabular and (n in frames or p.schema is not None)]
        resample = bool(frames)

        def measure(label: str, rows: int) -> RunSummary:
            summary, _, _ = runner.run(label, runner.sized_writer(inputs, frames, dict.fromkeys(tabular, rows),
                                                                  resample, "scaling"), judged=False)
            summary.rows = rows
            return summary

        baselines = [measure("rows=0", 0) for _ in range(BASELINE_RUNS)]
        baseline, floor = quietest(baselines), time_noise_floor(baselines)
        points = []
        for rows in sorted(set(sizes)):
            runs = [measure(f"rows={rows}", rows)]
            while len(runs) < NEAR_FLOOR_RUNS and near_floor(quietest(runs), baseline, floor):
                runs.append(measure(f"rows={rows}", rows))
            points.append(quietest(runs))
        return scaling_result(runner.step.name, "real (resampled)" if resample else "synthetic", points, baseline,
                              time_floor=floor)

    @staticmethod
    def _judge(analysis: StepAnalysis, result: CaseResult) -> None:
        real = analysis.real
        assert real is not None
        bad_inputs = [v for v in analysis.input_validations if not v.ok]
        if not real.ok:
            result.outcome = Outcome.FAILED
            result.classification = ErrorClass(real.classification) if real.classification else ErrorClass.SCRIPT_ERROR
            result.message = f"fails on real data: {real.message}"
        elif bad_inputs:
            result.outcome, result.classification = Outcome.FAILED, ErrorClass.CONTRACT_ERROR
            result.message = ("real data breaks the input contract (the contract is wrong about production): "
                              + "; ".join(v.message for v in bad_inputs))
        else:
            result.outcome = Outcome.PASSED
            parts = [f"real: {real.rows} rows, {real.wall_s:.2f} s, {mib(real.peak_rss_bytes)} peak"]
            if analysis.synthetic is not None and analysis.synthetic.ok:
                parts.append(f"synthetic: {analysis.synthetic.wall_s:.2f} s, "
                             f"{mib(analysis.synthetic.peak_rss_bytes)} peak")
            if analysis.scaling is not None and analysis.scaling.super_linear:
                parts.append("super-linear scaling")
            result.message = "; ".join(parts)

    # -- comparing two executions ----------------------------------------------------------
    @staticmethod
    def compare(spec: PipelineSpec, options: dict[str, Any], real: RealData, record: DeepDiveRecord,
                steps: list[StepSpec]) -> None:
        baseline = options.get("baseline_execution")
        comparison = options.get("comparison_execution") or (
            real.execution_reference() if options.get("comparative_analysis") else None)
        if not baseline or not comparison:
            return
        try:
            sides = [open_side(str(ref), spec, real.clients, real.cache, real.sample_size, real.seed, real.refresh,
                               real.bandwidth) for ref in (baseline, comparison)]
            record.comparison = compare_executions(sides[0], sides[1], options["drift"],
                                                   [sagemaker_name(s) for s in steps],
                                                   headerless_columns(steps, sagemaker_name))
        except SourceError as exc:
            record.comparison_error = str(exc)


@hookimpl
def specrun_modes() -> list[DeepDiveMode]:
    return [DeepDiveMode()]



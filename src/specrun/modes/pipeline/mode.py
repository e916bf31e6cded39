"""Pipeline mode: the whole DAG end to end, every hand-over validated, the data's evolution tracked.

Planning builds the DAG (a cycle, a dangling reference or an unreadable format is a
spec error) and, for every run of the DAG (one per scenario of ``scenarios`` and per
combination of its ``parametrize``: see ``runs.py``), plans one case per step and one per
edge (a transition, planned just before its consumer, whose ``step`` it is), so ``--collect-only`` lists and the summary
counts what runs, and ``-k``/``--step``/``--id`` select steps (a selected transition
runs its consumer).
Selecting a subset runs the selected steps plus the ancestors they need (the
ancestors are reported too); ``--from STEP`` reruns STEP and its descendants,
reusing the outputs the last run kept for the producers upstream of them.

Running: :class:`~specrun.modes.pipeline.run.PipelineScheduler` dispatches ready
steps to a thread pool; :class:`~specrun.modes.pipeline.step.PipelineStepRun`
runs each one.  One result per step (kind ``step``) and per edge (kind
``transition``); the mode-level :class:`PipelineRecord` (timings, failed edges,
critical path, bottleneck, data evolution) is published as ``pipeline:<name>``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...analysis.compat import Finding, check_pipeline
from ...analysis.dag import build_dag, check_dag, critical_path, edges
from ...analysis.evolution import DegradationThresholds, track_evolution
from ...errors import UsageError
from ...hooks import hookimpl
from ...keywords import KeywordExpression
from ...lazy import lazy_module
from ...plan import PlannedCase
from ...results import CaseResult, Outcome
from ...run_options import NamespaceOptions, RunOptions
from ...spec.case_templates import resolve_spec
from ...spec.model import PipelineSpec
from ..mutation_targets import check_pipeline_mutations
from ..options import mode_options
from ..template_check import TemplateFinding, check_edge_templates
from .cli_options import specrun_addoption as specrun_addoption  # the plugin's options (light module)
from .record import PipelineRecord, StepTiming, TransitionSummary
from .run import PipelineScheduler, StepReport
from .runs import PipelineCase, ScenarioRun, pipeline_runs
from .state import KeptOutputs
from .step import PipelineContext, PipelineStepRun, skip_step, step_case_id
from .transition import transition_id

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy_module("networkx")

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

NAME = "pipeline"


def thresholds(spec: PipelineSpec, options: dict[str, Any]) -> DegradationThresholds:
    return DegradationThresholds.from_mapping(options.get("degradation") or {},
                                              spec.where(f"modes.{NAME}.degradation"))


@dataclass(frozen=True)
class PipelineRunOptions(NamespaceOptions):
    """The command-line options this plugin adds (see :func:`specrun_addoption`)."""

    from_step: str | None = None   # --from STEP or PIPELINE::STEP


def resume_target(given: PipelineRunOptions, spec: PipelineSpec) -> str | None:
    """The step ``--from`` names in this spec (``STEP`` or ``PIPELINE::STEP``), else None."""
    value = given.from_step
    if not value:
        return None
    pipeline, _, step = value.rpartition("::")
    if pipeline and pipeline != spec.pipeline:
        return None
    return step if step in spec.steps else None


def rerun_set(dag: nx.DiGraph, start: str) -> set[str]:
    return {start} | nx.descendants(dag, start)


def reused_outputs(dag: nx.DiGraph, rerun: set[str]) -> dict[str, list[str]]:
    """``{producer: [outputs]}`` of the steps outside ``rerun`` that feed it."""
    needed: dict[str, list[str]] = {}
    for edge in edges(dag):
        if edge.consumer in rerun and edge.producer not in rerun:
            needed.setdefault(edge.producer, [])
            if edge.output not in needed[edge.producer]:
                needed[edge.producer].append(edge.output)
    return needed


class PipelineMode:
    name = NAME

    # -- planning --------------------------------------------------------------

    def plan(self, session: SessionLike, spec: PipelineSpec) -> list[PlannedCase]:
        options = mode_options(spec, self.name, session.project_modes)
        dag = build_dag(spec)
        thresholds(spec, options)
        runs = pipeline_runs(spec, options)
        given = PipelineRunOptions.from_namespace(session.config)
        start = resume_target(given, spec)
        value = given.from_step
        if value:
            if not any(resume_target(given, other) for other in session.specs):
                raise UsageError(f"--from {value}: no collected pipeline has a step {value.rpartition('::')[2]!r}")
            if start is None:
                return []          # --from names a step of another pipeline
        fed = {name: frozenset(e.input for _, _, ports in dag.in_edges(name, data="ports") for e in ports)
               for name in spec.steps}
        for run in runs:           # a scenario's mutations land on source inputs only
            check_pipeline_mutations(spec, run.scenario, fed)
        rerun = rerun_set(dag, start) if start else set(dag)
        planned: list[PlannedCase] = []
        for run in runs:
            cases = self.plan_run(spec, dag, run, rerun)
            if start and value and (len(runs) == 1 or selected_by_options(session, cases)):
                KeptOutputs(session.workspace, spec.pipeline, run.folder(spec.pipeline)).require(
                    spec, value, reused_outputs(dag, rerun_set(dag, start)))
            planned += cases
        return planned

    def plan_run(self, spec: PipelineSpec, dag: nx.DiGraph, run: ScenarioRun, rerun: set[str]) -> list[PlannedCase]:
        """The cases of one run: its steps in topological order, each after its incoming transitions."""
        prefix = run.prefix(spec.pipeline)
        planned: list[PlannedCase] = []
        for step in nx.lexicographical_topological_sort(dag):
            # a step's incoming transitions are results of their own (filed under the step, as run)
            if step in rerun:
                planned.extend(PlannedCase(transition_id(prefix, edge), self.name, spec.pipeline, step,
                                           run.scenario.name, dict(run.params), spec=spec, kind="transition",
                                           payload=PipelineCase(spec.steps[step], run, edge))
                               for edge in {e.input: e for _, _, ports in dag.in_edges(step, data="ports")
                                            for e in ports}.values())
            planned.append(PlannedCase(step_case_id(prefix, step), self.name, spec.pipeline, step,
                                       run.scenario.name, dict(run.params), spec=spec,
                                       payload=PipelineCase(spec.steps[step], run)))
        return planned

    # -- running ---------------------------------------------------------------

    def run(self, session: SessionLike, spec: PipelineSpec, cases: list[PlannedCase]) -> Iterator[CaseResult]:
        """Each run of the DAG the selected cases belong to, one after the other."""
        options = mode_options(spec, self.name, session.project_modes)
        dag = build_dag(spec)
        groups: dict[str | None, tuple[ScenarioRun, list[PlannedCase]]] = {}
        for case in cases:
            payload: PipelineCase = case.payload
            groups.setdefault(payload.run.label, (payload.run, []))[1].append(case)
        for run, chosen in groups.values():
            if session.shouldstop:
                return
            yield from self.run_one(session, spec, dag, options, run, chosen)

    def run_one(self, session: SessionLike, spec: PipelineSpec, dag: nx.DiGraph, options: dict[str, Any],
                run: ScenarioRun, cases: list[PlannedCase]) -> Iterator[CaseResult]:
        scenario = run.scenario
        # a selected transition runs its consumer (and so the producers it needs)
        selected = {case.step for case in cases if case.step is not None}
        needed = selected.union(*(nx.ancestors(dag, step) for step in selected))
        start = resume_target(PipelineRunOptions.from_namespace(session.config), spec)
        rerun = needed & rerun_set(dag, start) if start else needed
        reused = set(reused_outputs(dag, rerun))
        workers = 1 if options["execution"] == "sequential" else (options["max_parallel"] or _default_parallel(session))
        explicit = run.params.get("seed", scenario.seed)
        seed_of = f"{spec.pipeline}::{self.name}" + (f"[{run.label}]" if run.label else "")
        resolved, unresolved = resolve_spec(spec, run.params)   # layouts, splits, columns of this run
        ctx = PipelineContext(session, resolved, dag, options, run, session.case_seed(spec, seed_of, explicit),
                              KeptOutputs(session.workspace, spec.pipeline, run.folder(spec.pipeline)),
                              {c.step: c for c in cases if c.step and c.kind == "step"}, unresolved=unresolved)
        if options["max_pipeline_time"]:
            ctx.deadline = ctx.started + float(options["max_pipeline_time"])
        record = PipelineRecord(pipeline=spec.pipeline, spec=str(spec.path), execution=options["execution"],
                                validation=options["validation"], max_parallel=workers,
                                continue_on_failure=bool(options["continue_on_failure"]), scenario=scenario.name,
                                seed=ctx.seed, from_step=start, kept_outputs=str(ctx.kept.root),
                                run=run.label, params=dict(run.params))
        reports: list[StepReport] = []
        scheduler = PipelineScheduler(
            dag, rerun, lambda step: PipelineStepRun(ctx, step)(),
            lambda step, reason, failure: skip_step(ctx, step, reason, failure),
            max_workers=workers, continue_on_failure=bool(options["continue_on_failure"]), deadline=ctx.deadline,
            deadline_reason=f"max_pipeline_time ({options['max_pipeline_time']}s) reached before it started",
            should_stop=lambda: session.shouldstop)
        rank = scheduler.rank       # topological order, ties broken by name
        try:
            for step in sorted((selected | reused) - rerun, key=rank.__getitem__):
                reason = (f"not rerun: --from {start} reuses its kept outputs" if step in reused
                          else f"not rerun: not downstream of --from {start}")
                record.steps.append(StepTiming(step, "skipped", message=reason, reused=step in reused))
                if step in selected:
                    yield CaseResult(id=ctx.case(step).id, mode=self.name, pipeline=spec.pipeline, step=step,
                                     scenario=scenario.name, params=dict(run.params), outcome=Outcome.SKIPPED,
                                     message=reason, seed=ctx.seed)
            for report in scheduler.run():
                reports.append(report)
                yield from report.transitions
                yield report.result
        finally:
            self.finish_record(session, ctx, record, reports, scheduler.stopped, rerun, rank)

    def finish_record(self, session: SessionLike, ctx: PipelineContext, record: PipelineRecord,
                      reports: Sequence[StepReport], stopped: str | None, rerun: set[str],
                      rank: dict[str, int]) -> None:
        """Fill in timings, transitions, critical path and evolution; publish the record."""
        record.wall_s = time.monotonic() - ctx.started
        record.stopped = stopped
        for report in sorted(reports, key=lambda r: rank[r.step]):
            result = report.result
            record.steps.append(StepTiming(report.step, result.outcome.value, result.duration_s, report.started_s,
                                           report.finished_s, result.message, cached=result.cached))
            record.transitions.extend(
                TransitionSummary(t.id, t.details.get("edge", ""), t.outcome.value, t.details.get("blame"),
                                  t.details.get("rows"), t.details.get("handoff"), t.message)
                for t in report.transitions)
        record.steps.sort(key=lambda s: rank[s.step])
        durations = {r.step: r.result.duration_s for r in reports if r.started_s is not None}
        path, total = critical_path(ctx.dag.subgraph(rerun), durations)
        record.critical_path, record.critical_path_s = path, total
        if path:
            record.bottleneck = max(path, key=lambda step: durations.get(step, 0.0))
            record.bottleneck_s = durations.get(record.bottleneck, 0.0)
        record.evolution = track_evolution(ctx.dag, dict(ctx.profiles), thresholds(ctx.spec, ctx.options))
        session.publish(f"{NAME}:{ctx.run.run_name(ctx.spec.pipeline)}", record)


def selected_by_options(session: SessionLike, cases: Sequence[PlannedCase]) -> bool:
    """Whether ``--scenario`` and ``-k`` keep any of ``cases`` (a run none of whose cases is
    selected needs no kept outputs for ``--from``)."""
    options = session.options
    keyword = KeywordExpression.compile(options.keyword) if options.keyword else None
    scenarios = set(options.scenario)
    return any((not scenarios or case.scenario in scenarios) and (keyword is None or keyword.matches(case.id))
               for case in cases)


# -- hooks -----------------------------------------------------------------------

@hookimpl
def specrun_modes() -> list[PipelineMode]:
    return [PipelineMode()]


@hookimpl
def specrun_select_modes(spec: PipelineSpec, config: argparse.Namespace,
                         available: Sequence[str]) -> list[str] | None:
    """``--from`` resumes a pipeline: pipeline mode only, unless ``--mode`` says otherwise."""
    if PipelineRunOptions.from_namespace(config).from_step and not RunOptions.from_namespace(config).mode \
            and NAME in available:
        return [NAME]
    return None


@hookimpl
def specrun_static_check(session: SessionLike, spec: PipelineSpec) -> list[Finding | TemplateFinding]:
    """Static compatibility of every edge (``specrun check``): errors per ``validation``."""
    options = mode_options(spec, NAME, session.project_modes)
    check_dag(spec)
    return [*check_pipeline(spec, strict=options["validation"] == "strict", types=session.types),
            *check_edge_templates(spec)]


def _default_parallel(session: SessionLike) -> int:
    """Steps at a time without ``max_parallel``: the CPUs here, or on a cluster (``--dist``)
    as many as its workers run at once."""
    if session.options.dist:
        return max(1, int(getattr(session.executor(), "slots", 1)))
    return os.cpu_count() or 1

"""Isolation mode: every step alone, in a fresh sandbox, on synthetic data.

One case per step × scenario × parameter combination.  Inputs are generated from
their contracts (vectorised, seeded), mutated by the scenario's edge-case
transforms, written in the port's format and layout; fixtures are copied.  The
script runs through the session's executor; outputs are validated, properties
checked, and the outcome judged against the scenario's ``expect``.  A mutation
that cannot apply (see ``modes/mutation_targets.py``) is a spec error at planning.
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...analysis.fed import fed_summary
from ...contract.io import copy_fixture, port_target, write_parts, write_port
from ...contract.mutators import apply_mutations
from ...contract.negative import NegativeConstraint
from ...contract.part_mutations import write_targeted
from ...contract.split_schemas import generate_split_parts, whole_frame
from ...contract.vectorised import vectorised_frame
from ...execution.sandbox import SandboxDir, safe_name
from ...hooks import hookimpl
from ...lazy import lazy_module
from ...plan import PlannedCase, stable_seed
from ...results import CaseResult, ErrorClass, Outcome
from ...spec.case_templates import TemplateError, resolve_step
from ...spec.model import PipelineSpec, PortSpec, ScenarioSpec, SpecError, StepSpec
from ..golden import golden_frame, judge_golden
from ..input_validity import FedInputs
from ..limits import RunLimits, resolve_limits
from ..mutation_targets import check_mutations
from ..options import mode_options
from ..overrides import column_overrides, with_overrides
from ..result_cache.cache import result_cache
from ..step_case import (
    StepRunPlan,
    fill_result,
    input_schema,
    judge,
    run_step,
    validate_port_parts,
)
from ..template_check import TemplateFinding, check_step_templates
from . import determinism
from .edges import Edge, edge_breaks_contract, edge_params, planned_edges
from .negative import negative_case_ids, run_negative_case
from .recheck import recheck_case
from .static_check import IsolationFinding, check_isolation_inputs

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

DEFAULT_ROWS = 1000


@dataclass
class IsolationCase:
    """The payload of a planned isolation case."""

    step: StepSpec
    scenario: ScenarioSpec
    params: dict[str, Any] = field(default_factory=dict)
    negative: NegativeConstraint | None = None    # the constraint a negative case breaks
    edge: Edge | None = None                      # the edge an edge_cases case feeds (see edges.py)
    unresolved: str | None = None                 # why the step's templates have no value in this case


def case_payload(spec: PipelineSpec, step: StepSpec, scenario: ScenarioSpec, params: dict[str, Any],
                 edge: Edge | None = None) -> IsolationCase:
    """The payload of a case, its step with {job_args.NAME} / {env.NAME} resolved for its parameters
    (as written, with the reason, when the case gives a template no value: its run is a setup error)."""
    try:
        return IsolationCase(resolve_step(spec, step, params), scenario, params, edge=edge)
    except TemplateError as error:
        where = f"{error.location}: " if error.location is not None else ""
        return IsolationCase(step, scenario, params, edge=edge, unresolved=f"{where}{error}")


class IsolationMode:
    name = "isolation"

    # -- planning --------------------------------------------------------------

    def plan(self, session: SessionLike, spec: PipelineSpec) -> list[PlannedCase]:
        cases = []
        scenarios = self.scenarios(spec, mode_options(spec, self.name, session.project_modes),
                                   quick=session.options.quick, requested=session.options.scenario)
        for step in spec.steps.values():
            for scenario in scenarios:
                if not applies(scenario, step):
                    continue
                mutated = check_mutations(spec, step, scenario)
                if scenario.edges and scenario.examples is None:
                    cases += [PlannedCase(make_id(spec.pipeline, step.name, f"{scenario.name}:{edge.name}", params),
                                          self.name, spec.pipeline, step.name, scenario.name, params, spec=spec,
                                          payload=case_payload(spec, step, scenario, params, edge=edge))
                              for edge, params in edge_params(planned_edges(spec, step, scenario, bool(mutated)),
                                                              expand(scenario.parametrize))]
                    continue
                if not mutated and scenario.mutate and scenario.builtin:
                    continue     # a built-in mutating scenario with nothing generated to mutate
                if scenario.negative and scenario.examples is None:   # with examples: a property case
                    own = case_payload(spec, step, scenario, {})
                    cases += [PlannedCase(case_id, self.name, spec.pipeline, step.name, scenario.name, {},
                                          spec=spec, payload=dataclasses.replace(own, negative=constraint))
                              for case_id, constraint in negative_case_ids(session, spec, own.step, scenario)]
                    continue
                for params in expand(scenario.parametrize):
                    case_id = make_id(spec.pipeline, step.name, scenario.name, params)
                    cases.append(PlannedCase(case_id, self.name, spec.pipeline, step.name, scenario.name,
                                             params, spec=spec, payload=case_payload(spec, step, scenario, params)))
        return cases

    @staticmethod
    def scenarios(spec: PipelineSpec, options: dict[str, Any], quick: bool = False,
                  requested: Sequence[str] = ()) -> list[ScenarioSpec]:
        """The scenarios isolation mode runs: ``modes.isolation.scenarios`` or every scenario
        (a property scenario, one with ``examples:``, runs as a property case: see property_run).
        ``quick`` (``--quick``) drops the negative scenario unless ``requested`` (``--scenario``) names it."""
        names = options.get("scenarios")
        chosen = [spec.scenarios[n] for n in names] if names else list(spec.scenarios.values())
        if quick and not {s.name for s in chosen if s.negative} & set(requested):
            chosen = [s for s in chosen if not s.negative]   # --quick leaves negative cases out
        return chosen

    # -- running -----------------------------------------------------------------

    def run(self, session: SessionLike, spec: PipelineSpec, cases: list[PlannedCase]) -> Iterator[CaseResult]:
        options = mode_options(spec, self.name, session.project_modes)
        # -n wins (even -n 1), then modes.isolation jobs / parallel_execution, then one at a time
        jobs = session.options.jobs or options["jobs"] or 1
        if session.options.dist and not session.options.jobs:   # --dist: as many in flight as the cluster runs
            jobs = max(jobs, int(getattr(session.executor(), "slots", 1)))
        if jobs == 1:
            for case in cases:
                if session.shouldstop:
                    return
                yield self.run_case(session, spec, case)
            return
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="specrun-case") as pool:
            pending: set[Future[CaseResult]] = set()
            queue = iter(cases)
            try:
                for case in itertools.islice(queue, jobs):
                    pending.add(pool.submit(self.run_case, session, spec, case))
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
                        if not session.shouldstop:
                            nxt = next(queue, None)
                            if nxt is not None:
                                pending.add(pool.submit(self.run_case, session, spec, nxt))
            except BaseException:   # interrupted: kill the runs in flight before the pool joins them
                session.shouldstop = "interrupted"
                for future in pending:
                    future.cancel()
                session.close()
                raise

    def run_case(self, session: SessionLike, spec: PipelineSpec, case: PlannedCase) -> CaseResult:
        """One case's result: the stored one when the result cache has the case's key (see
        modes/result_cache), else a run whose result is stored under that key."""
        cache = result_cache(session)
        key = cache.key(spec, case) if cache is not None else None
        if cache is not None and key is not None:
            hit = cache.lookup(key, case)
            if hit is not None:
                session.start_case(case)
                return hit
        result = self._run_guarded(session, spec, case)
        if cache is not None and key is not None:
            cache.save(key, result)
        return result

    def _run_guarded(self, session: SessionLike, spec: PipelineSpec, case: PlannedCase) -> CaseResult:
        """Running out of memory in specrun's own process (generating or reading a huge
        frame) is this case's ERROR, never the loss of the other cases' results."""
        started = time.perf_counter()
        try:
            return self._run_case(session, spec, case)
        except MemoryError:
            payload: IsolationCase = case.payload
            return CaseResult(id=case.id, mode=self.name, pipeline=spec.pipeline, step=payload.step.name,
                              scenario=payload.scenario.name, params=payload.params, outcome=Outcome.ERROR,
                              classification=ErrorClass.RESOURCE_ERROR,
                              message="specrun ran out of memory generating or checking this case's data "
                                      "(rows x columns too large for this machine?)",
                              duration_s=time.perf_counter() - started)

    def _run_case(self, session: SessionLike, spec: PipelineSpec, case: PlannedCase) -> CaseResult:
        payload: IsolationCase = case.payload
        if session.options.recheck:
            return recheck_case(self.name, session, spec, case)
        if payload.negative is not None:
            return run_negative_case(self.name, self.prepare, session, spec, case)
        if payload.scenario.examples is not None:
            from .property_run import run_property_case

            return run_property_case(self, session, spec, case)
        step, scenario, params = payload.step, payload.scenario, payload.params
        seed = session.case_seed(spec, case.id, params.get("seed", scenario.seed))
        result = CaseResult(id=case.id, mode=self.name, pipeline=spec.pipeline, step=step.name,
                            scenario=scenario.name, params=params, seed=seed,
                            replay=session.replay_command(spec, case.id))
        session.start_case(case)
        started = time.perf_counter()
        keep = session.options.keep_sandboxes
        sandbox = SandboxDir(base=session.workspace / "sandboxes", prefix=safe_name(case.id) + "-", keep=True)
        with sandbox:
            try:
                plan = self.prepare(session, spec, case, sandbox, seed)
            except SpecError as exc:
                result.outcome, result.classification = Outcome.ERROR, ErrorClass.SETUP_ERROR
                result.message = str(exc)
            else:
                if payload.edge is not None:
                    result.details["edge"] = payload.edge.name
                skipped = edge_breaks_contract(session, spec, payload.edge, plan)
                if skipped is not None:   # not an edge case: input that breaks a contract is negative's
                    result.outcome, result.message = Outcome.SKIPPED, skipped
                    result.details["fed"] = fed_summary(plan.input_frames)
                else:
                    outcome = run_step(session, plan, session.executor_name(spec))
                    fill_result(result, outcome)
                    result.details["fed"] = fed_summary(plan.input_frames)
                    result.outcome, result.classification, result.message = judge(case.id, outcome,
                                                                                  scenario.expect)
                    if plan.files_changed:
                        files_changed_verdict(result, outcome.record.ok and scenario.expect.outcome == "fail",
                                              plan.files_changed)
                    if result.passed and scenario.expect.outputs:
                        judge_golden(session, spec, case.id, plan.step.outputs, plan.output_paths,
                                     outcome.output_frames, scenario, result)
                    if result.passed and determinism.wanted(step, scenario):
                        executor = session.executor_name(spec)
                        determinism.check_determinism(lambda again: run_step(session, again, executor),
                                                      plan, outcome, result, session.workspace / "sandboxes", keep)
            result.duration_s = time.perf_counter() - started
            if result.passed and not keep:
                shutil.rmtree(sandbox.root, ignore_errors=True)
            else:
                result.workdir = str(sandbox.root)
        return result

    @staticmethod
    def _split_input(session: SessionLike, scenario: ScenarioSpec, params: dict[str, Any], step: StepSpec,
                     port: PortSpec, target: Path, seed: int) -> pd.DataFrame:
        """A ``split_schemas`` input: each split generated from its own schema and written."""
        if scenario.mutations_for(step.name, port.name):
            raise SpecError(f"scenario {scenario.name!r} mutates input {port.name!r}, which has "
                            "'split_schemas': mutations of a split-schema input are not supported",
                            scenario.location)
        rows = params.get("rows", scenario.rows)
        n = int(port.rows if port.rows is not None and "rows" not in params
                else (rows if rows is not None else DEFAULT_ROWS))
        overrides = column_overrides(scenario, params)
        parts = generate_split_parts(port, n, seed, session.types,
                                     lambda schema: with_overrides(schema, overrides))
        write_parts(port, parts, target)
        return whole_frame(parts)

    def prepare(self, session: SessionLike, spec: PipelineSpec, case: PlannedCase,
                sandbox: SandboxDir, seed: int, given: dict[str, Any] | None = None) -> StepRunPlan:
        """Write every input of the step into the sandbox; return the run plan.
        ``given``: frames to write as they are for some ports (property runs)."""
        payload: IsolationCase = case.payload
        step, scenario, params = payload.step, payload.scenario, payload.params
        if payload.unresolved is not None:
            raise SpecError(payload.unresolved)
        overrides = column_overrides(scenario, params)
        rows = params.get("rows", scenario.rows)
        inputs, frames = {}, {}
        fed = FedInputs()
        for name, port in step.inputs.items():
            target = port_target(sandbox.root, port, "input")
            inputs[name] = target
            fixed = scenario.inputs.get(name)
            if fixed is not None:       # golden input: these rows or this file, as written
                declared = input_schema(spec, port)
                if port.tabular:
                    frames[name] = golden_frame(fixed, port, declared, session.types)
                    if declared is not None:
                        fed.frame(name, declared, frames[name])
                if fixed.file is not None:
                    copy_fixture(fixed.file, target)
                else:
                    write_port(port, frames[name], target, seed=seed)
                continue
            port = scenario.port_of(step, port)   # a scenario's fixture replaces the port's
            source = port.fixture or port.sample
            if source is not None:
                copy_fixture(source, target)
                fed.fixture(name, port, input_schema(spec, port), target)
                continue
            declared = input_schema(spec, port)
            if declared is None and port.split_schemas and port.tabular:
                frames[name] = self._split_input(session, scenario, params, step, port, target, seed)
                continue
            if declared is None or not port.tabular:
                if port.required:
                    raise SpecError(f"input {name!r} has no schema and no fixture: nothing to generate",
                                    port.location)
                continue
            schema = with_overrides(declared, overrides)
            if given is not None and name in given:
                write_port(port, given[name], target, seed=seed)
                frames[name] = given[name]
                if schema is not declared:
                    fed.frame(name, declared, given[name])
                continue
            n = int(port.rows if port.rows is not None and "rows" not in params
                    else (rows if rows is not None else DEFAULT_ROWS))
            edge = payload.edge
            if edge is not None and edge.rows is not None:
                n = edge.rows
            frame = vectorised_frame(schema, n, stable_seed(seed, name), session.types)
            mutations = (scenario.mutations_for(step.name, name) if edge is None
                         else edge.mutations(scenario, name, declared, step.name))
            whole = [m for m in mutations if not m.targeted]
            if whole:
                frame = apply_mutations(frame, schema, whole, stable_seed(seed, name, "mutate"), session.types)
            targeted = [m for m in mutations if m.targeted]
            if targeted:
                written = write_targeted(port, frame, schema, targeted, target, seed,
                                         stable_seed(seed, name, "mutate-files"), session.types)
                frame = written.frame()
                if written.changed_files:
                    fed.broken(name, "; ".join(written.describe()))
            else:
                write_port(port, frame, target, seed=seed)
            if mutations or schema is not declared or edge is not None:
                fed.frame(name, declared, frame)
            frames[name] = frame
        outputs = {}
        for name, port in step.outputs.items():
            target = port_target(sandbox.root, port, "output")
            (target if port.is_dir else target.parent).mkdir(parents=True, exist_ok=True)
            outputs[name] = target
        options = mode_options(spec, self.name, session.project_modes)
        limits = resolve_limits(
            spec, step,
            scenario=RunLimits(params.get("timeout", scenario.timeout),
                               params.get("memory_limit", scenario.memory_limit)),
            mode=RunLimits(options["timeout"], options["memory_limit"]))
        return StepRunPlan(
            step=step, workdir=sandbox.root, input_paths=inputs, output_paths=outputs,
            output_schemas={n: p.schema for n, p in step.outputs.items()},
            env={**step.env, **{k[4:]: str(v) for k, v in params.items() if k.startswith("env.")}},
            job_args={**step.job_args, **{k[9:]: v for k, v in params.items() if k.startswith("job_args.")}},
            timeout=limits.timeout_s, memory_limit=limits.memory_limit_bytes, input_frames=frames, label=case.id,
            inputs_valid=fed.valid(
                lambda port, parts, schema: validate_port_parts(session, port, "input", parts, schema)),
            files_changed=dict(fed.broken_files),
        )


def files_changed_verdict(result: CaseResult, exited_0_expecting_fail: bool, changed: dict[str, str]) -> None:
    """A clean exit on an input with a file removed, cut, stray or of other columns, where the script had to refuse it
    (``expect: fail``, the default of such a scenario), is ACCEPTED_INVALID: it lost data silently."""
    said = "; ".join(f"input {name!r}: {what}" for name, what in changed.items())
    result.details["files_changed"] = said
    if exited_0_expecting_fail and result.classification is ErrorClass.EXPECTATION_ERROR and not result.passed:
        result.classification = ErrorClass.ACCEPTED_INVALID
        result.message = (f"accepted invalid input: the script exited 0 although files its input layout "
                          f"declares were missing, cut or of other columns, or a file it does not declare "
                          f"was there ({said}); it should have failed")


def applies(scenario: ScenarioSpec, step: StepSpec) -> bool:
    """A scenario runs on a step unless restricted by ``steps:`` or by the ports its ``mutate:``
    and ``fixtures:`` name (``step.port``: that step's)."""
    if scenario.steps is not None:
        return step.name in scenario.steps
    return scenario.names_ports_of(step) is not False


def expand(parametrize: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """One parameter mapping per combination (the cartesian product), in spec order."""
    if not parametrize:
        return [{}]
    keys = list(parametrize)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(parametrize[k] for k in keys))]


def make_id(pipeline: str, step: str, scenario: str, params: dict[str, Any]) -> str:
    parts = [scenario] + [f"{k}={_fmt(v)}" for k, v in params.items()]
    return f"{pipeline}::{step}[{'-'.join(parts)}]"


def _fmt(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "+".join(_fmt(v) for v in value)
    return str(value)



@hookimpl
def specrun_modes() -> list[IsolationMode]:
    return [IsolationMode()]


@hookimpl
def specrun_static_check(session: SessionLike, spec: PipelineSpec) -> list[IsolationFinding | TemplateFinding]:
    """``specrun check``: planned isolation cases with an input they could not be given, and steps
    whose {job_args.NAME} / {env.NAME} do not resolve in some combination."""
    return [*check_isolation_inputs(spec, session.cases), *check_step_templates(spec)]


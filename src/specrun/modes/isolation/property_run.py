"""Property-based runs: one isolation case per step × property scenario, driven by Hypothesis.

A property scenario (``scenarios: {property: {examples: 200, max_rows: 20}}``) runs
the step once per example.  Hypothesis draws a frame for every generated input
(:mod:`specrun.contract.strategies`), the frames are written in the port's format and
layout into a fresh sandbox, the script runs (through the warm fork executor unless
``--executor`` says otherwise), and the run is judged like any isolation case: it
must succeed (or fail only as the scenario's ``expect`` allows), its outputs must
validate and the step's ``properties`` hold.  A failing example is shrunk by
Hypothesis to a minimal one, saved under ``<workspace>/failures/<id>/`` (see
:mod:`specrun.commands.replay`) and reported with ``specrun replay <id>``.

With ``negative: true`` (or a share, e.g. ``0.2``) examples are drawn off-contract, one
constraint broken, and judged like negative cases (:mod:`.property_negative`).

Different failures (another error type, another broken property) are told apart, so
shrinking one never turns it into another; every distinct failure is saved.  The
Hypothesis example database lives under ``<workspace>/hypothesis/``, one directory
per case, so a known failure is tried first next time.  Also the plugin that adds
``--max-examples`` and ``--no-shrink``.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...execution.sandbox import SandboxDir, safe_name
from ...lazy import lazy_module
from ...results import CaseResult, ErrorClass, Outcome
from ...run_options import NamespaceOptions
from ...spec.model import PipelineSpec, SpecError
from ..overrides import column_overrides
from ..step_case import (
    StepOutcome,
    StepRunPlan,
    fill_result,
    judge,
    run_step,
)
from . import DEFAULT_EXECUTOR
from .property_cli import specrun_addoption as specrun_addoption  # the plugin's options (light module)

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ...contract.negative_strategies import DrawnInputs
    from ...plan import PlannedCase
    from ...plugin_types import SessionLike
    from .mode import IsolationMode

# Hypothesis keeps global state (its reporter, the current build context): one run at a time.
_HYPOTHESIS_LOCK = threading.Lock()


class StepFailure(Exception):
    """One failing example, raised inside the Hypothesis test; subclassed per kind of failure."""

    signature = ""

    def __init__(self, frames: dict[str, pd.DataFrame], plan: StepRunPlan, outcome: StepOutcome,
                 verdict: tuple[Outcome, ErrorClass | None, str], negative: dict[str, Any] | None = None) -> None:
        super().__init__(f"{self.signature}: {verdict[2]}")
        self.frames = frames
        self.plan = plan
        self.outcome = outcome
        self.verdict = verdict
        self.negative = negative     # the broken constraint of an off-contract example

    @property
    def rows(self) -> int:
        return sum(len(f) for f in self.frames.values())


_FAILURE_CLASSES: dict[str, type[StepFailure]] = {}
_CLASSES_LOCK = threading.Lock()


def failure_class(signature: str) -> type[StepFailure]:
    """The exception class of one kind of failure: Hypothesis shrinks each kind on its own."""
    with _CLASSES_LOCK:
        cls = _FAILURE_CLASSES.get(signature)
        if cls is None:
            cls = type(f"StepFailure_{len(_FAILURE_CLASSES)}", (StepFailure,), {"signature": signature})
            _FAILURE_CLASSES[signature] = cls
        return cls


def signature_of(outcome: StepOutcome, verdict: tuple[Outcome, ErrorClass | None, str]) -> str:
    """What kind of failure this is: the error's class and type, or what broke."""
    record = outcome.record
    if not record.ok:
        kind = record.error.type if record.error is not None else (
            "timeout" if record.metrics.timed_out else f"exit {record.metrics.exit_code}")
        return f"{verdict[1].value if verdict[1] else 'FAILED'}:{kind}"
    broken = [v.port for v in outcome.validations if not v.ok]
    if broken:
        return f"CONTRACT_ERROR:output {','.join(broken)}"
    props = [p.name for p in outcome.properties if not p.ok]
    if props:
        return f"CONTRACT_ERROR:property {','.join(props)}"
    return f"{verdict[1].value if verdict[1] else 'FAILED'}:expectation"


@dataclass(frozen=True)
class PropertyRunOptions(NamespaceOptions):
    """The command-line options this plugin adds (see :func:`specrun_addoption`)."""

    max_examples: int | None = None   # --max-examples N: overrides the scenario's examples:
    no_shrink: bool = False           # --no-shrink


def property_settings(session: SessionLike, scenario_examples: int, params: dict[str, Any]
                      ) -> tuple[int, int, bool]:
    """(examples, max_rows, shrink) from the scenario, its parameters and the command line."""
    given = PropertyRunOptions.from_namespace(session.config)
    examples = given.max_examples or int(params.get("examples", scenario_examples))
    from ...contract.strategies import DEFAULT_MAX_ROWS  # Hypothesis on first property run

    max_rows = int(params.get("max_rows") or 0) or DEFAULT_MAX_ROWS
    return max(1, examples), max(0, max_rows), not given.no_shrink


def run_property_case(mode: IsolationMode, session: SessionLike, spec: PipelineSpec,
                      case: PlannedCase) -> CaseResult:
    """Run one step's property scenario; one ``kind="property"`` result."""
    from hypothesis.errors import HypothesisException

    from .saved_failures import save_failure

    payload = case.payload
    step, scenario, params = payload.step, payload.scenario, payload.params
    seed = session.case_seed(spec, case.id, case.params.get("seed", scenario.seed))
    examples, max_rows, shrink = property_settings(
        session, scenario.examples or 0, {"max_rows": scenario.max_rows, **params})
    executor = session.executor_name(spec, default=DEFAULT_EXECUTOR)
    result = CaseResult(id=case.id, mode=mode.name, pipeline=spec.pipeline, step=step.name,
                        scenario=scenario.name, kind="property", params=params, seed=seed,
                        replay=session.replay_command(spec, case.id))
    result.details = {"examples": examples, "max_rows": max_rows, "shrink": shrink, "executor": executor,
                      "runs": 0, "failures": []}
    if scenario.negative_share:
        result.details["negative"] = scenario.negative_share   # the share of off-contract examples
    session.start_case(case)
    started = time.perf_counter()
    root = SandboxDir(base=session.workspace / "sandboxes", prefix=safe_name(case.id) + "-", keep=True)
    with root:
        try:
            found = _explore(mode, session, spec, case, root.root, seed, examples, max_rows, shrink,
                             executor, result.details)
        except SpecError as exc:
            result.outcome, result.classification, result.message = Outcome.ERROR, ErrorClass.SETUP_ERROR, str(exc)
            found = []
        except HypothesisException as exc:
            result.outcome, result.classification = Outcome.ERROR, ErrorClass.SETUP_ERROR
            result.message = f"cannot generate examples: {type(exc).__name__}: {exc}"
            found = []
        found.sort(key=lambda f: (f.rows, f.signature))
        for failure in found:
            saved = save_failure(session, spec, case, failure.plan, failure.frames, failure.outcome,
                                        failure.verdict, signature=failure.signature, seed=seed,
                                        executor=executor, negative=failure.negative)
            result.details["failures"].append(saved.summary())
        if found:
            first, saved_first = found[0], result.details["failures"][0]
            fill_result(result, first.outcome)
            result.outcome, result.classification = Outcome.FAILED, first.verdict[1]
            more = f" (and {len(found) - 1} other failure{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
            result.message = (f"falsified after {result.details['runs']} runs{more}: {first.verdict[2]}; "
                              f"minimal input: {saved_first['input_summary']}")
            result.replay = f"specrun replay {saved_first['id']}"
            result.workdir = saved_first["path"]
        elif result.outcome is Outcome.PASSED:
            result.message = f"{result.details['runs']} examples passed"
        if not session.options.keep_sandboxes:
            shutil.rmtree(root.root, ignore_errors=True)
    result.duration_s = time.perf_counter() - started
    return result


def _explore(mode: IsolationMode, session: SessionLike, spec: PipelineSpec, case: PlannedCase,
             root: Path, seed: int, examples: int, max_rows: int, shrink: bool, executor: str,
             details: dict[str, Any]) -> list[StepFailure]:
    """Run the Hypothesis test; the (shrunk) failures it ends with."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.database import DirectoryBasedExampleDatabase

    from .property_negative import example_inputs, judge_off_contract, negative_record, tally

    payload = case.payload
    step, scenario, params = payload.step, payload.scenario, payload.params
    inputs = example_inputs(session, spec, step, scenario, column_overrides(scenario, params), max_rows)

    def example(drawn: DrawnInputs) -> None:
        if session.shouldstop == "interrupted":   # specrun is stopping: run nothing more
            raise KeyboardInterrupt
        details["runs"] += 1
        frames, negative = drawn.frames, None
        box = SandboxDir(base=root, prefix="example-", keep=True).__enter__()
        plan = mode.prepare(session, spec, case, box, seed, given=frames)
        outcome = run_step(session, plan, executor, retry=False)   # one run per example: see modes/retries.py
        if session.shouldstop == "interrupted":   # the run was killed because specrun is stopping:
            raise KeyboardInterrupt                # not a failure of the script, never saved
        if drawn.broken is None:
            verdict = judge(case.id, outcome, scenario.expect)
            signature = signature_of(outcome, verdict)
            if scenario.negative_share:
                tally(details, "valid")
        else:   # off-contract: the negative cases' verdict (rejected / tolerated pass)
            outcome, verdict, kind = judge_off_contract(
                session, step, drawn.broken, outcome, drawn.port.schema if drawn.port else None)
            signature = (f"{verdict[1].value if verdict[1] else 'FAILED'}:negative {kind}" if kind != "failed"
                         else signature_of(outcome, verdict))
            negative = negative_record(drawn.broken, kind)
            tally(details, kind)
        if verdict[0] is Outcome.PASSED:
            box.cleanup()
            return
        raise failure_class(signature)(frames, plan, outcome, verdict, negative)

    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    database = DirectoryBasedExampleDatabase(str(session.workspace / "hypothesis" / safe_name(case.id)))
    test = settings(max_examples=examples, deadline=None, database=database, phases=phases,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                    print_blob=False, report_multiple_bugs=True)(
        hypothesis_seed(seed)(given(inputs)(example)))
    with _HYPOTHESIS_LOCK:
        try:
            test()
        except StepFailure as failure:
            return [failure]
        except BaseExceptionGroup as group:   # several distinct failures (or a flaky one)
            found = _step_failures(group)
            if not found:
                raise
            return _distinct(found)
    return []


def _step_failures(group: BaseExceptionGroup) -> list[StepFailure]:
    out: list[StepFailure] = []
    for exc in group.exceptions:
        if isinstance(exc, StepFailure):
            out.append(exc)
        elif isinstance(exc, BaseExceptionGroup):
            out.extend(_step_failures(exc))
    return out


def _distinct(found: list[StepFailure]) -> list[StepFailure]:
    by_kind: dict[str, StepFailure] = {}
    for failure in found:
        if failure.signature not in by_kind or failure.rows < by_kind[failure.signature].rows:
            by_kind[failure.signature] = failure
    return list(by_kind.values())




"""Negative cases: a step fed an input that breaks exactly one constraint of its contract.

The built-in ``negative`` scenario plans one case per constraint of every generated
input (see :mod:`specrun.contract.negative`), named ``step[negative:port.column.constraint]``.
The verdict of a case:

* the script fails with an error → **rejected** (passes);
* it exits 0, every output honours its contract and the violating value reaches no
  output column of the same name → **tolerated** (passes);
* it exits 0 and an output breaks its contract, or the violating value reaches an
  output column of the same name → **accepted invalid input** (fails, ``ACCEPTED_INVALID``,
  showing the broken input rows next to the output rows they became);
* a crash, a timeout or a memory blow-up fails as in any other case.

A port's ``on_invalid: reject`` makes "tolerated" a failure, ``tolerate`` makes
"rejected" one; ``any`` (the default) accepts either.  Properties describe what a
step does with valid input and are not judged here.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...analysis.fed import fed_summary
from ...contract.io import layout_files, layout_parts, port_files, write_port
from ...contract.negative import (
    NegativeConstraint,
    NegativeInput,
    break_constraint,
    negative_constraints,
    per_split,
)
from ...contract.validate import column_fails, validate_frame
from ...contract.vectorised import vectorised_frame
from ...execution.sandbox import SandboxDir, safe_name
from ...lazy import lazy_module
from ...plan import PlannedCase, stable_seed
from ...results import CaseResult, ErrorClass, Outcome
from ...spec.model import (
    PipelineSpec,
    PortSpec,
    ScenarioSpec,
    SchemaSpec,
    SpecError,
    StepSpec,
)
from ...spec.placeholders import layout_fields
from ..overrides import column_overrides, with_overrides
from ..step_case import StepOutcome, StepRunPlan, fill_result, input_schema, run_step
from . import DEFAULT_EXECUTOR

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

DEFAULT_NEGATIVE_ROWS = 20
SHOWN_ROWS = 3
# A script that raised or exited non-zero refused the input; any other fate (a signal, a
# timeout, the memory limit, an import error) is a failure as in every case.
REJECTIONS = (ErrorClass.DATA_ERROR, ErrorClass.SCRIPT_ERROR)


def negative_ports(spec: PipelineSpec, step: StepSpec) -> list[tuple[PortSpec, SchemaSpec]]:
    """The inputs of ``step`` that specrun generates from a contract (no fixture, no sample)."""
    ports = []
    for port in step.inputs.values():
        schema = input_schema(spec, port)
        if port.tabular and schema is not None and port.fixture is None and port.sample is None:
            ports.append((port, schema))
    return ports


def negative_case_ids(session: SessionLike, spec: PipelineSpec, step: StepSpec,
                      scenario: ScenarioSpec) -> list[tuple[str, NegativeConstraint]]:
    """``(case id, constraint)`` for every constraint of every generated input of ``step``."""
    return [(f"{spec.pipeline}::{step.name}[{scenario.name}:{constraint.id}]", constraint)
            for port, schema in negative_ports(spec, step)
            for constraint in port_constraints(session, port, schema)]


def port_constraints(session: SessionLike, port: PortSpec, schema: SchemaSpec) -> list[NegativeConstraint]:
    """The constraints a negative case breaks on ``port``: per split when its layout has splits."""
    found = negative_constraints(port.name, schema, port.format, session.types)
    splits = split_names(port)
    return per_split(found, splits) if splits else found


def split_names(port: PortSpec) -> list[str]:
    """The port's split names when its layout has ``{split}`` (none while they await a case's values)."""
    if not port.is_dir or "split" not in layout_fields(port.layout or ""):
        return []
    names = list(port.split or [])
    return [] if any("{" in name for name in names) else names


def run_negative_case(mode_name: str, prepare: Callable[..., StepRunPlan], session: SessionLike,
                      spec: PipelineSpec, case: PlannedCase) -> CaseResult:
    """Write the broken input (and valid other inputs, with ``prepare``: the isolation
    mode's), run the step, judge the outcome."""
    payload = case.payload
    step, scenario, constraint = payload.step, payload.scenario, payload.negative
    seed = session.case_seed(spec, case.id, scenario.seed)
    result = CaseResult(id=case.id, mode=mode_name, pipeline=spec.pipeline, step=step.name,
                        scenario=scenario.name, seed=seed, replay=session.replay_command(spec, case.id),
                        details={"negative": constraint.id})
    session.start_case(case)
    started = time.perf_counter()
    keep = session.options.keep_sandboxes
    sandbox = SandboxDir(base=session.workspace / "sandboxes", prefix=safe_name(case.id) + "-", keep=True)
    with sandbox:
        try:
            port = step.inputs[constraint.port]
            declared = input_schema(spec, port)
            if declared is None:   # negative_case_ids plans cases only for inputs with a schema
                raise SpecError(f"input {port.name!r} has no schema to break", port.location)
            schema = with_overrides(declared, column_overrides(scenario, {}))
            rows = port.rows if port.rows is not None else (scenario.rows or DEFAULT_NEGATIVE_ROWS)
            valid = vectorised_frame(schema, max(rows, 2), stable_seed(seed, port.name), session.types)
            rng = np.random.default_rng(stable_seed(seed, port.name, "negative"))
            if constraint.split is not None:
                plan, broken = _break_split(session, spec, case, sandbox, seed, prepare, port, schema, valid, rng)
            else:
                broken = break_constraint(constraint, schema, valid, port.format, port.compression,
                                          session.types, rng)
                check_breaks(session, schema, broken)
                plan = prepare(session, spec, case, sandbox, seed, given={port.name: broken.frame})
                if broken.corrupt is not None:
                    broken.corrupt(port_files(port, plan.input_paths[port.name]))
        except SpecError as exc:
            result.outcome, result.classification = Outcome.ERROR, ErrorClass.SETUP_ERROR
            result.message = str(exc)
        else:
            outcome = run_step(session, plan, session.executor_name(spec, default=DEFAULT_EXECUTOR))
            fill_result(result, outcome)
            result.properties = []   # properties describe valid input; not judged on invalid input
            result.details["broken"] = broken.description
            result.details["fed"] = fed_summary(plan.input_frames)
            result.outcome, result.classification, result.message, verdict = judge_negative(
                broken, outcome, port.on_invalid)
            result.details["verdict"] = verdict
        result.duration_s = time.perf_counter() - started
        if result.passed and not keep:
            shutil.rmtree(sandbox.root, ignore_errors=True)
        else:
            result.workdir = str(sandbox.root)
    return result


def _break_split(session: SessionLike, spec: PipelineSpec, case: PlannedCase, sandbox: SandboxDir, seed: int,
                 prepare: Callable[..., StepRunPlan], port: PortSpec, schema: SchemaSpec, valid: pd.DataFrame,
                 rng: np.random.Generator) -> tuple[StepRunPlan, NegativeInput]:
    """Every split written valid, then the constraint's split rewritten broken: the rows
    that split's files hold (as ``write_port`` divides them) with the constraint broken."""
    constraint = case.payload.negative
    plan = prepare(session, spec, case, sandbox, seed, given={port.name: valid})
    target = plan.input_paths[port.name]
    parts = layout_parts(port, valid, seed)
    mine = [part.frame for part in parts if part.split == constraint.split]
    others = [part.frame for part in parts if part.split != constraint.split]
    broken = break_constraint(constraint, schema, pd.concat(mine, ignore_index=True), port.format,
                              port.compression, session.types, rng)
    check_breaks(session, schema, broken)
    only = dataclasses.replace(port, split=[constraint.split])
    for relative, _, _ in layout_files(only):     # the valid split files, replaced
        (target / relative).unlink(missing_ok=True)
    write_port(only, broken.frame, target, seed=seed)
    if broken.corrupt is not None:
        broken.corrupt([target / relative for relative, _, _ in layout_files(only)])
    plan.input_frames[port.name] = pd.concat([*others, broken.frame], ignore_index=True)
    broken.description += f" (split {constraint.split!r} only)"
    return plan, broken


def check_breaks(session: SessionLike, schema: SchemaSpec, broken: NegativeInput) -> None:
    """A negative input that honours its contract would test nothing: that is an error."""
    if broken.corrupt is not None:
        return
    compiled = session.contracts.pandera(schema)
    if column_fails(broken.frame, compiled, broken.constraint.column):   # the broken column alone
        return
    ok, _ = validate_frame(broken.frame, compiled)
    if ok:
        raise SpecError(f"negative case {broken.constraint.id}: {broken.description} does not break "
                        f"the contract of input {broken.constraint.port!r}; nothing would be tested",
                        schema.location)


def judge_negative(broken: NegativeInput, outcome: StepOutcome,
                   on_invalid: str | None) -> tuple[Outcome, ErrorClass | None, str, str]:
    """``(outcome, classification, message, verdict)`` of one negative case."""
    record, port = outcome.record, broken.constraint.port
    if record.classification is ErrorClass.SETUP_ERROR:   # it never ran (container: no namespaces)
        return Outcome.ERROR, ErrorClass.SETUP_ERROR, record.message, "error"
    if not record.ok:
        if record.classification not in REJECTIONS:
            return Outcome.FAILED, record.classification, record.message, "failed"
        error = f"{record.error.type}: {record.error.message}" if record.error else record.message
        if on_invalid == "tolerate":
            return (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR,
                    (f"input {port!r} declares on_invalid: tolerate, but the script rejected "
                     f"{broken.description}: {error}"), "rejected")
        return Outcome.PASSED, None, f"rejected: {error}", "rejected"
    bad = [v for v in outcome.validations if not v.ok]
    leaks = leaked(broken, outcome.output_frames)
    if bad or leaks:
        reasons = [v.message for v in bad] + [
            f"the violating value {_show(values)} reached output {name!r} column {column!r}"
            for name, column, values in leaks]
        message = (f"accepted invalid input: the script exited 0 on {broken.description} "
                   f"({broken.constraint.id}); " + "; ".join(reasons)
                   + "\n" + rows_next_to_outputs(broken, outcome.output_frames, leaks))
        return Outcome.FAILED, ErrorClass.ACCEPTED_INVALID, message, "accepted_invalid"
    if on_invalid == "reject":
        return (Outcome.FAILED, ErrorClass.ACCEPTED_INVALID,
                (f"input {port!r} declares on_invalid: reject, but the script exited 0 on "
                 f"{broken.description} ({broken.constraint.id}) and tolerated it"), "tolerated")
    return Outcome.PASSED, None, f"tolerated: {broken.description}; every output honours its contract", "tolerated"


def leaked(broken: NegativeInput, outputs: dict[str, pd.DataFrame]) -> list[tuple[str, str, list[Any]]]:
    """``(output, column, values)`` for each output column of the broken column's name that
    holds a violating value (an unexpected column: the output that has it)."""
    name = broken.constraint.column
    found = []
    for output, frame in outputs.items():
        if broken.leak == "column":
            found += [(output, value, [value]) for value in broken.values if value in frame.columns]
            continue
        if name is None or name not in frame.columns or broken.leak == "none":
            continue
        mask = leak_mask(broken, frame[name])
        if mask.any():
            found.append((output, name, _distinct(frame[name][mask])))
    return found


def leak_mask(broken: NegativeInput, series: pd.Series) -> pd.Series:
    """The output rows of ``series`` that hold what broke the input."""
    if broken.leak == "nulls":
        return series.isna()
    if broken.leak == "duplicates":
        return series.isin(broken.values) & series.duplicated(keep=False)
    return _matches(series, broken.values)


def _matches(series: pd.Series, values: list[Any]) -> pd.Series:
    """Rows equal to one of ``values``, by value or, across dtypes, by their text."""
    try:
        same = series.isin(values)
    except (TypeError, ValueError):
        same = pd.Series(False, index=series.index)
    texts = {str(v) for v in values}
    return same.fillna(False).astype(bool) | series.astype(str).isin(texts).to_numpy()


def rows_next_to_outputs(broken: NegativeInput, outputs: dict[str, pd.DataFrame],
                         leaks: list[tuple[str, str, list[Any]]]) -> str:
    """A few broken input rows, then the output rows they became (matched by a key column
    the input and the output share, else the output rows holding the violating value)."""
    frame = broken.frame
    shown = frame.iloc[broken.rows[:SHOWN_ROWS]] if broken.rows else frame.head(SHOWN_ROWS)
    lines = [f"  input {broken.constraint.port!r} (broken rows):", _table(shown)]
    for name, out in outputs.items():
        key = _shared_key(broken, out)
        if key is not None and len(shown):
            became = out[out[key].isin(shown[key].dropna().tolist())]
        elif any(output == name for output, _, _ in leaks) and broken.constraint.column in out.columns:
            became = out[leak_mask(broken, out[broken.constraint.column])]
        else:
            became = out
        lines += [f"  output {name!r} ({len(became)} matching row(s) of {len(out)}):",
                  _table(became.head(SHOWN_ROWS))]
    return "\n".join(lines)


def _shared_key(broken: NegativeInput, out: pd.DataFrame) -> str | None:
    """A column (other than the broken one) unique in the input and present in the output."""
    for column in broken.frame.columns:
        if column != broken.constraint.column and column in out.columns and broken.frame[column].is_unique \
                and not pd.api.types.is_float_dtype(broken.frame[column].dtype):
            return str(column)
    return None


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "    (no rows)"
    text = frame.to_string(index=False, max_colwidth=24)
    return "\n".join("    " + line for line in text.splitlines())


def _distinct(series: pd.Series) -> list[Any]:
    return list(dict.fromkeys(series.tolist()))[:3]


def _show(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:3])

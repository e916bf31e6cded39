"""``--recheck``: the last run's isolation cases judged again on their kept outputs.

After editing a contract, a property or a golden output, a user wants to know whether the
outputs the scripts already wrote satisfy it, without running the scripts again.  For each
planned case, the last run's record (``last-run.json``) names its sandbox; where that
sandbox was kept (failed cases always keep theirs; ``--keep-sandboxes`` keeps every one),
the inputs the script was fed and the outputs it wrote are read from it and checked with
the *current* spec: output contracts, properties, relations, golden outputs and log
expectations, judged as a run would be.  Nothing runs, so:

* a case whose script did not exit cleanly last time is not rechecked: its old result is
  reported again, saying so (there are no outputs whose checks could change the verdict);
* a case with no kept sandbox, a negative case and a property case (many inputs, drawn per
  run) are SKIPPED with the reason;
* every rechecked result says ``rechecked`` (console, record: ``details.recheck``), keeps
  the old sandbox as its ``workdir`` (so a second ``--recheck`` finds it again), and is
  never stored in the result cache or the run history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...contract.io import PortReadError, port_target, read_port
from ...execution.request import RunRecord
from ...results import CaseResult, Outcome, case_from_json
from ...spec.model import PipelineSpec
from ..golden import judge_golden
from ..step_case import (
    StepOutcome,
    check_outputs,
    check_properties,
    fill_result,
    input_schema,
    judge,
    validate_port_parts,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...plan import PlannedCase
    from ...plugin_types import SessionLike

_LAST: dict[int, dict[str, dict[str, Any]]] = {}


def last_cases(session: SessionLike) -> dict[str, dict[str, Any]]:
    """The last run's case records by id (read once per session; empty without a record)."""
    key = id(session)
    if key not in _LAST:
        path = Path(session.workspace) / "last-run.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            _LAST[key] = {c["id"]: c for c in record.get("cases", []) if isinstance(c, dict) and "id" in c}
        except (OSError, ValueError):
            _LAST[key] = {}
    return _LAST[key]


def _script_exited_cleanly(old: CaseResult) -> bool:
    metrics = old.metrics
    return (metrics is not None and metrics.exit_code == 0 and not metrics.timed_out and not metrics.oom_killed
            and not metrics.output_exceeded and old.error is None)


def recheck_case(mode: str, session: SessionLike, spec: PipelineSpec, case: PlannedCase) -> CaseResult:
    payload = case.payload
    step, scenario = payload.step, payload.scenario
    result = CaseResult(id=case.id, mode=mode, pipeline=spec.pipeline, step=step.name, scenario=scenario.name,
                        params=payload.params, replay=session.replay_command(spec, case.id))
    if payload.negative is not None or scenario.examples is not None:
        result.outcome = Outcome.SKIPPED
        result.message = ("not rechecked: a negative or property case runs the script on the inputs it draws; "
                          "run it without --recheck")
        return result
    prior = last_cases(session).get(case.id)
    sandbox = Path(prior["workdir"]) if prior and prior.get("workdir") else None
    if prior is None or sandbox is None or not sandbox.is_dir():
        result.outcome = Outcome.SKIPPED
        result.message = ("not rechecked: the last run kept no outputs of this case (a failed case keeps its "
                          "sandbox; --keep-sandboxes keeps every case's)")
        return result
    old = case_from_json(prior)
    result.seed, result.workdir = old.seed, str(sandbox)
    result.details["recheck"] = {"sandbox": str(sandbox), "script_ran": False}
    if not _script_exited_cleanly(old):
        old.cached, old.workdir, old.replay = False, str(sandbox), result.replay
        old.details = {**old.details, "recheck": {"sandbox": str(sandbox), "script_ran": False, "rechecked": False}}
        old.message = f"not rechecked (the script did not exit cleanly in the last run): {old.message}"
        return old
    inputs = {name: port_target(sandbox, port, "input") for name, port in step.inputs.items()}
    outputs = {name: port_target(sandbox, port, "output") for name, port in step.outputs.items()}
    frames_in, valid = {}, True
    for name, port in step.inputs.items():
        schema = input_schema(spec, port)
        if not port.tabular or not inputs[name].exists():
            continue
        try:
            parts = read_port(port, inputs[name], schema, types=session.types)
        except PortReadError:
            valid = False
            continue
        frames_in[name] = next(iter(parts.values())) if len(parts) == 1 else None
        if schema is not None and not validate_port_parts(session, name, "input", parts, schema).ok:
            valid = False
    parts_out: dict[str, Any] = {}
    validations, frames = check_outputs(session, step, outputs, {n: p.schema for n, p in step.outputs.items()},
                                        parts_out, returned=old.returned)
    properties = []
    if all(v.ok for v in validations):
        properties = check_properties(session, step, {k: v for k, v in frames_in.items() if v is not None},
                                      frames, parts_out)
    logs = sandbox / "logs"
    record = RunRecord(ok=True, metrics=old.metrics, stdout_path=_file(logs / "stdout.log"),  # type: ignore[arg-type]
                       stderr_path=_file(logs / "stderr.log"), stdout_tail=old.stdout_tail,
                       stderr_tail=old.stderr_tail, returned=old.returned, warnings=list(old.warnings))
    outcome = StepOutcome(record, validations, properties, frames, inputs_valid=valid)
    fill_result(result, outcome)
    result.duration_s = old.duration_s
    result.outcome, result.classification, result.message = judge(case.id, outcome, scenario.expect)
    if result.passed and scenario.expect.outputs:
        judge_golden(session, spec, case.id, step.outputs, outputs, frames, scenario, result)
    result.details["recheck"]["rechecked"] = True
    result.notices.append(f"rechecked the outputs kept in {sandbox}; the script did not run")
    return result


def _file(path: Path) -> Path | None:
    return path if path.is_file() else None

"""``specrun replay ID``: rerun a saved failure (see :mod:`specrun.modes.isolation.saved_failures`).

It reruns exactly that case in a fresh sandbox with the saved inputs (a fresh
process unless ``--executor`` says otherwise), prints the script's traceback and
exits 1 if it still fails, 0 if it now passes.  An off-contract example (a property
scenario with ``negative:``) is judged again as a negative case: rejected or
tolerated passes, an accepted invalid input still fails as ``ACCEPTED_INVALID``.
"""


from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..modes.isolation.saved_failures import FAILURES_DIR, RECORD_FILE, SavedFailure
from ..results import ExitCode
from ..run_options import RunOptions

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..modes.step_case import StepRunPlan
    from ..session import Session
    from ..spec.model import PipelineSpec

def load_failure(workspace: Path, failure_id: str) -> SavedFailure:
    """The saved failure ``failure_id``; a usage error naming the known ids if there is none."""
    from ..config import UsageError

    folder = workspace / FAILURES_DIR / failure_id
    try:
        data = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = sorted(p.name for p in (workspace / FAILURES_DIR).glob("*") if (p / RECORD_FILE).is_file())
        hint = f" (saved: {', '.join(known[-10:])})" if known else " (no failures saved there)"
        raise UsageError(f"no saved failure {failure_id!r} under {workspace / FAILURES_DIR}{hint}") from None
    return SavedFailure(failure_id, folder, data)


# -- specrun replay ID ---------------------------------------------------------------

def _requested_id(config: argparse.Namespace) -> str:
    from ..config import UsageError

    options = RunOptions.from_namespace(config)
    given = [a for a in options.argv[1:] if a in options.paths]
    if len(given) != 1:
        raise UsageError("usage: specrun replay ID  (the id printed after a property failure)")
    return given[0]


def replay(config: argparse.Namespace, pm: Any) -> int:
    """Rerun a saved failure; 1 if it still fails, 0 if it passes now."""
    from ..execution.sandbox import SandboxDir
    from ..modes.isolation.property_negative import broken_from_record, judge_off_contract
    from ..modes.step_case import judge, run_step
    from ..results import Outcome
    from ..session import Session
    from ..spec.model import ExpectSpec, SpecError

    failure_id = _requested_id(config)
    session = Session(config, pm)
    saved = load_failure(session.workspace, failure_id)
    record = saved.record
    out = sys.stdout
    try:
        spec = session.load_spec(Path(record["spec"]))
        if record["step"] not in spec.steps:
            raise SpecError(f"step {record['step']!r} is no longer in the spec", spec.where("steps"))
    except SpecError as exc:
        print(f"specrun: {exc}", file=sys.stderr)
        return int(ExitCode.SPEC_ERROR)
    scenario = spec.scenarios.get(record.get("scenario") or "")
    expect = scenario.expect if scenario is not None else ExpectSpec()
    print(f"replaying {failure_id}: {record['case_id']} (seed {record['seed']})", file=out)
    print(f"input: {record.get('input_summary')} from {saved.path / 'input'}", file=out)
    print(f"saved failure: {record.get('classification')}: {record.get('message')}", file=out)
    negative = record.get("negative")
    if negative is not None:
        print(f"off-contract input: {negative['constraint']} ({negative['description']})", file=out)
    box = SandboxDir(base=session.workspace / "sandboxes", prefix=f"replay-{failure_id}-", keep=True)
    try:
        with box:
            plan = _plan(session, spec, record, saved.path, box.root)
            outcome = run_step(session, plan, session.options.executor or "fresh")
            if negative is not None:   # an off-contract example: the negative cases' verdict
                broken = broken_from_record(negative, _as_written(session, plan, negative["port"]))
                outcome, verdict, _ = judge_off_contract(session, plan.step, broken, outcome)
            else:
                verdict = judge(record["case_id"], outcome, expect)
    finally:
        session.close()
    if verdict[0] is Outcome.PASSED:
        shutil.rmtree(box.root, ignore_errors=True)
        print("PASSED: the saved failure no longer reproduces", file=out)
        return int(ExitCode.OK)
    error = outcome.record.error
    tail = error.traceback if error is not None else outcome.record.stderr_tail
    if tail:
        print("--- traceback ---" if error is not None else "--- script stderr (tail) ---", file=out)
        print(tail.rstrip(), file=out)
    for prop in outcome.properties:
        if not prop.ok:
            print(f"property {prop.name} failed: {prop.message}", file=out)
    print(f"FAILED {verdict[1].value if verdict[1] else ''}: {verdict[2]}", file=out)
    print(f"sandbox: {box.root}", file=out)
    return int(ExitCode.TESTS_FAILED)


def _as_written(session: Session, plan: StepRunPlan, name: str) -> pd.DataFrame | None:
    """The saved off-contract input read without its contract, so the broken values show as written."""
    from ..contract.io import read_port_frame

    port = plan.step.inputs.get(name)
    if port is None or name not in plan.input_paths:
        return None
    try:
        return read_port_frame(dataclasses.replace(port, schema=None), plan.input_paths[name], None,
                               types=session.types)
    except Exception:  # noqa: BLE001 - only shown next to the outputs; the verdict does not need it
        return None


def _plan(session: Session, spec: PipelineSpec, record: dict[str, Any], saved: Path,
          root: Path) -> StepRunPlan:
    """The run plan of the saved case, its inputs copied into the sandbox at ``root``."""
    from ..contract.io import port_target, read_port_frame
    from ..modes.input_validity import FedInputs
    from ..modes.step_case import StepRunPlan, input_schema, validate_port_parts

    step = spec.steps[record["step"]]
    shutil.copytree(saved / "input", root / "input", dirs_exist_ok=True)
    inputs = {name: port_target(root, port, "input") for name, port in step.inputs.items()}
    frames = {name: read_port_frame(step.inputs[name], inputs[name], input_schema(spec, step.inputs[name]),
                                    types=session.types)
              for name in record.get("generated", []) if name in step.inputs}
    fed = FedInputs()       # the saved inputs are checked as fixtures: whom a failure blames
    for name, port in step.inputs.items():
        fed.fixture(name, port, input_schema(spec, port), inputs[name])
    outputs = {}
    for name, port in step.outputs.items():
        target = port_target(root, port, "output")
        (target if port.is_dir else target.parent).mkdir(parents=True, exist_ok=True)
        outputs[name] = target
    return StepRunPlan(step=step, workdir=root, input_paths=inputs, output_paths=outputs,
                       output_schemas={n: p.schema for n, p in step.outputs.items()},
                       env=dict(record.get("env") or {}), job_args=dict(record.get("job_args") or {}),
                       timeout=record.get("timeout"), memory_limit=record.get("memory_limit"),
                       input_frames=frames, label=f"replay {record['id']}",
                       inputs_valid=fed.valid(lambda port, parts, schema: validate_port_parts(
                           session, port, "input", parts, schema)))


COMMANDS = {"replay": replay}

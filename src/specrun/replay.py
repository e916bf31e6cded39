"""Saved failures and ``specrun replay ID``.

A property run that fails saves its minimal failing input under
``<workspace>/failures/<id>/``::

    failure.json   spec path, pipeline, step, scenario, case id, seed, executor, the
                   error (classification, message, type, traceback), broken properties,
                   env / job_args / limits of the run, and the head of each input frame
    input/         the inputs exactly as the script saw them (port format and layout)
    logs/          the failing run's stdout.log and stderr.log

The id is the step's name plus a hash of the case, the kind of failure and the input
files, so the same failure found again gets the same id.  ``specrun replay ID``
reruns exactly that case in a fresh sandbox with those inputs (a fresh process unless
``--executor`` says otherwise), prints the script's traceback and exits 1 if it still
fails, 0 if it now passes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_text_atomic
from .results import ExitCode, to_jsonable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .modes.step_case import StepOutcome, StepRunPlan
    from .session import PlannedCase, Session
    from .spec.model import PipelineSpec

FAILURES_DIR = "failures"
RECORD_FILE = "failure.json"
HEAD_ROWS = 5


@dataclass
class SavedFailure:
    """A failure written under ``<workspace>/failures/<id>/``."""

    id: str
    path: Path
    record: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """What a report shows of it (kept in the case's ``details``)."""
        keys = ("classification", "message", "properties", "input_rows", "input_head", "input_summary")
        return {"id": self.id, "path": str(self.path), "replay": f"specrun replay {self.id}",
                **{k: self.record.get(k) for k in keys}}


def _digest(*parts: str, folder: Path) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode())
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(file.relative_to(folder).as_posix().encode())
        h.update(file.read_bytes())
    return h.hexdigest()[:10]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:40] or "step"


def input_summary(rows: dict[str, int]) -> str:
    return ", ".join(f"{port}: {n} row{'s' if n != 1 else ''}" for port, n in rows.items()) or "no generated input"


def save_failure(session: "Session", spec: "PipelineSpec", case: "PlannedCase", plan: "StepRunPlan",
                 frames: dict[str, "pd.DataFrame"], outcome: "StepOutcome", verdict: tuple[Any, Any, str],
                 *, signature: str, seed: int, executor: str) -> SavedFailure:
    """Copy the failing run's inputs and logs to ``failures/<id>/`` and describe it there."""
    sandbox = Path(plan.workdir)
    failure_id = f"{_slug(plan.step.name)}-{_digest(case.id, signature, folder=sandbox / 'input')}"
    target = session.workspace / FAILURES_DIR / failure_id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(sandbox / "input", target / "input")
    (target / "logs").mkdir(parents=True, exist_ok=True)
    for name in ("stdout.log", "stderr.log"):
        if (sandbox / "logs" / name).is_file():
            shutil.copy2(sandbox / "logs" / name, target / "logs" / name)
    record = outcome.record
    rows = {port: len(frame) for port, frame in frames.items()}
    data = {
        "id": failure_id, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "spec": str(spec.path), "pipeline": spec.pipeline, "step": plan.step.name,
        "scenario": case.scenario, "case_id": case.id, "params": case.params, "seed": seed,
        "executor": executor, "signature": signature,
        "classification": verdict[1].value if verdict[1] is not None else None, "message": verdict[2],
        "error": to_jsonable(record.error) if record.error is not None else None,
        "stderr_tail": record.stderr_tail,
        "properties": [{"name": p.name, "message": p.message} for p in outcome.properties if not p.ok],
        "generated": sorted(frames), "input_rows": rows, "input_summary": input_summary(rows),
        "input_head": {port: to_jsonable(frame.head(HEAD_ROWS).to_dict(orient="records"))
                       for port, frame in frames.items()},
        "env": plan.env, "job_args": plan.job_args, "timeout": plan.timeout, "memory_limit": plan.memory_limit,
    }
    write_text_atomic(target / RECORD_FILE, json.dumps(data, indent=2, default=str))
    return SavedFailure(failure_id, target, data)


def load_failure(workspace: Path, failure_id: str) -> SavedFailure:
    """The saved failure ``failure_id``; a usage error naming the known ids if there is none."""
    from .config import UsageError

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
    from .config import UsageError

    paths = list(getattr(config, "paths", []) or [])
    given = [a for a in getattr(config, "argv", [])[1:] if a in paths]
    if len(given) != 1:
        raise UsageError("usage: specrun replay ID  (the id printed after a property failure)")
    return given[0]


def replay(config: argparse.Namespace, pm: Any) -> int:
    """Rerun a saved failure; 1 if it still fails, 0 if it passes now."""
    from .execution.sandbox import SandboxDir
    from .modes.step_case import judge, run_step
    from .results import Outcome
    from .session import Session
    from .spec.model import ExpectSpec, SpecError

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
    box = SandboxDir(base=session.workspace / "sandboxes", prefix=f"replay-{failure_id}-", keep=True)
    try:
        with box:
            plan = _plan(session, spec, record, saved.path, box.root)
            outcome = run_step(session, plan, getattr(config, "executor", None) or "fresh")
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


def _plan(session: "Session", spec: "PipelineSpec", record: dict[str, Any], saved: Path,
          root: Path) -> "StepRunPlan":
    """The run plan of the saved case, its inputs copied into the sandbox at ``root``."""
    from .contract.io import port_target, read_port_frame
    from .modes.step_case import StepRunPlan, input_schema

    step = spec.steps[record["step"]]
    shutil.copytree(saved / "input", root / "input", dirs_exist_ok=True)
    inputs = {name: port_target(root, port, "input") for name, port in step.inputs.items()}
    frames = {name: read_port_frame(step.inputs[name], inputs[name], input_schema(spec, step.inputs[name]))
              for name in record.get("generated", []) if name in step.inputs}
    outputs = {}
    for name, port in step.outputs.items():
        target = port_target(root, port, "output")
        (target if port.is_dir else target.parent).mkdir(parents=True, exist_ok=True)
        outputs[name] = target
    return StepRunPlan(step=step, workdir=root, input_paths=inputs, output_paths=outputs,
                       output_schemas={n: p.schema for n, p in step.outputs.items()},
                       env=dict(record.get("env") or {}), job_args=dict(record.get("job_args") or {}),
                       timeout=record.get("timeout"), memory_limit=record.get("memory_limit"),
                       input_frames=frames, label=f"replay {record['id']}")


COMMANDS = {"replay": replay}

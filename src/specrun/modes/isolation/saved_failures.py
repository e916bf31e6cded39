"""Saved failures of property runs, which ``specrun replay ID`` reruns.

A property run that fails saves its minimal failing input under
``<workspace>/failures/<id>/``::

    failure.json   spec path, pipeline, step, scenario, case id, seed, executor, the
                   error (classification, message, type, traceback), broken properties,
                   env / job_args / limits of the run, the head of each input frame and,
                   for an off-contract example, the constraint it broke (``negative``)
    input/         the inputs exactly as the script saw them (port format and layout)
    logs/          the failing run's stdout.log and stderr.log

The id is the step's name plus a hash of the case, the kind of failure and the input
files, so the same failure found again gets the same id.  ``specrun replay ID``
reruns exactly that case in a fresh sandbox with those inputs (a fresh process unless
``--executor`` says otherwise), prints the script's traceback and exits 1 if it still
fails, 0 if it now passes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...atomic import write_text_atomic
from ...results import to_jsonable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ...plan import PlannedCase
    from ...plugin_types import SessionLike
    from ...spec.model import PipelineSpec
    from ..step_case import StepOutcome, StepRunPlan

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
                **{k: self.record.get(k) for k in keys},
                **({"negative": self.record["negative"]} if "negative" in self.record else {})}


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


def save_failure(session: SessionLike, spec: PipelineSpec, case: PlannedCase, plan: StepRunPlan,
                 frames: dict[str, pd.DataFrame], outcome: StepOutcome, verdict: tuple[Any, Any, str],
                 *, signature: str, seed: int, executor: str,
                 negative: dict[str, Any] | None = None) -> SavedFailure:
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
        "id": failure_id, "created": datetime.now(UTC).isoformat(timespec="seconds"),
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
    if negative is not None:   # an off-contract example: replay judges it as a negative case
        data["negative"] = negative
    write_text_atomic(target / RECORD_FILE, json.dumps(data, indent=2, default=str))
    return SavedFailure(failure_id, target, data)



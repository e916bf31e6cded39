"""``deterministic: true``: the step's standard case runs twice on the same inputs.

The second run gets a fresh sandbox holding copies of the first run's input files, the
same environment, arguments and limits; its outputs are compared with the first run's
(tabular outputs as frames — row order ignored only with ``ignore_row_order`` — other
outputs byte for byte).  A difference fails the case with the first rows that differ.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ...contract.io import port_files
from ...contract.relations import values_equal
from ...execution.sandbox import SandboxDir, safe_name
from ...lazy import lazy_module
from ...results import CaseResult, ErrorClass, Outcome, PropertyResult
from ...spec.model import ScenarioSpec, StepSpec
from ..step_case import StepOutcome, StepRunPlan

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

SCENARIO = "standard"     # the case that is run a second time
ROWS_SHOWN = 3


def wanted(step: StepSpec, scenario: ScenarioSpec) -> bool:
    """Whether this case is the one that checks the step's determinism."""
    return step.deterministic is not None and scenario.name == SCENARIO


def _comparable(frame: pd.DataFrame, ignore_order: bool) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    if not ignore_order or frame.empty:
        return frame
    keys = frame.astype(str)   # any dtype sorts by its text; equal values sort together
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)


def frame_difference(first: pd.DataFrame, second: pd.DataFrame, ignore_order: bool) -> str | None:
    """How ``second`` differs from ``first`` (None: the same), with the first differing rows."""
    if [str(c) for c in first.columns] != [str(c) for c in second.columns]:
        return f"columns differ: {list(first.columns)} then {list(second.columns)}"
    if len(first) != len(second):
        return f"{len(first)} rows, then {len(second)} rows"
    a, b = _comparable(first, ignore_order), _comparable(second, ignore_order)
    differs = pd.Series(False, index=a.index)
    for column in a.columns:
        differs |= ~values_equal(a[column], b[column], 0.0)
    if not bool(differs.any()):
        return None
    rows = list(a.index[differs.to_numpy()])
    shown = "; ".join(f"row {r}: {a.loc[r].to_dict()} then {b.loc[r].to_dict()}" for r in rows[:ROWS_SHOWN])
    order = "after sorting rows, " if ignore_order else ""
    return f"{order}{len(rows)} of {len(a)} rows differ, first: {shown}"


def _digest(files: list[Path]) -> list[tuple[str, str]]:
    return [(file.name, hashlib.sha256(file.read_bytes()).hexdigest()) for file in files]


def _second_plan(plan: StepRunPlan, root: Path) -> StepRunPlan:
    inputs = {}
    for name, path in plan.input_paths.items():
        target = root / Path(path).relative_to(plan.workdir)
        if Path(path).is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
        elif Path(path).exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        inputs[name] = target
    outputs = {}
    for name, path in plan.output_paths.items():
        target = outputs[name] = root / Path(path).relative_to(plan.workdir)
        (target if plan.step.outputs[name].is_dir else target.parent).mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(plan, workdir=root, input_paths=inputs, output_paths=outputs,
                               label=f"{plan.label} (determinism re-run)")


def differences(plan: StepRunPlan, first: StepOutcome, second_plan: StepRunPlan,
                second: StepOutcome, ignore_order: bool) -> list[str]:
    """Every output that differs between the two runs, described."""
    found = []
    for name, port in plan.step.outputs.items():
        if port.tabular:
            if name in first.output_frames and name in second.output_frames:
                difference = frame_difference(first.output_frames[name], second.output_frames[name],
                                              ignore_order)
                if difference:
                    found.append(f"output {name!r}: {difference}")
            continue
        before = _digest(port_files(port, plan.output_paths[name]))
        after = _digest(port_files(port, second_plan.output_paths[name]))
        if before != after:
            changed = sorted({n for n, _ in set(before) ^ set(after)})
            found.append(f"output {name!r}: the bytes of {', '.join(changed)} differ")
    return found


def check_determinism(run: Callable[[StepRunPlan], StepOutcome], plan: StepRunPlan,
                      first: StepOutcome, result: CaseResult, sandboxes: Path, keep: bool) -> None:
    """Run the step again (``run``, as the first run was) on the same inputs, in a new
    sandbox under ``sandboxes``; fail ``result`` when the outputs differ."""
    declared = plan.step.deterministic
    ignore_order = bool(declared and declared.ignore_row_order)
    sandbox = SandboxDir(base=sandboxes, prefix=safe_name(result.id) + "-rerun-", keep=True)
    with sandbox:
        second_plan = _second_plan(plan, sandbox.root)
        second = run(second_plan)
        problems: list[str]
        if not second.record.ok:
            problems = [f"the second run on the same inputs failed: {second.record.message}"]
        elif not all(v.ok for v in second.validations):
            problems = ["the second run on the same inputs broke its contract: "
                        + "; ".join(v.message for v in second.validations if not v.ok)]
        else:
            problems = differences(plan, first, second_plan, second, ignore_order)
        if not problems:
            result.properties.append(PropertyResult(
                "deterministic", True, "a second run on the same inputs wrote the same outputs"))
            if not keep:
                shutil.rmtree(sandbox.root, ignore_errors=True)
            return
    message = "not deterministic: " + "; ".join(problems) + f" (second run in {sandbox.root})"
    result.properties.append(PropertyResult("deterministic", False, message))
    result.outcome, result.classification, result.message = (
        Outcome.FAILED, ErrorClass.CONTRACT_ERROR, message)

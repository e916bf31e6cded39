"""Coverage per step, computed from a run's cases (their JSON form, as in the record):

* which scenarios ran (the step's positive cases);
* which contract constraints negative cases exercised, and how each ended (``passed``:
  the script rejected the broken input as the contract says it must);
* with ``--cov``, the line coverage of the step's script: the union, over every case of
  the step, of the lines coverage.py saw run in the child (``details.coverage``).

What the design note calls ``calculate_coverage_metrics``; pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepCoverage:
    pipeline: str
    step: str
    scenarios: list[str] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)   # negative constraint id -> outcome
    file: str | None = None
    statements: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    measured: bool = False          # some case of the step ran under --cov

    @property
    def percent(self) -> float | None:
        """Lines run / statements, in percent (None: not measured, or a script with no statement)."""
        if not self.measured or not self.statements:
            return None
        return 100.0 * (len(self.statements) - len(self.missing)) / len(self.statements)

    def to_json(self) -> dict[str, Any]:
        return {"pipeline": self.pipeline, "step": self.step, "scenarios": self.scenarios,
                "constraints": dict(sorted(self.constraints.items())), "file": self.file,
                "line_percent": None if self.percent is None else round(self.percent, 1),
                "statements": len(self.statements), "missing": self.missing}


def line_ranges(lines: Sequence[int]) -> str:
    """``[3, 4, 5, 9]`` → ``"3-5, 9"``."""
    parts: list[str] = []
    for n in sorted(set(lines)):
        if parts and parts[-1].split("-")[-1] == str(n - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ", ".join(parts)


def step_coverage(cases: Iterable[Mapping[str, Any]]) -> list[StepCoverage]:
    """One :class:`StepCoverage` per (pipeline, step) that has a step case, in first-seen order."""
    found: dict[tuple[str, str], StepCoverage] = {}
    ran: dict[tuple[str, str], set[int]] = {}
    for case in cases:
        step = case.get("step")
        if not step or case.get("kind", "step") != "step":
            continue
        key = (str(case.get("pipeline") or ""), str(step))
        cover = found.setdefault(key, StepCoverage(*key))
        details = case.get("details") or {}
        negative = details.get("negative") if isinstance(details, Mapping) else None
        if isinstance(negative, str):
            cover.constraints[negative] = str(case.get("outcome"))
        elif case.get("scenario") and case["scenario"] not in cover.scenarios:
            cover.scenarios.append(str(case["scenario"]))
        lines = details.get("coverage") if isinstance(details, Mapping) else None
        if isinstance(lines, Mapping) and isinstance(lines.get("statements"), list):
            statements = {int(n) for n in lines["statements"]}
            missing = {int(n) for n in lines.get("missing") or []}
            if not cover.measured:
                cover.file, cover.measured = str(lines.get("file")), True
                ran[key] = set()
            cover.statements = sorted(set(cover.statements) | statements)
            ran[key] |= statements - missing
    for key, cover in found.items():
        if cover.measured:
            cover.missing = sorted(set(cover.statements) - ran[key])
    return list(found.values())

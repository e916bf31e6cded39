"""``specrun check`` for isolation mode: the inputs its planned cases could not be given.

In isolation a step runs alone, so every input is generated from its contract (its
own schema or, for a ``from:`` input, the producer's) or copied from a fixture or
sample.  A required input with neither — a consumer whose producer declares no
schema, a non-tabular hand-over — would make each of its cases a setup error at run
time; the static check reports it first, once per step and input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ...plan import PlannedCase
from ...spec.model import Location, PipelineSpec, PortSpec
from ..step_case import input_schema


@dataclass
class IsolationFinding:
    """A planned isolation case that cannot run as written."""

    severity: str            # "error"
    kind: str                # "no_input_data"
    message: str
    location: Location | None = None
    cases: list[str] = field(default_factory=list)


def missing_input_data(spec: PipelineSpec, port: PortSpec) -> str | None:
    """Why isolation mode has nothing to give ``port`` (None: it can generate or copy its data)."""
    if port.fixture is not None or port.sample is not None or not port.required:
        return None
    if not port.tabular:
        return f"a {port.format} input, which isolation mode cannot generate"
    if input_schema(spec, port) is None:
        producer = f" and its producer {port.from_} declares no output schema" if port.from_ else ""
        return f"no schema{producer}"
    return None


def check_isolation_inputs(spec: PipelineSpec, cases: Sequence[PlannedCase]) -> list[IsolationFinding]:
    """One error per step input that some planned isolation case of ``spec`` could not be given."""
    findings: dict[tuple[str, str], IsolationFinding] = {}
    for case in cases:
        if case.spec is not spec or case.mode != "isolation" or case.step is None:
            continue
        step = spec.steps[case.step]
        for name, port in step.inputs.items():
            reason = missing_input_data(spec, port)
            if reason is None:
                continue
            found = findings.get((step.name, name))
            if found is None:
                found = findings[(step.name, name)] = IsolationFinding(
                    "error", "no_input_data",
                    f"isolation: input {name!r} of step {step.name!r} has {reason} and no fixture or sample: "
                    "its cases would have nothing to run on (add a schema, or a fixture)",
                    port.location or spec.where(f"steps.{step.name}.inputs.{name}"))
            found.cases.append(case.id)
    for found in findings.values():
        found.message += f" [{len(found.cases)} case{'s' if len(found.cases) != 1 else ''}: {', '.join(found.cases)}]"
    return list(findings.values())

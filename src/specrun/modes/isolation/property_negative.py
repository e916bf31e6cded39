"""Off-contract examples of property scenarios: ``examples:`` with ``negative: true`` or a share.

A property scenario with ``negative: true`` draws every example off-contract, one with
``negative: 0.2`` about a fifth of them (the rest are valid and judged as any property
example).  An off-contract example breaks one constraint of one generated input
(:mod:`specrun.contract.negative_strategies`: which constraint, which rows, which value,
all Hypothesis draws) and is judged by the rule of the negative cases
(:func:`.negative.judge_negative`: rejected or tolerated passes, accepted invalid input
fails as ``ACCEPTED_INVALID``, the port's ``on_invalid`` honoured).  A failure is shrunk,
saved with the broken constraint (:func:`negative_record`) and ``specrun replay`` judges
it again by the same rule (:func:`broken_from_record`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ...contract.negative import NegativeConstraint, NegativeInput
from ...contract.negative_strategies import BreakablePort, DrawnInputs, off_contract_inputs, valid_frames
from ...lazy import lazy_module
from ...results import ErrorClass, Outcome, to_jsonable
from ...spec.model import PipelineSpec, ScenarioSpec, SchemaSpec, SpecError, StepSpec
from ..overrides import with_overrides
from ..step_case import StepOutcome, input_schema
from .negative import check_breaks, judge_negative

if TYPE_CHECKING:
    import pandas as pd
    from hypothesis import strategies as st
else:
    pd = lazy_module("pandas")
    st = lazy_module("hypothesis.strategies")

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

def generated_ports(spec: PipelineSpec, step: StepSpec, overrides: dict[str, Any]) -> list[BreakablePort]:
    """The inputs of ``step`` a property run draws frames for, with the scenario's overrides."""
    ports = []
    for name, port in step.inputs.items():
        schema = input_schema(spec, port)
        if port.fixture is None and port.sample is None and schema is not None and port.tabular:
            ports.append(BreakablePort(name, with_overrides(schema, overrides), port.format))
    return ports


def example_inputs(session: SessionLike, spec: PipelineSpec, step: StepSpec, scenario: ScenarioSpec,
                   overrides: dict[str, Any], max_rows: int) -> st.SearchStrategy[DrawnInputs]:
    """What each example of the scenario feeds the step: valid frames, or (``negative:``)
    frames of which about the scenario's share break one constraint."""
    ports = generated_ports(spec, step, overrides)
    share = scenario.negative_share
    if not share:
        return st.fixed_dictionaries({p.name: valid_frames(p, session.types, max_rows) for p in ports}
                                     ).map(DrawnInputs)
    try:
        return off_contract_inputs(ports, session.types, max_rows, share)
    except ValueError as exc:
        raise SpecError(f"scenario {scenario.name!r} (negative: {scenario.negative}) on step {step.name!r}: "
                        f"{exc}; nothing would be tested", scenario.location) from None


def judge_off_contract(session: SessionLike, step: StepSpec, broken: NegativeInput, outcome: StepOutcome,
                       drawn_from: SchemaSpec | None = None
                       ) -> tuple[StepOutcome, tuple[Outcome, ErrorClass | None, str], str]:
    """``(outcome, verdict, kind)`` of one off-contract run, by the negative cases' rule;
    ``kind`` is rejected, tolerated, accepted_invalid or failed (a crash, a timeout …).
    Properties describe valid input and are dropped from the outcome.  ``drawn_from``:
    the schema the input was drawn from, which it must break (else nothing was tested)."""
    if drawn_from is not None:
        check_breaks(session, drawn_from, broken)
    outcome = dataclasses.replace(outcome, properties=[])
    on_invalid = step.inputs[broken.constraint.port].on_invalid
    result, classification, message, kind = judge_negative(broken, outcome, on_invalid)
    return outcome, (result, classification, message), kind


def tally(details: dict[str, Any], kind: str) -> None:
    """Count one example of a negative property run in ``details["drawn"]``: ``valid``, or
    the verdict of an off-contract one (rejected, tolerated, accepted_invalid, failed)."""
    drawn = details.setdefault("drawn", {})
    drawn[kind] = drawn.get(kind, 0) + 1


def negative_record(broken: NegativeInput, kind: str) -> dict[str, Any]:
    """What a saved failure keeps of the broken constraint (``failure.json``: ``negative``)."""
    constraint = broken.constraint
    return {"constraint": constraint.id, "port": constraint.port, "column": constraint.column,
            "kind": constraint.constraint, "description": broken.description, "rows": list(broken.rows),
            "values": to_jsonable(broken.values), "leak": broken.leak, "verdict": kind}


def broken_from_record(record: dict[str, Any], frame: pd.DataFrame | None) -> NegativeInput:
    """The broken input of a saved failure again (``frame``: the saved input as read back)."""
    constraint = NegativeConstraint(record["port"], record.get("column"), record["kind"])
    return NegativeInput(constraint, frame if frame is not None else pd.DataFrame(), list(record.get("rows") or []),
                         list(record.get("values") or []), record.get("leak") or "none",
                         record.get("description") or constraint.id)

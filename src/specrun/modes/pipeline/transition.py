"""Transition validation: a producer's real output checked before its consumer runs.

The data handed over is validated twice with pandera: against the producer's own
output contract and against the consumer's input contract (the consumer's schema,
or the producer's when the consumer declares none).  The verdict names whose
contract is wrong (the consumer's side is the producer's passing check when it reads the
same files under an equal contract, :mod:`.profile_reuse`):

* ``producer`` — the data breaks the producer's own output contract: the producer's
  script does not do what its contract promises;
* ``contracts`` — the data honours the producer's contract but the consumer's
  contract rejects it: the two contracts disagree (``specrun check`` shows where).
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from ...analysis.compat import Edge
from ...analysis.profile import DataProfile
from ...contract.io import PortReadError, read_port
from ...lazy import lazy_module
from ...results import CaseResult, ErrorClass, Outcome, PortValidation
from ...spec.model import PortSpec, SchemaSpec
from ..large_ports import checked_by_column
from ..step_case import validate_port_parts

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ...plugin_types import SessionLike

MAX_SUMMARY = 5


def transition_id(prefix: str, edge: Edge) -> str:
    """``PREFIX::producer.output->consumer.input``, the prefix of its run (``PIPELINE::pipeline[RUN]``)."""
    return f"{prefix}::{edge.producer}.{edge.output}->{edge.consumer}.{edge.input}"


def _transition_result(pipeline: str, prefix: str, edge: Edge, **fields: Any) -> CaseResult:
    """The result of edge ``edge`` (kind ``transition``, filed under its consumer)."""
    return CaseResult(id=transition_id(prefix, edge), mode="pipeline", pipeline=pipeline,
                      step=edge.consumer, kind="transition",
                      details={"edge": str(edge), "producer": edge.source, "consumer": edge.target,
                               "blame": None}, **fields)


def summary(validation: PortValidation) -> str:
    """``column: check (count)`` for the first few failures of a port."""
    if not validation.failures:
        return validation.message
    parts = [f"{f.column or '<frame>'}: {f.check} ({f.count})" for f in validation.failures[:MAX_SUMMARY]]
    more = len(validation.failures) - MAX_SUMMARY
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def blame(producer: PortValidation, consumer: PortValidation) -> str | None:
    """Whose contract is wrong: ``producer``, ``contracts`` (they disagree) or None."""
    if not producer.ok:
        return "producer"
    if not consumer.ok:
        return "contracts"
    return None


def verdict_message(edge: Edge, producer: PortValidation, consumer: PortValidation) -> str:
    who = blame(producer, consumer)
    if who == "producer":
        tail = ("the consumer's input contract rejects it too" if not consumer.ok
                else "the consumer's input contract accepts it")
        return (f"{edge}: the producer's output breaks its own output contract: {summary(producer)} "
                f"(fix the producer {edge.producer!r}; {tail})")
    if who == "contracts":
        return (f"{edge}: the data honours the producer's output contract but not the consumer's "
                f"input contract: {summary(consumer)}. The contracts disagree: make the producer "
                f"promise and write what {edge.consumer!r} needs, or relax the consumer's contract "
                f"(`specrun check` shows the static differences)")
    return ""


def validate_transition(session: SessionLike, pipeline: str, prefix: str, edge: Edge, consumer_port: PortSpec,
                        consumer_schema: SchemaSpec | None, path: Path, producer_check: PortValidation,
                        known: PortValidation | None = None, *, profile_as: str | None = None,
                        nbytes: int | None = None) -> tuple[CaseResult, pd.DataFrame | None, DataProfile | None]:
    """Validate the data handed over at ``path``; returns the transition's result, the
    frame the consumer reads (None for a non-tabular port or unreadable data, and when the
    consumer's validation is ``known``: then nothing is read) and, with ``profile_as``
    (the caller needs no frame), the profile of a large parquet hand-off checked column by
    column (modes/large_ports.py), whose frame is then never held (None otherwise)."""
    started = time.perf_counter()
    result = _transition_result(pipeline, prefix, edge)
    producer = dataclasses.replace(producer_check, port=edge.source, direction="output")
    frame: pd.DataFrame | None = None
    profile: DataProfile | None = None
    checked = None
    if known is None and consumer_port.tabular and profile_as is not None:
        checked = checked_by_column(session, edge.target, "input", consumer_port, path, consumer_schema,
                                    profile_as=profile_as, nbytes=nbytes)
    if known is not None:
        consumer = known
    elif not consumer_port.tabular:
        consumer = PortValidation(edge.target, "input", path.exists(),
                                  message="handed over" if path.exists() else f"nothing at {path}")
    elif checked is not None and checked[0] is not None:
        consumer, profile = checked[0], checked[1]
    else:
        try:
            parts = read_port(consumer_port, path, consumer_schema, types=session.types)
        except PortReadError as exc:
            consumer = PortValidation(edge.target, "input", False,
                                      message=f"the consumer cannot read the data: {exc.message}")
        else:
            consumer = validate_port_parts(session, edge.target, "input", parts, consumer_schema,
                                           consumer_port)
            frames = list(parts.values())
            frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames[0] if frames else None)
    result.validations = [producer, consumer]
    who = blame(producer, consumer)
    result.details.update(blame=who, rows=consumer.rows)
    if who is not None:
        result.outcome, result.classification = Outcome.FAILED, ErrorClass.CONTRACT_ERROR
        result.message = verdict_message(edge, producer, consumer)
    result.duration_s = time.perf_counter() - started
    return result, frame, profile


def skipped_transition(pipeline: str, prefix: str, edge: Edge, reason: str) -> CaseResult:
    """The result of an edge that was not validated (its consumer did not run)."""
    return _transition_result(pipeline, prefix, edge, outcome=Outcome.SKIPPED, message=f"not validated: {reason}")

"""Hypothesis strategies of off-contract inputs: valid frames with one constraint broken.

The Hypothesis side of negative testing (:mod:`.negative` derives the seeded negative
cases).  An off-contract example of a property scenario (``negative:``) draws, in this
order: WHICH constraint to break (one of every generated port's, in the order
:func:`~.negative.negative_constraints` lists them), a valid frame for that port with the
rows breaking it needs (:func:`~.strategies.frame_strategy`), then WHERE: which rows and
which of the values the column type offers (``violating_values``).  Every choice is a
Hypothesis draw, so a failure shrinks to the first constraint that still fails, to few
rows and to the first value offered.  The other ports get valid frames.

Left out of the draws: a malformed file (a corruption of the written bytes, nothing a
frame can shrink) and constraints the contract leaves no room for (a duplicate in a
column that cannot hold two rows, a wrong-type column of a unique column longer than
the values offered).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import assume

from ..lazy import lazy_module
from ..spec.model import SchemaSpec
from .mutators import nullable_dtype, typed_like
from .negative import EXTRA_COLUMN, NegativeConstraint, NegativeInput, negative_constraints, offered_values
from .strategies import frame_strategy, row_bounds
from .types import TypeRegistry

if TYPE_CHECKING:
    import pandas as pd
    from hypothesis import strategies as st
else:
    pd = lazy_module("pandas")
    st = lazy_module("hypothesis.strategies")

FRAME_TEXT_FORMATS = ("csv", "tsv")   # formats whose frames are drawn text-safe (as property runs do)
SHARE_SCALE = 1000                    # the resolution of a share of off-contract examples
NOT_DRAWN = ("malformed",)


@dataclass(frozen=True)
class BreakablePort:
    """A generated input of a step: its name, the schema its frames are drawn from, its format."""

    name: str
    schema: SchemaSpec = field(repr=False)
    fmt: str = "parquet"


@dataclass(frozen=True)
class Breakable:
    """A constraint Hypothesis can break, and the rows the valid frame to break needs."""

    port: BreakablePort = field(repr=False)
    constraint: NegativeConstraint
    low: int                     # fewest rows of the valid frame
    high: int                    # most rows of the valid frame
    offered: tuple[Any, ...] = ()   # the values breaking a value constraint


@dataclass
class DrawnInputs:
    """One example: a frame per generated port, and what was broken (None: all valid)."""

    frames: dict[str, pd.DataFrame]
    broken: NegativeInput | None = None
    port: BreakablePort | None = field(default=None, repr=False)   # the broken one


def breakable_constraints(port: BreakablePort, types: TypeRegistry, max_rows: int) -> list[Breakable]:
    """The constraints of ``port`` that off-contract draws can break within ``max_rows`` rows."""
    found = []
    for constraint in negative_constraints(port.name, port.schema, port.fmt, types):
        if constraint.constraint in NOT_DRAWN:
            continue
        low, high, offered = 0, max_rows, ()
        if constraint.column is not None:     # a duplicate needs two rows, a value or a null one
            column = port.schema.columns[constraint.column]
            low = {"unique": 2, "required": 0}.get(constraint.constraint, 1)
            offered = tuple(offered_values(types, column, port.fmt).get(constraint.constraint) or ())
            if constraint.constraint == "type" and column.unique:
                high = min(high, len(offered))      # a whole column of distinct wrong-type values
        if _fits(port.schema, types, low, high):
            found.append(Breakable(port, constraint, low, high, offered))
    return found


def _fits(schema: SchemaSpec, types: TypeRegistry, low: int, high: int) -> bool:
    """Whether a valid frame of ``low``..``high`` rows exists for ``schema``."""
    fewest, most = row_bounds(schema, high, types)
    return most >= max(low, fewest) and most >= (schema.rows_min or 0)


def valid_frames(port: BreakablePort, types: TypeRegistry, max_rows: int,
                 min_rows: int = 0) -> st.SearchStrategy[pd.DataFrame]:
    """Valid frames of ``port``, drawn as property runs draw them."""
    return frame_strategy(port.schema, types, max_rows, text_format=port.fmt in FRAME_TEXT_FORMATS,
                          min_rows=min_rows)


@st.composite
def broken_input(draw: st.DrawFn, breakable: Breakable, types: TypeRegistry) -> NegativeInput:
    """A valid frame of the breakable's port with its constraint broken (and nothing else)."""
    constraint, schema = breakable.constraint, breakable.port.schema
    kind, name = constraint.constraint, constraint.column
    drawn = breakable.port
    if name is not None and not schema.columns[name].required:   # the column to break is drawn
        columns = {**schema.columns, name: schema.columns[name].overridden(required=True)}
        drawn = dataclasses.replace(drawn, schema=dataclasses.replace(schema, columns=columns))
    frame = draw(valid_frames(drawn, types, breakable.high, breakable.low)).copy()
    if kind == "rows_min":
        keep = draw(st.integers(0, min((schema.rows_min or 1) - 1, len(frame))))
        return NegativeInput(constraint, frame.iloc[:keep].reset_index(drop=True), [], [], "none",
                             f"{keep} row(s), fewer than rows.min {schema.rows_min}")
    if kind == "strict":
        frame[EXTRA_COLUMN] = "x"
        return NegativeInput(constraint, frame, list(range(len(frame))), [EXTRA_COLUMN], "column",
                             f"an undeclared column {EXTRA_COLUMN!r} in a strict schema")
    assert name is not None
    if kind == "required":
        return NegativeInput(constraint, frame.drop(columns=[name]), [], [], "none",
                             f"required column {name!r} missing")
    count = len(frame)
    if kind == "unique":
        present = [i for i, missing in enumerate(frame[name].isna()) if not missing]
        assume(present)       # only a non-null value can be duplicated
        source = draw(st.sampled_from(present))
        target = draw(st.integers(0, count - 2))
        target += target >= source
        values = frame[name].to_numpy(dtype=object)
        values[target] = values[source]
        frame[name] = typed_like(values, frame[name])
        return NegativeInput(constraint, frame, sorted({source, target}), [values[source]], "duplicates",
                             f"duplicate {values[source]!r} in unique column {name!r}")
    unique = schema.columns[name].unique
    if kind == "type":     # a column of the wrong type: every value of it
        rows = list(range(count))
        chosen = _values(draw, breakable.offered, count, unique)
        frame[name] = pd.Series(chosen, index=frame.index, dtype=object)
        return NegativeInput(constraint, frame, rows, list(dict.fromkeys(chosen)), "values",
                             f"column {name!r} of another type than {schema.columns[name].type}")
    limit = min(count, len(breakable.offered)) if unique and kind != "nullable" else count
    rows = sorted(draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=limit, unique=True)))
    if kind == "nullable":
        mask = pd.Series(False, index=frame.index)
        mask.iloc[rows] = True
        frame[name] = nullable_dtype(frame[name]).mask(mask)
        return NegativeInput(constraint, frame, rows, [None], "nulls",
                             f"null in non-nullable column {name!r} ({_positions(rows)})")
    chosen = _values(draw, breakable.offered, len(rows), unique)
    values = frame[name].to_numpy(dtype=object)
    for row, value in zip(rows, chosen, strict=True):
        values[row] = value
    frame[name] = typed_like(values, frame[name])
    return NegativeInput(constraint, frame, rows, list(dict.fromkeys(chosen)), "values",
                         f"{_show(chosen)} in column {name!r} ({_positions(rows)}), breaking {kind}")


def _values(draw: st.DrawFn, offered: tuple[Any, ...], count: int, unique: bool) -> list[Any]:
    """``count`` of the offered values: distinct ones for a unique column."""
    if unique:
        return list(draw(st.permutations(offered)))[:count]
    return [draw(st.sampled_from(offered)) for _ in range(count)]


@st.composite
def drawn_inputs(draw: st.DrawFn, ports: list[BreakablePort], types: TypeRegistry, max_rows: int,
                 share: float, choices: list[Breakable]) -> DrawnInputs:
    """An example: with probability ``share`` one of ``choices`` broken, else every frame valid."""
    if not _off_contract(draw, share):
        return DrawnInputs({port.name: draw(valid_frames(port, types, max_rows)) for port in ports})
    chosen = draw(st.sampled_from(choices))
    frames, broken = {}, None
    for port in ports:
        if port.name == chosen.port.name:
            broken = draw(broken_input(chosen, types))
            frames[port.name] = broken.frame
        else:
            frames[port.name] = draw(valid_frames(port, types, max_rows))
    return DrawnInputs(frames, broken, chosen.port)


def _off_contract(draw: st.DrawFn, share: float) -> bool:
    """Whether this example is off-contract, true for about ``share`` of the examples.

    Hypothesis favours simple draws (zeros, bounds, repeats) on purpose, so one integer
    compared with a threshold would be off in far more examples than asked; two draws mixed
    modulo ``SHARE_SCALE`` are near uniform (both simplest at once is rare)."""
    threshold = round(share * SHARE_SCALE)
    if threshold >= SHARE_SCALE:
        return True
    first, second = draw(st.integers(0, SHARE_SCALE - 1)), draw(st.integers(0, SHARE_SCALE - 1))
    return (first * 7919 + second * 6007 + SHARE_SCALE // 2) % SHARE_SCALE < threshold


def off_contract_inputs(ports: list[BreakablePort], types: TypeRegistry, max_rows: int,
                        share: float) -> st.SearchStrategy[DrawnInputs]:
    """Examples of which about ``share`` break one constraint of one of ``ports``; a
    ValueError when none of their constraints can be broken (nothing would be tested)."""
    choices = [b for port in ports for b in breakable_constraints(port, types, max_rows)]
    if not choices:
        raise ValueError("no generated input has a constraint off-contract draws can break")
    return drawn_inputs(ports, types, max_rows, share, choices)


def _positions(rows: list[int]) -> str:
    """``row 3`` or ``rows 0, 3, 7``."""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(str(r) for r in rows)


def _show(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in list(dict.fromkeys(values))[:3])


__all__ = ["Breakable", "BreakablePort", "DrawnInputs", "breakable_constraints", "broken_input",
           "drawn_inputs", "off_contract_inputs", "valid_frames"]

"""Negative inputs: from an input contract, one input per constraint that breaks only it.

The anchor is schemathesis' negative data rejection, done for data contracts: for each
constraint of a port's schema (a column's ``min``, ``max``, ``isin``, ``pattern``, type,
nullability, uniqueness, presence; the frame's ``rows.min`` and ``strict``; the file's
well-formedness) :func:`negative_constraints` names one case, and :func:`break_constraint`
turns a valid frame into an input that breaks that constraint in a few rows and keeps
every other row valid.  The values that break a column constraint come from the column
type itself (``violating_values``), so no code here switches on a type's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..spec.model import SchemaSpec
from .mutators import nullable_dtype, typed_like
from .types import TypeRegistry

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

TEXT_FORMATS = ("csv", "tsv", "jsonl")
EXTRA_COLUMN = "unexpected_column"
VALUE_CONSTRAINTS = ("min", "max", "isin", "pattern", "type")

# How a violating input can reach an output: the values themselves, nulls, a duplicated
# value, an unexpected column, or nothing that can be traced (a missing column, too few
# rows, a malformed file: only the output contracts judge those).
Leak = str


@dataclass(frozen=True)
class NegativeConstraint:
    """One constraint of an input port that a negative case breaks."""

    port: str
    column: str | None          # None for a constraint of the frame or the file
    constraint: str             # min, max, isin, pattern, type, nullable, unique, required,
    #                             rows_min, strict, malformed
    split: str | None = None    # broken in this split's files only (a port with splits)

    @property
    def id(self) -> str:
        """``port.column.constraint`` (``port.constraint`` for frame and file constraints),
        then ``@split=NAME`` when only that split's files break it."""
        middle = f".{self.column}" if self.column is not None else ""
        where = f"@split={self.split}" if self.split is not None else ""
        return f"{self.port}{middle}.{self.constraint}{where}"


#: Constraints of the port as a whole (all its files together), never broken per split.
WHOLE_PORT_CONSTRAINTS = ("rows_min",)


def per_split(constraints: list[NegativeConstraint], splits: list[str]) -> list[NegativeConstraint]:
    """Each constraint once per split (the broken rows, column or file in that split only),
    except those of the whole port (``rows_min``)."""
    return [c if c.constraint in WHOLE_PORT_CONSTRAINTS else NegativeConstraint(c.port, c.column, c.constraint, s)
            for c in constraints
            for s in ([None] if c.constraint in WHOLE_PORT_CONSTRAINTS else splits)]


@dataclass
class NegativeInput:
    """A frame that breaks exactly one constraint, and how to trace it into the outputs."""

    constraint: NegativeConstraint
    frame: pd.DataFrame
    rows: list[int]                           # positions (in ``frame``) of the rows that break it
    values: list[Any]                         # the violating values ([] when there is none to trace)
    leak: Leak                                # values | nulls | duplicates | column | none
    description: str
    corrupt: Callable[[list[Path]], None] | None = field(default=None, repr=False)


def negative_constraints(port: str, schema: SchemaSpec, fmt: str, types: TypeRegistry) -> list[NegativeConstraint]:
    """The constraints of ``schema`` a negative case can break, for a port of format ``fmt``."""
    textual = fmt in TEXT_FORMATS
    found: list[NegativeConstraint] = []
    for name, column in schema.columns.items():
        breakable = _breakable(types, column, textual)
        found += [NegativeConstraint(port, name, key) for key in VALUE_CONSTRAINTS if key in breakable]
        if not column.nullable:
            found.append(NegativeConstraint(port, name, "nullable"))
        if column.unique:
            found.append(NegativeConstraint(port, name, "unique"))
        if column.required:
            found.append(NegativeConstraint(port, name, "required"))
    if schema.rows_min:
        found.append(NegativeConstraint(port, None, "rows_min"))
    if schema.strict:
        found.append(NegativeConstraint(port, None, "strict"))
    found.append(NegativeConstraint(port, None, "malformed"))
    return found


def break_constraint(constraint: NegativeConstraint, schema: SchemaSpec, frame: pd.DataFrame,
                     fmt: str, compression: str | None, types: TypeRegistry,
                     rng: np.random.Generator) -> NegativeInput:
    """A copy of the valid ``frame`` that breaks ``constraint`` (and nothing else)."""
    frame = frame.copy()
    kind, name = constraint.constraint, constraint.column
    if kind == "malformed":
        return NegativeInput(constraint, frame, [], [], "none", f"a malformed {fmt} file",
                             corrupt=corrupter(fmt, compression))
    if kind == "rows_min":
        keep = max((schema.rows_min or 0) - 1, 0)
        return NegativeInput(constraint, frame.iloc[:keep].reset_index(drop=True), [], [], "none",
                             f"{keep} row(s), fewer than rows.min {schema.rows_min}")
    if kind == "strict":
        frame[EXTRA_COLUMN] = "x"
        return NegativeInput(constraint, frame, list(range(len(frame))), [EXTRA_COLUMN], "column",
                             f"an undeclared column {EXTRA_COLUMN!r} in a strict schema")
    assert name is not None
    frame = _at_least(frame, 2)
    rows = _rows(len(frame), rng)
    if kind == "required":
        return NegativeInput(constraint, frame.drop(columns=[name]), [], [], "none",
                             f"required column {name!r} missing")
    if kind == "nullable":
        mask = np.zeros(len(frame), dtype=bool)
        mask[rows] = True
        frame[name] = nullable_dtype(frame[name]).mask(mask)
        return NegativeInput(constraint, frame, rows, [None], "nulls", f"null in non-nullable column {name!r}")
    if kind == "unique":
        source, target = rows[0], rows[-1] if rows[-1] != rows[0] else (rows[0] + 1) % len(frame)
        values = frame[name].to_numpy(dtype=object)
        values[target] = values[source]
        frame[name] = typed_like(values, frame[name])
        return NegativeInput(constraint, frame, sorted({source, target}), [values[source]], "duplicates",
                             f"duplicate {values[source]!r} in unique column {name!r}")
    column = schema.columns[name]
    offered = _violations(types, column, fmt in TEXT_FORMATS).get(kind) or []
    if not offered:
        raise ValueError(f"type {column.type!r} offers no value breaking {kind} of {name!r}")
    if kind == "type":   # a column of the wrong type: every value of it
        rows = list(range(len(frame)))
        frame[name] = pd.Series([offered[i % len(offered)] for i in rows], index=frame.index, dtype=object)
        return NegativeInput(constraint, frame, rows[:3], list(offered), "values",
                             f"column {name!r} of another type than {column.type}")
    values = frame[name].to_numpy(dtype=object)
    for i, row in enumerate(rows):
        values[row] = offered[i % len(offered)]
    frame[name] = typed_like(values, frame[name])
    return NegativeInput(constraint, frame, rows, list(offered), "values",
                         f"{_show(offered)} in column {name!r}, breaking {kind}")


def corrupter(fmt: str, compression: str | None) -> Callable[[list[Path]], None]:
    """How to make the first written file of a port unreadable: a truncated binary (or
    compressed) file, an unterminated quote in CSV/TSV, a cut-off line in JSONL."""
    def corrupt(files: list[Path]) -> None:
        if not files:
            return
        path = files[0]
        data = path.read_bytes()
        if fmt in ("csv", "tsv") and compression is None:
            path.write_bytes(data + b'"unterminated quote\n')
        elif fmt == "jsonl" and compression is None:
            path.write_bytes(data + b'{"truncated": \n')
        else:
            path.write_bytes(data[: max(len(data) // 2, 1)])
    return corrupt


def offered_values(types: TypeRegistry, column: Any, fmt: str) -> dict[str, list[Any]]:
    """Per value constraint of ``column`` (``min`` … ``type``), the values its type offers to
    break it, for a port of format ``fmt``."""
    return _violations(types, column, fmt in TEXT_FORMATS)


def _breakable(types: TypeRegistry, column: Any, textual: bool) -> frozenset[str]:
    """The value constraints of ``column`` its type offers values to break.  Planning asks
    only this: a type may answer without building the values (``violated_constraints``,
    optional, so ``specrun check`` imports no pandas), else the values' keys are taken."""
    if column.type not in types:
        return frozenset()
    column_type = types.get(column.type)
    named = getattr(column_type, "violated_constraints", None)  # optional for every type
    if callable(named):
        return frozenset(named(column, textual))
    return frozenset(key for key, values in _violations(types, column, textual).items() if values)


def _violations(types: TypeRegistry, column: Any, textual: bool) -> dict[str, list[Any]]:
    if column.type not in types:
        return {}
    offer = getattr(types.get(column.type), "violating_values", None)  # optional for plugin types
    return dict(offer(column, textual)) if callable(offer) else {}


def _at_least(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    """``frame`` with rows repeated until it has ``rows`` (a frame needs rows to break)."""
    if len(frame) >= rows or len(frame) == 0:
        return frame
    return pd.concat([frame] * -(-rows // len(frame)), ignore_index=True).iloc[:rows]


def _rows(count: int, rng: np.random.Generator) -> list[int]:
    """Two rows to break (one when the frame has one): the first and a random other."""
    if count <= 1:
        return [0] if count else []
    return sorted({0, int(rng.integers(1, count))})


def _show(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:3])


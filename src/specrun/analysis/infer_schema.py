"""A contract guessed from sample data, for ``specrun infer``: each column's type, nullability,
uniqueness, numeric bounds and, for text with few distinct values, its ``isin`` list.

A column's type is the first of :data:`CANDIDATES` under which specrun's own strict reader
(:func:`specrun.contract.io.typed_frame`) reads every value of the sample, so a spec using
the inferred schema reads the sample back without a type failure.  Bounds are the
sample's, rounded outward (floats to three significant digits), so they hold for the
sample; they and ``isin`` say what the sample held, not what real data may hold.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from ..contract.builtin_types import INFER_ORDER
from ..contract.io import typed_frame
from ..contract.storage import type_failures
from ..contract.types import TypeRegistry
from ..lazy import lazy_module
from ..spec.model import ColumnSpec, SchemaSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

#: the types tried, narrowest first
CANDIDATES = INFER_ORDER
#: text columns with at most this many distinct values (each seen twice or more on average) get ``isin``
MAX_ISIN = 20
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLAIN_TEXT = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


@dataclass
class InferredColumn:
    """One column as the sample shows it, and why each key was guessed."""

    name: str
    type: str
    nullable: bool = False
    unique: bool = False
    min: Any = None
    max: Any = None
    isin: list[str] | None = None
    notes: list[str] = field(default_factory=list)


def infer_columns(frame: pd.DataFrame, text: set[str], found: dict[str, str],
                  types: TypeRegistry) -> list[InferredColumn]:
    """The columns of an untyped sample (as :func:`specrun.contract.io.read_untyped` reads it)."""
    return [_infer(str(name), frame[name], str(name) in text, found, types) for name in frame.columns]


def _infer(name: str, raw: pd.Series, is_text: bool, found: dict[str, str],
           types: TypeRegistry) -> InferredColumn:
    for candidate in CANDIDATES:
        if candidate not in types:
            continue
        column = ColumnSpec(name=name, type=candidate, nullable=True)
        schema = SchemaSpec(name="sample", columns={name: column})
        typed = typed_frame(raw.to_frame(), schema, types, text={name} if is_text else set(), found=found)
        if not type_failures(typed):
            return _describe(name, candidate, typed[name])
    raise ValueError(f"column {name!r}: no type reads every value")   # str reads any text


def _describe(name: str, column_type: str, values: pd.Series) -> InferredColumn:
    present = values.dropna()
    inferred = InferredColumn(name, column_type, nullable=bool(values.isna().any()))
    if inferred.nullable:
        inferred.notes.append(f"{int(values.isna().sum())} nulls in the sample")
    distinct = present.nunique()
    dtype = values.dtype
    integer, text = pd.api.types.is_integer_dtype(dtype), pd.api.types.is_string_dtype(dtype)
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    # pandera counts repeated nulls as duplicates: unique only for a column without nulls
    if (integer or text) and len(present) > 1 and distinct == len(values):
        inferred.unique = True
    if numeric and len(present):
        low, high = present.min(), present.max()
        if integer:
            inferred.min, inferred.max = int(low), int(high)
        else:
            inferred.min, inferred.max = _round(float(low), down=True), _round(float(high), down=False)
        inferred.notes.append("min/max: the sample's, rounded outward")
    if text and 0 < distinct <= MAX_ISIN and distinct * 2 <= len(present):
        inferred.isin = sorted(str(v) for v in present.unique())
        inferred.notes.append(f"isin: the {distinct} values of the sample")
    return inferred


def _round(value: float, *, down: bool) -> Decimal:
    """``value`` rounded to three significant digits, down (toward -inf) or up."""
    if value == 0 or not math.isfinite(value):
        return Decimal(repr(value))
    exact = Decimal(repr(value))    # the shortest text that reads back as value; float() is monotonic
    exponent = math.floor(math.log10(abs(value))) - 2
    quantum = Decimal(1).scaleb(exponent)
    return exact.quantize(quantum, rounding=ROUND_FLOOR if down else ROUND_CEILING).normalize()


def render_schema(name: str, columns: list[InferredColumn], source: str, rows: int) -> str:
    """A ``schemas:`` block that ``specrun check`` accepts, one commented line per column."""
    lines = [f"# inferred by specrun infer from {source} ({rows} rows); bounds, isin, unique and",
             "# nullable come from the sample: widen them to what real data may hold",
             "schemas:", f"  {_key(name)}:", "    columns:"]
    for column in columns:
        keys = [f"type: {column.type}"]
        if column.nullable:
            keys.append("nullable: true")
        if column.unique:
            keys.append("unique: true")
        if column.min is not None:
            keys.append(f"min: {_number(column.min)}")
            keys.append(f"max: {_number(column.max)}")
        if column.isin is not None:
            keys.append("isin: [" + ", ".join(_text(v) for v in column.isin) + "]")
        note = f"   # {'; '.join(column.notes)}" if column.notes else ""
        lines.append(f"      {_key(column.name)}: {{{', '.join(keys)}}}{note}")
    return "\n".join(lines) + "\n"


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if "." in text or "e" in text.lower() else text + ".0"
    return str(value)


def _key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else json.dumps(name)


def _text(value: str) -> str:
    return value if _PLAIN_TEXT.match(value) and value.lower() not in ("true", "false", "null") else json.dumps(value)

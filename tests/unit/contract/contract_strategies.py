"""Hypothesis strategies shared by the contract tests: random column specs and schemas,
and frames drawn value by value from the column types' own strategies."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from specrun.contract.types import TypeRegistry
from specrun.spec.model import ColumnSpec, SchemaSpec

TYPES = TypeRegistry.builtin()
PATTERNS = [r"^[A-Z]{3}-[0-9]{4}$", r"[a-z]+", r"(foo|bar)\d{2,3}", r"x?[0-9a-f]{1,8}",
            r"\w{2}\s\w{2}", r"[^,;]{3}", r"(ab|c){1,3}z", r"ID-\d+"]
WORDS = st.text(alphabet=string.ascii_letters + string.digits + " -_é€", min_size=1, max_size=8)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@st.composite
def int_column(draw: st.DrawFn, name: str, rows: int) -> ColumnSpec:
    col = ColumnSpec(name=name, type="int", nullable=draw(st.booleans()))
    if draw(st.booleans()) and rows <= 6:
        col.isin = draw(st.lists(st.integers(-1000, 1000), min_size=1, max_size=8, unique=True))
        col.unique = len(col.isin) >= rows and draw(st.booleans())
        return col
    low = draw(st.none() | st.integers(INT64_MIN, INT64_MAX - 10 * rows - 1))
    high = draw(st.none() | st.integers(low if low is not None else INT64_MIN + 10 * rows + 1,
                                        INT64_MAX))
    col.min, col.max = low, high
    span = None if low is None or high is None else high - low + 1
    col.unique = draw(st.booleans()) and (span is None or span >= rows)
    return col


@st.composite
def float_column(draw: st.DrawFn, name: str, rows: int) -> ColumnSpec:
    finite = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
    col = ColumnSpec(name=name, type="float", nullable=draw(st.booleans()))
    low, high = draw(st.none() | finite), draw(st.none() | finite)
    if low is not None and high is not None and low > high:
        low, high = high, low
    col.min, col.max = low, high
    wide = low is None or high is None or (high - low) > 1e-3 * max(1.0, abs(low), abs(high))
    col.unique = draw(st.booleans()) and wide
    return col


@st.composite
def str_column(draw: st.DrawFn, name: str, rows: int) -> ColumnSpec:
    col = ColumnSpec(name=name, type="str", nullable=draw(st.booleans()))
    kind = draw(st.sampled_from(["plain", "isin", "pattern", "length"]))
    if kind == "isin":
        col.isin = draw(st.lists(WORDS, min_size=1, max_size=6, unique=True))
        col.unique = len(col.isin) >= rows and draw(st.booleans())
    elif kind == "pattern":
        col.pattern = draw(st.sampled_from(PATTERNS))
        col.unique = draw(st.booleans()) and col.pattern not in (r"(ab|c){1,3}z",)
    elif kind == "length":
        col.min = draw(st.integers(1, 5))
        col.max = draw(st.integers(col.min + 1, 20))
        col.unique = draw(st.booleans())
    else:
        col.unique = draw(st.booleans())
    return col


@st.composite
def datetime_column(draw: st.DrawFn, name: str, rows: int) -> ColumnSpec:
    dates = st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))
    col = ColumnSpec(name=name, type="datetime", nullable=draw(st.booleans()))
    low, high = draw(st.none() | dates), draw(st.none() | dates)
    if low is not None and high is not None and low > high:
        low, high = high, low
    col.min, col.max = low, high
    col.unique = draw(st.booleans()) and (low is None or high is None or low < high or rows <= 1)
    return col


@st.composite
def bool_column(draw: st.DrawFn, name: str, rows: int) -> ColumnSpec:
    return ColumnSpec(name=name, type="bool", nullable=draw(st.booleans()), unique=rows <= 2 and draw(st.booleans()))


@st.composite
def category_column(draw: st.DrawFn, name: str, rows: int) -> ColumnSpec:
    values = draw(st.lists(WORDS, min_size=1, max_size=6, unique=True)
                  | st.lists(st.integers(-50, 50), min_size=1, max_size=6, unique=True))
    return ColumnSpec(name=name, type="category", isin=values, nullable=draw(st.booleans()),
                      unique=len(values) >= rows and draw(st.booleans()))


COLUMN_STRATEGIES = {"int": int_column, "float": float_column, "str": str_column,
                     "datetime": datetime_column, "bool": bool_column, "category": category_column}


@st.composite
def schemas(draw: st.DrawFn, rows: int, max_columns: int = 6) -> SchemaSpec:
    """A schema of 1..max_columns random columns whose constraints can hold ``rows`` rows."""
    kinds = draw(st.lists(st.sampled_from(sorted(COLUMN_STRATEGIES)), min_size=1, max_size=max_columns))
    columns = {}
    for index, kind in enumerate(kinds):
        name = f"{kind}_{index}"
        columns[name] = draw(COLUMN_STRATEGIES[kind](name, rows))
    return SchemaSpec(name="generated", columns=columns)


def _column_values(column: ColumnSpec, rows: int, text_safe: bool) -> st.SearchStrategy[list[Any]]:
    values = TYPES.get(column.type).strategy(column)
    if text_safe and column.type == "str" and column.nullable:
        values = values.filter(lambda v: v != "")      # CSV cannot tell "" from null
    if column.nullable:
        values = st.none() | values
    return st.lists(values, min_size=rows, max_size=rows, unique=column.unique)


@st.composite
def frames(draw: st.DrawFn, schema: SchemaSpec, rows: int, text_safe: bool = True) -> pd.DataFrame:
    """A frame of ``rows`` rows whose values come from each column type's Hypothesis strategy."""
    data = {}
    for name, column in schema.columns.items():
        values = draw(_column_values(column, rows, text_safe))
        dtype = TYPES.get(column.type).dtype(column)
        if column.type == "datetime":
            values = [pd.Timestamp(v) if v is not None else None for v in values]
        data[name] = pd.Series(values, dtype=dtype) if rows else pd.Series([], dtype=dtype)
    return pd.DataFrame(data, index=pd.RangeIndex(rows))

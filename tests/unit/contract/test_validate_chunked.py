"""Chunked validation gives exactly what whole-frame validation gives: same ok, same failures
in the same order, same column / check names, counts and examples (compared as JSON, so 3
and 3.0 differ), with failures scattered over many tiny slices.  Made chunk-local, the
unique check fails ``test_chunked_equals_whole_frame`` (a duplicate one slice apart)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from contract_strategies import TYPES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.builtin_types import str_dtype
from specrun.contract.chunked_validation import split_errors, validate_lazily, without_duplicates
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.storage import TypeFailure, mark
from specrun.contract.validate import validate_frame
from specrun.results import ColumnFailure, to_jsonable
from specrun.spec.model import ColumnSpec, SchemaSpec

T0 = pd.Timestamp("2024-01-01")


@dataclass
class Drawn:
    """A column's spec, the values its rows are drawn from (valid and not), and its dtype."""

    spec: ColumnSpec
    pool: list[Any]
    dtype: Any


def _spec(draw: st.DrawFn, name: str, type_name: str, nullable: bool) -> ColumnSpec:
    return ColumnSpec(name, type_name, nullable=nullable, unique=draw(st.booleans()))


@st.composite
def int_columns(draw: st.DrawFn, name: str) -> Drawn:
    nullable = draw(st.booleans())
    spec = _spec(draw, name, "int", nullable)
    spec.min, spec.max = draw(st.sampled_from([(0, 10), (None, 5), (3, None), (None, None)]))
    if draw(st.booleans()):
        spec.isin = [0, 1, 2, 3, 20]
    spec.checks = draw(st.sampled_from([[], [{"even": None}], [{"rising": None}], [{"even": None}, {"rising": None}]]))
    pool = [-4, 0, 1, 2, 3, 7, 20, 99] + ([None] if nullable or draw(st.booleans()) else [])
    return Drawn(spec, pool, "Int64" if nullable or None in pool else "int64")


@st.composite
def float_columns(draw: st.DrawFn, name: str) -> Drawn:
    spec = _spec(draw, name, "float", draw(st.booleans()))
    spec.min, spec.max = draw(st.sampled_from([(0.0, 1000.0), (None, 1.5), (-1, None), (None, None)]))
    if draw(st.booleans()):
        spec.isin = [0.5, 1.0, 2.0]
    return Drawn(spec, [-1.5, 0.0, 0.5, 1.0, 2.0, 999.0, 1e6, np.nan], "float64")


@st.composite
def str_columns(draw: st.DrawFn, name: str) -> Drawn:
    spec = _spec(draw, name, "str", draw(st.booleans()))
    if draw(st.booleans()):
        spec.isin = ["a", "b", "c", "d"]
    spec.pattern = draw(st.sampled_from([None, r"^[a-c]", r"b+"]))
    spec.min, spec.max = draw(st.sampled_from([(None, None), (1, 2), (None, 1), (2, None)]))
    return Drawn(spec, ["a", "b", "c", "d", "bb", "abc", "zz", "", None], str_dtype())


@st.composite
def bool_columns(draw: st.DrawFn, name: str) -> Drawn:
    nullable = draw(st.booleans())
    spec = _spec(draw, name, "bool", nullable)
    if draw(st.booleans()):
        spec.isin = [True]
    return Drawn(spec, [True, False] + ([None] if nullable else []), "boolean" if nullable else "bool")


@st.composite
def datetime_columns(draw: st.DrawFn, name: str) -> Drawn:
    spec = _spec(draw, name, "datetime", draw(st.booleans()))
    spec.min, spec.max = draw(st.sampled_from([("2024-01-02", "2024-01-05"), (None, "2024-01-03"),
                                               ("2024-01-04", None), (None, None)]))
    if draw(st.booleans()):
        spec.isin = ["2024-01-01", "2024-01-02"]
    pool = [T0 + pd.Timedelta(days=d) for d in range(7)] + [pd.NaT]
    return Drawn(spec, pool, "datetime64[ns]")


# plugin-style checks (specrun_checks): one row by row, one comparing each row with the one before
PLUGIN_CHECKS = {"even": lambda args: pa.Check(lambda s: s % 2 == 0, name="even"),
                 "rising": lambda args: pa.Check(lambda s: s >= s.shift(fill_value=s.min()), name="rising")}
KINDS = [int_columns, float_columns, str_columns, bool_columns, datetime_columns]


def _series(drawn: Drawn, values: list[Any], index: pd.Index) -> pd.Series:
    if drawn.dtype == "bool":
        return pd.Series([bool(v) for v in values], index=index, dtype="bool")
    return pd.Series(values, index=index, dtype=drawn.dtype)


@st.composite
def cases(draw: st.DrawFn) -> tuple[pd.DataFrame, pa.DataFrameSchema, int]:
    """A schema of many check kinds, a frame breaking it in several slices, and a slice size."""
    chunk = draw(st.sampled_from([1, 2, 3, 7]))
    rows = draw(st.integers(max(8, 2 * chunk), 8 * chunk))   # 2 to 8 slices: each costs a pandera call
    index = draw(st.sampled_from([pd.RangeIndex(rows), pd.RangeIndex(100, 100 + 3 * rows, 3),
                                  pd.Index(np.random.default_rng(rows).permutation(rows) * 2)]))
    drawn = [draw(draw(st.sampled_from(KINDS))(f"c{i}")) for i in range(draw(st.integers(1, 4)))]
    data = {}
    for column in drawn:
        values = draw(st.lists(st.sampled_from(column.pool), min_size=rows, max_size=rows))
        if column.spec.unique:   # one duplicate whose two copies sit in different slices
            first = draw(st.integers(0, rows - chunk - 1))
            values[draw(st.integers(first + chunk, rows - 1))] = values[first]
        data[column.spec.name] = _series(column, values, index)
    frame = pd.DataFrame(data, index=index)
    if draw(st.booleans()):
        frame["extra"] = 1
    if draw(st.booleans()):
        frame = frame.drop(columns=[drawn[0].spec.name])
    if draw(st.booleans()):   # a column stored in another dtype than its type's
        name = drawn[-1].spec.name
        if name in frame:
            frame[name] = frame[name].astype(object)
    spec = SchemaSpec("s", {c.spec.name: c.spec for c in drawn},
                      rows_min=draw(st.none() | st.integers(0, 50)), rows_max=draw(st.none() | st.integers(0, 50)),
                      strict=draw(st.booleans()))
    return frame, to_pandera(spec, TYPES, PLUGIN_CHECKS), chunk


def _json(result: tuple[bool, list[ColumnFailure]]) -> str:
    return json.dumps(to_jsonable(result), default=str)


def assert_same(frame: pd.DataFrame, schema: pa.DataFrameSchema, chunk: int) -> None:
    whole = validate_frame(frame, schema, chunk_rows=None)
    assert _json(validate_frame(frame, schema, chunk_rows=chunk)) == _json(whole)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_chunked_equals_whole_frame(case: tuple[pd.DataFrame, pa.DataFrameSchema, int]) -> None:
    frame, schema, chunk = case
    if frame.columns.has_duplicates:
        return
    assert_same(frame, schema, chunk)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(cases())
def test_dsl_schemas_split_without_falling_back(case: tuple[pd.DataFrame, pa.DataFrameSchema, int]) -> None:
    """The comparison above would pass trivially if every case fell back to the whole frame."""
    frame, schema, chunk = case
    whole: list[Any]
    try:
        schema.validate(frame, lazy=True)
        whole = []
    except pa.errors.SchemaErrors as errors:
        whole = errors.schema_errors
    if any(e.reason_code == pa.errors.SchemaErrorReason.CHECK_ERROR for e in whole):
        return   # a check that raises (str checks on an object column …) is left to the whole frame
    assert split_errors(frame, schema, chunk) is not None


def _schema(**columns: ColumnSpec) -> pa.DataFrameSchema:
    return to_pandera(SchemaSpec("s", dict(columns)), TYPES)


def test_a_duplicate_split_over_two_slices_fails() -> None:
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6, 7, 1]})
    schema = _schema(id=ColumnSpec("id", "int", unique=True))
    ok, failures = validate_frame(frame, schema, chunk_rows=3)
    assert not ok and [(f.check, f.count, f.examples) for f in failures] == [("field_uniqueness", 2, [1])]
    assert_same(frame, schema, 3)


def test_row_bounds_count_the_whole_frame() -> None:
    frame = pd.DataFrame({"a": range(10)})
    schema = to_pandera(SchemaSpec("s", {"a": ColumnSpec("a", "int")}, rows_min=2, rows_max=5), TYPES)
    ok, failures = validate_frame(frame, schema, chunk_rows=3)
    assert not ok and [(f.check, f.count) for f in failures] == [("at most 5 rows", 1)]


def test_type_failures_are_reported_once() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6, 7]})
    found = TypeFailure(ColumnFailure("a", "declared type int, found text", 2, ["x", "y"]), rejected=False)
    mark(frame, [found])
    result = validate_frame(frame, _schema(a=ColumnSpec("a", "int", max=3)), chunk_rows=2)
    assert [f.check for f in result[1]] == ["declared type int, found text", "less_than_or_equal_to(3)"]
    assert _json(result) == _json(validate_frame(frame, _schema(a=ColumnSpec("a", "int", max=3)), chunk_rows=None))


@pytest.mark.parametrize("check", [
    pa.Check(lambda s: s.is_monotonic_increasing, name="sorted"),         # scalar over the column
    pa.Check(lambda s: s >= s.shift(fill_value=-1), name="not_falling"),  # row against row
    pa.Check(lambda s: s % 2 == 0, name="even"),                          # a plugin check
    pa.Check(lambda x: x < 5, element_wise=True, name="small"),
    pa.Check.isin([1, 2, 3], n_failure_cases=2),
    pa.Check(lambda s: s < s.groupby(s).transform("count"), name="grouped"),
])
def test_checks_on_other_rows_run_on_the_whole_column(check: pa.Check) -> None:
    frame = pd.DataFrame({"a": [1, 2, 3, 2, 5, 6, 1, 8, 3]})
    schema = pa.DataFrameSchema({"a": pa.Column("int64", checks=[pa.Check.ge(2), check])})
    assert split_errors(frame, schema, 2) is not None
    assert_same(frame, schema, 2)


def test_frame_level_pandera_features_run_once() -> None:
    frame = pd.DataFrame({"b": [1, 2, 1, 4, 5, 1], "a": [1, 1, 1, 2, 2, 1], "z": 0})
    schema = pa.DataFrameSchema(
        {"a": pa.Column("int64", pa.Check.le(1)),
         "b": pa.Column("int64", unique=True, report_duplicates="exclude_first"),
         "c": pa.Column("int64", required=False)},
        checks=[pa.Check(lambda f: f["a"].sum() < 3, name="sum"), pa.Check(lambda f: f["a"] < f["b"], name="a<b")],
        unique=["a", "b"], ordered=True, strict=True)
    assert split_errors(frame, schema, 2) is not None
    assert_same(frame, schema, 2)


def test_what_the_split_cannot_reproduce_is_validated_whole() -> None:
    frame = pd.DataFrame({"a": ["1", "x", "3", "4"]})
    coercing = pa.DataFrameSchema({"a": pa.Column("int64", coerce=True)})
    assert split_errors(frame, coercing, 2) is None
    assert_same(frame, coercing, 2)
    raising = pa.DataFrameSchema({"a": pa.Column(object, pa.Check.ge(0))})   # str >= int raises
    assert_same(pd.DataFrame({"a": [1, 2, 3, "x", 5]}, dtype=object), raising, 2)


def test_slices_are_views_and_the_frame_is_left_alone() -> None:
    frame = pd.DataFrame({"a": [1.0, None, 3.0, 40.0, 5.0]}, index=[10, 20, 30, 40, 50])
    before = frame.copy()
    schema = _schema(a=ColumnSpec("a", "float", max=10))
    ok, failures = validate_frame(frame, schema, chunk_rows=2)
    assert [(f.check, f.count) for f in failures] == [("not_nullable", 1), ("less_than_or_equal_to(10)", 1)]
    pd.testing.assert_frame_equal(frame, before)
    with pytest.raises(ValueError):
        validate_lazily(frame, schema, 0)


NUMBERS = st.sampled_from([0.0, -0.0, 1.0, 2.5, np.nan, np.inf, -np.inf, 1e30])


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.lists(st.integers(-3, 3) | st.integers(-(2**63), 2**63 - 1), max_size=12).map(
        lambda v: pd.Series(v, dtype="int64")),
    st.lists(st.integers(0, 5), max_size=12).map(lambda v: pd.Series(v, dtype="uint8")),
    st.lists(NUMBERS, max_size=12).map(lambda v: pd.Series(v, dtype="float64")),
    st.lists(NUMBERS, max_size=12).map(lambda v: pd.Series(v, dtype="float32")),
    st.lists(st.sampled_from([T0, T0 + pd.Timedelta(1), pd.NaT]), max_size=6).map(
        lambda v: pd.Series(v, dtype="datetime64[ns]")),
))
def test_a_sort_finds_distinct_numbers_as_pandas_does(series: pd.Series) -> None:
    """The sort that lets a distinct numeric column skip pandera's unique check agrees with
    pandas' own ``is_unique`` (NaN equals NaN, -0.0 equals 0.0, NaT equals NaT)."""
    assert without_duplicates(series) == series.is_unique


def test_columns_the_sort_cannot_judge_keep_pandera_unique_check() -> None:
    for series in (pd.Series([1, None], dtype="Int64"), pd.Series(["a", "b"], dtype=str_dtype()),
                   pd.Series([True, False]), pd.Series([1, "a"], dtype=object)):
        assert not without_duplicates(series)

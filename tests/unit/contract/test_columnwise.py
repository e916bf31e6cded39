"""A parquet file checked one column at a time gives exactly what reading it whole gives: the
same ok, the same failures in the same order (type failures, column presence / strict /
order, each column's checks, the row bounds; compared as JSON), and the same profile
(compared through ``repr``), over contracts of every check kind, frames breaking them in many
row slices, missing, extra and reordered columns, and files written with and without an
index.  What the split cannot judge column by column is checked whole (None)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.parquet as pq
import pytest
from contract_strategies import TYPES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_validate_chunked import KINDS, PLUGIN_CHECKS, _series

from specrun.analysis.profile import assembled, profile_column, profile_frame
from specrun.contract.columnwise import check_columnwise, large_file_columns, splits_by_column
from specrun.contract.io import read_port
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.results import to_jsonable
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec

PORT = PortSpec(name="out", format="parquet")


@st.composite
def files(draw: st.DrawFn) -> tuple[pd.DataFrame, SchemaSpec, int, str]:
    """A frame, the contract it breaks (or keeps), a slice size and how its index is written."""
    chunk = draw(st.sampled_from([1, 2, 3, 7]))
    rows = draw(st.integers(max(8, 2 * chunk), 8 * chunk))
    drawn = [draw(draw(st.sampled_from(KINDS))(f"c{i}")) for i in range(draw(st.integers(1, 4)))]
    index = pd.RangeIndex(rows)
    data = {}
    for column in drawn:
        values = draw(st.lists(st.sampled_from(column.pool), min_size=rows, max_size=rows))
        if column.spec.unique and draw(st.booleans()):   # a duplicate whose copies sit in different slices
            first = draw(st.integers(0, rows - chunk - 1))
            values[draw(st.integers(first + chunk, rows - 1))] = values[first]
        data[column.spec.name] = _series(column, values, index)
    frame = pd.DataFrame(data, index=index)
    if draw(st.booleans()):
        frame["extra"] = np.arange(rows, dtype="int64")
    if draw(st.booleans()):
        frame = frame.drop(columns=[drawn[0].spec.name])
    if len(frame.columns) > 1 and draw(st.booleans()):
        frame = frame[list(reversed(frame.columns))]
    for column in drawn:      # columns stored in another type than their type's
        if column.spec.name in frame and draw(st.integers(0, 3)) == 0:
            frame[column.spec.name] = frame[column.spec.name].astype(str)
    spec = SchemaSpec("s", {c.spec.name: c.spec for c in drawn},
                      rows_min=draw(st.none() | st.integers(0, 50)), rows_max=draw(st.none() | st.integers(0, 50)),
                      strict=draw(st.booleans()))
    return frame, spec, chunk, draw(st.sampled_from(["none", "range", "stored", "arrow"]))


def _write(frame: pd.DataFrame, path: Path, index: str) -> None:
    if index == "stored":
        frame = frame.set_axis(pd.Index(np.arange(len(frame)) * 3 + 1, name="key"))
    try:
        if index == "arrow":     # as Spark or pyarrow write it: no pandas metadata
            pq.write_table(pyarrow.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None), path)
        else:
            frame.to_parquet(path, index=None if index != "none" else False)
    except Exception:  # noqa: BLE001 - a drawn column Arrow cannot store: not a case
        assume(False)


def _whole(path: Path, spec: SchemaSpec, schema: pa.DataFrameSchema, chunk: int) -> tuple[str, str]:
    frame = read_port(PORT, path, spec, types=TYPES)[""]
    return (json.dumps(to_jsonable(validate_frame(frame, schema, chunk_rows=chunk)), default=str),
            repr(profile_frame(frame, "p", nbytes=9)))


def _by_column(path: Path, spec: SchemaSpec, schema: pa.DataFrameSchema | None, chunk: int) -> tuple[str, str] | None:
    seen = []
    checked = check_columnwise(PORT, path, spec, schema, TYPES, lambda name, series: seen.append(
        profile_column(series, name)), columnwise_bytes=0, chunk_rows=chunk)
    if checked is None:
        return None
    rows, validation = checked
    return (json.dumps(to_jsonable(validation), default=str), repr(assembled(seen, "p", rows, nbytes=9)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(case=files())
def test_column_by_column_equals_the_whole_file(case: tuple[pd.DataFrame, SchemaSpec, int, str], tmp_path) -> None:
    frame, spec, chunk, index = case
    path = tmp_path / "out.parquet"
    _write(frame, path, index)
    schema = to_pandera(spec, TYPES, PLUGIN_CHECKS)
    by_column = _by_column(path, spec, schema, chunk)
    if by_column is None:    # only a file without data columns is read whole here
        assert len(pd.read_parquet(path).columns) == 0
        return
    assert by_column == _whole(path, spec, schema, chunk)


def test_a_duplicate_far_apart_and_a_missing_column_fail_as_whole(tmp_path):
    path = tmp_path / "out.parquet"
    pd.DataFrame({"id": [1, 2, 3, 4, 5, 6, 7, 1], "x": [0.5] * 8}).to_parquet(path, index=False)
    spec = SchemaSpec("s", {"id": ColumnSpec("id", "int", unique=True), "x": ColumnSpec("x", "float", max=0.1),
                            "gone": ColumnSpec("gone", "int")}, rows_max=5)
    schema = to_pandera(spec, TYPES)
    by_column = _by_column(path, spec, schema, 3)
    assert by_column == _whole(path, spec, schema, 3)
    failures = json.loads(by_column[0])[1]
    assert [(f["column"], f["check"], f["count"]) for f in failures] == [
        ("gone", "column_in_dataframe", 1), (None, "at most 5 rows", 1), ("id", "field_uniqueness", 2),
        ("x", "less_than_or_equal_to(0.1)", 8)]


def test_type_failures_come_first_in_schema_order(tmp_path):
    path = tmp_path / "out.parquet"
    pd.DataFrame({"b": ["x", "y"] * 4, "a": ["1", "2"] * 4}).to_parquet(path, index=False)
    spec = SchemaSpec("s", {"a": ColumnSpec("a", "int"), "b": ColumnSpec("b", "float")})
    schema = to_pandera(spec, TYPES)
    by_column = _by_column(path, spec, schema, 2)
    assert by_column == _whole(path, spec, schema, 2)
    assert [f["column"] for f in json.loads(by_column[0])[1]][:2] == ["a", "b"]


def test_without_a_contract_the_columns_are_profiled(tmp_path):
    path = tmp_path / "out.parquet"
    frame = pd.DataFrame({"a": np.arange(10), "s": pd.Series(list("abcdeabcde"), dtype="str")})
    frame.to_parquet(path, index=False)
    seen = []
    checked = check_columnwise(PORT, path, None, None, TYPES, lambda n, s: seen.append(profile_column(s, n)),
                               columnwise_bytes=0)
    assert checked == (10, None)
    assert repr(assembled(seen, "p", 10)) == repr(profile_frame(pd.read_parquet(path), "p"))


@pytest.mark.parametrize("make", [
    lambda s: pa.DataFrameSchema({"a": pa.Column(int)}, checks=[pa.Check(lambda f: f["a"].sum() > 0)]),
    lambda s: pa.DataFrameSchema({"a": pa.Column(int), "b": pa.Column(int)}, unique=["a", "b"]),
    lambda s: pa.DataFrameSchema({"a": pa.Column(int, checks=pa.Check(lambda g: True, groupby="b")),
                                  "b": pa.Column(int)}),
    lambda s: pa.DataFrameSchema({"a": pa.Column(int, coerce=True)}),
    lambda s: pa.DataFrameSchema({"a": pa.Column(int)}, index=pa.Index(int)),
    lambda s: pa.DataFrameSchema({"a.*": pa.Column(int, regex=True)}),
])
def test_what_needs_other_columns_is_checked_whole(make: Any, tmp_path):
    schema = make(None)
    assert not splits_by_column(schema)
    path = tmp_path / "out.parquet"
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_parquet(path, index=False)
    assert check_columnwise(PORT, path, None, schema, TYPES, columnwise_bytes=0) is None


def test_a_small_file_is_read_whole(tmp_path):
    path = tmp_path / "out.parquet"
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_parquet(path, index=False)
    assert large_file_columns(path) is None
    assert large_file_columns(path, 0) == (["a", "b"], 2)

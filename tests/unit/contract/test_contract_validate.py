"""validate_frame: failures grouped per column and check, with counts and JSON-ready examples."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pandera.pandas as pa
from contract_strategies import TYPES

from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import MAX_EXAMPLES, validate_frame
from specrun.spec.model import ColumnSpec, SchemaSpec

SCHEMA = to_pandera(SchemaSpec("s", {
    "a": ColumnSpec("a", "int", min=0, max=10),
    "b": ColumnSpec("b", "str", isin=["x", "y"]),
    "c": ColumnSpec("c", "float"),
    "d": ColumnSpec("d", "datetime", min="2024-01-01"),
}), TYPES)


def _by_key(failures: list) -> dict:
    return {(f.column, f.check): f for f in failures}


def test_valid_frame() -> None:
    frame = pd.DataFrame({"a": [1], "b": ["x"], "c": [1.0], "d": pd.to_datetime(["2024-02-01"])})
    assert validate_frame(frame, SCHEMA) == (True, [])


def test_groups_counts_and_distinct_examples() -> None:
    frame = pd.DataFrame({"a": np.arange(20, 40), "b": ["z"] * 10 + ["q"] * 10,
                          "c": np.ones(20), "d": pd.to_datetime(["2023-05-01"] * 20)})
    ok, failures = validate_frame(frame, SCHEMA)
    assert not ok
    groups = _by_key(failures)
    range_failure = groups[("a", "in_range(0, 10)")]
    assert range_failure.count == 20 and len(range_failure.examples) == MAX_EXAMPLES
    assert groups[("b", "isin(['x', 'y'])")].examples == ["z", "q"]
    assert groups[("d", "greater_than_or_equal_to(2024-01-01 00:00:00)")].examples == ["2023-05-01T00:00:00"]
    json.dumps([f.__dict__ for f in failures])  # examples are plain JSON values


def test_missing_columns_and_wrong_dtypes_are_reported() -> None:
    frame = pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})
    ok, failures = validate_frame(frame, SCHEMA)
    groups = _by_key(failures)
    assert not ok
    assert ("c", "column_in_dataframe") in groups and ("d", "column_in_dataframe") in groups
    assert groups[("a", "dtype('int64')")].examples == ["float64"]


def test_nulls_in_a_non_nullable_column() -> None:
    frame = pd.DataFrame({"a": pd.array([1, None, None], dtype="Int64"), "b": ["x"] * 3, "c": [1.0] * 3,
                          "d": pd.to_datetime(["2024-02-01"] * 3)})
    ok, failures = validate_frame(frame, SCHEMA)
    nulls = [f for f in failures if f.column == "a" and f.check == "not_nullable"]
    assert not ok and nulls and nulls[0].count == 2


def test_never_raises_for_strange_input() -> None:
    exploding = pa.DataFrameSchema({"a": pa.Column(int, pa.Check(lambda s: 1 / 0, name="boom"))})
    ok, failures = validate_frame(pd.DataFrame({"a": [1]}), exploding)
    assert not ok and failures
    ok, failures = validate_frame("not a frame", SCHEMA)  # type: ignore[arg-type]
    assert not ok and failures[0].check == "validation_error"

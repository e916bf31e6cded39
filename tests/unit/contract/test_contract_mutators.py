"""Edge-case mutators on generated frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from contract_strategies import TYPES, schemas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.mutators import apply_mutations
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import vectorised_frame
from specrun.spec.model import ColumnSpec, Location, MutationSpec, SchemaSpec, SpecError

SCHEMA = SchemaSpec("t", {
    "id": ColumnSpec("id", "int", unique=True, min=0, max=100_000),
    "amount": ColumnSpec("amount", "float", min=0, max=10),
    "currency": ColumnSpec("currency", "str", isin=["USD", "EUR"]),
    "ts": ColumnSpec("ts", "datetime", min=dt.date(2024, 1, 1), max=dt.date(2024, 2, 1)),
    "kind": ColumnSpec("kind", "category", isin=["a", "b"]),
    "flag": ColumnSpec("flag", "bool"),
})
HERE = Location(__file__, 30, "scenarios.edge.mutate.t")


def _frame(rows: int = 50) -> pd.DataFrame:
    return vectorised_frame(SCHEMA, rows, 1, TYPES)


def _mutate(*mutations: tuple, frame: pd.DataFrame | None = None, seed: int = 0) -> pd.DataFrame:
    specs = [MutationSpec(op, params, HERE) for op, params in mutations]
    return apply_mutations(_frame() if frame is None else frame, SCHEMA, specs, seed, TYPES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=st.integers(0, 30), seed=st.integers(0, 1000))
def test_boundary_keeps_generated_frames_valid(data: st.DataObject, rows: int, seed: int) -> None:
    schema = data.draw(schemas(rows))
    frame = vectorised_frame(schema, rows, seed, TYPES)
    mutated = apply_mutations(frame, schema, [MutationSpec("boundary", None)], seed, TYPES)
    ok, failures = validate_frame(mutated, to_pandera(schema, TYPES))
    assert ok, failures


def test_boundary_cycles_the_bounds_and_keeps_unique_columns_unique() -> None:
    mutated = _mutate(("boundary", None))
    assert mutated["amount"].tolist()[:4] == [0.0, 10.0, 0.0, 10.0]
    assert mutated["id"].tolist()[:2] == [0, 100_000] and mutated["id"].is_unique
    assert set(mutated["ts"]) == {pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")}
    assert mutated.dtypes.equals(_frame().dtypes)
    assert validate_frame(mutated, to_pandera(SCHEMA, TYPES))[0]


def test_nulls_rate_and_columns() -> None:
    mutated = _mutate(("nulls", {"columns": ["id", "flag"]}))
    assert mutated["id"].isna().all() and mutated["flag"].isna().all()
    assert str(mutated["id"].dtype) == "Int64" and str(mutated["flag"].dtype) == "boolean"
    assert mutated["amount"].notna().all()
    half = _mutate(("nulls", {"columns": ["amount"], "rate": 0.5}), frame=_frame(2000))
    assert 0.4 < half["amount"].isna().mean() < 0.6
    ok, failures = validate_frame(mutated, to_pandera(SCHEMA, TYPES))
    assert not ok and {"id", "flag"} <= {f.column for f in failures}


def test_empty_keeps_columns_and_dtypes() -> None:
    mutated = _mutate(("empty", True))
    assert len(mutated) == 0 and mutated.dtypes.equals(_frame().dtypes)
    assert len(_mutate(("empty", False))) == 50


def test_extreme_values() -> None:
    mutated = _mutate(("extreme", {"columns": ["amount", "currency"]}))
    assert mutated["amount"].max() == float("inf") or mutated["amount"].max() > 1e300
    assert "" in set(mutated["currency"])
    assert not validate_frame(mutated, to_pandera(SCHEMA, TYPES))[0]


def test_duplicates_of_rows_and_of_keys() -> None:
    rows = _mutate(("duplicates", {"rate": 0.2}), seed=3)
    assert rows.duplicated().sum() == 10 and len(rows) == 50
    keys = _mutate(("duplicates", {"columns": ["id"], "rate": 0.1}), seed=3)
    assert keys["id"].duplicated().sum() == 5 and not keys.duplicated().any()
    assert not validate_frame(keys, to_pandera(SCHEMA, TYPES))[0]


def test_set_keeps_the_dtype_when_the_value_fits_and_changes_it_otherwise() -> None:
    mutated = _mutate(("set", {"currency": "XXX", "amount": 5, "ts": "2024-01-05", "kind": "zz",
                               "id": 1.5}))
    assert (mutated["currency"] == "XXX").all() and str(mutated["currency"].dtype) == "str"
    assert str(mutated["amount"].dtype) == "float64" and (mutated["amount"] == 5.0).all()
    assert (mutated["ts"] == pd.Timestamp("2024-01-05")).all()
    assert not isinstance(mutated["kind"].dtype, pd.CategoricalDtype) and (mutated["kind"] == "zz").all()
    assert str(mutated["id"].dtype) == "float64"


def test_drop_columns_and_wrong_dtype() -> None:
    dropped = _mutate(("drop_columns", ["amount"]))
    assert "amount" not in dropped.columns
    wrong = _mutate(("wrong_dtype", {"columns": ["amount"]}))
    assert wrong["amount"].dtype == object and set(wrong["amount"]) == {"abc", "1,5", "n/a"}
    ok, failures = validate_frame(wrong, to_pandera(SCHEMA, TYPES))
    assert not ok and any(f.column == "amount" for f in failures)


def test_mutations_apply_in_order_and_are_seeded() -> None:
    mutations = (("nulls", {"columns": ["amount"], "rate": 0.3}), ("duplicates", {"rate": 0.2}))
    first = _mutate(*mutations, seed=5)
    pd.testing.assert_frame_equal(first, _mutate(*mutations, seed=5))
    assert not first.equals(_mutate(*mutations, seed=6))
    assert _frame().equals(_frame())  # the input frame is not modified


@pytest.mark.parametrize("op, params", [
    ("nulls", {"columns": ["nope"]}), ("boundary", {"columns": ["nope"]}),
    ("set", {"nope": 1}), ("drop_columns", ["nope"]), ("wrong_dtype", {"columns": ["nope"]}),
    ("duplicates", {"columns": ["nope"]}), ("explode", None),
])
def test_unknown_column_or_mutation_is_a_spec_error_at_the_mutation(op: str, params: object) -> None:
    with pytest.raises(SpecError) as caught:
        _mutate((op, params))
    assert caught.value.line == 30 and ("nope" in caught.value.message or "explode" in caught.value.message)


def test_boundary_on_an_empty_frame_is_a_no_op() -> None:
    empty = _frame(0)
    assert len(_mutate(("boundary", None), frame=empty)) == 0
    assert np.array_equal(_mutate(("duplicates", {"rate": 0.5}), frame=empty).columns, empty.columns)

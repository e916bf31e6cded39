"""vectorised_frame: seeded, valid for generated schemas, unique where asked, fast enough to use."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from contract_strategies import TYPES, schemas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import NULL_RATE, clip_rows, vectorised_frame
from specrun.spec.model import ColumnSpec, Location, SchemaSpec, SpecError

EIGHT_COLUMNS = SchemaSpec(name="transactions", columns={
    "txn_id": ColumnSpec("txn_id", "int", unique=True),
    "amount": ColumnSpec("amount", "float", min=0, max=1_000_000),
    "currency": ColumnSpec("currency", "str", isin=["USD", "EUR", "GBP", "JPY"]),
    "ts": ColumnSpec("ts", "datetime", min=dt.date(2024, 1, 1), max=dt.date(2024, 12, 31)),
    "merchant": ColumnSpec("merchant", "str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
    "kind": ColumnSpec("kind", "category", isin=["a", "b", "c"]),
    "flag": ColumnSpec("flag", "bool"),
    "qty": ColumnSpec("qty", "int", min=1, max=100),
})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_generated_frames_pass_their_own_contract(data: st.DataObject, rows: int, seed: int) -> None:
    schema = data.draw(schemas(rows))
    frame = vectorised_frame(schema, rows, seed, TYPES)
    ok, failures = validate_frame(frame, to_pandera(schema, TYPES))
    assert ok, failures
    assert len(frame) == rows
    assert list(frame.columns) == list(schema.columns)


def test_same_seed_same_frame_and_other_seed_other_frame() -> None:
    first = vectorised_frame(EIGHT_COLUMNS, 500, 7, TYPES)
    pd.testing.assert_frame_equal(first, vectorised_frame(EIGHT_COLUMNS, 500, 7, TYPES))
    assert not first.equals(vectorised_frame(EIGHT_COLUMNS, 500, 8, TYPES))


def test_a_column_does_not_depend_on_the_other_columns() -> None:
    smaller = SchemaSpec("s", {"qty": EIGHT_COLUMNS.columns["qty"]})
    pd.testing.assert_series_equal(vectorised_frame(smaller, 300, 3, TYPES)["qty"],
                                   vectorised_frame(EIGHT_COLUMNS, 300, 3, TYPES)["qty"])


def test_100k_rows_validate_with_nulls_and_unique_ids() -> None:
    frame = vectorised_frame(EIGHT_COLUMNS, 100_000, 42, TYPES)
    ok, failures = validate_frame(frame, to_pandera(EIGHT_COLUMNS, TYPES))
    assert ok, failures
    assert frame["txn_id"].is_unique
    null_share = frame["merchant"].isna().mean()
    assert NULL_RATE / 2 < null_share < NULL_RATE * 2
    assert frame["flag"].nunique() == 2 and set(frame["kind"].unique()) == {"a", "b", "c"}
    assert str(frame["merchant"].dtype) == "str" and str(frame["ts"].dtype) == "datetime64[ns]"


def test_unique_pattern_strings_at_volume() -> None:
    schema = SchemaSpec("s", {"code": ColumnSpec("code", "str", unique=True, pattern=r"[A-Z]{2}\d{3}")})
    frame = vectorised_frame(schema, 50_000, 1, TYPES)   # 676k possible values
    assert frame["code"].is_unique
    assert frame["code"].str.fullmatch(r"[A-Z]{2}\d{3}").all()


@pytest.mark.parametrize("column, rows", [
    (ColumnSpec("n", "int", unique=True, min=1, max=10), 11),
    (ColumnSpec("c", "str", unique=True, isin=["a", "b"]), 3),
    (ColumnSpec("p", "str", unique=True, pattern="[ab]{2}"), 5),
    (ColumnSpec("b", "bool", unique=True), 3),
    (ColumnSpec("k", "category", unique=True, isin=["x"]), 2),
    (ColumnSpec("s", "str", unique=True, min=1, max=1), 100),
])
def test_too_small_unique_domain_is_a_spec_error(column: ColumnSpec, rows: int) -> None:
    column.location = Location(__file__, 12, f"schemas.s.columns.{column.name}")
    with pytest.raises(SpecError) as caught:
        vectorised_frame(SchemaSpec("s", {column.name: column}), rows, 0, TYPES)
    assert caught.value.line == 12 and column.name in caught.value.message
    assert "unique" in caught.value.message


def test_exact_unique_domain_is_filled() -> None:
    schema = SchemaSpec("s", {"n": ColumnSpec("n", "int", unique=True, min=1, max=10)})
    assert sorted(vectorised_frame(schema, 10, 5, TYPES)["n"]) == list(range(1, 11))


def test_row_bounds_clip_the_row_count() -> None:
    schema = SchemaSpec("s", {"n": ColumnSpec("n", "int")}, rows_min=5, rows_max=20)
    assert len(vectorised_frame(schema, 1, 0, TYPES)) == 5
    assert len(vectorised_frame(schema, 1000, 0, TYPES)) == 20
    assert clip_rows(schema, 12) == 12


def test_impossible_row_bounds_are_a_spec_error() -> None:
    schema = SchemaSpec("s", {"n": ColumnSpec("n", "int")}, rows_min=5, rows_max=2,
                        location=Location(__file__, 3, "schemas.s"))
    with pytest.raises(SpecError, match="rows.min 5 is greater than rows.max 2"):
        vectorised_frame(schema, 10, 0, TYPES)


def test_unsupported_pattern_is_a_spec_error_at_the_column() -> None:
    column = ColumnSpec("p", "str", pattern=r"(a)\1", location=Location(__file__, 9, "schemas.s.columns.p"))
    with pytest.raises(SpecError) as caught:
        vectorised_frame(SchemaSpec("s", {"p": column}), 3, 0, TYPES)
    assert caught.value.line == 9


def test_unknown_type_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="unknown type 'money'"):
        vectorised_frame(SchemaSpec("s", {"m": ColumnSpec("m", "money")}), 3, 0, TYPES)

"""vectorised_frame: seeded, valid for generated schemas, unique where asked, fast enough to use."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from contract_strategies import TYPES, schemas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import NULL_RATE, clip_rows, vectorised_frame, with_nulls
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


_INT64 = (-(2**63), 2**63 - 1)


@st.composite
def _fast_path_schemas(draw: st.DrawFn, rows: int) -> SchemaSpec:
    """Unique int columns (bounds anywhere in int64, or an isin, duplicates allowed), nullable
    and plain pattern strings, bounded datetimes: the columns the generator's fast paths draw."""
    low = draw(st.none() | st.integers(_INT64[0], _INT64[1] - rows))   # room for `rows` values above
    if low is not None and draw(st.booleans()):   # a range just wide enough: slots of one or a few values
        high = min(low + draw(st.integers(rows - 1, 3 * rows)), _INT64[1])
        low = min(low, high - rows + 1)
    else:
        high = draw(st.none() | st.integers(low if low is not None else _INT64[0] + rows, _INT64[1]))
    if low is not None and high is not None and high - low + 1 < rows:
        high = low + rows - 1
    columns = {"id": ColumnSpec("id", "int", unique=True, min=low, max=high),
               "picked": ColumnSpec("picked", "int", unique=True, isin=draw(
                   st.lists(st.integers(-(10**6), 10**6), min_size=rows, max_size=rows + 3, unique=True))),
               "code": ColumnSpec("code", "str", nullable=draw(st.booleans()),
                                  pattern=draw(st.sampled_from([r"^[A-Z]{3}-[0-9]{4}$", r"[a-c]{1,4}(x|yz)?",
                                                                r"\d+\.\d{2}", r"[^a-y]?é"]))),
               "when": ColumnSpec("when", "datetime", unique=draw(st.booleans()),
                                  min=dt.date(2024, 1, 1), max=dt.date(2024, 1, 1) + dt.timedelta(days=rows))}
    return SchemaSpec("fast", columns)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=st.integers(1, 200), seed=st.integers(0, 2**32))
def test_fast_paths_hold_the_contract_exactly(data: st.DataObject, rows: int, seed: int) -> None:
    """Without the generic duplicate re-check for int columns and with pattern strings built
    from byte buffers: unique columns are unique, every string matches its regex, bounds hold,
    nulls only where allowed, and a seed gives the same frame."""
    schema = data.draw(_fast_path_schemas(rows))
    picked = schema.columns["picked"]
    frame = vectorised_frame(schema, rows, seed, TYPES)
    ids, when, code = frame["id"], frame["when"], frame["code"]
    assert ids.is_unique and frame["picked"].is_unique
    assert set(frame["picked"]) <= set(picked.isin or [])
    id_column = schema.columns["id"]
    assert id_column.min is None or ids.min() >= id_column.min
    assert id_column.max is None or ids.max() <= id_column.max
    pattern = schema.columns["code"].pattern
    present = code.dropna()
    assert present.map(lambda v: re.fullmatch(pattern, v) is not None).all()
    assert schema.columns["code"].nullable or len(present) == rows
    assert not schema.columns["when"].unique or when.is_unique
    first = pd.Timestamp("2024-01-01")
    assert when.min() >= first and when.max() <= first + pd.Timedelta(days=rows)
    pd.testing.assert_frame_equal(frame, vectorised_frame(schema, rows, seed, TYPES))


def test_a_unique_int_isin_with_repeated_values_is_still_checked() -> None:
    """Distinct by construction only when the isin values are distinct: else the draw is checked."""
    schema = SchemaSpec("s", {"n": ColumnSpec("n", "int", unique=True, isin=[7, 7, 7, 8])})
    outcomes = []
    for seed in range(20):
        try:
            outcomes.append(vectorised_frame(schema, 2, seed, TYPES)["n"].is_unique)
        except SpecError as error:
            assert "unique" in error.message
            outcomes.append("refused")
    assert "refused" in outcomes and False not in outcomes


def test_nulls_on_pyarrow_strings_are_the_mask_of_the_values() -> None:
    values = vectorised_frame(SchemaSpec("s", {"p": ColumnSpec("p", "str", pattern=r"[a-z]{0,3}")}), 200, 1, TYPES)["p"]
    nulls = np.random.default_rng(0).random(200) < 0.3
    pd.testing.assert_series_equal(with_nulls(values, nulls), values.mask(nulls))
    sliced = values.iloc[50:].reset_index(drop=True)   # an array with an offset: the generic mask
    pd.testing.assert_series_equal(with_nulls(sliced, nulls[50:]), sliced.mask(nulls[50:]))

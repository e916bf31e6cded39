"""Negative inputs: every constraint a contract declares, broken alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from contract_strategies import TYPES, schemas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.negative import (
    EXTRA_COLUMN,
    NegativeConstraint,
    break_constraint,
    negative_constraints,
)
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import vectorised_frame
from specrun.spec.model import ColumnSpec, SchemaSpec

SCHEMA = SchemaSpec("payments", {
    "id": ColumnSpec("id", "int", unique=True, min=0, max=100_000),
    "amount": ColumnSpec("amount", "float", min=0, max=10),
    "currency": ColumnSpec("currency", "str", isin=["USD", "EUR"]),
    "merchant": ColumnSpec("merchant", "str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
    "ts": ColumnSpec("ts", "datetime", min=dt.date(2024, 1, 1), max=dt.date(2024, 2, 1)),
    "kind": ColumnSpec("kind", "category", isin=["a", "b"]),
    "flag": ColumnSpec("flag", "bool", required=False),
}, rows_min=5, strict=True)


def _break(constraint: NegativeConstraint, schema: SchemaSpec = SCHEMA, fmt: str = "parquet",
           rows: int = 20, seed: int = 3):
    frame = vectorised_frame(schema, rows, seed, TYPES)
    return break_constraint(constraint, schema, frame, fmt, None, TYPES, np.random.default_rng(seed))


def _failures(frame: pd.DataFrame, schema: SchemaSpec = SCHEMA):
    ok, failures = validate_frame(frame, to_pandera(schema, TYPES, {}))
    return ok, failures


def test_every_constraint_of_the_contract_gets_its_own_case():
    ids = [c.id for c in negative_constraints("payments", SCHEMA, "parquet", TYPES)]
    assert ids == [
        "payments.id.min", "payments.id.max", "payments.id.type", "payments.id.nullable",
        "payments.id.unique", "payments.id.required",
        "payments.amount.min", "payments.amount.max", "payments.amount.type",
        "payments.amount.nullable", "payments.amount.required",
        "payments.currency.isin", "payments.currency.type", "payments.currency.nullable",
        "payments.currency.required",
        "payments.merchant.pattern", "payments.merchant.type", "payments.merchant.required",
        "payments.ts.min", "payments.ts.max", "payments.ts.type", "payments.ts.nullable",
        "payments.ts.required",
        "payments.kind.isin", "payments.kind.type", "payments.kind.nullable", "payments.kind.required",
        "payments.flag.type", "payments.flag.nullable",          # not required: no missing-column case
        "payments.rows_min", "payments.strict", "payments.malformed"]


def test_text_formats_get_no_wrong_type_case_where_text_reads_back_as_valid():
    ids = {c.id for c in negative_constraints("payments", SCHEMA, "csv", TYPES)}
    assert "payments.currency.type" not in ids and "payments.merchant.type" not in ids
    assert "payments.kind.type" not in ids          # an unknown category: isin covers it
    assert {"payments.id.type", "payments.amount.type", "payments.ts.type"} <= ids


@pytest.mark.parametrize("constraint", [c for c in negative_constraints("payments", SCHEMA, "parquet", TYPES)
                                        if c.constraint != "malformed"], ids=lambda c: c.id)
def test_each_broken_input_breaks_its_constraint_and_only_on_its_column(constraint):
    broken = _break(constraint)
    ok, failures = _failures(broken.frame)
    assert not ok, broken.description
    if constraint.column is not None:
        assert {f.column for f in failures} == {constraint.column}, failures
    elif constraint.constraint == "strict":
        assert {f.column for f in failures} == {EXTRA_COLUMN}
    else:
        assert [f.check for f in failures] == ["at least 5 rows"]
    if broken.rows and broken.leak == "values":   # the few broken rows, and only those, hold the values
        column = broken.frame[constraint.column].astype(object)
        assert all(column.iloc[r] in broken.values for r in broken.rows)


def test_values_breaking_a_range_sit_just_outside_it():
    assert _break(NegativeConstraint("payments", "amount", "min")).values == [-1.0]
    assert _break(NegativeConstraint("payments", "amount", "max")).values == [20.0]
    assert _break(NegativeConstraint("payments", "id", "max")).values == [100_001]
    assert _break(NegativeConstraint("payments", "id", "min")).values == [-1]
    assert _break(NegativeConstraint("payments", "ts", "min")).values == [pd.Timestamp("2023-12-31")]
    assert _break(NegativeConstraint("payments", "currency", "isin")).values == ["XXX"]


def test_a_duplicate_is_one_row_copied_onto_another():
    broken = _break(NegativeConstraint("payments", "id", "unique"))
    first, second = broken.rows
    assert broken.frame["id"].iloc[first] == broken.frame["id"].iloc[second] == broken.values[0]
    assert broken.frame["id"].duplicated().sum() == 1


@pytest.mark.parametrize("fmt, reader, error", [
    ("csv", pd.read_csv, pd.errors.ParserError),
    ("parquet", pd.read_parquet, ValueError),              # pyarrow.ArrowInvalid
    ("jsonl", lambda p: pd.read_json(p, lines=True), ValueError)])
def test_a_malformed_file_cannot_be_read(tmp_path, fmt, reader, error):
    from specrun.contract.io import write_port
    from specrun.spec.model import PortSpec

    broken = _break(NegativeConstraint("payments", None, "malformed"), fmt=fmt)
    path = tmp_path / f"payments.{fmt}"
    write_port(PortSpec("payments", format=fmt, schema=SCHEMA), broken.frame, path)
    reader(path)                     # the valid file reads
    broken.corrupt([path])
    with pytest.raises(error):
        reader(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas(rows=8), fmt=st.sampled_from(["csv", "parquet"]), seed=st.integers(0, 2**16))
def test_any_contract_broken_one_constraint_at_a_time(schema, fmt, seed):
    """Every derived input breaks the contract, and only on the column it names."""
    for constraint in negative_constraints("p", schema, fmt, TYPES):
        if constraint.constraint == "malformed":
            continue
        broken = _break(constraint, schema, fmt=fmt, rows=8, seed=seed)
        ok, failures = _failures(broken.frame, schema)
        assert not ok, (constraint.id, broken.description)
        if constraint.column is not None:
            assert {f.column for f in failures} == {constraint.column}, (constraint.id, failures)


_STAMPS = st.one_of(st.dates(dt.date(1600, 1, 1), dt.date(2300, 1, 1)),
                    st.datetimes(dt.datetime(1600, 1, 1), dt.datetime(2300, 1, 1)))


@settings(max_examples=150, deadline=None)
@given(low=st.none() | _STAMPS, high=st.none() | _STAMPS, isin=st.none() | st.lists(_STAMPS, min_size=1, max_size=3),
       textual=st.booleans())
@pytest.mark.parametrize("edge", [None, dt.date(1678, 1, 2), dt.date(1678, 1, 3), dt.date(2261, 12, 30),
                                  dt.date(2261, 12, 29), dt.datetime(1678, 1, 2, 0, 0, 1)])
def test_planning_names_the_datetime_constraints_whose_values_the_run_builds(edge, low, high, isin, textual):
    """Planning asks which constraints can be broken without pandas (violated_constraints);
    the run builds the values (violating_values): the two agree on every naive spec bound,
    the limits of pandas' nanosecond range included."""
    low = edge if edge is not None else low
    column = ColumnSpec("ts", "datetime", min=low, max=high, isin=isin)
    datetime_type = TYPES.get("datetime")
    try:
        built = {key for key, values in datetime_type.violating_values(column, textual).items() if values}
    except (OverflowError, ValueError):   # pandas cannot step past its own range: nothing to compare
        return
    assert datetime_type.violated_constraints(column, textual) == built


@given(a=_STAMPS, b=_STAMPS)
def test_datetime_bounds_compare_as_pandas_orders_them(a, b):
    datetime_type, column = TYPES.get("datetime"), ColumnSpec("ts", "datetime")
    ours, theirs = datetime_type.comparable(column, a), datetime_type.comparable(column, b)
    assert (ours < theirs) == (pd.Timestamp(a) < pd.Timestamp(b))
    assert (ours == theirs) == (pd.Timestamp(a) == pd.Timestamp(b))

"""Off-contract draws: every drawn frame breaks exactly the constraint drawn (the contract's
own validation says so), the rest of the contract holds, the share of off-contract
examples is what the scenario asks, and a failure shrinks to few rows and the simplest value."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from specrun.contract.negative_strategies import (
    BreakablePort,
    DrawnInputs,
    breakable_constraints,
    broken_input,
    off_contract_inputs,
)
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.spec.model import ColumnSpec, SchemaSpec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))
from contract_strategies import schemas  # noqa: E402

TYPES = TypeRegistry.builtin()
QUIET = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))

PAYMENTS = SchemaSpec("payments", {
    "id": ColumnSpec("id", "int", unique=True, min=0, max=100_000),
    "amount": ColumnSpec("amount", "float", min=0, max=10),
    "currency": ColumnSpec("currency", "str", isin=["USD", "EUR"]),
    "merchant": ColumnSpec("merchant", "str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
    "ts": ColumnSpec("ts", "datetime", min=dt.date(2024, 1, 1), max=dt.date(2024, 2, 1)),
    "kind": ColumnSpec("kind", "category", isin=["a", "b"]),
    "flag": ColumnSpec("flag", "bool", required=False),
}, rows_min=2, strict=True)
RATES = SchemaSpec("rates", {"code": ColumnSpec("code", "str", isin=["USD", "EUR"], unique=True),
                             "rate": ColumnSpec("rate", "float", min=0)})

# The pandera check that reports each constraint broken (by the start of its name).
CHECKS = {"min": ("in_range", "greater_than_or_equal_to", "str_length"),
          "max": ("in_range", "less_than_or_equal_to", "str_length"),
          "isin": ("isin",), "pattern": ("str_matches",), "type": ("dtype", "declared type"),
          "nullable": ("not_nullable",), "unique": ("field_uniqueness",),
          "required": ("column_in_dataframe",), "strict": ("column_in_schema",), "rows_min": ("at least",)}


def _failures(frame: pd.DataFrame, schema: SchemaSpec):
    return validate_frame(frame, to_pandera(schema, TYPES, {}))


def assert_breaks_only(drawn, schemas_by_port: dict[str, SchemaSpec]) -> None:
    """The broken port fails its contract on the drawn constraint alone; the others pass."""
    broken = drawn.broken
    constraint = broken.constraint
    for port, schema in schemas_by_port.items():
        ok, failures = _failures(drawn.frames[port], schema)
        if port != constraint.port:
            assert ok, (port, failures)
            continue
        assert not ok, (constraint.id, broken.description)
        expected = [f for f in failures if f.check.startswith(CHECKS[constraint.constraint])]
        assert expected, (constraint.id, failures)
        # what else fails is the storage of the same column, which cannot hold the value in
        # the declared dtype (a null in a bool column, an unknown category); a column of the
        # wrong type fails its value checks too
        others = [f for f in failures if f not in expected]
        if constraint.constraint != "type":
            assert all(f.check.startswith(CHECKS["type"]) for f in others), (constraint.id, failures)
        if constraint.column is not None:
            assert {f.column for f in failures} == {constraint.column}, (constraint.id, failures)
        if broken.leak == "values":   # the drawn rows hold the drawn values
            column = broken.frame[constraint.column].astype(object)
            assert all(column.iloc[row] in broken.values for row in broken.rows)


@QUIET
@given(schema=schemas(rows=6), fmt=st.sampled_from(["csv", "parquet"]), data=st.data())
def test_every_off_contract_frame_breaks_exactly_the_drawn_constraint(schema, fmt, data):
    port = BreakablePort("p", schema, fmt)
    if not breakable_constraints(port, TYPES, 6):
        with pytest.raises(ValueError):
            off_contract_inputs([port], TYPES, 6, 1.0)
        return
    drawn = data.draw(off_contract_inputs([port], TYPES, 6, 1.0))
    assert drawn.broken is not None and drawn.port is port
    assert_breaks_only(drawn, {"p": schema})


@pytest.mark.slow
@QUIET
@given(fmt=st.sampled_from(["csv", "parquet"]), data=st.data())
def test_one_port_is_broken_and_the_others_stay_valid(fmt, data):
    ports = [BreakablePort("payments", PAYMENTS, fmt), BreakablePort("rates", RATES, fmt)]
    drawn = data.draw(off_contract_inputs(ports, TYPES, 6, 1.0))
    assert set(drawn.frames) == {"payments", "rates"}
    assert_breaks_only(drawn, {"payments": PAYMENTS, "rates": RATES})


def test_every_constraint_but_a_malformed_file_can_be_drawn():
    ids = {b.constraint.id for b in breakable_constraints(BreakablePort("payments", PAYMENTS, "parquet"), TYPES, 6)}
    assert "payments.malformed" not in ids
    assert {"payments.id.unique", "payments.currency.isin", "payments.merchant.pattern", "payments.flag.type",
            "payments.ts.min", "payments.rows_min", "payments.strict", "payments.id.required"} <= ids


BREAKABLE = [b for fmt in ("parquet", "csv")
             for b in breakable_constraints(BreakablePort("payments", PAYMENTS, fmt), TYPES, 6)]


@pytest.mark.parametrize("breakable", BREAKABLE, ids=lambda b: f"{b.port.fmt}-{b.constraint.id}")
def test_each_constraint_drawn_breaks_only_itself(breakable):
    @settings(max_examples=15, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(broken_input(breakable, TYPES))
    def check(broken):
        assert broken.constraint == breakable.constraint
        assert_breaks_only(DrawnInputs({"payments": broken.frame}, broken), {"payments": PAYMENTS})

    check()


def test_a_contract_with_no_room_to_break_leaves_the_constraint_out():
    single = SchemaSpec("s", {"code": ColumnSpec("code", "str", isin=["USD"], unique=True)})
    ids = {b.constraint.id for b in breakable_constraints(BreakablePort("s", single, "csv"), TYPES, 6)}
    assert "s.code.unique" not in ids and "s.code.isin" in ids       # one value cannot repeat
    no_rows = {b.constraint.id for b in breakable_constraints(BreakablePort("s", single, "csv"), TYPES, 0)}
    assert no_rows == {"s.code.required"}                             # max_rows 0: only a missing column
    with pytest.raises(ValueError, match="no generated input has a constraint"):
        off_contract_inputs([], TYPES, 6, 1.0)


@pytest.mark.slow
def test_a_share_makes_about_that_part_of_the_examples_off_contract():
    port = BreakablePort("rates", RATES, "parquet")
    seen: list[bool] = []

    @settings(max_examples=600, database=None, deadline=None, phases=[Phase.generate], derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(off_contract_inputs([port], TYPES, 4, 0.2))
    def collect(example):
        seen.append(example.broken is not None)
        if example.broken is None:      # a valid example is valid
            ok, failures = _failures(example.frames["rates"], RATES)
            assert ok, (failures, example.frames["rates"])

    collect()
    assert len(seen) > 300 and 0.1 < sum(seen) / len(seen) < 0.3, (len(seen), sum(seen) / len(seen))


SMALL = SchemaSpec("orders", {"id": ColumnSpec("id", "int", unique=True),
                              "amount": ColumnSpec("amount", "float", min=0, max=10)}, rows_min=2)
SHRINK = settings(database=None, max_examples=1000, derandomize=True, suppress_health_check=list(HealthCheck))


def test_a_failure_shrinks_to_few_rows_and_the_first_value_offered():
    port = BreakablePort("orders", SMALL, "csv")
    offered = {b.constraint.id: b.offered for b in breakable_constraints(port, TYPES, 8)}
    # "the script passes on any bad value of amount": the simplest such input
    minimal = find(off_contract_inputs([port], TYPES, 8, 1.0),
                   lambda d: d.broken.constraint.column == "amount" and d.broken.leak == "values", settings=SHRINK)
    broken, frame = minimal.broken, minimal.frames["orders"]
    assert len(frame) == 2                       # rows.min 2: the fewest rows a valid frame has
    assert broken.values == [offered[broken.constraint.id][0]]
    assert broken.rows == ([0, 1] if broken.constraint.constraint == "type" else [0])
    assert frame["amount"].iloc[0] == broken.values[0]


def test_a_failing_duplicate_shrinks_to_the_first_two_rows():
    port = BreakablePort("orders", SMALL, "parquet")
    minimal = find(off_contract_inputs([port], TYPES, 8, 1.0), lambda d: d.broken.constraint.id == "orders.id.unique",
                   settings=SHRINK)
    frame = minimal.frames["orders"]
    assert len(frame) == 2 and minimal.broken.rows == [0, 1]
    assert frame["id"].iloc[0] == frame["id"].iloc[1] == minimal.broken.values[0]

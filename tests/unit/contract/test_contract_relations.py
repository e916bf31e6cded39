"""unchanged / relation on frames: pairing, exact comparison, the expression grammar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.contract.relations import check_relation, check_unchanged
from specrun.spec.relation_expr import relation_expression

IN = pd.DataFrame({"id": [1, 2, 3], "amount": [1.5, None, 3.25], "rate": [2.0, 1.0, 0.5],
                   "code": ["a", None, "c"]})
PARAMS = {"output": "out", "input": "rows"}


def test_nulls_that_stay_null_are_unchanged():
    result = check_unchanged(IN, IN.copy(), {**PARAMS, "key": "id"})
    assert result.ok, result.message


def test_a_null_filled_in_is_a_change():
    out = IN.assign(code=["a", "b", "c"])
    result = check_unchanged(IN, out, {**PARAMS, "key": "id", "columns": ["code"]})
    assert not result.ok and "'code' (1 of 3 rows)" in result.message and "id=2" in result.message


@given(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False))
def test_a_float32_round_trip_is_a_change_unless_it_is_exact(value):
    frame = pd.DataFrame({"id": [1], "x": [value]})
    out = frame.assign(x=frame["x"].astype(np.float32).astype(np.float64))
    result = check_unchanged(frame, out, {**PARAMS, "key": "id"})
    assert result.ok is (float(np.float32(value)) == value)


def test_a_key_that_is_not_unique_in_the_input_fails():
    frame = pd.DataFrame({"id": [1, 1], "x": [1.0, 2.0]})
    result = check_unchanged(frame, frame, {**PARAMS, "key": "id"})
    assert not result.ok and "not unique in the input" in result.message


def test_positions_need_equal_row_counts():
    result = check_unchanged(IN, IN.head(2), PARAMS)
    assert not result.ok and "declare 'key'" in result.message


def test_relation_within_tolerance_and_parenthesised_sides():
    out = pd.DataFrame({"id": [3, 1], "usd": [1.625 + 1e-9, 3.0]})
    params = {**PARAMS, "key": "id", "expr": "(out.usd) == (in.amount * in.rate)"}
    assert not check_relation(IN.drop(index=1), out, params).ok
    assert check_relation(IN.drop(index=1), out, {**params, "tolerance": 1e-6}).ok


@pytest.mark.parametrize("expr, fragment", [
    ("out.x == y", "y is not a column"),
    ("open('f')", "names no column"),
    ("out.x == eval('1')", "eval is not a column"),
    ("out.x ==", "is not an expression"),
])
def test_expressions_that_are_refused(expr, fragment):
    with pytest.raises(ValueError, match=fragment):
        relation_expression(expr)


def test_backticks_and_math_functions():
    assert relation_expression("abs(out.`a b` - in.c) < 1") == "abs(`out.a b` - `in.c`) < 1"

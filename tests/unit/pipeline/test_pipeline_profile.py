"""Profiles of a port's data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.analysis.profile import QUANTILES, ValueCount, profile_frame, quantile_key
from specrun.results import to_jsonable


def sample_frame():
    return pd.DataFrame({
        "amount": [10.0, 20.0, None, 40.0, 50.0, np.nan],
        "count": pd.array([1, 2, 3, None, 5, 5], dtype="Int64"),
        "currency": ["USD", "EUR", "USD", None, "USD", "GBP"],
        "kind": pd.Categorical(["a", "a", "b", "a", None, "a"], categories=["a", "b", "unused"]),
        "flag": [True, False, True, True, True, False],
        "ts": pd.to_datetime(["2024-01-05", "2024-03-01", None, "2024-01-01", "2024-02-01", "2024-02-01"]),
    })


def test_numeric_columns_are_summarised_like_pandas():
    frame = sample_frame()
    profile = profile_frame(frame, "clean.table", nbytes=1234)
    assert (profile.port, profile.rows, profile.columns, profile.nbytes) == (
        "clean.table", 6, list(frame.columns), 1234)
    amount = profile.column("amount")
    assert (amount.kind, amount.nulls, amount.null_fraction, amount.distinct) == ("numeric", 2, 2 / 6, 4)
    assert (amount.min, amount.max) == (10.0, 50.0)
    assert amount.mean == pytest.approx(frame["amount"].mean())
    assert amount.std == pytest.approx(frame["amount"].std())
    expected = frame["amount"].quantile(list(QUANTILES))
    assert amount.quantiles == pytest.approx({quantile_key(q): expected[q] for q in QUANTILES})
    count = profile.column("count")
    assert (count.min, count.max, count.distinct, count.nulls) == (1, 5, 4, 1)
    assert isinstance(count.min, int)


def test_text_category_and_bool_columns_get_their_frequent_values():
    profile = profile_frame(sample_frame(), "p")
    currency = profile.column("currency")
    assert (currency.kind, currency.distinct, currency.nulls) == ("text", 3, 1)
    assert currency.top_values[0] == ValueCount("USD", 3)
    kind = profile.column("kind")
    assert (kind.kind, kind.distinct) == ("categorical", 2)           # the unused category is not counted
    assert kind.top_values == [ValueCount("a", 4), ValueCount("b", 1)]
    flag = profile.column("flag")
    assert (flag.kind, flag.top_values) == ("bool", [ValueCount(True, 4), ValueCount(False, 2)])
    assert flag.mean is None


def test_datetime_columns_have_a_range():
    ts = profile_frame(sample_frame(), "p").column("ts")
    assert (ts.kind, ts.distinct, ts.nulls) == ("datetime", 4, 1)
    assert (ts.min, ts.max) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-01"))


def test_empty_and_all_null_frames():
    empty = profile_frame(pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=str)}), "p")
    assert empty.rows == 0
    assert [(c.null_fraction, c.distinct, c.min) for c in empty.column_profiles.values()] == [(0.0, 0, None)] * 2
    nulls = profile_frame(pd.DataFrame({"a": [np.nan, np.nan]}), "p").column("a")
    assert (nulls.null_fraction, nulls.distinct, nulls.mean, nulls.quantiles) == (1.0, 0, None, {})


def test_infinities_show_in_the_range_but_not_in_the_moments():
    column = profile_frame(pd.DataFrame({"x": [1.0, 3.0, np.inf]}), "p").column("x")
    assert (column.min, column.max, column.mean) == (1.0, np.inf, 2.0)


def test_duplicate_column_names_are_kept_apart():
    frame = pd.DataFrame([[1, "a"]], columns=["x", "x"])
    profile = profile_frame(frame, "p")
    assert profile.columns == ["x", "x.1"]
    assert profile.dtypes == {"x": "int64", "x.1": str(frame.iloc[:, 1].dtype)}


def test_profile_serialises_to_json():
    record = json.loads(json.dumps(to_jsonable(profile_frame(sample_frame(), "p"))))
    assert record["column_profiles"]["ts"]["min"] == "2024-01-01T00:00:00"
    assert record["column_profiles"]["currency"]["top_values"][0] == {"value": "USD", "count": 3}
    assert record["column_profiles"]["amount"]["quantiles"]["p50"] == 30.0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.none() | st.integers(-1000, 1000), max_size=40),
       st.lists(st.none() | st.sampled_from(["x", "y", "z", ""]), max_size=40))
def test_profile_invariants_hold_for_generated_columns(numbers, words):
    frame = pd.DataFrame({"n": pd.array(numbers, dtype="Int64")}).join(
        pd.DataFrame({"w": pd.Series(words, dtype="str")}), how="outer")
    profile = profile_frame(frame, "p")
    for name, column in profile.column_profiles.items():
        series = frame[name]
        assert 0.0 <= column.null_fraction <= 1.0
        assert column.nulls == series.isna().sum()
        assert column.distinct == series.nunique(dropna=True) <= profile.rows - column.nulls
        assert sum(v.count for v in column.top_values) <= profile.rows - column.nulls
    n = profile.column("n")
    if n.distinct:
        quantiles = [n.quantiles[quantile_key(q)] for q in QUANTILES]
        assert n.min <= quantiles[0] and quantiles == sorted(quantiles) and quantiles[-1] <= n.max
    json.dumps(to_jsonable(profile))

"""The sort-based numeric profile gives, to the bit, the profile the hashing/partitioning code
gave (issue 15 point 1): the old code is kept here as the reference and every field of every
column's profile is compared through ``repr`` (exact floats, ``-0.0``, NaN, numpy vs Python types)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from specrun.analysis import profile as profile_module
from specrun.analysis.profile import (
    QUANTILES,
    ColumnProfile,
    finite_part,
    negative_zero,
    profile_frame,
    quantile_key,
    sorted_distinct,
    sorted_quantiles,
)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::numpy.exceptions.ComplexWarning")


def reference_numeric_summary(series: pd.Series, profile: ColumnProfile) -> None:
    """The numeric summary as it was before the sort: pd.unique and np.quantile."""
    numpy_dtype = np.dtype(getattr(series.dtype, "numpy_dtype", series.dtype))
    values = series.dropna().to_numpy(dtype=numpy_dtype)
    profile.distinct = int(pd.unique(values).size)
    if values.size == 0:
        return
    profile.min, profile.max = values.min().item(), values.max().item()
    finite = values.astype(np.float64, copy=False)
    if numpy_dtype.kind == "f" and not np.isfinite(finite).all():
        finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        profile.mean = float(finite.mean())
        profile.std = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
        qs = np.quantile(finite, QUANTILES)
    profile.quantiles = {quantile_key(q): float(v) for q, v in zip(QUANTILES, qs, strict=True)}


def reference_profile(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(profile_module, "_numeric_summary", reference_numeric_summary)
        return repr(profile_frame(frame, "port", nbytes=7))


def same_profile(make: Callable[[], pd.DataFrame], monkeypatch: pytest.MonkeyPatch) -> None:
    assert repr(profile_frame(make(), "port", nbytes=7)) == reference_profile(make(), monkeypatch)


SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-310, -1e-310, 1e308, -1e308, 1.7976931348623157e308,
                  -1.7976931348623157e308, np.inf, -np.inf, np.nan, 2.0**53, 2.0**53 + 2, 0.1, 0.2, 0.3]
floats = st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(-1e3, 1e3), st.integers(-5, 5).map(float))
int64s = st.one_of(st.integers(-5, 5), st.integers(-(2**63), 2**63 - 1),
                   st.sampled_from([2**53, 2**53 + 1, 2**62, -(2**63), 2**63 - 1]))
uint64s = st.one_of(st.integers(0, 5), st.integers(0, 2**64 - 1), st.sampled_from([2**63, 2**64 - 1, 2**53 + 1]))


def column_strategy(size: int) -> st.SearchStrategy[Callable[[], pd.Series]]:
    """Makers of a column, so each profile gets its own fresh one (pandas caches engines on a
    column's categories, which changes what memory_usage reports the second time)."""
    def of(elements: st.SearchStrategy, make):
        return st.lists(elements, min_size=size, max_size=size).map(lambda v: lambda: make(v))

    maybe = lambda elements: st.one_of(st.none(), elements)   # noqa: E731
    return st.one_of(
        of(floats, lambda v: pd.Series(v, dtype="float64")),
        of(floats, lambda v: pd.Series(v, dtype="float32")),
        of(st.floats(-6e4, 6e4, width=16), lambda v: pd.Series(v, dtype="float16")),
        of(int64s, lambda v: pd.Series(v, dtype="int64")),
        of(uint64s, lambda v: pd.Series(v, dtype="uint64")),
        of(st.integers(-128, 127), lambda v: pd.Series(v, dtype="int8")),
        of(st.integers(0, 2**32 - 1), lambda v: pd.Series(v, dtype="uint32")),
        of(maybe(int64s), lambda v: pd.Series(pd.array(v, dtype="Int64"))),
        of(maybe(uint64s), lambda v: pd.Series(pd.array(v, dtype="UInt64"))),
        of(maybe(st.integers(-3, 3)), lambda v: pd.Series(pd.array(v, dtype="Int8"))),
        of(maybe(floats), lambda v: pd.Series(pd.array(v, dtype="Float64"))),
        of(maybe(floats), lambda v: pd.Series(pd.array(v, dtype="Float32"))),
        of(maybe(st.booleans()), lambda v: pd.Series(pd.array(v, dtype="boolean"))),
        of(st.booleans(), lambda v: pd.Series(v, dtype="bool")),
        of(st.complex_numbers(max_magnitude=1e6, allow_nan=False), lambda v: pd.Series(v, dtype="complex128")),
        of(maybe(st.sampled_from(["a", "b", "", "é"])), lambda v: pd.Series(v, dtype="str")),
        of(maybe(st.sampled_from(["x", "y"])), lambda v: pd.Series(pd.Categorical(v))),
        of(maybe(st.datetimes(timezones=st.sampled_from([None]))), lambda v: pd.Series(pd.to_datetime(v))),
        of(maybe(st.integers(0, 10**9)),
           lambda v: pd.Series(pd.to_datetime(v, unit="s")).dt.tz_localize("Europe/Paris", ambiguous="NaT",
                                                                           nonexistent="NaT")),
    )


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), rows=st.integers(0, 40))
def test_profile_equals_the_reference_over_many_dtypes(data, rows, monkeypatch):
    width = data.draw(st.integers(1, 4))
    makers = [data.draw(column_strategy(rows)) for _ in range(width)]
    same_profile(lambda: pd.DataFrame({f"c{i}": make() for i, make in enumerate(makers)}), monkeypatch)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=60),
       quantiles=st.lists(st.floats(0, 1), min_size=1, max_size=6).map(tuple))
def test_sorted_quantiles_are_np_quantile_to_the_bit(values, quantiles):
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    assume(not negative_zero(np.asarray(values, dtype=np.float64)))   # profile uses np.quantile then
    with np.errstate(over="ignore", invalid="ignore"):
        expected = np.quantile(np.asarray(values, dtype=np.float64), quantiles)
        got = sorted_quantiles(ordered, quantiles)
    assert got.tobytes() == expected.tobytes()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.integers(-2**63, 2**63 - 1), min_size=1, max_size=60)
       | st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=60),
       quantiles=st.lists(st.floats(0, 1), min_size=1, max_size=6).map(tuple))
@example(values=[-2**63, 2**63 - 1], quantiles=(0.5, 0.3))
@example(values=[-2**62 - 1, 2**62 + 7, 0], quantiles=(0.25, 0.95))
def test_sorted_quantiles_of_ints_are_np_quantile_of_their_floats(values, quantiles):
    """An int column's quantiles are interpolated from its sorted ints, only the picked values
    cast: to the bit np.quantile of the column cast to float64, extremes included (a difference
    taken in int64 would overflow)."""
    array = np.asarray(values, dtype=np.uint64 if max(values) > 2**63 - 1 else np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = np.quantile(array.astype(np.float64), quantiles)
        got = sorted_quantiles(np.sort(array), quantiles)
    assert got.tobytes() == expected.tobytes()


@given(values=st.lists(floats, max_size=60))
def test_the_finite_part_of_a_sorted_array_is_its_finite_values(values):
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    part = finite_part(ordered)
    assert part.base is ordered or part is ordered or part.size == 0
    assert part.tobytes() == ordered[np.isfinite(ordered)].tobytes()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(floats, max_size=60))
def test_sorted_distinct_counts_like_pd_unique(values):
    array = np.asarray(values, dtype=np.float64)
    assert sorted_distinct(np.sort(array)) == pd.unique(array).size


@pytest.mark.parametrize("values", [
    [], [np.nan], [np.nan, np.nan], [0.0, -0.0], [-0.0], [np.inf, -np.inf], [np.inf, np.nan, 1.0],
    [1.7976931348623157e308, -1.7976931348623157e308, 1e308], [1e308, 1e308, 1e308],
    [0.0] * 18 + [-0.0] + [0.0] * 3, [-0.0] * 5 + [0.0] * 7 + [1.0],
])
def test_edge_columns(values, monkeypatch):
    same_profile(lambda: pd.DataFrame({"f": pd.Series(values, dtype="float64"),
                                       "F": pd.Series(pd.array(values, dtype="Float64"))}), monkeypatch)


def test_nullable_float_nan_that_is_not_na(monkeypatch):
    """A Float64 array may hold NaN besides NA (pandas' "nan is na" option off): dropna keeps it,
    pd.unique counts it once, and min/max show it."""
    array = pd.arrays.FloatingArray(np.array([np.nan, 1.0, np.nan, 0.0, -0.0, 2.0]),
                                    np.array([False, False, False, True, False, False]))
    series = pd.Series(array)
    if int(series.isna().sum()) != 1:
        pytest.skip("this pandas turns NaN into NA in a FloatingArray")
    same_profile(lambda: pd.DataFrame({"x": series.copy()}), monkeypatch)


def test_a_large_column_is_profiled_identically(monkeypatch):
    rng = np.random.default_rng(3)
    rows = 200_000
    amount = rng.lognormal(3.0, 1.0, rows)
    amount[rng.random(rows) < 0.02] = np.nan
    amount[:3] = [np.inf, -np.inf, -0.0]
    frame = pd.DataFrame({"id": np.arange(rows), "amount": amount,
                          "count": pd.array(rng.integers(0, 50, rows), dtype="Int64"),
                          "big": rng.integers(-(2**63), 2**63 - 1, rows, dtype=np.int64),
                          "ts": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
                              rng.integers(0, 10**7, rows), unit="s")})
    same_profile(frame.copy, monkeypatch)

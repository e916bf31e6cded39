"""Profiles of a port's data: the facts data evolution and drift reports compare.

A :class:`DataProfile` holds rows, columns, dtypes and, per column, the null fraction,
distinct count, numeric summary (min/max/mean/std and 5/25/50/75/95 % quantiles),
datetime range, or the most frequent values of text, category and bool columns.
Everything is a plain dataclass, serialisable with :func:`specrun.results.to_jsonable`.
Numeric work is done once per column on a numpy array: one ``np.sort`` gives the distinct
count and the quantiles (to the bit what ``pd.unique`` and ``np.quantile`` give), so a 2M-row
frame of five numeric columns profiles in ~0.15 s (``bench/profile_speed.py``, ``bench/bench_profile.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from pandas.api import types as ptypes
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    ptypes = lazy_module("pandas.api.types")

# How a column is summarised, from its pandas dtype (which each column type declares),
# so a plugin type's column is profiled like a built-in one of the same dtype.
NUMERIC = "numeric"
DATETIME = "datetime"
BOOL = "bool"
CATEGORICAL = "categorical"
TEXT = "text"
OTHER = "other"
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
TOP_VALUES = 10


@dataclass
class ValueCount:
    """One frequent value of a column and how many rows hold it."""

    value: Any
    count: int


@dataclass
class ColumnProfile:
    """Summary of one column; the fields that do not apply to its kind stay empty."""

    name: str
    dtype: str
    kind: str                    # numeric | datetime | bool | categorical | text | other
    nulls: int
    null_fraction: float         # 0.0 for an empty frame
    distinct: int                # distinct non-null values
    memory_bytes: int
    min: Any = None
    max: Any = None
    mean: float | None = None
    std: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)   # "p05", "p25", "p50", "p75", "p95"
    top_values: list[ValueCount] = field(default_factory=list)


@dataclass
class DataProfile:
    """The profile of the data on one port."""

    port: str
    rows: int
    columns: list[str]
    dtypes: dict[str, str]
    column_profiles: dict[str, ColumnProfile]
    memory_bytes: int            # in memory (pandas, deep)
    nbytes: int | None = None    # on disk, when the caller knows it

    def column(self, name: str) -> ColumnProfile:
        return self.column_profiles[name]


def quantile_key(q: float) -> str:
    """``0.05`` → ``"p05"``: the key of a quantile in :attr:`ColumnProfile.quantiles`."""
    return f"p{round(q * 100):02d}"


def column_kind(series: pd.Series) -> str:
    """How a column is summarised: numeric, datetime, bool, categorical, text or other."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return BOOL
    if isinstance(dtype, pd.CategoricalDtype):
        return CATEGORICAL
    if ptypes.is_numeric_dtype(dtype):
        return NUMERIC
    if ptypes.is_datetime64_any_dtype(dtype):
        return DATETIME
    if ptypes.is_string_dtype(dtype):
        return TEXT
    return OTHER


def _numeric_summary(series: pd.Series, profile: ColumnProfile) -> None:
    numpy_dtype = np.dtype(getattr(series.dtype, "numpy_dtype", series.dtype))
    values = series.dropna().to_numpy(dtype=numpy_dtype)
    if numpy_dtype.kind not in "iuf":          # complex: no order to sort by
        _numeric_summary_unsorted(values, numpy_dtype, profile)
        return
    if values.size == 0:
        return
    profile.min, profile.max = values.min().item(), values.max().item()   # ±inf shows here
    # The moments first, on the unsorted values (the summation order is numpy's), so their
    # float64 copy and numpy's temporaries are gone before the sort makes its copy: at most
    # three column-sized arrays exist at once, not five.
    finite = values.astype(np.float64, copy=False)
    if numpy_dtype.kind == "f" and not np.isfinite(finite).all():
        finite = finite[np.isfinite(finite)]
    zero_sign = numpy_dtype.kind == "f" and negative_zero(finite)
    with np.errstate(over="ignore", invalid="ignore"):     # values near float max overflow to inf
        if finite.size:
            profile.mean = float(finite.mean())
            profile.std = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
        # which zero np.quantile lands on is its partition's: a -0.0 gets np.quantile itself
        qs = np.quantile(finite, QUANTILES) if zero_sign else None
    count = finite.size
    del finite
    # One sort gives both the distinct count and the quantiles: pd.unique hashes every
    # value and np.quantile partitions a copy, each dearer than the sort on large columns.
    ordered = np.sort(values)
    del values
    profile.distinct = sorted_distinct(ordered)
    if count == 0:
        return
    if qs is None:
        with np.errstate(over="ignore", invalid="ignore"):
            qs = sorted_quantiles(finite_part(ordered), QUANTILES)
    profile.quantiles = {quantile_key(q): float(v) for q, v in zip(QUANTILES, qs, strict=True)}


def finite_part(ordered: np.ndarray) -> np.ndarray:
    """The finite values of a sorted 1-d int or float array, as a view: ``np.sort`` puts
    -inf first and +inf, then NaN, last."""
    if ordered.dtype.kind != "f":
        return ordered
    low = int(np.searchsorted(ordered, -np.inf, "right"))
    high = int(np.searchsorted(ordered, np.inf, "left"))
    return ordered[low:high]


def _numeric_summary_unsorted(values: np.ndarray, numpy_dtype: np.dtype, profile: ColumnProfile) -> None:
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


def sorted_distinct(ordered: np.ndarray) -> int:
    """How many distinct values a sorted 1-d array holds, counted as ``pd.unique`` does:
    ``0.0`` and ``-0.0`` are one value, and so are all NaNs (which ``np.sort`` puts last)."""
    if ordered.size == 0:
        return 0
    nans = 0
    if ordered.dtype.kind == "f" and np.isnan(ordered[-1]):
        nans = int(np.count_nonzero(np.isnan(ordered)))
        ordered = ordered[:ordered.size - nans]
    changes = int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if ordered.size else 0
    return changes + (1 if nans else 0)


def negative_zero(values: np.ndarray) -> bool:
    """Whether float ``values`` hold a ``-0.0``: np.sort may write it back as ``0.0``, and
    which zero np.quantile lands on is its partition's."""
    return bool(np.signbit(values[values == 0]).any())


def sorted_quantiles(ordered: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """``np.quantile(ordered.astype(np.float64), quantiles)`` (default "linear" method), to the
    bit, for a sorted non-empty 1-d int or float array without NaN or infinities: the same
    index arithmetic and the same interpolation as numpy's, without its partition of a copy
    of the whole array.  Only the values it interpolates between are cast to float64 (a
    monotone cast: casting them after the sort picks the same values)."""
    n = ordered.size
    q = np.asarray(quantiles, dtype=np.float64)
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1
    previous[above] = -1
    following[above] = -1
    previous_at, following_at = previous.astype(np.intp), following.astype(np.intp)
    low = ordered[previous_at].astype(np.float64)
    high = ordered[following_at].astype(np.float64)
    gamma = np.asarray(virtual - previous_at, dtype=virtual.dtype)
    diff = high - low
    result = np.add(low, diff * gamma)
    np.subtract(high, diff * (1 - gamma), out=result, where=gamma >= 0.5,
                casting="unsafe", dtype=type(result.dtype))
    return result


def _value_counts(series: pd.Series) -> pd.Series:
    try:
        counts = series.value_counts(dropna=True, sort=True)
    except TypeError:                         # unhashable cells (lists, dicts)
        counts = series.dropna().astype(str).value_counts(sort=True)
    return counts[counts > 0]


def _frequent_summary(series: pd.Series, profile: ColumnProfile) -> None:
    counts = _value_counts(series)
    profile.distinct = int(counts.size)
    profile.top_values = [ValueCount(_plain(value), int(count))
                          for value, count in counts.head(TOP_VALUES).items()]


def _datetime_summary(series: pd.Series, profile: ColumnProfile) -> None:
    profile.distinct = int(series.nunique(dropna=True))
    if profile.distinct:
        profile.min, profile.max = series.min(), series.max()


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value


def profile_column(series: pd.Series, name: str) -> ColumnProfile:
    """The profile of one column."""
    rows = len(series)
    nulls = int(series.isna().sum())
    kind = column_kind(series)
    profile = ColumnProfile(name=name, dtype=str(series.dtype), kind=kind, nulls=nulls,
                            null_fraction=nulls / rows if rows else 0.0, distinct=0,
                            memory_bytes=int(series.memory_usage(index=False, deep=True)))
    if kind == NUMERIC:
        _numeric_summary(series, profile)
    elif kind == DATETIME:
        _datetime_summary(series, profile)
    else:
        _frequent_summary(series, profile)
    return profile


def profile_frame(frame: pd.DataFrame, port: str, nbytes: int | None = None) -> DataProfile:
    """The profile of ``frame`` as read from ``port``; ``nbytes`` is its size on disk."""
    names: list[str] = []
    for raw in frame.columns:                  # duplicate names get pandas' ".1" suffixes
        name, copy = str(raw), 0
        while name in names:
            copy += 1
            name = f"{raw}.{copy}"
        names.append(name)
    return assembled([profile_column(frame.iloc[:, i], name) for i, name in enumerate(names)],
                     port, len(frame), nbytes)


def assembled(columns: list[ColumnProfile], port: str, rows: int, nbytes: int | None = None) -> DataProfile:
    """The profile of a port's data of ``rows`` rows from its columns' profiles, in column order
    (what :func:`profile_frame` gives for the frame of those columns)."""
    by_name = {c.name: c for c in columns}
    return DataProfile(port=port, rows=rows, columns=[c.name for c in columns],
                       dtypes={name: c.dtype for name, c in by_name.items()},
                       column_profiles=by_name,
                       memory_bytes=sum(c.memory_bytes for c in by_name.values()),
                       nbytes=nbytes)

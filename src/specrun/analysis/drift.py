"""Distribution drift between two samples of the same data (synthetic vs real, run vs run).

* :func:`psi` — population stability index.  Numeric samples are cut into ``bins``
  quantile bins of the *expected* sample (``-inf``/``+inf`` outer edges, ties merged);
  other samples are compared category by category.  Empty bins get a share of
  :data:`EPSILON` so the logarithm stays finite.  PSI is ``sum((a - e) * ln(a / e))``,
  never negative; by custom < 0.1 is stable, 0.1–0.2 a moderate shift, > 0.2 drift.
* :func:`ks_statistic` — two-sample Kolmogorov–Smirnov D: the largest distance between
  the two empirical CDFs, in [0, 1] and symmetric.
* :func:`compare_frames` — one :class:`ColumnDrift` per column of either frame, flagging
  PSI / KS past :class:`DriftThresholds` and schema changes (columns added, removed,
  dtype changed).

Nulls are dropped before comparing (the null fractions are reported alongside);
datetimes compare as numbers (UTC nanoseconds); bools compare as categories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..spec.model import Location, SpecError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from pandas.api import types as ptypes
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    ptypes = lazy_module("pandas.api.types")

EPSILON = 1e-4


@dataclass(frozen=True)
class DriftThresholds:
    """A column drifts when its PSI or KS statistic is larger than these."""

    psi: float = 0.2
    ks: float = 0.1

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None, location: Location | None = None) -> DriftThresholds:
        """Thresholds from a spec mapping ``{psi: 0.25, ks: 0.05}``; bad keys are SpecErrors."""
        values: dict[str, float] = {}
        for key, value in (mapping or {}).items():
            where = location.child(key) if location else None
            if key not in ("psi", "ks"):
                raise SpecError(f"unknown drift threshold {key!r} (known: psi, ks)", where)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SpecError(f"{key} must be a number >= 0, not {value!r}", where)
            values[key] = float(value)
        return cls(**values)


@dataclass
class ColumnDrift:
    """How one column differs between sample ``a`` (expected) and ``b`` (actual)."""

    column: str
    kind: str                        # numeric | categorical | schema
    drifted: bool
    psi: float | None = None
    ks: float | None = None
    change: str | None = None        # added | removed | dtype (schema changes)
    dtype_before: str | None = None
    dtype_after: str | None = None
    null_fraction_before: float | None = None
    null_fraction_after: float | None = None
    message: str = ""


def is_numeric_sample(values: pd.Series) -> bool:
    """Numbers and datetimes are binned by quantiles; everything else by category."""
    dtype = values.dtype
    return not ptypes.is_bool_dtype(dtype) and (ptypes.is_numeric_dtype(dtype) or ptypes.is_datetime64_any_dtype(dtype))


def _numbers(values: pd.Series) -> np.ndarray:
    values = values.dropna()
    if ptypes.is_datetime64_any_dtype(values.dtype):
        if getattr(values.dtype, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return values.dt.as_unit("ns").astype("int64").to_numpy(dtype=np.float64)
    return values.to_numpy(dtype=np.float64)


def _sample(values: Any, what: str) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if series.notna().sum() == 0:
        raise ValueError(f"the {what} sample has no non-null values")
    return series


def _psi_from_shares(expected: np.ndarray, actual: np.ndarray) -> float:
    e, a = np.maximum(expected, EPSILON), np.maximum(actual, EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def _shares(values: pd.Series) -> pd.Series:
    shares = values.dropna().value_counts(normalize=True)
    shares.index = pd.Index(shares.index.to_numpy(dtype=object), dtype=object)   # plain labels
    return shares


def psi(expected: Any, actual: Any, bins: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected`` (array-likes or Series)."""
    if bins < 1:
        raise ValueError("bins must be >= 1")
    e_series, a_series = _sample(expected, "expected"), _sample(actual, "actual")
    if is_numeric_sample(e_series) and is_numeric_sample(a_series):
        e, a = _numbers(e_series), _numbers(a_series)
        finite = e[np.isfinite(e)]
        cuts = np.quantile(finite, np.linspace(0.0, 1.0, bins + 1))[1:-1] if finite.size else np.array([])
        edges = np.unique(cuts)
        e_counts = np.bincount(np.searchsorted(edges, e, side="right"), minlength=edges.size + 1)
        a_counts = np.bincount(np.searchsorted(edges, a, side="right"), minlength=edges.size + 1)
        return _psi_from_shares(e_counts / e.size, a_counts / a.size)
    e_shares, a_shares = _shares(e_series), _shares(a_series)
    categories = e_shares.index.union(a_shares.index)
    return _psi_from_shares(e_shares.reindex(categories, fill_value=0.0).to_numpy(dtype=np.float64),
                            a_shares.reindex(categories, fill_value=0.0).to_numpy(dtype=np.float64))


def ks_statistic(a: Any, b: Any) -> float:
    """Two-sample Kolmogorov–Smirnov D statistic of two numeric samples (nulls dropped)."""
    x, y = np.sort(_numbers(_sample(a, "first"))), np.sort(_numbers(_sample(b, "second")))
    points = np.concatenate([x, y])
    cdf_x = np.searchsorted(x, points, side="right") / x.size
    cdf_y = np.searchsorted(y, points, side="right") / y.size
    return float(np.max(np.abs(cdf_x - cdf_y)))


def _null_fraction(values: pd.Series) -> float:
    return float(values.isna().mean()) if len(values) else 0.0


def _column_drift(name: str, a: pd.Series, b: pd.Series, limits: DriftThresholds) -> ColumnDrift:
    drift = ColumnDrift(name, "categorical", False, dtype_before=str(a.dtype), dtype_after=str(b.dtype),
                        null_fraction_before=_null_fraction(a), null_fraction_after=_null_fraction(b))
    reasons: list[str] = []
    flagged = False
    if str(a.dtype) != str(b.dtype):
        drift.change = "dtype"
        reasons.append(f"dtype {a.dtype} -> {b.dtype}")
    numeric = is_numeric_sample(a), is_numeric_sample(b)
    if numeric[0] != numeric[1]:
        drift.kind = "schema"
    elif a.notna().any() and b.notna().any():
        drift.kind = "numeric" if all(numeric) else "categorical"
        drift.psi = psi(a, b)
        if drift.psi > limits.psi:
            flagged = True
            reasons.append(f"PSI {drift.psi:.3f} > {limits.psi}")
        if drift.kind == "numeric":
            drift.ks = ks_statistic(a, b)
            if drift.ks > limits.ks:
                flagged = True
                reasons.append(f"KS {drift.ks:.3f} > {limits.ks}")
    elif a.notna().any() or b.notna().any():
        flagged = True
        reasons.append(f"values only in {'a' if a.notna().any() else 'b'}")
    else:
        reasons.append("no values to compare")
    drift.drifted = flagged or drift.change is not None
    drift.message = f"{name}: " + ("; ".join(reasons) if reasons else "no drift")
    return drift


def compare_frames(a: pd.DataFrame, b: pd.DataFrame,
                   thresholds: DriftThresholds | None = None) -> list[ColumnDrift]:
    """Drift of every column from frame ``a`` (expected) to frame ``b`` (actual)."""
    limits = thresholds or DriftThresholds()
    results: list[ColumnDrift] = []
    for name in a.columns:
        if name not in b.columns:
            results.append(ColumnDrift(str(name), "schema", True, change="removed", dtype_before=str(a[name].dtype),
                                       message=f"{name}: column removed"))
        else:
            results.append(_column_drift(str(name), a[name], b[name], limits))
    for name in b.columns:
        if name not in a.columns:
            results.append(ColumnDrift(str(name), "schema", True, change="added", dtype_after=str(b[name].dtype),
                                       message=f"{name}: column added"))
    return results

"""profile_frame, old (pd.unique + np.quantile per numeric column) vs new (one np.sort), on
the handoff bench's frame shape (issue 15 point 1).  Medians of ``--repeat``; prints the ratio
old/new and asserts the two profiles are identical (``repr``), so the speed is for the same figures.

    .venv/bin/python bench/profile_speed.py [--rows 2000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from specrun.analysis import profile as profile_module
from specrun.analysis.profile import QUANTILES, ColumnProfile, profile_frame, quantile_key


def old_numeric_summary(series: pd.Series, profile: ColumnProfile) -> None:
    """The numeric summary before the sort (kept verbatim as the anchor)."""
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


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    amount = rng.uniform(0, 1000, rows)
    return pd.DataFrame({"id": np.arange(rows, dtype=np.int64), "amount": amount,
                         "segment": pd.Series(rng.choice(list("abcd"), rows), dtype="str"),
                         "flag": rng.random(rows) < 0.5, "amount_eur": amount * 0.92,
                         "count": pd.array(rng.integers(0, 50, rows), dtype="Int64")})


def median_seconds(data: pd.DataFrame, repeat: int) -> tuple[float, str]:
    times, made = [], ""
    for _ in range(repeat):
        start = time.process_time()
        made = repr(profile_frame(data, "port"))
        times.append(time.process_time() - start)
    return statistics.median(times), made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = frame(args.rows)
    new, new_profile = median_seconds(data, args.repeat)
    original = profile_module._numeric_summary
    profile_module._numeric_summary = old_numeric_summary
    try:
        old, old_profile = median_seconds(data, args.repeat)
    finally:
        profile_module._numeric_summary = original
    assert new_profile == old_profile, "the new profile differs from the old one"
    print(f"profile_frame, {args.rows:,} rows x {data.shape[1]} columns, CPU-s median of {args.repeat}")
    print(f"  old (pd.unique + np.quantile) {old:7.3f} s")
    print(f"  new (one np.sort)             {new:7.3f} s")
    print(f"  ratio old/new                 {old / new:7.2f}x   (profiles identical)")


if __name__ == "__main__":
    main()

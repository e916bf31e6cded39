"""Speed of data profiles, profile comparison and drift on large frames.

Run: ``.venv/bin/python bench/bench_profile.py [ROWS]`` (default 1,000,000).  Prints
seconds per operation and rows per second; it asserts nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from specrun.analysis.drift import compare_frames, ks_statistic, psi
from specrun.analysis.evolution import compare_profiles, find_degradations
from specrun.analysis.profile import profile_frame


def frame(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Eight columns of the usual kinds: ids, floats with nulls, text, category, bool, datetime."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0 + shift, 1.0, rows)
    amount[rng.random(rows) < 0.02] = np.nan
    return pd.DataFrame({
        "txn_id": np.arange(rows, dtype=np.int64),
        "amount": amount,
        "score": rng.normal(shift, 1.0, rows),
        "count": pd.array(rng.integers(0, 50, rows), dtype="Int64"),
        "currency": pd.Series(rng.choice(["USD", "EUR", "GBP", "JPY"], rows), dtype="str"),
        "merchant": pd.Series(np.char.add("M-", rng.integers(0, 20_000, rows).astype(str)), dtype="str"),
        "channel": pd.Categorical(rng.choice(["web", "pos", "app"], rows)),
        "is_fraud": rng.random(rows) < 0.01,
        "ts": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86_400, rows), unit="s"),
    })


def timed(label: str, rows: int, action: Callable[[], Any], repeat: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<42} {best:8.3f} s   {rows / best / 1e6:7.2f} M rows/s")
    return result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    before, after = frame(rows, seed=1), frame(rows, seed=2, shift=0.3)
    print(f"{rows:,} rows x {before.shape[1]} columns (best of 3)")
    first = timed("profile_frame", rows, lambda: profile_frame(before, "before"))
    second = profile_frame(after, "after")
    for column in ("amount", "currency", "merchant", "ts"):
        timed(f"  profile_frame, column {column}", rows, lambda c=column: profile_frame(before[[c]], "one"))
    degradations = timed("compare_profiles + find_degradations", rows,
                           lambda: find_degradations(compare_profiles(first, second)))
    timed("psi (numeric, 10 quantile bins)", rows, lambda: psi(before["score"], after["score"]))
    timed("psi (categorical)", rows, lambda: psi(before["currency"], after["currency"]))
    timed("ks_statistic", rows, lambda: ks_statistic(before["score"], after["score"]))
    drift = timed("compare_frames (all columns)", rows, lambda: compare_frames(before, after), repeat=1)
    print(f"degradations: {len(degradations)}; drifted columns: {[d.column for d in drift if d.drifted]}")


if __name__ == "__main__":
    main()

"""Speed of the vectorised generator on the 8-column reference contract, beside a
hand-written numpy generator for the same 8 columns (issue 15 point 5: at least 0.9x its
rows/s at 1M rows, and no more memory per million rows).

The hand-written baseline (:func:`handwritten_frame`) is what one would write for this one
contract with numpy and pyarrow and no specrun: a permutation for the unique ids, one
``integers``/``uniform`` draw per column, the ``^[A-Z]{3}-[0-9]{4}$`` strings as one byte
matrix handed to pyarrow as a ``large_string`` buffer, 5% nulls as a validity bitmap; the same dtypes as
specrun's frame (pyarrow-backed ``str``, ``datetime64[ns]``, ``category``), and it is
validated against the same contract.  Both are timed in CPU-seconds (``process_time``,
the firmer figure on a loaded machine), interleaved, median of RUNS; peak memory is the
child process's peak RSS above its RSS after imports and a warm-up, each generator in its
own fresh process.  Then, for comparison, pandera's own Hypothesis-based
``schema.example(size)`` (in a child process with a time cap; skipped with ``--quick``).

    .venv/bin/python bench/generator.py [--quick] [--runs N] [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow

from specrun.contract.builtin_types import str_dtype
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import vectorised_frame
from specrun.spec.model import ColumnSpec, SchemaSpec

PANDERA_TIME_CAP_S = 60.0

CONTRACT = SchemaSpec(name="transactions", columns={
    "txn_id": ColumnSpec("txn_id", "int", unique=True),
    "amount": ColumnSpec("amount", "float", min=0, max=1_000_000),
    "currency": ColumnSpec("currency", "str", isin=["USD", "EUR", "GBP", "JPY"]),
    "ts": ColumnSpec("ts", "datetime", min=dt.date(2024, 1, 1), max=dt.date(2024, 12, 31)),
    "merchant": ColumnSpec("merchant", "str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
    "kind": ColumnSpec("kind", "category", isin=["online", "store", "atm"]),
    "flag": ColumnSpec("flag", "bool"),
    "qty": ColumnSpec("qty", "int", min=1, max=100),
})


def _without(names: tuple[str, ...]) -> SchemaSpec:
    columns = {k: v for k, v in CONTRACT.columns.items() if k not in names}
    return SchemaSpec(name=CONTRACT.name, columns=columns)


def _pandera_example(size: int, drop: tuple[str, ...],
                     queue: multiprocessing.Queue[tuple[str, float, str]]) -> None:
    schema = to_pandera(_without(drop), TypeRegistry.builtin())
    started = time.perf_counter()
    try:
        schema.example(size=size)
        queue.put(("ok", time.perf_counter() - started, ""))
    except Exception as exc:  # noqa: BLE001 - report whatever pandera raised
        queue.put(("failed", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:200]))


def pandera_example_time(size: int, drop: tuple[str, ...] = ()) -> str:
    """How long pandera's ``schema.example(size)`` takes (capped), as one line of text."""
    queue: multiprocessing.Queue[tuple[str, float, str]] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_pandera_example, args=(size, drop, queue))
    child.start()
    child.join(PANDERA_TIME_CAP_S)
    if child.is_alive():
        child.terminate()
        child.join()
        return f"pandera schema.example(size={size}): did not finish within {PANDERA_TIME_CAP_S:.0f}s"
    if queue.empty():
        return f"pandera schema.example(size={size}): child exited with code {child.exitcode}"
    status, seconds, error = queue.get()
    if status == "ok":
        return f"pandera schema.example(size={size}): {seconds:.3f}s ({size / seconds:,.0f} rows/s)"
    return f"pandera schema.example(size={size}): failed after {seconds:.3f}s: {error}"


def handwritten_frame(rows: int, seed: int) -> pd.DataFrame:
    """The 8 columns of :data:`CONTRACT`, written by hand for this contract (the anchor)."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(rows).astype(np.int64)                        # unique by construction
    amount = rng.uniform(0, 1_000_000, rows)
    currency = pyarrow.array(["USD", "EUR", "GBP", "JPY"], type=pyarrow.large_string()).take(
        pyarrow.array(rng.integers(0, 4, rows)))
    start = int(pd.Timestamp("2024-01-01").value // 10**9)
    end = int(pd.Timestamp("2024-12-31").value // 10**9)
    ts = (rng.integers(start, end, rows, endpoint=True) * 10**9).view("datetime64[ns]")
    text = np.empty((rows, 8), dtype=np.uint8)                          # ^[A-Z]{3}-[0-9]{4}$
    text[:, :3] = rng.integers(65, 91, (rows, 3), dtype=np.uint8)
    text[:, 3] = ord("-")
    text[:, 4:] = rng.integers(48, 58, (rows, 4), dtype=np.uint8)
    valid = rng.random(rows) >= 0.05
    merchant = pyarrow.LargeStringArray.from_buffers(     # pandas' str holds large_string
        rows, pyarrow.py_buffer(np.arange(0, 8 * rows + 1, 8, dtype=np.int64)), pyarrow.py_buffer(text),
        pyarrow.py_buffer(np.packbits(valid, bitorder="little")))
    kind = pd.Categorical.from_codes(rng.integers(0, 3, rows), categories=["online", "store", "atm"])
    return pd.DataFrame({
        "txn_id": ids, "amount": amount, "currency": pd.Series(currency, dtype=str_dtype()),
        "ts": ts, "merchant": pd.Series(merchant, dtype=str_dtype()), "kind": kind,
        "flag": rng.random(rows) < 0.5, "qty": rng.integers(1, 101, rows),
    }, copy=False)                                                      # no consolidating copy


def _specrun_frame(rows: int, seed: int) -> pd.DataFrame:
    return vectorised_frame(CONTRACT, rows, seed, TypeRegistry.builtin())


GENERATORS = {"hand-written numpy": handwritten_frame, "specrun vectorised_frame": _specrun_frame}


def _cpu(generate: object, rows: int, seed: int) -> float:
    started = time.process_time()
    generate(rows, seed)  # type: ignore[operator]
    return time.process_time() - started


def peak_memory(name: str, rows: int) -> float:
    """MiB of peak RSS a fresh process adds to generate ``rows`` rows with ``name``."""
    code = (f"import json, resource, sys; sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r}); "
            "import generator as g; import psutil; "
            f"g.GENERATORS[{name!r}](1000, 0); "
            "before = psutil.Process().memory_info().rss; "
            f"frame = g.GENERATORS[{name!r}]({rows}, 1); "
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024; "
            "print(json.dumps([peak - before, int(frame.memory_usage(deep=True).sum())]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    added, _ = json.loads(out.stdout.splitlines()[-1])
    return added / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; no pandera comparison")
    parser.add_argument("--runs", type=int, default=None, help="repeats per generator (default 9, quick 3)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 9)
    rows = args.rows
    types = TypeRegistry.builtin()
    schema = to_pandera(CONTRACT, types)
    for generate in GENERATORS.values():
        generate(1_000, 0)                                # warm-up (imports, caches)
        ok, _ = validate_frame(generate(100_000, 0), schema)
        assert ok, f"{generate.__name__} broke the contract"
    cpu: dict[str, list[float]] = {name: [] for name in GENERATORS}
    for seed in range(runs):                              # interleaved: both see the same load
        for name, generate in GENERATORS.items():
            cpu[name].append(_cpu(generate, rows, seed))
    anchor = statistics.median(cpu["hand-written numpy"])
    print(f"{rows:,} rows x 8 columns, median of {runs} (CPU-seconds; valid for the contract: both)")
    memory = {name: peak_memory(name, rows) for name in GENERATORS}
    for name in GENERATORS:
        median = statistics.median(cpu[name])
        print(f"  {name:<26} {median:.3f} CPU-s = {rows / median:>12,.0f} rows/s   "
              f"x anchor rows/s {anchor / median:5.2f}   peak +{memory[name]:6.1f} MiB "
              f"({memory[name] / (rows / 1e6):.1f} MiB per 1M rows)")
    ours = statistics.median(cpu["specrun vectorised_frame"])
    per_million = rows / 1e6
    print(json.dumps({"compare": [   # bench/compare.py's row "generator"
        {"row": "generator", "measure": f"rows/s at {rows:,} rows (x hand-written)", "unit": "rows/s",
         "figure": rows / ours, "anchor": rows / anchor, "anchor_label": "hand-written numpy"},
        {"row": "generator", "measure": "peak memory per 1M rows", "unit": "MiB",
         "figure": memory["specrun vectorised_frame"] / per_million,
         "anchor": memory["hand-written numpy"] / per_million, "anchor_label": "hand-written numpy"}]}))
    if args.quick:
        return
    for size in (10, 100):
        print(pandera_example_time(size))
    for size in (10, 100):   # pandera cannot generate categoricals: compare on the other 7 columns
        print("without 'kind' (category):", pandera_example_time(size, drop=("kind",)))


if __name__ == "__main__":
    main()

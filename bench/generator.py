"""Speed of the vectorised generator on the 8-column reference contract.

Prints rows/s for 100k and 1M rows and, for comparison, how long pandera's own
Hypothesis-based ``schema.example(size=10)`` takes (run in a child process with a
time cap, since it can be very slow or fail on some contracts).

    .venv/bin/python bench/generator.py
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time

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


def main() -> None:
    types = TypeRegistry.builtin()
    schema = to_pandera(CONTRACT, types)
    vectorised_frame(CONTRACT, 1_000, 0, types)   # warm-up (imports, caches)
    for rows in (100_000, 1_000_000):
        best = min(_timed(rows, seed, types) for seed in range(3))
        frame = vectorised_frame(CONTRACT, rows, 0, types)
        ok, _ = validate_frame(frame, schema)
        print(f"vectorised_frame: {rows:>9,} rows x 8 columns in {best:.3f}s = "
              f"{rows / best:,.0f} rows/s (valid: {ok})")
    for size in (10, 100):
        print(pandera_example_time(size))
    for size in (10, 100):   # pandera cannot generate categoricals: compare on the other 7 columns
        print("without 'kind' (category):", pandera_example_time(size, drop=("kind",)))


def _timed(rows: int, seed: int, types: TypeRegistry) -> float:
    started = time.perf_counter()
    vectorised_frame(CONTRACT, rows, seed, types)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

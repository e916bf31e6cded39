"""The text parse of int, float, bool and datetime columns (every such column of a CSV
port is read this way): each type's ``parse_text`` in Arrow beside the parse it replaced,
its anchor (value by value for int and bool, pandas' ``astype`` for float, pandas'
``to_datetime`` for datetime), on the same column in one run.

    .venv/bin/python bench/csv_text_parse.py [--rows 1000000] [--repeat 5] [--calls 1]

``--rows 20 --calls 2000`` measures the small columns of a property example, where the
cost is per call rather than per value (each figure is then the CPU of 2,000 parses).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any


def anchors() -> dict[str, tuple[Any, Callable[[Any, Any], Any]]]:
    """Each type's column of text and the parse it had before, as a function of (column, text)."""
    import numpy as np
    import pandas as pd

    from specrun.contract.builtin_types import (
        _DATETIME_TEXT,
        _FLOAT_TEXT,
        _INT_TEXT,
        INT64,
        BoolType,
        DatetimeType,
        IntType,
        _matching,
    )

    def int_before(column: Any, text: Any) -> Any:
        values = [int(v) if isinstance(v, str) else None for v in _matching(text, _INT_TEXT)]
        held = [v if v is not None and INT64.min <= v <= INT64.max else None for v in values]
        return IntType().from_storage(column, pd.Series(pd.array(held, dtype="Int64"), index=text.index))

    def float_before(column: Any, text: Any) -> Any:
        return _matching(text, _FLOAT_TEXT).astype("float64")

    def bool_before(column: Any, text: Any) -> Any:
        words = text.str.lower()
        return BoolType().from_storage(column, pd.Series(
            pd.array(words.map({"true": True, "false": False}).tolist(), dtype="boolean"), index=text.index))

    def datetime_before(column: Any, text: Any) -> Any:
        parsed = pd.to_datetime(_matching(text, _DATETIME_TEXT), format="ISO8601", errors="coerce")
        return DatetimeType().from_storage(column, pd.Series(parsed, index=text.index))

    def stamps(n: int) -> Any:
        seconds = rng.integers(0, 5 * 365 * 86400, n).astype("timedelta64[s]")
        return np.datetime_as_string(np.datetime64("2020-01-01T00:00:00") + seconds)

    rng = np.random.default_rng(0)
    return {"int": (lambda n: rng.integers(-10**12, 10**12, n).astype(str), int_before),
            "float": (lambda n: rng.normal(size=n).astype(str), float_before),
            "bool": (lambda n: np.where(rng.random(n) < 0.5, "true", "False"), bool_before),
            "datetime": (stamps, datetime_before)}


def timed(parse: Callable[[Any, Any], Any], column: Any, text: Any, calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        parse(column, text)
    return time.process_time() - started


def main() -> None:
    import pandas as pd

    from specrun.contract.builtin_types import str_dtype
    from specrun.contract.types import TypeRegistry
    from specrun.spec.model import ColumnSpec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--calls", type=int, default=1, help="parses per measurement (small columns)")
    args = parser.parse_args()
    types = TypeRegistry.builtin()
    print(f"a column of {args.rows:,} text values, {args.calls:,} parse(s) per figure, "
          f"medians of {args.repeat} (CPU-s)")
    compare = []
    for name, (values, before) in anchors().items():
        text = pd.Series(values(args.rows), dtype=str_dtype())
        column, kind = ColumnSpec("c", name), types.get(name)
        assert kind.parse_text(column, text).equals(before(column, text))
        ours, anchor = [], []
        for _ in range(args.repeat):
            ours.append(timed(kind.parse_text, column, text, args.calls))
            anchor.append(timed(before, column, text, args.calls))
        figure, base = statistics.median(ours), statistics.median(anchor)
        print(f"  {name:8}  before {base:6.3f}   Arrow {figure:6.3f}   {figure / base:.2f}x")
        calls = f" x {args.calls:,}" if args.calls > 1 else ""
        compare.append({"row": f"csv_{name}_parse", "measure": f"{name} text parse, {args.rows:,} values{calls}",
                        "figure": figure, "anchor": base, "unit": "CPU-s", "ratio": figure / base})
    print(json.dumps({"compare": compare}))


if __name__ == "__main__":
    main()

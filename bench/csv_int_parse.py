"""The text parse of an int column (every int column of a CSV port is read this way):
``IntType.parse_text`` in one Arrow pass beside the value-by-value parse it replaced
(Python's ``int`` of each matched value), its anchor, on the same column in one run.

    .venv/bin/python bench/csv_int_parse.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    import numpy as np
    import pandas as pd

    from specrun.contract.builtin_types import _INT_TEXT, INT64, IntType, _matching, str_dtype
    from specrun.spec.model import ColumnSpec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    text = pd.Series(rng.integers(-10**12, 10**12, args.rows).astype(str), dtype=str_dtype())
    column = ColumnSpec("n", "int")
    kind = IntType()

    def value_by_value() -> pd.Series:
        values = [int(v) if isinstance(v, str) else None for v in _matching(text, _INT_TEXT)]
        held = [v if v is not None and INT64.min <= v <= INT64.max else None for v in values]
        return kind.from_storage(column, pd.Series(pd.array(held, dtype="Int64"), index=text.index))

    def timed(parse) -> float:
        started = time.process_time()
        parse()
        return time.process_time() - started

    assert kind.parse_text(column, text).equals(value_by_value())
    ours, anchor = [], []
    for _ in range(args.repeat):
        ours.append(timed(lambda: kind.parse_text(column, text)))
        anchor.append(timed(value_by_value))
    figure, base = statistics.median(ours), statistics.median(anchor)
    print(f"int column of {args.rows:,} text values, medians of {args.repeat}")
    print(f"  value by value (the anchor) {base:7.3f} CPU-s")
    print(f"  one Arrow pass              {figure:7.3f} CPU-s   {figure / base:.2f}x")
    print(json.dumps({"compare": [{"row": "csv_int_parse", "measure": f"int text parse, {args.rows:,} values",
                                   "figure": figure, "anchor": base, "unit": "CPU-s", "ratio": figure / base}]}))


if __name__ == "__main__":
    main()

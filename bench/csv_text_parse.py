"""The text parse of int, float and bool columns (every such column of a CSV port is read
this way): each type's ``parse_text`` in one Arrow pass beside the parse it replaced, its
anchor (value by value for int and bool, pandas' ``astype`` for float), on the same
column in one run.

    .venv/bin/python bench/csv_text_parse.py [--rows 1000000] [--repeat 5]
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

    from specrun.contract.builtin_types import _FLOAT_TEXT, _INT_TEXT, INT64, BoolType, IntType, _matching

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

    rng = np.random.default_rng(0)
    return {"int": (lambda n: rng.integers(-10**12, 10**12, n).astype(str), int_before),
            "float": (lambda n: rng.normal(size=n).astype(str), float_before),
            "bool": (lambda n: np.where(rng.random(n) < 0.5, "true", "False"), bool_before)}


def timed(parse: Callable[[Any, Any], Any], column: Any, text: Any) -> float:
    started = time.process_time()
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
    args = parser.parse_args()
    types = TypeRegistry.builtin()
    print(f"a column of {args.rows:,} text values, medians of {args.repeat} (CPU-s)")
    compare = []
    for name, (values, before) in anchors().items():
        text = pd.Series(values(args.rows), dtype=str_dtype())
        column, kind = ColumnSpec("c", name), types.get(name)
        assert kind.parse_text(column, text).equals(before(column, text))
        ours, anchor = [], []
        for _ in range(args.repeat):
            ours.append(timed(kind.parse_text, column, text))
            anchor.append(timed(before, column, text))
        figure, base = statistics.median(ours), statistics.median(anchor)
        print(f"  {name:5}  before {base:6.3f}   one Arrow pass {figure:6.3f}   {figure / base:.2f}x")
        compare.append({"row": f"csv_{name}_parse", "measure": f"{name} text parse, {args.rows:,} values",
                        "figure": figure, "anchor": base, "unit": "CPU-s", "ratio": figure / base})
    print(json.dumps({"compare": compare}))


if __name__ == "__main__":
    main()

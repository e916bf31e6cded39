"""The proof that a negative case's input breaks its contract (issue 15 pt 3, specrun's work
per case): ``check_breaks`` judges the broken column alone first (``column_fails``) and the
whole frame only when that column passes.  The anchor is what it did before, in the same
run: ``validate_frame`` of the whole frame.  One input per column of an 11-column contract
(the example's widest), each with one value over its column's ``max``; medians of
``--repeat`` rounds over all of them.

    .venv/bin/python bench/negative_proof.py [--rows 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from specrun.contract.negative import NegativeConstraint, NegativeInput
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.modes.isolation.negative import check_breaks
from specrun.spec.model import ColumnSpec, SchemaSpec

COLUMNS = 11


def inputs(rows: int) -> tuple[SchemaSpec, list[NegativeInput]]:
    spec = SchemaSpec("wide", {f"c{i}": ColumnSpec(f"c{i}", "int", min=0, max=100) for i in range(COLUMNS)})
    valid = pd.DataFrame({f"c{i}": np.arange(rows, dtype="int64") % 50 for i in range(COLUMNS)})
    broken = []
    for i in range(COLUMNS):
        frame = valid.copy()
        frame.loc[rows // 2, f"c{i}"] = 1000
        broken.append(NegativeInput(NegativeConstraint("rows", f"c{i}", "max"), frame, [rows // 2], [1000],
                                    "values", "a value over max"))
    return spec, broken


def per_input_ms(run, broken: list[NegativeInput]) -> float:
    started = time.perf_counter()
    for item in broken:
        run(item)
    return (time.perf_counter() - started) / len(broken) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spec, broken = inputs(args.rows)
    compiled = to_pandera(spec, TypeRegistry.builtin())
    session = SimpleNamespace(contracts=SimpleNamespace(pandera=lambda schema: compiled))

    def whole(item: NegativeInput) -> None:
        assert not validate_frame(item.frame, compiled)[0]

    def proof(item: NegativeInput) -> None:
        check_breaks(session, spec, item)

    whole(broken[0]), proof(broken[0])                  # warm-up: pandera's first call
    anchor, figure = [], []
    for _ in range(args.repeat):
        anchor.append(per_input_ms(whole, broken))
        figure.append(per_input_ms(proof, broken))
    anchor_ms, figure_ms = statistics.median(anchor), statistics.median(figure)
    print(f"{COLUMNS} columns x {args.rows} rows, one broken column per input, medians of {args.repeat}")
    print(f"  whole-frame validation (before)  {anchor_ms:6.2f} ms per input")
    print(f"  check_breaks (column first)      {figure_ms:6.2f} ms per input   {figure_ms / anchor_ms:.2f}x")
    print(json.dumps({"compare": [{"row": "negative_proof", "measure": "proof a negative input breaks its contract",
                                   "figure": figure_ms, "anchor": anchor_ms, "unit": "ms",
                                   "ratio": figure_ms / anchor_ms}]}))


if __name__ == "__main__":
    main()

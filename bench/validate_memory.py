"""validate_frame on a 2M-row frame like bench/handoff.py's hand-off (issue 15 pt 1): peak RSS
above the frame and CPU time of whole-frame validation against chunked validation.

Each measurement runs in a fresh interpreter: build the frame, validate a small frame once
(imports and pandera's first-call set-up are not counted), give freed memory back
(``malloc_trim``), reset the peak (``/proc/self/clear_refs``), then validate the big frame.
The figure is the peak (``VmHWM``) minus the resident size just before; CPU is the process
time of the call.  Medians of ``--repeat`` runs per mode.

    .venv/bin/python bench/validate_memory.py [--rows 2000000] [--repeat 3] [--chunk 250000 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r'''
import ctypes, gc, json, sys, time
import numpy as np
import pandas as pd
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.spec.model import ColumnSpec, SchemaSpec

rows, chunk, broken = int(sys.argv[1]), (None if sys.argv[2] == "whole" else int(sys.argv[2])), sys.argv[3] == "1"


def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key + ":")) / 1024


def frame(n, seed=0):
    rng = np.random.default_rng(seed)
    amount = rng.uniform(0, 1000, n)
    data = pd.DataFrame({"id": rng.permutation(n).astype("int64"), "amount": amount,
                         "segment": pd.Series(rng.choice(["a", "b", "c", "d"], n), dtype="str"),
                         "flag": rng.random(n) < 0.5, "amount_eur": amount * 0.92})
    if broken:   # a duplicate id a frame apart, out-of-range amounts and an unknown segment
        data.loc[n - 1, "id"] = data.loc[0, "id"]
        data.loc[::100_000, "amount"] = -1.0
        data.loc[n // 2, "segment"] = "z"
    return data


schema = to_pandera(SchemaSpec("enriched", {
    "id": ColumnSpec("id", "int", unique=True), "amount": ColumnSpec("amount", "float", min=0, max=1000),
    "segment": ColumnSpec("segment", "str", isin=["a", "b", "c", "d"]), "flag": ColumnSpec("flag", "bool"),
    "amount_eur": ColumnSpec("amount_eur", "float", min=0, max=1000)}), TypeRegistry.builtin())
validate_frame(frame(1000, 1), schema, chunk_rows=None if chunk is None else 100)   # warm-up
big = frame(rows)
gc.collect()
ctypes.CDLL("libc.so.6").malloc_trim(0)
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
before = status("VmRSS")
start = time.process_time()
ok, failures = validate_frame(big, schema, chunk_rows=chunk)
cpu = time.process_time() - start
print(json.dumps({"peak_mib": status("VmHWM") - before, "cpu_s": cpu,
                  "frame_mib": big.memory_usage(deep=True).sum() / 2**20, "ok": ok,
                  "failures": [[f.column, f.check, f.count, f.examples] for f in failures]}, default=str))
'''


def measure(rows: int, mode: str, broken: bool) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(rows), mode, "1" if broken else "0"],
                         check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, nargs="*", default=[250_000])
    args = parser.parse_args()
    modes = ["whole", *(str(c) for c in args.chunk)]
    for broken in (False, True):
        runs = {mode: [measure(args.rows, mode, broken) for _ in range(args.repeat)] for mode in modes}
        results = {tuple(json.dumps(r["failures"]) for r in rs) for rs in runs.values() for r in rs}
        frame_mib = runs["whole"][0]["frame_mib"]
        print(f"{args.rows:,} rows ({frame_mib:.0f} MiB frame), {'broken' if broken else 'valid'}, "
              f"medians of {args.repeat}; same failures in every run: {len(results) == 1}")
        whole_peak = statistics.median(float(r["peak_mib"]) for r in runs["whole"])  # type: ignore[arg-type]
        whole_cpu = statistics.median(float(r["cpu_s"]) for r in runs["whole"])  # type: ignore[arg-type]
        for mode in modes:
            peak = statistics.median(float(r["peak_mib"]) for r in runs[mode])  # type: ignore[arg-type]
            cpu = statistics.median(float(r["cpu_s"]) for r in runs[mode])  # type: ignore[arg-type]
            label = "whole frame" if mode == "whole" else f"chunks of {int(mode):,}"
            print(f"  {label:<20} peak +{peak:6.1f} MiB ({peak / whole_peak:4.2f}x)   "
                  f"CPU {cpu:5.2f} s ({cpu / whole_cpu:4.2f}x)")


if __name__ == "__main__":
    main()

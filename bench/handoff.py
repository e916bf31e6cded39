"""A 2-step pipeline handing a 2M-row parquet from one script to the next (issue 15 pt 1:
at most 1.5x the CPU of the two scripts run by hand, specrun's own process under 300 MiB).

The source is a parquet fixture written once (so neither side pays for generating it):
``enrich`` reads it, adds a column and writes parquet; ``summarise`` reads that and writes
a small csv.  By hand: each script's ``main`` called in a fresh interpreter with the same
paths.  specrun: ``specrun specs --mode pipeline`` with the fresh executor and no cache.
CPU is every process's user+system time (``RUSAGE_CHILDREN``); specrun's own peak memory
is its process's ``ru_maxrss`` (the scripts' peaks are theirs, not specrun's).  Medians of
``--repeat``.

    .venv/bin/python bench/handoff.py [--rows 2000000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ENRICH = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_parquet(input_paths["raw"])
    frame["amount_eur"] = frame["amount"] * 0.92
    frame.to_parquet(output_paths["enriched"], index=False)
'''

SUMMARISE = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_parquet(input_paths["enriched"])
    totals = frame.groupby("segment", as_index=False)["amount_eur"].sum()
    totals.to_csv(output_paths["totals"], index=False)
'''

SPEC = """\
version: 1
pipeline: handoff
defaults: {timeout: 600, seed: 1}
schemas:
  raw:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 1000}
      segment: {type: str, isin: [a, b, c, d]}
      flag: {type: bool}
  enriched:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 1000}
      segment: {type: str, isin: [a, b, c, d]}
      flag: {type: bool}
      amount_eur: {type: float, min: 0, max: 1000}
steps:
  enrich:
    script: enrich.py
    call: main
    inputs: {raw: {format: parquet, schema: raw, fixture: raw.parquet}}
    outputs: {enriched: {format: parquet, schema: enriched}}
  summarise:
    script: summarise.py
    call: main
    inputs: {enriched: {from: enrich.enriched}}
    outputs: {totals: {format: csv}}
modes:
  pipeline: {}
"""

BY_HAND = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("script", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.main({sys.argv[2]: sys.argv[3]}, {sys.argv[4]: sys.argv[5]}, {}, None)
"""

SELF_PEAK = """
import resource, runpy, sys
sys.argv = ["specrun", *sys.argv[2:]]
try:
    runpy.run_module("specrun", run_name="__main__")
finally:
    with open(__import__("os").environ["PEAK_FILE"], "w") as fh:
        own = resource.getrusage(resource.RUSAGE_SELF)
        fh.write(f"{own.ru_maxrss} {own.ru_utime + own.ru_stime}")
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_source(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    pd.DataFrame({"id": rng.permutation(rows).astype("int64"), "amount": rng.uniform(0, 1000, rows),
                  "segment": pd.Series(rng.choice(["a", "b", "c", "d"], rows), dtype="str"),
                  "flag": rng.random(rows) < 0.5}).to_parquet(path, index=False)


def by_hand(root: Path) -> float:
    before = _children_cpu()
    specs = root / "specs"
    for args in (["enrich.py", "raw", "raw.parquet", "enriched", "hand-enriched.parquet"],
                 ["summarise.py", "enriched", "hand-enriched.parquet", "totals", "hand-totals.csv"]):
        subprocess.run([sys.executable, "-c", BY_HAND, *args], cwd=specs, check=True)
    return _children_cpu() - before


def with_specrun(root: Path) -> tuple[float, float, float]:
    """(CPU s of specrun and its scripts, specrun's own peak RSS in MiB, the scripts' CPU s
    as the record gives them)."""
    peak_file = root / "peak.txt"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "PEAK_FILE": str(peak_file)}
    before = _children_cpu()
    proc = subprocess.run([sys.executable, "-c", SELF_PEAK, "-", "specs", "--mode", "pipeline", "--executor", "fresh",
                           "--no-cache", "-q", "--json", str(root / "record.json")],
                          cwd=root, env=env, capture_output=True, text=True)
    cpu = _children_cpu() - before
    if proc.returncode != 0:
        raise SystemExit(f"specrun failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    cases = json.loads((root / "record.json").read_text())["cases"]
    scripts = sum(float((c.get("metrics") or {}).get("cpu_s") or 0.0) for c in cases)
    peak_kib, own_cpu = peak_file.read_text().split()
    # the scripts run in their own PID namespace, whose CPU need not reach RUSAGE_CHILDREN:
    # specrun's process plus the scripts' CPU as the record measured it, if that is more
    return max(cpu, float(own_cpu) + scripts), int(peak_kib) / 1024, scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="500,000 rows, 1 repeat")
    args = parser.parse_args()
    rows, repeat = (500_000, 1) if args.quick else (args.rows, args.repeat)
    with tempfile.TemporaryDirectory(prefix="specrun-bench-") as tmp:
        root = Path(tmp)
        specs = root / "specs"
        specs.mkdir()
        (specs / "enrich.py").write_text(textwrap.dedent(ENRICH))
        (specs / "summarise.py").write_text(textwrap.dedent(SUMMARISE))
        (specs / "handoff.yaml").write_text(SPEC)
        write_source(specs / "raw.parquet", rows)
        hand, runs = [], []
        for _ in range(repeat):
            hand.append(by_hand(root))
            runs.append(with_specrun(root))
    hand_cpu = statistics.median(hand)
    spec_cpu = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    print(f"{rows:,} rows, parquet, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, medians of {repeat}")
    print(f"  two scripts by hand     {hand_cpu:6.2f} CPU-s")
    print(f"  specrun (pipeline mode) {spec_cpu:6.2f} CPU-s   {spec_cpu / hand_cpu:.2f}x   (target <= 1.5x)")
    print(f"    of which the scripts  {statistics.median(r[2] for r in runs):6.2f} CPU-s (the record's metrics)")
    print(f"  specrun's own peak RSS  {peak:6.0f} MiB   (target < 300 MiB)")
    print(json.dumps({"compare": [
        {"row": "handoff", "measure": f"2-step pipeline, {rows:,}-row parquet (CPU)", "figure": spec_cpu,
         "anchor": hand_cpu, "unit": "CPU-s", "ratio": spec_cpu / hand_cpu},
        {"row": "parent_memory", "measure": f"specrun's own peak RSS, {rows:,} rows", "figure": peak,
         "anchor": 300.0, "unit": "MiB", "ratio": peak / 300.0}]}))


if __name__ == "__main__":
    main()

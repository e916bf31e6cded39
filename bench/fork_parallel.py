"""The fork executor on 2 cores: 50 small isolation cases with ``-n 1`` and ``-n 2`` in one
run (issue 15 pt 3: at least 1.8x).

Each case is one step of a parametrized spec: a pandas script reading 2,000 generated
rows, doing a little arithmetic and writing them.  The figure is the run's wall time
(medians of ``--repeat``), ``-n 1`` over ``-n 2``; the CPU seconds of specrun's own
process (``RUSAGE_CHILDREN`` of this bench minus the scripts' own, from the record) show
how much of a case is the parent's work, which two workers share one interpreter for.

    .venv/bin/python bench/fork_parallel.py [--cases 50] [--repeat 3] [--quick]
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
import time
from pathlib import Path

SCRIPT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    total = 0.0
    for _ in range(int(job_args.loops)):
        total += float((frame["x"] * 1.0001).sum())
    frame["y"] = frame["x"] * 2
    frame.to_csv(output_paths["out"], index=False)
'''


def spec(cases: int) -> str:
    return textwrap.dedent(f"""\
        version: 1
        pipeline: fp
        defaults: {{timeout: 120, seed: 1}}
        schemas:
          rows: {{columns: {{id: {{type: int, unique: true}}, x: {{type: float, min: 0, max: 1}}}}}}
        steps:
          work:
            script: work.py
            call: main
            job_args: {{loops: 200}}
            inputs: {{rows: {{format: csv, schema: rows}}}}
            outputs: {{out: {{format: csv}}}}
        scenarios:
          standard: {{rows: 2000, parametrize: {{job_args.case: {list(range(cases))}}}}}
        modes:
          isolation: {{scenarios: [standard]}}
        """)


def run_once(root: Path, workers: int) -> tuple[float, float, float]:
    """(wall s, specrun's CPU s, the scripts' CPU s) of one run."""
    result = root / f"n{workers}.json"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "specrun", "specs", "--mode", "isolation", "--executor", "fork",
                           "-n", str(workers), "-q", "--no-cache", "--json", str(result)],
                          cwd=root, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"-n {workers} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    cases = json.loads(result.read_text())["cases"]
    scripts = sum(float((c.get("metrics") or {}).get("cpu_s") or 0.0) for c in cases)
    total = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, total - scripts, scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20 cases, 1 repeat")
    args = parser.parse_args()
    cases, repeat = (20, 1) if args.quick else (args.cases, args.repeat)
    print(f"{cases} fork cases, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, medians of {repeat}")
    walls: dict[int, float] = {}
    few = max(1, cases // 5)
    small: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="specrun-bench-") as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        (root / "specs" / "work.py").write_text(SCRIPT)
        for workers in (1, 2):
            (root / "specs" / "fp.yaml").write_text(spec(cases))
            runs = [run_once(root, workers) for _ in range(repeat)]
            wall = statistics.median(r[0] for r in runs)
            walls[workers] = wall
            print(f"  -n {workers}: wall {wall:6.2f}s   specrun's CPU {statistics.median(r[1] for r in runs):6.2f}s"
                  f"   scripts' CPU {statistics.median(r[2] for r in runs):6.2f}s")
            (root / "specs" / "fp.yaml").write_text(spec(few))
            small[workers] = statistics.median(run_once(root, workers)[0] for _ in range(repeat))
    ratio = walls[1] / walls[2]
    print(f"speed-up -n 2 over -n 1: {ratio:.2f}x (target >= 1.8x)")
    # wall = fixed + cases * per_case: the fixed part (start-up, spec, first imports, report) is
    # the same with either -n; the per-case part is what two workers can share
    per_case = {n: (walls[n] - small[n]) / (cases - few) for n in (1, 2)} if cases > few else {}
    if per_case:
        fixed = {n: walls[n] - cases * per_case[n] for n in (1, 2)}
        print(f"  fixed part (from {few} cases): -n 1 {fixed[1]:.2f}s, -n 2 {fixed[2]:.2f}s;"
              f" per case: -n 1 {per_case[1] * 1000:.1f} ms, -n 2 {per_case[2] * 1000:.1f} ms"
              f" -> {per_case[1] / per_case[2]:.2f}x on the cases themselves")
    print(json.dumps({"compare": [{"row": "fork_parallel", "measure": f"{cases} fork cases, -n 2 vs -n 1 (wall)",
                                   "figure": walls[2], "anchor": walls[1], "unit": "s", "ratio": ratio}]}))


if __name__ == "__main__":
    main()

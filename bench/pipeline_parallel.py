"""Pipeline mode: a 4-branch DAG timed with ``execution: parallel`` and ``sequential``.

    source -> branch_1 .. branch_4 -> join

Each branch reads the source rows, spends BRANCH_SECONDS in the script (sleeping,
like a step waiting on I/O) and writes its rows.  The figure is the pipeline's own
wall time from the JSON record (``records["pipeline:bench"].wall_s``), best of
``--repeat`` runs, and the speed-up parallel over sequential.

    .venv/bin/python bench/pipeline_parallel.py [--branch-seconds 1.0] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

BRANCH = '''
import time
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    time.sleep(float(environ_vars["SECONDS"]))
    frame["branch"] = environ_vars["NAME"]
    frame.to_csv(output_paths["out"], index=False)
'''

COPY = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frames = [pd.read_csv(path) for path in input_paths.values()]
    pd.concat(frames, ignore_index=True).to_csv(output_paths["out"], index=False)
'''


def spec(execution: str, branches: int, seconds: float) -> str:
    steps = ["""
  source:
    script: ../join_rows.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}"""]
    for i in range(1, branches + 1):
        steps.append(f"""
  branch_{i}:
    script: ../branch.py
    call: main
    env: {{NAME: b{i}, SECONDS: "{seconds}"}}
    inputs: {{rows: {{from: source.out}}}}
    outputs: {{out: {{format: csv}}}}""")
    joins = ", ".join(f"b{i}: {{from: branch_{i}.out}}" for i in range(1, branches + 1))
    steps.append(f"""
  join:
    script: ../join_rows.py
    call: main
    inputs: {{{joins}}}
    outputs: {{out: {{format: csv}}}}""")
    return textwrap.dedent(f"""\
        version: 1
        pipeline: bench
        defaults: {{timeout: 120, seed: 1}}
        schemas:
          rows:
            columns:
              id: {{type: int, unique: true}}
              x: {{type: float, min: 0, max: 1}}
        scenarios:
          standard: {{rows: 2000}}
        modes:
          pipeline: {{execution: {execution}, max_parallel: {branches}}}
        steps:""") + "".join(steps) + "\n"


def run_once(root: Path, execution: str, branches: int, seconds: float) -> tuple[float, float]:
    (root / "specs").mkdir(exist_ok=True)
    (root / "specs" / "bench.yaml").write_text(spec(execution, branches, seconds))
    result = root / f"{execution}.json"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run([sys.executable, "-m", "specrun", "specs", "--mode", "pipeline", "-q",
                           "--json", str(result)], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{execution} run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    record = json.loads(result.read_text())["records"]["pipeline:bench"]
    busy = sum(step["duration_s"] for step in record["steps"])
    return record["wall_s"], busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=4)
    parser.add_argument("--branch-seconds", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"{args.branches} branches, {args.branch_seconds:g}s of work each, {os.cpu_count()} CPUs, "
          f"best of {args.repeat}")
    walls = {}
    with tempfile.TemporaryDirectory(prefix="specrun-bench-") as tmp:
        root = Path(tmp)
        (root / "branch.py").write_text(BRANCH)
        (root / "join_rows.py").write_text(COPY)
        for execution in ("sequential", "parallel"):
            runs = [run_once(root, execution, args.branches, args.branch_seconds) for _ in range(args.repeat)]
            wall, busy = min(runs)
            walls[execution] = wall
            print(f"  {execution:10}  pipeline wall {wall:6.2f}s   sum of step times {busy:6.2f}s")
    print(f"speed-up parallel / sequential: {walls['sequential'] / walls['parallel']:.2f}x")


if __name__ == "__main__":
    main()

"""50 isolation cases locally with ``-n 2`` and on the embedded Dask cluster with two
workers (``--dist dask --dask-workers 2``), side by side in one run, and what a case
ships each way.

    PYTHONPATH=src .venv/bin/python bench/dask_overhead.py [CASES] [REPEATS]

Writes a spec of CASES (default 50) one-step cases (1000 generated rows in, a CSV copy
out, ``call: main``) into a temporary folder and runs it REPEATS times (default 3) each
way, alternating, with ``--no-cache``.  Prints the median wall time of each way, their
ratio (dask / local), the overhead per case ((dask - local) / CASES), and the median
start-up of an embedded cluster alone (a run of one case), which the per-case figure
excludes.  Then the transfer per case, measured on a kept sandbox with
``execution/dask/task.py``: what :func:`pack` ships to the worker (sandbox, script, local
modules) and what comes back (outputs and logs).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """\
version: 1
pipeline: bench
defaults: {seed: 1}
schemas:
  rows:
    columns:
      id: {type: int}
      value: {type: float, min: 0, max: 100}
      name: {type: str}
steps:
  copy:
    script: copy_rows.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  case: {rows: 1000, parametrize: {seed: [%s]}}
modes:
  isolation: {scenarios: [case]}
"""
SCRIPT = """\
import shutil


def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copy(input_paths["rows"], output_paths["out"])
"""


def run(folder: Path, *extra: str) -> float:
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    cmd = [sys.executable, "-m", "specrun", "spec.yaml", "--mode", "isolation", "-q", "--no-cache",
           "--json", str(folder / "record.json"), *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    record = json.loads((folder / "record.json").read_text())
    bad = [c["id"] for c in record["cases"] if c["outcome"] != "passed"]
    if proc.returncode != 0 or bad:
        sys.exit(f"specrun exited {proc.returncode} ({bad[:3]}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return wall


def transfer(folder: Path) -> tuple[int, int]:
    """Bytes one kept case ships to its worker and back."""
    from specrun.execution.dask.task import NOT_RETURNED, pack
    from specrun.execution.request import RunRequest

    sandbox = next((folder / ".specrun/sandboxes").iterdir())
    request = RunRequest(script=folder / "copy_rows.py", workdir=sandbox,
                         input_paths={"rows": str(sandbox / "input/rows.csv")},
                         output_paths={"out": str(sandbox / "output/out.csv")})
    (sandbox / "output/out.csv").rename(sandbox / "out.keep")   # what went in: the inputs only
    logs = {p: p.read_bytes() for p in (sandbox / "logs").rglob("*") if p.is_file()}
    for path in logs:
        path.unlink()
    sent = pack(request).size
    (sandbox / "out.keep").rename(sandbox / "output/out.csv")
    for path, data in logs.items():
        path.write_bytes(data)
    back = sum(p.stat().st_size for p in sandbox.rglob("*")
               if p.is_file() and p.relative_to(sandbox).parts[0] not in NOT_RETURNED)
    return sent, back


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="specrun-bench-dask-") as tmp:
        folder = Path(tmp)
        (folder / "copy_rows.py").write_text(SCRIPT)
        (folder / "spec.yaml").write_text(SPEC % ", ".join(str(n) for n in range(cases)))
        one = folder / "one"
        one.mkdir()
        (one / "copy_rows.py").write_text(SCRIPT)
        (one / "spec.yaml").write_text(SPEC % "0")
        local, dask, startup = [], [], []
        for _ in range(repeats):
            local.append(run(folder, "-n", "2"))
            dask.append(run(folder, "--dist", "dask", "--dask-workers", "2"))
            startup.append(run(one, "--dist", "dask", "--dask-workers", "2") - run(one))
        lo, da, st = statistics.median(local), statistics.median(dask), statistics.median(startup)
        print(f"{cases} cases, median of {repeats}:")
        print(f"  local -n 2                 {lo:7.2f} s   ({lo / cases * 1000:6.1f} ms per case)")
        print(f"  --dist dask, 2 workers     {da:7.2f} s   ({da / cases * 1000:6.1f} ms per case)")
        print(f"  ratio dask / local         {da / lo:7.2f}")
        print(f"  cluster start-up alone     {st:7.2f} s   (one case: dask run - local run)")
        per_case = (da - lo - st) / cases * 1000
        print(f"  overhead per case          {per_case:7.1f} ms   ((dask - local - start-up) / cases)")
        run(folder, "-n", "2", "--keep-sandboxes")
        sent, back = transfer(folder)
        print(f"transfer per case (1000 rows, 3 columns, CSV): {sent} bytes to the worker, {back} bytes back")


if __name__ == "__main__":
    main()

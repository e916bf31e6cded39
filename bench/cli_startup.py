"""How long the command line takes to start: ``--help``, ``--version``, ``check`` of a small
spec and ``check`` of the bundled example's ``specs/`` (issue 15's targets: 0.3 s and 1 s).

    .venv/bin/python bench/cli_startup.py [RUNS]

Each command runs RUNS times (default 15) as ``python -m specrun …`` in a fresh process;
the median wall time is printed next to the anchor ``python -c pass`` (the interpreter's
own start-up) and as a ratio of it.  Plugin autoloading is off, so installed third-party
plugins do not weigh on the figures.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """\
version: 1
pipeline: tiny
schemas:
  rows: {columns: {id: {type: int, unique: true}, amount: {type: float, min: 0, max: 10}}}
steps:
  pass_through:
    script: ../step.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
"""
SCRIPT = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"


def median_wall(cmd: list[str], cwd: Path, runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        (root / "specs" / "tiny.yaml").write_text(SPEC)
        (root / "step.py").write_text(SCRIPT)
        check = subprocess.run([sys.executable, "-m", "specrun", "check", "specs"], cwd=root, env=env,
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"specrun check failed on the bench spec:\n{check.stdout}{check.stderr}")
        anchor = median_wall([sys.executable, "-c", "pass"], root, runs, env)
        print(f"{'command':<30} {'median':>9} {'x anchor':>9}   ({runs} runs each)")
        print(f"{'python -c pass':<30} {anchor * 1000:>7.0f}ms {1.0:>9.1f}")
        repo = Path(__file__).resolve().parents[1]
        for label, args, cwd in (("specrun --help", ["--help"], root), ("specrun --version", ["--version"], root),
                                 ("specrun check (1-step spec)", ["check", "specs"], root),
                                 ("specrun check specs/ (example)", ["check", "specs"], repo)):
            wall = median_wall([sys.executable, "-m", "specrun", *args], cwd, runs, env)
            print(f"{label:<30} {wall * 1000:>7.0f}ms {wall / anchor:>9.1f}")


if __name__ == "__main__":
    main()

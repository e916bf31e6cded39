"""How long the command line takes to start: ``--help``, ``--version``, ``check`` of a small
spec and ``check`` of the bundled example's ``specs/`` (issue 15's targets: 0.3 s and 1 s),
and one ``--quick`` case of a small pandas CSV step beside the same script run bare
(``python step.py``): the target is the case at most 1.5x the bare script plus start-up.

    .venv/bin/python bench/cli_startup.py [RUNS] [--quick]

Each command runs RUNS times (default 15; 5 with ``--quick``) in a fresh process; the
median wall time and the median CPU-seconds (user + system of the process and every child
it waited for, plus for the ``--quick`` case the script's own CPU from the run's record:
the firmer figure on a loaded machine) are printed next to the anchor
``python -c pass`` (the interpreter's own start-up) and as ratios of it.  Plugin
autoloading is off, so installed third-party plugins do not weigh on the figures, and
bytecode is written and read as in an installed specrun (``PYTHONDONTWRITEBYTECODE`` is
dropped: compiling specrun's sources on every start is not what users pay).
"""

from __future__ import annotations

import json
import os
import resource
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

# one small pandas step: the commonest script shape, read a CSV, compute, write a CSV
PANDAS_SPEC = """\
version: 1
pipeline: small
schemas:
  rows: {columns: {id: {type: int, unique: true}, amount: {type: float, min: 0, max: 10}}}
  doubled: {columns: {id: {type: int, unique: true}, amount: {type: float, min: 0, max: 20}}}
steps:
  double:
    script: ../double.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: doubled}}
scenarios:
  standard: {rows: 200}
"""
PANDAS_SCRIPT = """\
import sys

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    frame["amount"] = frame["amount"] * 2
    frame.to_csv(output_paths["out"], index=False)


if __name__ == "__main__":
    main({"rows": sys.argv[1]}, {"out": sys.argv[2]}, {}, [])
"""


def measured(cmd: list[str], cwd: Path, runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall seconds and median CPU-seconds (this child and its waited-for children)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _case_cpu(root: Path) -> float:
    """The script's own CPU-seconds in the last run (its record's ``metrics.cpu_s``): the
    script runs outside the processes specrun waits for itself, so rusage does not see it."""
    record = json.loads((root / ".specrun" / "last-run.json").read_text())
    return sum(float((case.get("metrics") or {}).get("cpu_s") or 0.0) for case in record["cases"])


def measured_case(cmd: list[str], cwd: Path, runs: int, env: dict[str, str]) -> tuple[float, float]:
    """:func:`measured` for a specrun run, with the CPU of the scripts it ran added."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = measured(cmd, cwd, 1, env)
        walls.append(wall)
        cpus.append(cpu + _case_cpu(cwd))
    return statistics.median(walls), statistics.median(cpus)


def median_wall(cmd: list[str], cwd: Path, runs: int, env: dict[str, str]) -> float:
    return measured(cmd, cwd, runs, env)[0]


def _row(label: str, wall: float, cpu: float, anchor: tuple[float, float]) -> None:
    print(f"{label:<34} {wall * 1000:>7.0f}ms {wall / anchor[0]:>7.1f}x {cpu * 1000:>7.0f}ms {cpu / anchor[1]:>7.1f}x")


def quick_case(root: Path, runs: int, env: dict[str, str], startup: tuple[float, float]) -> dict[str, float]:
    """One ``--quick`` case of the pandas step, and the same script run bare on the same CSV."""
    (root / "qspecs").mkdir()
    (root / "qspecs" / "small.yaml").write_text(PANDAS_SPEC)
    (root / "double.py").write_text(PANDAS_SCRIPT)
    (root / "in.csv").write_text("id,amount\n" + "".join(f"{i},{i % 10 / 2}\n" for i in range(200)))
    case = [sys.executable, "-m", "specrun", "--quick", "--no-cache", "-k", "double[standard]", "qspecs"]
    probe = subprocess.run(case, cwd=root, env=env, capture_output=True, text=True)
    if probe.returncode != 0 or "1 passed" not in probe.stdout:
        raise SystemExit(f"the --quick case did not pass alone:\n{probe.stdout}{probe.stderr}")
    bare = measured([sys.executable, "double.py", "in.csv", "out.csv"], root, runs, env)
    quick = measured_case(case, root, runs, env)
    _row("python double.py (bare, pandas)", *bare, startup)
    _row("specrun --quick, that one case", *quick, startup)
    limit = (1.5 * bare[0] + startup[0], 1.5 * bare[1] + startup[1])
    print(f"{'  target: 1.5 x bare + --help start-up':<34} {limit[0] * 1000:>7.0f}ms {'':>8} {limit[1] * 1000:>7.0f}ms")
    print(f"  quick case / (bare + start-up): wall {quick[0] / (bare[0] + startup[0]):.2f}x, "
          f"CPU {quick[1] / (bare[1] + startup[1]):.2f}x;  quick case / bare: wall {quick[0] / bare[0]:.2f}x, "
          f"CPU {quick[1] / bare[1]:.2f}x")
    return {"bare": bare, "quick": quick, "startup": startup}


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--quick"]
    runs = int(args[0]) if args else (5 if "--quick" in sys.argv else 15)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    figures: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        (root / "specs" / "tiny.yaml").write_text(SPEC)
        (root / "step.py").write_text(SCRIPT)
        check = subprocess.run([sys.executable, "-m", "specrun", "check", "specs"], cwd=root, env=env,
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"specrun check failed on the bench spec:\n{check.stdout}{check.stderr}")
        anchor = measured([sys.executable, "-c", "pass"], root, runs, env)
        print(f"{'command':<34} {'wall':>9} {'x':>8} {'CPU':>9} {'x':>8}   (medians of {runs} runs)")
        _row("python -c pass", *anchor, anchor)
        repo = Path(__file__).resolve().parents[1]
        startup = anchor
        for label, cli_args, cwd in (("specrun --help", ["--help"], root), ("specrun --version", ["--version"], root),
                                     ("specrun check (1-step spec)", ["check", "specs"], root),
                                     ("specrun check specs/ (example)", ["check", "specs"], repo)):
            wall, cpu = measured([sys.executable, "-m", "specrun", *cli_args], cwd, runs, env)
            _row(label, wall, cpu, anchor)
            figures[label] = (wall, cpu)
            if label == "specrun --help":
                startup = (wall, cpu)
        quick = quick_case(root, runs, env, startup)
    rows = [("help", "specrun --help"), ("version", "specrun --version"), ("check", "specrun check specs/ (example)")]
    entries = [{"row": row, "measure": f"{label} (wall)", "unit": "s", "figure": figures[label][0],
                "anchor": anchor[0], "anchor_label": "python -c pass"} for row, label in rows]
    entries += [{"row": row, "measure": f"{label} (CPU)", "unit": "CPU-s", "figure": figures[label][1],
                 "anchor": anchor[1], "anchor_label": "python -c pass"} for row, label in rows]
    bare, case, start = quick["bare"], quick["quick"], quick["startup"]
    entries += [{"row": "quick_case", "measure": "one --quick case (CPU) vs bare script + --help start-up",
                 "unit": "CPU-s", "figure": case[1], "anchor": bare[1] + start[1], "anchor_label": "bare + start-up"},
                {"row": "quick_case", "measure": "one --quick case (CPU) vs bare python script.py", "unit": "CPU-s",
                 "figure": case[1], "anchor": bare[1], "anchor_label": "bare"}]
    print(json.dumps({"compare": entries}))   # bench/compare.py's rows help, version, check, quick_case


if __name__ == "__main__":
    main()

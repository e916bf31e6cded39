"""Every row of issue 15's table, measured again: today's figure, its anchor measured in the
same run, and the ratio, beside the figures the issue was filed with and the target.

    .venv/bin/python bench/compare.py [--quick] [--only WORD] [--list]

Each row is measured by a per-row bench script, run here as a subprocess (``--quick`` is
passed on to scripts that take it, for fewer repeats).  A script reports its figures as
one line of JSON on stdout, ``{"compare": [{"row": ID, "measure": ..., "figure": X,
"anchor": Y, "unit": "CPU-s", "ratio": X / Y}, ...]}`` (``ratio`` optional): those are
tabulated.  A row whose script is not in this checkout says so; a script that prints no
such line has the tail of its output shown instead.  ``.ci/run`` (the suite's time) is
not run from here: it takes minutes and prints its own timing.  Nothing is asserted:
these are figures, never timing tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    """One row of the issue's table: what is measured, what the issue said, and by whom."""

    id: str
    measure: str
    filed: str                          # anchor and specrun's figure when the issue was filed
    target: str
    script: str | None                  # bench script (relative to bench/), None: not run here
    args: tuple[str, ...] = ()
    quick_args: tuple[str, ...] = ()
    note: str = field(default="")


ROWS = (
    Row("handoff", "2-step pipeline passing a 2M-row parquet",
        "by hand 2.4 CPU-s, 421 MiB; specrun 13.8 CPU-s (5.7x)", "<= 1.5x CPU, parent < 300 MiB",
        "handoff.py", quick_args=("--quick",)),
    Row("parent_memory", "parent memory on a 5M-row case",
        "script 725 MiB; specrun's process 1,298 MiB", "parent < 300 MiB", "handoff.py",
        quick_args=("--quick",)),
    Row("property_rate", "property examples/s, small pandas CSV step",
        "in-process 93/s; fork 20/s (4.6x slower)", ">= 0.5x in-process", "property_speed.py",
        args=("--examples", "20"), quick_args=("--examples", "5")),
    Row("fork_parallel", "fork executor -n 2 vs -n 1, 50 small cases", "1.2x on 2 cores", ">= 1.8x",
        "fork_parallel.py", quick_args=("--quick",)),
    Row("help", "specrun --help (wall)", "python -c pass 0.01 s; specrun 1.1 s", "< 0.3 s", "cli_startup.py",
        args=("9",), quick_args=("--quick",)),
    Row("version", "specrun --version (wall)", "-", "< 0.3 s", "cli_startup.py", args=("9",),
        quick_args=("--quick",)),
    Row("check", "specrun check specs/ (example, wall)", "1.3 s", "< 1 s", "cli_startup.py", args=("9",),
        quick_args=("--quick",)),
    Row("quick_case", "one --quick case vs bare python script.py", "bare 0.42 CPU-s; specrun 1.75 CPU-s (4x)",
        "<= 1.5x bare + start-up", "cli_startup.py", args=("9",), quick_args=("--quick",)),
    Row("generator", "generator, 8-column contract, 1M rows", "0.5x of hand-written numpy",
        ">= 0.9x rows/s, memory <= baseline", "generator.py", quick_args=("--quick",)),
    Row("suite", ".ci/run", "~20 min on 2 cores", "< 8 min", None,
        note="not run from here: `bash .ci/run` prints the suite's own timing (slowest 10) at the end"),
)


def run_script(script: str, args: tuple[str, ...]) -> tuple[list[dict[str, object]], str, float]:
    """The ``compare`` entries a bench script printed, its output's tail, and its wall time."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True)
    wall = time.perf_counter() - started
    entries: list[dict[str, object]] = []
    for line in proc.stdout.splitlines():
        if line.startswith("{") and '"compare"' in line:
            try:
                entries.extend(json.loads(line)["compare"])
            except (json.JSONDecodeError, KeyError, TypeError):
                pass
    tail_lines = (proc.stdout.strip().splitlines() + proc.stderr.strip().splitlines()[-3:])[-6:]
    tail = "\n".join(f"      | {line}" for line in tail_lines)
    if proc.returncode != 0:
        tail = f"      | (exit code {proc.returncode})\n{tail}"
    return entries, tail, wall


def _number(value: object, unit: str) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    if unit in ("s", "CPU-s"):
        return f"{value:.3f} {unit}"
    return f"{value:,.0f} {unit}" if abs(value) >= 1000 else f"{value:,.2f} {unit}".rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats in every script")
    parser.add_argument("--only", metavar="WORD", help="only rows whose id or measure contains WORD")
    parser.add_argument("--list", action="store_true", help="list the rows and their scripts; run nothing")
    options = parser.parse_args()
    rows = [row for row in ROWS if not options.only or options.only.lower() in (row.id + row.measure).lower()]
    if options.list:
        for row in rows:
            print(f"{row.id:<14} {row.script or '-':<20} {row.measure}")
        return
    results: dict[tuple[str, tuple[str, ...]], tuple[list[dict[str, object]], str, float]] = {}
    for row in rows:
        print(f"\n{row.measure}")
        print(f"  filed:  {row.filed}")
        print(f"  target: {row.target}")
        if row.script is None:
            print(f"  today:  {row.note}")
            continue
        if not (BENCH / row.script).exists():
            print(f"  today:  no bench/{row.script} in this checkout (the row's own script measures it)")
            continue
        key = (row.script, row.quick_args if options.quick else row.args)
        if key not in results:
            results[key] = run_script(*key)
        entries, tail, wall = results[key]
        mine = [entry for entry in entries if entry.get("row") == row.id]
        if not mine:
            print(f"  today:  bench/{row.script} printed no figures for this row; its output ends:\n{tail}")
            continue
        for entry in mine:
            unit = str(entry.get("unit", ""))
            figure, anchor = entry.get("figure"), entry.get("anchor")
            ratio = entry.get("ratio")
            if ratio is None and isinstance(figure, (int, float)) and isinstance(anchor, (int, float)) and anchor:
                ratio = figure / anchor
            shown = f"{ratio:.2f}x" if isinstance(ratio, (int, float)) else "-"
            print(f"  today:  {entry.get('measure', row.measure)}: {_number(figure, unit)} "
                  f"vs anchor {entry.get('anchor_label', 'anchor')} {_number(anchor, unit)} = {shown}"
                  f"   (bench/{row.script}, {wall:.0f}s)")


if __name__ == "__main__":
    main()

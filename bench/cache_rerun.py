"""The result cache on the bundled example suite: a cold run, an unchanged rerun, and a
rerun after editing one step's script, measured in the same invocation — in isolation
mode, then in pipeline mode.

    PYTHONPATH=src .venv/bin/python bench/cache_rerun.py [STEP]

Copies ``specs/`` and ``examples/`` into a temporary folder, runs
``specrun specs/ --mode isolation`` there three times in one fresh workspace and prints
the wall time of each run, the warm/cold ratio (target: at most 5 %), a ``--collect-only``
run as the floor (start-up and planning, which a warm run cannot skip), and, for the run
after STEP's script was edited (default ``preprocessing``), which cases ran: every case of
STEP and of the steps whose script imports it (the key holds a script's local imports),
no other one.  Exits 1 when the edited run reran anything else or served a case
of STEP from the cache.

The whole example suite as users run it (``specrun specs/``: isolation, pipeline and
deep dive) prints the same figures last.

Pipeline mode (``--mode pipeline``, its own workspace) prints the same figures for the DAG
run; after the edit STEP must run and every other step that ran must be a descendant of
STEP (a descendant runs when its input changed; the bench's edit appends a comment, so
its output, and so its consumers' input, stays byte-identical and they are served).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.05


def run(folder: Path, record: Path, *extra: str, mode: str | None = "isolation") -> tuple[float, dict]:
    """One ``specrun specs/`` run in ``folder``; ``mode`` None: every mode the spec runs."""
    modes = ["--mode", mode] if mode is not None else []
    cmd = [sys.executable, "-m", "specrun", "specs/", *modes, "-q", "--workspace", f".ws-{mode or 'all'}",
           "--json", str(record), *extra]
    t0 = time.perf_counter()
    # installed plugin packages are left out: the bundled suite is built-ins only
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"specrun exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return wall, json.loads(record.read_text()) if record.exists() else {}


def importers(step: str) -> set[str]:
    """The example steps whose script imports ``step``'s module (its edit is theirs too:
    the key holds a script's local imports)."""
    scripts = ROOT / "examples" / "fraud" / "scripts"
    pattern = re.compile(rf"^\s*(from {step} import|import {step}\b)", re.M)
    return {path.stem for path in scripts.glob("*.py") if path.stem != step and pattern.search(path.read_text())}


def descendants(record: dict, step: str) -> set[str]:
    """The steps downstream of ``step`` in the record's pipeline runs (from their transitions)."""
    edges = {(t["edge"].split(" -> ")[0].split(".")[0], t["edge"].split(" -> ")[1].split(".")[0])
             for name, run in record.get("records", {}).items() if name.startswith("pipeline:")
             for t in run.get("transitions", [])}
    found, frontier = set(), {step}
    while frontier:
        frontier = {c for p, c in edges if p in frontier} - found
        found |= frontier
    return found


def pipeline_figures(step: str) -> list[str]:
    """Cold, warm and edited pipeline-mode runs; the wrong steps (empty: the cache did right)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "specs", folder / "specs")
        shutil.copytree(ROOT / "examples", folder / "examples")
        cold, cold_record = run(folder, folder / "cold.json", mode="pipeline")
        warm, warm_record = run(folder, folder / "warm.json", mode="pipeline")
        floor, _ = run(folder, folder / "plan.json", "--collect-only", mode="pipeline")
        script = folder / "examples" / "fraud" / "scripts" / f"{step}.py"
        script.write_text(script.read_text() + "\n# edited by bench/cache_rerun.py\n")
        edited, edited_record = run(folder, folder / "edited.json", mode="pipeline")
    steps = [c for c in cold_record["cases"] if c["kind"] == "step"]
    warm_cached = sum(c.get("cached", False) for c in warm_record["cases"] if c["kind"] == "step")
    ran = [c for c in edited_record["cases"] if c["kind"] == "step" and not c.get("cached")
           and c["outcome"] != "skipped"]
    below = descendants(cold_record, step)
    wrong = [c["id"] for c in ran if c["step"] not in {step} | importers(step) and c["step"] not in below]
    wrong += [c["id"] for c in edited_record["cases"] if c["step"] == step and c["kind"] == "step" and c.get("cached")]
    ratio = warm / cold
    print()
    print(f"pipeline mode: cold run         {cold:8.2f} s   {len(steps)} steps")
    print(f"pipeline mode: warm rerun       {warm:8.2f} s   {warm_cached} of {len(steps)} steps served from the cache")
    print(f"ratio warm / cold               {ratio * 100:8.2f} %   (target <= {TARGET * 100:.0f} %: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print(f"--collect-only (the floor)      {floor:8.2f} s   the cache's own cost is warm - floor = "
          f"{warm - floor:.2f} s (inputs generated and hashed, transitions validated, outputs restored)")
    print(f"after editing {step + '.py':17} {edited:8.2f} s   ran {', '.join(sorted(c['step'] for c in ran)) or '-'}"
          f" (descendants of {step}: {', '.join(sorted(below)) or '-'})")
    return wrong


def suite_figures(step: str) -> list[str]:
    """The example suite as users run it (``specrun specs/``: isolation, pipeline and deep
    dive): cold, warm, and after the edit; the cases that ran but had no reason to."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "specs", folder / "specs")
        shutil.copytree(ROOT / "examples", folder / "examples")
        cold, cold_record = run(folder, folder / "cold.json", mode=None)
        warm, warm_record = run(folder, folder / "warm.json", mode=None)
        script = folder / "examples" / "fraud" / "scripts" / f"{step}.py"
        script.write_text(script.read_text() + "\n# edited by bench/cache_rerun.py\n")
        edited, edited_record = run(folder, folder / "edited.json", mode=None)
    judged = [c for c in cold_record["cases"] if c["kind"] != "transition"]   # transitions are always checked
    warm_cached = sum(c.get("cached", False) for c in warm_record["cases"])
    ran = [c for c in edited_record["cases"] if c["kind"] != "transition" and not c.get("cached")
           and c["outcome"] != "skipped"]
    below = descendants(cold_record, step)
    rerun_steps = {step} | importers(step)
    wrong = [c["id"] for c in ran
             if c["step"] not in rerun_steps and not (c["mode"] == "pipeline" and c["step"] in below)]
    ratio = warm / cold
    print()
    print(f"example suite (all modes): cold {cold:8.2f} s   {len(judged)} cases (+ transitions)")
    print(f"example suite: warm rerun       {warm:8.2f} s   {warm_cached} served from the cache")
    print(f"ratio warm / cold               {ratio * 100:8.2f} %   (target <= {TARGET * 100:.0f} %: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print(f"after editing {step + '.py':17} {edited:8.2f} s   ran {len(ran)} cases, "
          f"{sum(c.get('cached', False) for c in edited_record['cases'])} cached")
    return wrong


def main() -> int:
    step = sys.argv[1] if len(sys.argv) > 1 else "preprocessing"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "specs", folder / "specs")
        shutil.copytree(ROOT / "examples", folder / "examples")
        cold, cold_record = run(folder, folder / "cold.json")
        warm, warm_record = run(folder, folder / "warm.json")
        floor, _ = run(folder, folder / "plan.json", "--collect-only")   # start-up and planning alone
        script = folder / "examples" / "fraud" / "scripts" / f"{step}.py"
        script.write_text(script.read_text() + "\n# edited by bench/cache_rerun.py\n")
        edited, edited_record = run(folder, folder / "edited.json")
    cases = len(cold_record["cases"])
    warm_cached = sum(c.get("cached", False) for c in warm_record["cases"])
    ran = [c for c in edited_record["cases"] if not c.get("cached")]
    of_step = [c for c in edited_record["cases"] if c["step"] == step]
    rerun_steps = {step} | importers(step)   # steps whose script imports the edited one rerun too
    wrong = [c["id"] for c in ran if c["step"] not in rerun_steps] + [c["id"] for c in of_step if c.get("cached")]
    ratio = warm / cold
    print(f"cold run (nothing cached)       {cold:8.2f} s   {cases} cases")
    print(f"warm rerun (unchanged)          {warm:8.2f} s   {warm_cached} of {cases} served from the cache")
    print(f"ratio warm / cold               {ratio * 100:8.2f} %   (target <= {TARGET * 100:.0f} %: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print(f"--collect-only (the floor)      {floor:8.2f} s   start-up, loading and planning; "
          f"the cache's own cost is warm - floor = {warm - floor:.2f} s")
    print(f"after editing {step + '.py':17} {edited:8.2f} s   ran {len(ran)} cases "
          f"({step}: {len(of_step)} cases; importing it: {', '.join(sorted(importers(step))) or '-'}), "
          f"{len(edited_record['cases']) - len(ran)} cached")
    if wrong:
        print("WRONG: " + ", ".join(wrong[:10]))
        return 1
    print(f"only the cases of {step} and of the steps importing it ran: yes")
    wrong = pipeline_figures(step)
    if wrong:
        print("WRONG (pipeline): " + ", ".join(wrong[:10]))
        return 1
    print(f"only {step} and its descendants ran: yes")
    wrong = suite_figures(step)
    if wrong:
        print("WRONG (suite): " + ", ".join(wrong[:10]))
        return 1
    print(f"only {step}'s cases (and its pipeline descendants) ran: yes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The result cache on the bundled example suite: a cold run, an unchanged rerun, and a
rerun after editing one step's script, measured in the same invocation.

    PYTHONPATH=src .venv/bin/python bench/cache_rerun.py [STEP]

Copies ``specs/`` and ``examples/`` into a temporary folder, runs
``specrun specs/ --mode isolation`` there three times in one fresh workspace and prints
the wall time of each run, the warm/cold ratio (target: at most 5 %), a ``--collect-only``
run as the floor (start-up and planning, which a warm run cannot skip), and, for the run
after STEP's script was edited (default ``preprocessing``), which cases ran: every case of
STEP and no other one.  Exits 1 when the edited run reran anything else or served a case
of STEP from the cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.05


def run(folder: Path, record: Path, *extra: str) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "specrun", "specs/", "--mode", "isolation", "-q", "--workspace", ".ws",
           "--json", str(record), *extra]
    t0 = time.perf_counter()
    # installed plugin packages are left out: the bundled suite is built-ins only
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"specrun exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return wall, json.loads(record.read_text()) if record.exists() else {}


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
    wrong = [c["id"] for c in ran if c["step"] != step] + [c["id"] for c in of_step if c.get("cached")]
    ratio = warm / cold
    print(f"cold run (nothing cached)       {cold:8.2f} s   {cases} cases")
    print(f"warm rerun (unchanged)          {warm:8.2f} s   {warm_cached} of {cases} served from the cache")
    print(f"ratio warm / cold               {ratio * 100:8.2f} %   (target <= {TARGET * 100:.0f} %: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print(f"--collect-only (the floor)      {floor:8.2f} s   start-up, loading and planning; "
          f"the cache's own cost is warm - floor = {warm - floor:.2f} s")
    print(f"after editing {step + '.py':17} {edited:8.2f} s   ran {len(ran)} cases "
          f"({step}: {len(of_step)} cases), {len(edited_record['cases']) - len(ran)} cached")
    if wrong:
        print("WRONG: " + ", ".join(wrong[:10]))
        return 1
    print(f"only {step}'s cases ran: yes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

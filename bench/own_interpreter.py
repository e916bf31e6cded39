"""What a step's own interpreter (``python:``) costs per run: the median wall time of a
trivial step run in a second virtualenv (made here, without specrun) by the fresh
executor and by the fork executor (its own warm parent for that interpreter), against
the same step in specrun's own interpreter under the fresh executor (the anchor, 1.00).

    .venv/bin/python bench/own_interpreter.py [RUNS]

The runs alternate between the variants, so a machine that gets busier mid-way slows all.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from specrun.execution.fork import ForkExecutor
from specrun.execution.namespace import PROCESS
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir

TRIVIAL = "import json, csv\nprint('ok')\n"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
        foreign = str(venv / "bin" / "python")
        script = Path(tmp) / "trivial.py"
        script.write_text(TRIVIAL)
        fresh, fork = FreshExecutor(isolation=PROCESS), ForkExecutor(isolation=PROCESS)
        variants = {"own interpreter, fresh (anchor)": (fresh, None),
                    "python: venv, fresh": (fresh, foreign),
                    "python: venv, fork": (fork, foreign)}
        times: dict[str, list[float]] = {name: [] for name in variants}
        try:
            for _ in range(runs):
                for name, (executor, python) in variants.items():
                    with SandboxDir(base=Path(tmp) / "boxes") as box:
                        t0 = time.perf_counter()
                        record = executor.run(RunRequest(script=script, workdir=box.root, python=python,
                                                         timeout=60))
                        times[name].append(time.perf_counter() - t0)
                        assert record.ok, record.message
        finally:
            fork.close()
        anchor = statistics.median(times["own interpreter, fresh (anchor)"])
        print(f"{runs} runs each; median wall time per run")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:<34} {median * 1000:8.1f} ms   ratio {median / anchor:5.2f}")


if __name__ == "__main__":
    main()

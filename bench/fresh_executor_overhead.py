"""How much a FreshExecutor run costs on top of starting a bare interpreter.

    .venv/bin/python bench/fresh_executor_overhead.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir

TRIVIAL = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"


def timed(fn, runs: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "trivial.py"
        script.write_text(TRIVIAL)
        executor = FreshExecutor()

        def bare() -> None:
            subprocess.run([sys.executable, "-c", "pass"], check=True)

        def fresh() -> None:
            with SandboxDir(base=Path(tmp)) as box:
                record = executor.run(RunRequest(script=script, workdir=box.root, call="main"))
                assert record.ok, record.message

        for name, fn in (("bare `python -c pass`", bare), ("FreshExecutor trivial main()", fresh)):
            times = timed(fn, runs)
            print(f"{name:32} median {statistics.median(times) * 1000:7.1f} ms   "
                  f"p90 {sorted(times)[int(0.9 * len(times)) - 1] * 1000:7.1f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()

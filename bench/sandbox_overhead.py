"""What the namespace sandbox costs: the median wall time of a trivial step run by the
FreshExecutor under namespace isolation (bubblewrap) and under process isolation, and
their ratio with process isolation as the anchor (1.00).

    .venv/bin/python bench/sandbox_overhead.py [RUNS]

The runs alternate between the two, so a machine that gets busier mid-way slows both.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from specrun.execution.namespace import NAMESPACE, PROCESS, probe
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir

TRIVIAL = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    found = probe()
    if not found.namespaced:
        print(f"no namespace sandbox here ({found.reason}): nothing to compare")
        return
    times: dict[str, list[float]] = {PROCESS: [], NAMESPACE: []}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "trivial.py"
        script.write_text(TRIVIAL)
        data = Path(tmp) / "in.csv"
        data.write_text("a\n1\n")
        executors = {name: FreshExecutor(isolation=name) for name in times}
        for _ in range(runs):
            for name, executor in executors.items():
                with SandboxDir(base=Path(tmp) / "boxes") as box:
                    target = box.inputs / "in.csv"
                    target.write_bytes(data.read_bytes())
                    request = RunRequest(script=script, workdir=box.root, call="main",
                                         input_paths={"data": str(target)},
                                         output_paths={"out": str(box.outputs / "out.csv")})
                    t0 = time.perf_counter()
                    record = executor.run(request)
                    times[name].append(time.perf_counter() - t0)
                    assert record.ok and record.metrics.isolation == name, record.message
    anchor = statistics.median(times[PROCESS])
    print(f"trivial main(), {runs} runs each (bwrap: {found.bwrap})")
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"  {name:9}  median {median * 1000:7.1f} ms   ratio {median / anchor:5.2f}")


if __name__ == "__main__":
    main()

"""What ``--cov`` adds to one run of a script: the child bootstrap with and without coverage.py.

Run: ``.venv/bin/python bench/cov_overhead.py [N]`` (default 10 runs each).  Starts the
child bootstrap (``execution/child.py``, as the fresh executor does, without the sandbox)
on a small script N times with and without ``coverage_path``, alternating, and prints the
median seconds per run of each (the anchor: without), their ratio and the difference.
It asserts nothing.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from specrun.execution import child

SCRIPT = """def main(input_paths, output_paths, environ_vars, job_args):
    total = 0
    for i in range(20000):
        if i % 3:
            total += i
    return total
"""


def once(request: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-P", child.__file__, str(request)], check=True)
    return time.perf_counter() - started


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "step.py").write_text(SCRIPT)
        base = {"script": str(root / "step.py"), "call": "main", "args": [], "env": {}, "input_paths": {},
                "output_paths": {}, "job_args": {}, "error_path": str(root / "error.json"), "label": "bench"}
        plain, measured = root / "plain.json", root / "cov.json"
        plain.write_text(json.dumps(base))
        measured.write_text(json.dumps({**base, "coverage_path": str(root / "coverage.json")}))
        without, with_cov = [], []
        for _ in range(n):
            without.append(once(plain))
            with_cov.append(once(measured))
        a, b = statistics.median(without), statistics.median(with_cov)
        print(f"one run with --cov: {b:.3f} s; anchor without: {a:.3f} s; ratio {b / a:.2f} (+{b - a:.3f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)

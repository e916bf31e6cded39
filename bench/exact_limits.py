"""Exact limits (issue 12 pt 3), measured in one run: the peak a 1 GiB burst reaches under a
200 MB memory limit with the per-case cgroup vs the RSS watchdog (ratio to the limit), and
what making a cgroup per case costs (wall of 30 trivial cases, cgroup on vs off, median of 5).

    PYTHONPATH=src python bench/exact_limits.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from specrun.execution import cgroups
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor

LIMIT = 200 * 10**6
BURST = "block = bytearray(b'\\x01') * (1 << 30)\n"
CASES, REPEATS = 30, 5


def _executor(cgroup: bool) -> FreshExecutor:
    os.environ[cgroups.CGROUPS_VAR] = "on" if cgroup else "off"
    return FreshExecutor()


def burst(folder: Path, cgroup: bool) -> tuple[str, int]:
    script = folder / "burst.py"
    script.write_text(BURST)
    box = folder / f"burst-{cgroup}"
    box.mkdir()
    record = _executor(cgroup).run(RunRequest(script=script, workdir=box, memory_limit=LIMIT, timeout=120))
    peak = record.metrics.memory_peak_bytes if cgroup and record.metrics.memory_peak_bytes else \
        record.metrics.peak_rss_bytes
    return str(record.metrics.memory_enforcement), peak


def trivial_wall(folder: Path, cgroup: bool, repeat: int) -> float:
    script = folder / "trivial.py"
    script.write_text("pass\n")
    executor = _executor(cgroup)
    t0 = time.perf_counter()
    for i in range(CASES):
        box = folder / f"t-{cgroup}-{repeat}-{i}"
        box.mkdir()
        executor.run(RunRequest(script=script, workdir=box, memory_limit=LIMIT, timeout=60))
    return time.perf_counter() - t0


def main() -> int:
    if not cgroups.cgroup_support().available:
        print(f"no per-case cgroups here: {cgroups.cgroup_support().reason}")
        return 1
    with tempfile.TemporaryDirectory(prefix="specrun-limits-") as tmp:
        folder = Path(tmp)
        print(f"1 GiB burst under memory_limit {LIMIT / 1e6:.0f} MB:")
        for cgroup in (True, False):
            how, peak = burst(folder, cgroup)
            print(f"  {how:8}  peak {peak / 1e6:7.1f} MB  ratio to the limit {peak / LIMIT:.3f}")
        walls: dict[bool, list[float]] = {True: [], False: []}
        for repeat in range(REPEATS):
            for cgroup in (True, False):          # interleaved: the machine's load hits both
                walls[cgroup].append(trivial_wall(folder, cgroup, repeat))
        on, off = statistics.median(walls[True]), statistics.median(walls[False])
        print(f"{CASES} trivial cases (median of {REPEATS}): cgroup {on:.2f} s, watchdog {off:.2f} s, "
              f"ratio {on / off:.3f} ({(on - off) / CASES * 1000:+.1f} ms per case)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

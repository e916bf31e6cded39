"""ProcessTreeMonitor and find_run_processes against real process trees."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from specrun.execution.monitor import ProcessTreeMonitor, find_run_processes

# A parent that starts two sleeping children, touches 64 MiB, and waits for a line on stdin.
TREE = """
import subprocess, sys
kids = [subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                         stdin=subprocess.PIPE) for _ in range(2)]
blob = b"x" * (64 * 2**20)
print(" ".join(str(k.pid) for k in kids), flush=True)
sys.stdin.readline()
for k in kids:
    k.stdin.close(); k.wait()
"""


def _wait_until(predicate, limit: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)


def test_monitor_sees_the_whole_tree_and_fires_the_memory_callback(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    fired: list[int] = []
    fired_event = threading.Event()

    def on_memory(rss: int) -> None:
        fired.append(rss)
        fired_event.set()

    monitor = ProcessTreeMonitor(proc.pid, interval=0.02, memory_limit=32 * 2**20,
                                 on_memory_exceeded=on_memory).start()
    try:
        kid_pids = {int(p) for p in proc.stdout.readline().split()}
        _wait_until(lambda: monitor.usage.max_processes >= 3)
        assert fired_event.wait(60)
        assert {p.pid for p in monitor.live_descendants()} == kid_pids
    finally:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait()
    usage = monitor.stop()
    assert len(fired) == 1 and fired[0] > 32 * 2**20 and monitor.memory_exceeded
    assert usage.peak_rss_bytes >= 64 * 2**20
    assert usage.cpu_s > 0 and usage.samples >= 2
    assert {p.pid for p in monitor.seen_processes()} >= kid_pids | {proc.pid}
    assert monitor.live_descendants() == []


def test_find_run_processes_by_marker_and_by_group() -> None:
    started = time.time()
    marked = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                              env={**os.environ, "SPECRUN_TEST_MARK": "abc"}, start_new_session=True)
    grouped = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               start_new_session=True)
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _wait_until(lambda: all(psutil.pid_exists(p.pid) for p in (marked, grouped, unrelated)))
        found = {p.pid for p in find_run_processes("SPECRUN_TEST_MARK", "abc", grouped.pid,
                                                   started - 1.0)}
        assert marked.pid in found and grouped.pid in found and unrelated.pid not in found
        assert find_run_processes("SPECRUN_TEST_MARK", "abc", None, time.time() + 3600) == []
    finally:
        for p in (marked, grouped, unrelated):
            p.kill()
            p.wait()

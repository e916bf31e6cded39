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
    fired: list[int] = []
    fired_event = threading.Event()

    def on_memory(rss: int) -> None:
        fired.append(rss)
        fired_event.set()

    # the with block closes the pipes (left open, they warned ResourceWarning when collected)
    with subprocess.Popen([sys.executable, "-c", TREE], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as proc:
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


def _found_with_attrs(var: str, value: str, pgid: int | None, started_after: float) -> set[int]:
    """The scan as it was written first (``process_iter(["create_time"])``): the reference."""
    out = set()
    for proc in psutil.process_iter(["create_time"]):
        if (proc.info.get("create_time") or 0) < started_after:
            continue
        try:
            in_group = pgid is not None and os.getpgid(proc.pid) == pgid
            if (in_group or proc.environ().get(var) == value) and proc.status() != psutil.STATUS_ZOMBIE:
                out.add(proc.pid)
        except (psutil.Error, OSError):
            continue
    return out


def test_find_run_processes_finds_what_the_attrs_scan_finds() -> None:
    """The cheaper age test (each cached Process's creation time) finds the very processes
    the per-process dict of ``process_iter(attrs)`` did: marked, grouped, not a zombie of
    the run, not an unrelated or an older process."""
    started = time.time()
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    marked = subprocess.Popen(sleep, env={**os.environ, "SPECRUN_TEST_MARK": "xyz"}, start_new_session=True)
    grouped = subprocess.Popen(sleep, start_new_session=True)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"], env={**os.environ, "SPECRUN_TEST_MARK": "xyz"})
    unrelated = subprocess.Popen(sleep)
    try:
        _wait_until(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE)
        for after in (started - 1.0, 0.0):
            found = {p.pid for p in find_run_processes("SPECRUN_TEST_MARK", "xyz", grouped.pid, after)}
            assert found == _found_with_attrs("SPECRUN_TEST_MARK", "xyz", grouped.pid, after)
            assert {marked.pid, grouped.pid} <= found and not {zombie.pid, unrelated.pid} & found
    finally:
        for p in (marked, grouped, unrelated):
            p.kill()
            p.wait()
        zombie.wait()

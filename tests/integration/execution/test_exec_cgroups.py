"""Per-case cgroups (execution/cgroups.py): the kernel holds the memory limit exactly, an
OOM kill is known from the cgroup's counter, nothing outlives the case, no cgroup is left.

Every test here needs a cgroup specrun may create (root with a writable cgroup v1 memory
hierarchy or a delegated cgroup v2 subtree); it skips with the probe's reason elsewhere.
The watchdog's own tests (SPECRUN_CGROUPS=off) are in test_exec_misbehaving_scripts.py.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import psutil
import pytest

from specrun.execution import cgroups
from specrun.execution.cgroups import cgroup_support
from specrun.execution.fork import ForkExecutor
from specrun.execution.request import RunRecord, RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.results import ErrorClass

MiB = 2**20
LIMIT = 200 * MiB
SUPPORT = cgroup_support()
needs_cgroups = pytest.mark.skipif(not SUPPORT.available, reason=f"no per-case cgroups here: {SUPPORT.reason}")

#: a 1 GiB allocation at once (every page written): faster than any sampling watchdog
BURST = "block = bytearray(b'\\x01') * (1 << 30)\nprint(len(block))\n"


def _script(tmp_path: Path, source: str) -> Path:
    script = tmp_path / "scripts" / "case_script.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(source))
    return script


def _run(executor: FreshExecutor, tmp_path: Path, source: str, **request: object) -> RunRecord:
    workdir = tmp_path / "box"
    workdir.mkdir(exist_ok=True)
    try:
        return executor.run(RunRequest(script=_script(tmp_path, source), workdir=workdir, timeout=120,
                                       **request))  # type: ignore[arg-type]
    finally:
        executor.close()


def _case_cgroups() -> set[Path]:
    """The case cgroups of this process that exist now."""
    return {p for c in SUPPORT.controllers for p in c.parent.glob(f"specrun-{os.getpid()}-*")}


@needs_cgroups
@pytest.mark.parametrize("executor", [FreshExecutor, ForkExecutor])
def test_a_burst_is_held_at_the_limit_and_the_oom_kill_is_known(tmp_path: Path, executor: type) -> None:
    record = _run(executor(), tmp_path, BURST, memory_limit=LIMIT)
    assert record.metrics.memory_enforcement == "cgroup"
    assert record.classification is ErrorClass.RESOURCE_ERROR, record.message
    assert record.metrics.memory_exceeded and record.metrics.oom_killed is True
    assert "OOM killer killed 1 process at the case cgroup's exact limit" in record.message
    # the kernel never let the case hold more than its limit (the watchdog overshoots here)
    assert record.metrics.memory_peak_bytes is not None
    assert 0.5 * LIMIT < record.metrics.memory_peak_bytes <= LIMIT
    assert _case_cgroups() == set()


@needs_cgroups
def test_the_same_burst_under_the_watchdog_overshoots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the cgroup fixes: sampling RSS lets a fast allocation run past the limit."""
    monkeypatch.setenv(cgroups.CGROUPS_VAR, "off")
    record = _run(FreshExecutor(), tmp_path, BURST, memory_limit=LIMIT)
    assert record.metrics.memory_enforcement == "watchdog" and record.metrics.memory_peak_bytes is None
    assert record.classification is ErrorClass.RESOURCE_ERROR
    assert record.metrics.peak_rss_bytes > LIMIT


@needs_cgroups
def test_a_run_under_its_limit_passes_and_says_what_held_it(tmp_path: Path) -> None:
    record = _run(FreshExecutor(), tmp_path, "block = bytearray(b'\\x01') * (20 << 20)\n", memory_limit=LIMIT)
    assert record.ok, record.message
    assert record.metrics.memory_enforcement == "cgroup" and record.metrics.oom_killed is None
    assert record.metrics.memory_peak_bytes is not None and record.metrics.memory_peak_bytes >= 20 * MiB


@needs_cgroups
def test_the_limit_is_written_into_the_case_cgroup(tmp_path: Path) -> None:
    """The script reads its own memory cgroup's limit: the kernel's value is the step's."""
    source = """
        import pathlib
        line = next(l for l in open('/proc/self/cgroup').read().splitlines() if ':memory:' in l or l.startswith('0::'))
        path = line.split(':', 2)[2]
        for base in ('/sys/fs/cgroup/memory', '/sys/fs/cgroup'):
            for name in ('memory.limit_in_bytes', 'memory.max'):
                f = pathlib.Path(base + path) / name
                if f.exists():
                    print('LIMIT', f.read_text().strip())
                    raise SystemExit(0)
        print('LIMIT none')
    """
    record = _run(FreshExecutor(), tmp_path, source, memory_limit=LIMIT)
    assert record.ok, record.message
    assert f"LIMIT {LIMIT}" in record.stdout_tail


DAEMON = """
    import os, sys, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execve(sys.executable, [sys.executable, '-c', 'import time; time.sleep(300)'], {})
        os._exit(0)
    time.sleep(0.3)
"""


@needs_cgroups
@pytest.mark.parametrize("executor", [FreshExecutor, ForkExecutor])
def test_nothing_started_in_the_case_outlives_it(tmp_path: Path, executor: type) -> None:
    before = {p.pid for p in psutil.process_iter()}
    record = _run(executor(), tmp_path, DAEMON)
    assert record.ok, record.message
    left = [p for p in psutil.process_iter(["cmdline"]) if p.pid not in before
            and "time.sleep(300)" in " ".join(p.info["cmdline"] or [])]
    assert left == [], left
    assert record.metrics.stray_processes_killed >= 1
    assert _case_cgroups() == set()


def test_off_forces_the_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cgroups.CGROUPS_VAR, "off")
    found = cgroup_support()
    assert not found.available and "SPECRUN_CGROUPS=off" in found.reason


@needs_cgroups
def test_a_dead_runs_cgroups_are_swept_and_what_runs_in_them_killed() -> None:
    import subprocess
    import sys
    import uuid

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()                                   # a specrun that died without cleaning up
    memory = SUPPORT.get("memory")
    assert memory is not None
    stale = memory.parent / f"specrun-{gone.pid}-{uuid.uuid4().hex[:10]}"
    mine = memory.parent / f"specrun-{os.getpid()}-{uuid.uuid4().hex[:10]}"   # a live run's: kept
    stale.mkdir()
    mine.mkdir()
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    try:
        (stale / "cgroup.procs").write_text(str(orphan.pid))
        swept = cgroups.sweep_stale(SUPPORT)
        assert stale in swept and mine not in swept
        assert orphan.wait(timeout=30) == -9       # the script of the dead run did not outlive it
        assert not stale.exists() and mine.exists()
    finally:
        orphan.kill()
        mine.rmdir()

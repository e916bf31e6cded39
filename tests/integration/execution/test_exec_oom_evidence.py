"""A SIGKILL specrun did not send is blamed on the OOM killer only with evidence.

These are the fallback's tests (no per-case cgroup: SPECRUN_CGROUPS=off); with a case
cgroup the case's own counter decides (test_exec_cgroups.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specrun.execution import oom, runner
from specrun.execution.classify import classify
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.results import ErrorClass

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture(autouse=True)
def _no_case_cgroups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECRUN_CGROUPS", "off")


def _run_self_sigkill(tmp_path: Path) -> runner.RunRecord:
    executor = FreshExecutor(classifier=classify)
    workdir = tmp_path / "box"
    workdir.mkdir()
    return executor.run(RunRequest(script=SCRIPTS / "killed_by_sigkill.py", workdir=workdir, timeout=60))


def test_a_grown_oom_kill_counter_makes_it_an_oom_kill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = iter([3, 4])      # the counter read before and after the run: the OOM killer struck
    monkeypatch.setattr(runner, "oom_kill_count", lambda: next(counts))
    record = _run_self_sigkill(tmp_path)
    assert record.metrics.signal == 9 and record.metrics.oom_killed is True
    assert record.classification is ErrorClass.RESOURCE_ERROR
    assert "OOM killer" in record.message and "neither" not in record.message


def test_an_unchanged_counter_makes_it_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "oom_kill_count", lambda: 7)
    record = _run_self_sigkill(tmp_path)
    assert record.metrics.oom_killed is False and record.classification is ErrorClass.CRASH


def test_without_a_counter_the_peak_rss_decides() -> None:
    gib = 2**30
    assert oom.sigkill_was_oom(None, None, peak_rss=27 * 2**20, ceiling=24 * gib) is False
    assert oom.sigkill_was_oom(None, None, peak_rss=20 * gib, ceiling=24 * gib) is True
    assert oom.sigkill_was_oom(5, 5, peak_rss=20 * gib, ceiling=24 * gib) is False   # evidence wins
    assert oom.sigkill_was_oom(5, 6, peak_rss=1, ceiling=24 * gib) is True


def test_the_counter_is_read_from_cgroup_v1_and_v2_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "memory.events").write_text("low 0\nhigh 0\nmax 2\noom 2\noom_kill 2\n")
    v1 = tmp_path / "v1"
    v1.mkdir()
    (v1 / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 9\n")
    (v1 / "memory.limit_in_bytes").write_text("1073741824\n")
    monkeypatch.setattr(oom, "_cgroup_dirs", lambda: [v2])
    assert oom.oom_kill_count() == 2
    monkeypatch.setattr(oom, "_cgroup_dirs", lambda: [tmp_path / "missing", v1])
    assert oom.oom_kill_count() == 9
    assert oom.memory_ceiling() == 2**30
    monkeypatch.setattr(oom, "_cgroup_dirs", lambda: [tmp_path / "missing"])
    assert oom.oom_kill_count() is None

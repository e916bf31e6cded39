"""Table-driven: small misbehaving scripts run by the FreshExecutor, each with its
exact classification and the key part of its message (real subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest
from misbehaving_cases import MISBEHAVING, ScriptCase, run_case


def _gone(pid: int) -> bool:
    """The pid no longer runs (a zombie waiting for init to reap it counts as gone)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("case", MISBEHAVING, ids=[c.id for c in MISBEHAVING])
def test_misbehaving_script_is_classified(case: ScriptCase, tmp_path: Path,
                                          classification_table: list) -> None:
    record, root = run_case(case, tmp_path)
    classification_table.append((case.script, record.classification.value
                                 if record.classification else "ok", record.message))

    assert record.classification == case.classification, record.message
    assert record.ok is (case.classification is None)
    assert case.message in record.message
    if case.exit_code is not None:
        assert record.metrics.exit_code == case.exit_code
    if case.signal is not None:
        assert record.metrics.signal == case.signal
    assert record.metrics.stray_processes_killed == case.stray_processes_killed
    assert record.metrics.wall_s > 0
    assert record.stderr_path is not None and record.stderr_path.is_file()


def test_exception_details_come_from_the_child(tmp_path: Path) -> None:
    case = next(c for c in MISBEHAVING if c.id == "value_error")
    record, _ = run_case(case, tmp_path)
    assert record.error is not None
    assert (record.error.type, record.error.module) == ("ValueError", "builtins")
    assert record.error.mro[:2] == ["builtins.ValueError", "builtins.Exception"]
    assert "raises_value_error.py" in record.error.traceback
    assert "child.py" not in record.error.traceback          # bootstrap frames are hidden
    assert "ValueError: unknown currency" in record.stderr_tail


def test_pandas_error_keeps_its_real_type(tmp_path: Path) -> None:
    case = next(c for c in MISBEHAVING if c.id == "pandas_parser_error")
    record, _ = run_case(case, tmp_path)
    assert record.error is not None
    assert record.error.mro[0] == "pandas.errors.ParserError"


def test_crash_leaves_python_traceback_in_stderr(tmp_path: Path) -> None:
    case = next(c for c in MISBEHAVING if c.id == "segfault")
    record, _ = run_case(case, tmp_path)
    assert record.error is None
    assert "Fatal Python error: Segmentation fault" in record.stderr_tail
    assert "segfaults.py" in record.stderr_tail


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    case = next(c for c in MISBEHAVING if c.id == "sleeps_forever")
    record, root = run_case(case, tmp_path)
    assert record.metrics.timed_out
    pids = json.loads((root / "output" / "pids.json").read_text())
    assert _gone(pids["script"]) and _gone(pids["child"])
    assert record.metrics.max_processes >= 2


def test_escaped_grandchild_is_killed(tmp_path: Path) -> None:
    case = next(c for c in MISBEHAVING if c.id == "escaping_grandchild")
    record, root = run_case(case, tmp_path)
    grandchild = int((root / "output" / "grandchild.pid").read_text())
    assert _gone(grandchild)
    assert record.metrics.stray_processes_killed == 1


def test_memory_limit_reports_peak_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The RSS watchdog (no per-case cgroup) kills a tree that went over its limit."""
    monkeypatch.setenv("SPECRUN_CGROUPS", "off")
    case = next(c for c in MISBEHAVING if c.id == "memory_hog")
    record, _ = run_case(case, tmp_path)
    assert record.metrics.memory_exceeded and record.metrics.memory_enforcement == "watchdog"
    assert case.memory_limit is not None
    assert record.metrics.peak_rss_bytes > case.memory_limit

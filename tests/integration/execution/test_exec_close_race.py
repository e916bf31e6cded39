"""Closing an executor while a worker thread is still starting a run (Ctrl-C with ``-n 2``).

The interrupt kills the runs in flight; a run that was being set up at that moment used to
start afterwards and keep specrun waiting for it (a 60 s sleeper made the interrupt test
hang).  After ``close()`` no run starts, and a run whose process started while ``close()``
ran is killed, not waited for.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest

from specrun.execution.fork import ForkExecutor
from specrun.execution.request import RunRequest
from specrun.execution.runner import ExecutorClosed, FreshExecutor

SLEEPER = "import os, pathlib, time\npathlib.Path('pid').write_text(str(os.getpid()))\ntime.sleep(60)\n"


def _request(tmp_path: Path) -> RunRequest:
    script = tmp_path / "sleeper.py"
    script.write_text(SLEEPER)
    workdir = tmp_path / "box"
    workdir.mkdir()
    return RunRequest(script=script, workdir=workdir, timeout=120)


@pytest.mark.parametrize("executor_class", [FreshExecutor, ForkExecutor])
def test_no_run_starts_after_close(tmp_path: Path, executor_class: type[FreshExecutor]) -> None:
    executor = executor_class()
    executor.close()
    request = _request(tmp_path)
    with pytest.raises(ExecutorClosed):
        executor.run(request)
    assert not (request.workdir / "pid").exists()


def test_a_run_started_while_close_ran_is_killed_not_waited_for(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """close() comes between the process start and its registration: the run must not
    survive (close() could not see its pid) nor keep the worker for the script's 60 s."""
    executor = FreshExecutor()
    started: list[int] = []
    real_popen = subprocess.Popen

    def popen_then_close(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        proc = real_popen(*args, **kwargs)
        started.append(proc.pid)
        executor.close()               # the interrupt lands right after the process started
        return proc

    monkeypatch.setattr(subprocess, "Popen", popen_then_close)
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            executor.run(_request(tmp_path))
        except BaseException as exc:   # noqa: BLE001 - the worker thread reports what ended it
            outcome.append(exc)

    thread = threading.Thread(target=worker)
    began = time.monotonic()
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the worker kept waiting for a run started during close()"
    assert len(outcome) == 1 and isinstance(outcome[0], ExecutorClosed), outcome
    assert time.monotonic() - began < 30
    assert started and not (psutil.pid_exists(started[0])
                            and psutil.Process(started[0]).status() != psutil.STATUS_ZOMBIE)


def test_session_creates_no_executor_after_close(tmp_path: Path) -> None:
    import argparse

    from specrun.config import load_plugins
    from specrun.session import Session

    session = Session(argparse.Namespace(workspace=str(tmp_path / "ws")), load_plugins([]))
    session.executor("fresh")        # one exists before, none after
    session.close()
    with pytest.raises(ExecutorClosed):
        session.executor("fresh")

"""The fork executor's warm parent started ahead (``warm()``, called when a run begins):
the first run uses that parent once it has preloaded, a parent that cannot start leaves
the runs to fresh processes (never a lost run), and a parent that never ran anything is
killed at close instead of being waited for while it still imports."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil

from specrun.execution.fork import ForkExecutor, ForkServer
from specrun.execution.request import RunRequest

SCRIPT = "import os, pathlib\npathlib.Path('out.txt').write_text(str(os.getppid()))\n"


def _request(tmp_path: Path, name: str) -> RunRequest:
    script = tmp_path / "write.py"
    script.write_text(SCRIPT)
    workdir = tmp_path / name
    workdir.mkdir()
    return RunRequest(script=script, workdir=workdir, timeout=60)


def test_the_first_run_forks_from_the_parent_started_ahead(tmp_path: Path) -> None:
    executor = ForkExecutor(server_dir=tmp_path / "fork")
    try:
        executor.warm()
        warmed = executor.server()
        assert warmed is not None
        record = executor.run(_request(tmp_path, "a"))
        assert record.ok and executor.fallbacks == 0, record
        assert executor.server() is warmed                              # no second parent
        assert int((tmp_path / "a" / "out.txt").read_text()) == warmed.pid   # forked from it
    finally:
        executor.close()


def _fake_python(tmp_path: Path, server_part: str) -> Path:
    """An interpreter that runs everything as specrun's own does, except the fork server."""
    import sys

    fake = tmp_path / "python"
    fake.write_text(f"""#!/bin/sh
case "$*" in
  *fork_server.py*) {server_part} ;;
  *) exec {sys.executable} "$@" ;;
esac
""")
    fake.chmod(0o755)
    return fake


def test_a_parent_started_ahead_that_dies_leaves_the_run_to_a_fresh_process(tmp_path: Path) -> None:
    executor = ForkExecutor(python=str(_fake_python(tmp_path, "exit 3")), server_dir=tmp_path / "fork")
    try:
        executor.warm()
        record = executor.run(_request(tmp_path, "b"))
        assert record.ok, record
        assert executor.fallbacks == 1 and (tmp_path / "b" / "out.txt").exists()
    finally:
        executor.close()


def test_a_parent_that_never_ran_anything_is_killed_at_close_with_all_it_started(tmp_path: Path) -> None:
    """A parent still importing (here: an interpreter whose start hangs in a child process
    of its own) is killed with its whole process group at close; closing its stdin and
    waiting would leave it running for the grace period and then kill only its leader."""
    fake = _fake_python(tmp_path, f"sleep 600 & echo $! > {tmp_path}/sleeper.pid; wait")
    server = ForkServer(str(fake), tmp_path / "fork", wait=False)
    pid_file = tmp_path / "sleeper.pid"
    for _ in range(500):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        threading.Event().wait(0.02)
    sleeper = psutil.Process(int(pid_file.read_text()))
    closer = threading.Thread(target=server.close)
    closer.start()
    closer.join(60)
    assert not closer.is_alive()
    try:
        sleeper.wait(10)
    except psutil.TimeoutExpired:
        sleeper.kill()
        raise AssertionError("the never-used parent's process group outlived close()") from None

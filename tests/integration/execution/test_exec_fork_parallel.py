"""Two fork runs really run at the same time (issue 15 pt 3), and their results never mix.

Each script marks its arrival in a shared folder, then waits for the other's mark before it
writes its own output.  If the fork executor serialised runs (one lock around launch, wait
and reap, or a server that forks the next run only after the last one ended), the first
run would wait for a mark that never comes and time out: the test fails.  The outputs,
stdout and the recorded pids are checked to belong to the run that produced them."""

from __future__ import annotations

import threading
from pathlib import Path

from specrun.execution.fork import ForkExecutor
from specrun.execution.request import RunRecord, RunRequest

SCRIPT = """\
import os, pathlib, sys, time
me, other, shared = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
(shared / me).write_text(str(os.getpid()))
deadline = time.monotonic() + 20
while not (shared / other).exists():
    if time.monotonic() > deadline:
        print("never saw", other, file=sys.stderr)
        sys.exit(7)
    time.sleep(0.01)
pathlib.Path("out.txt").write_text(me + " " + str(os.getpid()))
print("run", me)
"""


def _request(tmp_path: Path, me: str, other: str, shared: Path) -> RunRequest:
    script = tmp_path / "meet.py"
    script.write_text(SCRIPT)
    workdir = tmp_path / me
    workdir.mkdir()
    return RunRequest(script=script, workdir=workdir, timeout=60, args=[me, other, str(shared)])


def test_two_fork_runs_overlap_and_keep_their_own_results(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    executor = ForkExecutor(server_dir=tmp_path / "fork")
    records: dict[str, RunRecord] = {}
    try:
        requests = {"a": _request(tmp_path, "a", "b", shared), "b": _request(tmp_path, "b", "a", shared)}
        threads = [threading.Thread(target=lambda n=n: records.__setitem__(n, executor.run(requests[n])))
                   for n in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        assert executor.fallbacks == 0
    finally:
        executor.close()
    for me in ("a", "b"):
        record = records[me]
        assert record.ok, (me, record.message, record.stderr_tail)
        name, pid = (tmp_path / me / "out.txt").read_text().split()
        assert name == me and pid == (shared / me).read_text()       # its own output, its own process
        assert record.stdout_tail.strip() == f"run {me}"
    assert (shared / "a").read_text() != (shared / "b").read_text()


def test_a_closed_executor_leaves_no_pipe_open(tmp_path: Path) -> None:
    """The warm parent's answer pipe is closed once it has exited: a long run that starts and
    closes executors (or whose warm parent dies and is replaced) leaks no file descriptor."""
    import gc
    import warnings

    script = tmp_path / "hello.py"
    script.write_text("print('hello')\n")
    (tmp_path / "box").mkdir()
    executor = ForkExecutor(server_dir=tmp_path / "fork")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            assert executor.run(RunRequest(script=script, workdir=tmp_path / "box", timeout=60)).ok
            assert executor.fallbacks == 0
            servers = list(executor._servers.values())
        finally:
            executor.close()
        del executor, servers
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []

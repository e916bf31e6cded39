"""The fork server's cgroup hand-shake: a child says whether it moved itself into its run's
cgroups, so specrun moves it (again, ~10 ms) only when it did not; and while one child is
still moving, the server forks and answers other runs (issue 15 pt 3: no single wait
serialises the fork server)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specrun.execution import fork_server


def _said(payload: bytes | None) -> bool:
    read, write = os.pipe()
    if payload is not None:
        os.write(write, payload)
    os.close(write)
    return fork_server._said_joined(read)


def test_only_a_child_that_said_it_joined_counts_as_joined() -> None:
    assert _said(b"1") is True
    assert _said(b"0") is False
    assert _said(None) is False                        # died before saying anything


def test_a_move_that_fails_says_not_joined(tmp_path: Path) -> None:
    read, write = os.pipe()
    fork_server._join_cgroups([str(tmp_path / "no-such-cgroup" / "cgroup.procs")], write)
    assert os.read(read, 2) == b"0"
    os.close(read)


def test_no_cgroup_to_join_says_joined_to_none() -> None:
    read, write = os.pipe()
    fork_server._join_cgroups([], write)
    assert os.read(read, 2) == b"1"
    os.close(read)


class _Server:
    """A real fork server process, spoken to as specrun's ForkServer does."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.proc = subprocess.Popen([sys.executable, "-P", fork_server.__file__, str(tmp_path / "server.log"), "json"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pending = b""
        assert self.reply(30).get("ready")

    def send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def run(self, run_id: int, cgroup_procs: list[str]) -> None:
        request = self.tmp / f"request-{run_id}.json"
        request.write_text("{}")                       # not a valid run: the child exits at once
        self.send({"op": "run", "id": run_id, "request": str(request), "workdir": str(self.tmp), "env": {},
                   "stdout": str(self.tmp / f"out-{run_id}"), "stderr": str(self.tmp / f"err-{run_id}"),
                   "cgroup_procs": cgroup_procs, "preload": [], "script_dir": ""})

    def replies_until(self, run_ids: set[int], timeout: float) -> list[dict]:
        """Replies, in order, until each of ``run_ids`` has had its pid answer (or the time is
        up): other runs' exit messages may come in between, in any order."""
        answers: list[dict] = []
        deadline = time.monotonic() + timeout
        while not run_ids <= {a.get("id") for a in answers if "pid" in a}:
            answer = self.reply(max(0.0, deadline - time.monotonic()))
            if not answer:
                break
            answers.append(answer)
        return answers

    def reply(self, timeout: float) -> dict:
        assert self.proc.stdout is not None
        fd, deadline = self.proc.stdout.fileno(), time.monotonic() + timeout
        while b"\n" not in self.pending:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return {}
            chunk = os.read(fd, 65536)
            if not chunk:
                return {}
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def test_a_child_still_joining_its_cgroup_does_not_hold_up_the_next_fork(tmp_path: Path) -> None:
    """Run 1's child blocks while it moves into its cgroup (its cgroup.procs is a FIFO no one
    reads yet); run 2 must be forked and answered meanwhile, and run 1 answered, joined,
    once its move is done."""
    procs = tmp_path / "cgroup.procs"
    os.mkfifo(procs)
    server = _Server(tmp_path)
    try:
        server.run(1, [str(procs)])
        server.run(2, [])
        first = server.reply(3)
        assert first.get("id") == 2 and first.get("pid"), first      # not held behind run 1's move
        fifo = os.open(procs, os.O_RDONLY)                            # let run 1's child finish its move
        try:
            answers = server.replies_until({1}, 10)    # run 2's exit may come before or after
            assert os.read(fifo, 8) == b"0"                           # it wrote itself ("0") there
        finally:
            os.close(fifo)
        joined = next(a for a in answers if "pid" in a)
        assert joined["id"] == 1 and joined["joined"] is True, answers
    finally:
        server.close()


@pytest.mark.slow
def test_a_child_that_never_says_it_joined_is_answered_not_joined(tmp_path: Path) -> None:
    """A child that says nothing within the wait (blocked on its move) is answered, not
    joined, so specrun moves it itself; the server does not wait for it forever."""
    procs = tmp_path / "cgroup.procs"
    os.mkfifo(procs)
    server = _Server(tmp_path)
    try:
        server.run(1, [str(procs)])
        answer = server.reply(fork_server.JOIN_WAIT_S + 10)
        assert answer.get("id") == 1 and answer.get("joined") is False, answer
        fifo = os.open(procs, os.O_RDONLY | os.O_NONBLOCK)           # release the child
        os.close(fifo)
    finally:
        server.close()


# -- the spare child: forked ahead, in the next run's cgroup (issue 15 pt 2) -----------------

def test_a_child_stuck_before_its_own_session_dies_with_the_server(tmp_path: Path) -> None:
    """specrun gone while a child is still moving into its cgroup (before it leads its own
    process group): the server's shutdown kills it too, no process is left behind."""
    import psutil

    procs = tmp_path / "cgroup.procs"
    os.mkfifo(procs)
    server = _Server(tmp_path)
    server.run(1, [str(procs)])
    deadline = time.monotonic() + 10
    while not (children := psutil.Process(server.proc.pid).children()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert children, "the run was not forked"
    server.close()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, alive


def _spare_server(tmp_path: Path, **env: str) -> _Server:
    if env:
        os.environ.update(env)       # the server inherits the test's environment
    try:
        return _Server(tmp_path)
    finally:
        for name in env:
            os.environ.pop(name, None)


def _run(server: _Server, run_id: int, cgroup_procs: list[str], *, spare: bool, preload: list[str] = ()) -> None:
    request = server.tmp / f"request-{run_id}.json"
    request.write_text("{}")                           # not a valid run: the child exits at once
    server.send({"op": "run", "id": run_id, "request": str(request), "workdir": str(server.tmp), "env": {},
                 "stdout": str(server.tmp / f"out-{run_id}"), "stderr": str(server.tmp / f"err-{run_id}"),
                 "cgroup_procs": cgroup_procs, "preload": list(preload), "script_dir": "", "spare": spare})


def _drain(fd: int) -> bytes:
    data = b""
    while True:
        try:
            chunk = os.read(fd, 64)
        except BlockingIOError:
            return data
        if not chunk:
            return data
        data += chunk


def _wait_for_move(fd: int, timeout: float = 10.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = _drain(fd)
        if data:
            return data
        time.sleep(0.01)
    return b""


def test_the_spare_in_the_runs_cgroup_takes_the_run_without_moving_again(tmp_path: Path) -> None:
    """A spare forked for cgroup X moved itself into X once; the run sent for X is handed to
    it (answered joined, nothing more written to X's cgroup.procs: no second fork moved in)."""
    procs = tmp_path / "cgroup.procs"
    os.mkfifo(procs)
    reader = os.open(procs, os.O_RDONLY | os.O_NONBLOCK)        # moves do not block
    server = _Server(tmp_path)
    try:
        server.send({"op": "spare", "cgroup_procs": [str(procs)]})
        _run(server, 1, [str(procs)], spare=True)
        answer = server.reply(fork_server.JOIN_WAIT_S - 1)
        assert answer.get("id") == 1 and answer.get("pid") and answer.get("joined") is True, answer
        assert server.reply(10) == {"id": 1, "exited": True}
        assert _drain(reader) == b"0"                           # one move: the spare's
        server.send({"op": "reap", "id": 1})
        assert server.reply(10).get("returncode") == 1          # it ran the (invalid) request
    finally:
        os.close(reader)
        server.close()


def test_a_stale_spare_is_killed_and_the_run_forked_into_its_cgroup(tmp_path: Path) -> None:
    """The run imports a module first (the spare lacks it): the spare dies, a new fork moves
    into the cgroup and takes the run."""
    procs = tmp_path / "cgroup.procs"
    os.mkfifo(procs)
    reader = os.open(procs, os.O_RDONLY | os.O_NONBLOCK)
    server = _Server(tmp_path)
    try:
        server.send({"op": "spare", "cgroup_procs": [str(procs)]})
        assert _wait_for_move(reader) == b"0"                   # the spare moved in
        _run(server, 1, [str(procs)], spare=True, preload=["colorsys"])
        answer = server.reply(fork_server.JOIN_WAIT_S - 1)
        assert answer.get("id") == 1 and answer.get("joined") is True, answer
        assert server.reply(10) == {"id": 1, "exited": True}
        assert _drain(reader) == b"0"                           # and so did a new fork, for the run
    finally:
        os.close(reader)
        server.close()


def test_a_run_that_claims_the_spare_while_its_word_is_pending_is_still_answered(tmp_path: Path) -> None:
    """The server is busy (importing a module that waits on a FIFO) while the run for the
    spare's cgroup arrives and the spare says it joined: both come out of one select.  The
    command drops the stale spare and forks into its cgroup; the spare's word from the same
    select is stale then and must not touch the new child's pipe (it did: the run was never
    answered and the server died on an fd it no longer had)."""
    mods, gate, procs = tmp_path / "mods", tmp_path / "gate", tmp_path / "cgroup.procs"
    mods.mkdir()
    os.mkfifo(gate)
    os.mkfifo(procs)
    (mods / "gatekeeper.py").write_text(f"open({str(gate)!r}).read()\n")    # blocks the import
    server = _spare_server(tmp_path, PYTHONPATH=str(mods))
    reader = -1
    try:
        server.send({"op": "spare", "cgroup_procs": [str(procs)]})   # the spare blocks in its move
        _run(server, 1, [], spare=False, preload=["gatekeeper"])     # the server blocks in the import
        time.sleep(0.3)
        _run(server, 2, [str(procs)], spare=True)                    # ready first ...
        reader = os.open(procs, os.O_RDONLY | os.O_NONBLOCK)         # ... then the spare's word
        assert _wait_for_move(reader) == b"0"                        # the spare has moved
        time.sleep(0.3)
        os.close(os.open(gate, os.O_WRONLY))                         # the import ends
        # run 1 (no cgroup) may end and report its exit before run 2's child has joined
        answers = server.replies_until({1, 2}, fork_server.JOIN_WAIT_S - 1)
        by_id = {a.get("id"): a for a in answers if "pid" in a}
        assert set(by_id) == {1, 2}, answers
        assert by_id[2]["joined"] is True, answers
    finally:
        if reader >= 0:
            os.close(reader)
        server.close()

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
            answers = [server.reply(10) for _ in range(2)]
            assert os.read(fifo, 8) == b"0"                           # it wrote itself ("0") there
        finally:
            os.close(fifo)
        joined = next(a for a in answers if "pid" in a)
        assert joined["id"] == 1 and joined["joined"] is True, answers
    finally:
        server.close()


def test_a_child_that_never_says_it_joined_is_answered_not_joined(tmp_path: Path, monkeypatch) -> None:
    """A child that says nothing within the wait (blocked on its move) is answered, not
    joined, so specrun moves it itself; the server does not wait for it forever."""
    procs = tmp_path / "cgroup.procs"
    os.mkfifo(procs)
    server = _Server(tmp_path)
    try:
        server.run(1, [str(procs)])
        started = time.monotonic()
        answer = server.reply(fork_server.JOIN_WAIT_S + 10)
        assert answer.get("id") == 1 and answer.get("joined") is False, answer
        assert time.monotonic() - started >= fork_server.JOIN_WAIT_S - 0.5
        fifo = os.open(procs, os.O_RDONLY | os.O_NONBLOCK)           # release the child
        os.close(fifo)
    finally:
        server.close()

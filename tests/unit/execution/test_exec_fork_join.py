"""The fork server's cgroup hand-shake: a child says whether it moved itself into its run's
cgroups, so specrun moves it (again, ~10 ms) only when it did not."""

from __future__ import annotations

import os
from pathlib import Path

from specrun.execution import fork_server


def _said(payload: bytes | None, close: bool = True, timeout: float = 5.0) -> bool:
    read, write = os.pipe()
    if payload is not None:
        os.write(write, payload)
    if close:
        os.close(write)
    try:
        return fork_server._await_join(read, timeout)
    finally:
        if not close:
            os.close(write)


def test_only_a_child_that_said_it_joined_counts_as_joined() -> None:
    assert _said(b"1") is True
    assert _said(b"0") is False
    assert _said(None) is False                        # died before saying anything
    assert _said(None, close=False, timeout=0.05) is False   # said nothing in time


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

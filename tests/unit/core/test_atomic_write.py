"""The one atomic write: fsynced before the rename, old file kept on failure, no temp left."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from specrun import atomic
from specrun.contract.io import write_port
from specrun.spec.model import PortSpec


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """(event, content of the target's temp file) for each fsync and rename, in order."""
    events: list[tuple[str, bytes]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", Path(f"/proc/self/fd/{fd}").resolve().read_bytes()))
        real_fsync(fd)

    def replace(src, dst) -> None:
        events.append(("replace", Path(src).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    return events


def test_text_is_fsynced_before_it_replaces_the_file(tmp_path: Path, synced) -> None:
    target = tmp_path / "record.json"
    atomic.write_text_atomic(target, '{"ok": true}')
    assert synced == [("fsync", b'{"ok": true}'), ("replace", b'{"ok": true}')]
    assert target.read_text() == '{"ok": true}'


def test_port_data_is_written_whole_then_renamed_without_an_fsync(tmp_path: Path, synced) -> None:
    """A case's sandbox data is read by its script and by specrun while specrun runs, never
    after a power cut: the rename keeps it atomic, and the fsync (5 ms a file) is left out."""
    target = tmp_path / "out.csv"
    write_port(PortSpec(name="out", format="csv"), pd.DataFrame({"a": [1, 2]}), target)
    assert synced == [("replace", b"a\n1\n2\n")]
    assert target.read_bytes() == b"a\n1\n2\n"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def broken(temp: Path) -> None:
        temp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.write_atomic(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]

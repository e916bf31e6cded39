"""Only a single parquet file is checked column by column: for any other port nothing is
compiled or read here, so its contract is compiled where it always was (after the read that
may fail first)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from specrun.modes.large_ports import checked_by_column
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec


class _NoCompiling:
    def pandera(self, schema):
        raise AssertionError("compiled for a port that is read whole")


@pytest.mark.parametrize("port", [PortSpec(name="out", format="csv"), PortSpec(name="out", format="jsonl"),
                                  PortSpec(name="out", format="parquet", layout="{split}/part-{shard}.parquet")])
def test_other_ports_are_left_to_the_whole_read(tmp_path, port):
    session = SimpleNamespace(contracts=_NoCompiling(), types=None)
    schema = SchemaSpec("s", {"a": ColumnSpec("a", "int")})
    assert checked_by_column(session, "out", "output", port, tmp_path / "out.csv", schema) is None

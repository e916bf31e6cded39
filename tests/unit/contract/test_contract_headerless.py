"""``header: false`` csv/tsv ports (issue 11 pt 3): no header row written, columns read in
the schema's declared order; a file with a header row or another number of columns fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from contract_strategies import TYPES, frames, schemas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.io import PortReadError, port_target, read_port_frame, write_port
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.storage import type_failures
from specrun.contract.validate import validate_frame
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec

LAYOUTS = [(None, None, None), ("part-{shard:05d}.data", 3, None),
           ("{split}/chunk-{shard}.data", 2, ["a", "b"])]
STRINGS = SchemaSpec("s", {"name": ColumnSpec("name", "str"), "city": ColumnSpec("city", "str")})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data(), rows=st.integers(0, 12), fmt=st.sampled_from(["csv", "tsv"]),
       gz=st.booleans(), layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 1000))
def test_headerless_round_trip_of_hypothesis_frames(tmp_path_factory: pytest.TempPathFactory,
                                                    data: st.DataObject, rows: int, fmt: str, gz: bool,
                                                    layout: tuple, seed: int) -> None:
    schema = data.draw(schemas(rows, max_columns=5))
    schema.columns["__row"] = ColumnSpec("__row", "int", unique=True, min=0, max=rows)
    frame = data.draw(frames(schema, rows))
    frame["__row"] = np.arange(rows, dtype=np.int64)
    pattern, shards, split = layout
    port = PortSpec("data", format=fmt, compression="gzip" if gz else None, schema=schema, header=False,
                    layout=pattern.replace(".data", f".{fmt}") if pattern else None, shards=shards, split=split)
    target = port_target(tmp_path_factory.mktemp("rt"), port, "input")
    written = write_port(port, frame, target, seed=seed)
    assert sum(len(read_port_frame(dataclasses.replace(port, layout=None, shards=None, split=None), path))
               for path in written) == rows       # every line a data row, none a header
    back = read_port_frame(port, target).sort_values("__row").reset_index(drop=True)
    assert list(back.columns) == list(schema.columns)
    expected = frame.sort_values("__row").reset_index(drop=True)
    for name in schema.columns:
        pd.testing.assert_series_equal(back[name], expected[name], check_names=False)
    ok, failures = validate_frame(back, to_pandera(schema, TYPES))
    assert ok, failures


def _port(tmp_path: Path, text: str, schema: SchemaSpec = STRINGS) -> tuple[PortSpec, Path]:
    path = tmp_path / "data.csv"
    path.write_text(text)
    return PortSpec("data", schema=schema, header=False), path


def test_headerless_writes_no_header_and_reads_columns_in_declared_order(tmp_path: Path) -> None:
    port = PortSpec("data", schema=STRINGS, header=False)
    write_port(port, pd.DataFrame({"name": ["ann", "bob"], "city": ["oslo", "rome"]}), tmp_path / "d.csv")
    assert (tmp_path / "d.csv").read_text() == "ann,oslo\nbob,rome\n"
    back = read_port_frame(port, tmp_path / "d.csv")
    assert back.to_dict("list") == {"name": ["ann", "bob"], "city": ["oslo", "rome"]}


def test_a_header_row_is_reported_even_when_every_column_is_text(tmp_path: Path) -> None:
    port, path = _port(tmp_path, "name,city\nann,oslo\n")
    with pytest.raises(PortReadError, match="first row is a header"):
        read_port_frame(port, path)


def test_a_header_row_of_a_typed_column_fails_its_type(tmp_path: Path) -> None:
    schema = SchemaSpec("t", {"id": ColumnSpec("id", "int"), "city": ColumnSpec("city", "str")})
    port, path = _port(tmp_path, "ident,town\n1,oslo\n", schema)      # a header with other names
    failures = type_failures(read_port_frame(port, path))
    assert [f.failure.column for f in failures] == ["id"]
    assert failures[0].failure.examples == ["ident"]


@pytest.mark.parametrize("text", ["ann,oslo,extra\nbob,rome,extra\n", "ann\nbob\n"])
def test_another_number_of_columns_is_reported(tmp_path: Path, text: str) -> None:
    port, path = _port(tmp_path, text)
    with pytest.raises(PortReadError, match="the schema declares 2"):
        read_port_frame(port, path)


def test_an_empty_headerless_file_is_zero_rows(tmp_path: Path) -> None:
    port, path = _port(tmp_path, "")
    back = read_port_frame(port, path)
    assert len(back) == 0 and list(back.columns) == ["name", "city"]

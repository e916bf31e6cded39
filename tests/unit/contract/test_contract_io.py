"""write_port / read_port: round trips per format, compression and layout; errors; paths."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from contract_strategies import TYPES, frames, schemas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.io import (
    PortReadError,
    copy_fixture,
    port_files,
    port_target,
    read_port,
    read_port_frame,
    write_port,
)
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.spec.model import TABULAR_FORMATS, ColumnSpec, PortSpec, SchemaSpec

LAYOUTS = [(None, None, None), ("part-{shard:05d}.data", 3, None),
           ("{split}/{split}_processed.data", None, ["train", "test", "val"]),
           ("{split}/chunk-{shard}.data", 2, ["a", "b"])]
SCHEMA = SchemaSpec("s", {
    "id": ColumnSpec("id", "int", unique=True),
    "amount": ColumnSpec("amount", "float", min=0, max=10),
    "code": ColumnSpec("code", "str", nullable=True),
    "ts": ColumnSpec("ts", "datetime"),
})


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("__row").reset_index(drop=True)


def _assert_same(back: pd.DataFrame, frame: pd.DataFrame, fmt: str) -> None:
    back, frame = _sorted(back), _sorted(frame)
    assert list(back.columns) == list(frame.columns)
    for name in frame.columns:
        expected, actual = frame[name], back[name]
        assert actual.dtype == expected.dtype, (name, actual.dtype, expected.dtype)
        if fmt == "jsonl" and expected.dtype == "float64":   # JSON keeps 15 significant digits
            assert (expected.isna() == actual.isna()).all()
            mask = expected.notna().to_numpy()
            assert np.allclose(actual.to_numpy()[mask], expected.to_numpy()[mask], rtol=1e-14, atol=0)
        else:
            pd.testing.assert_series_equal(actual, expected, check_names=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data(), rows=st.integers(0, 12), fmt=st.sampled_from(TABULAR_FORMATS),
       gz=st.booleans(), layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 1000))
def test_round_trip_of_hypothesis_frames(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject,
                                         rows: int, fmt: str, gz: bool,
                                         layout: tuple, seed: int) -> None:
    schema = data.draw(schemas(rows, max_columns=5))
    schema.columns["__row"] = ColumnSpec("__row", "int", unique=True, min=0, max=rows)
    frame = data.draw(frames(schema, rows))
    frame["__row"] = np.arange(rows, dtype=np.int64)
    pattern, shards, split = layout
    port = PortSpec("data", format=fmt, compression="gzip" if gz else None, schema=schema,
                    layout=pattern.replace(".data", f".{fmt}") if pattern else None,
                    shards=shards, split=split)
    root = tmp_path_factory.mktemp("rt")
    target = port_target(root, port, "input")
    written = write_port(port, frame, target, seed=seed)
    assert all(path.is_file() for path in written)
    assert sorted(port_files(port, target)) == sorted(written)
    back = read_port_frame(port, target)
    _assert_same(back, frame, fmt)
    ok, failures = validate_frame(back, to_pandera(schema, TYPES))
    assert ok, failures


def test_port_target_paths(tmp_path: Path) -> None:
    assert port_target(tmp_path, PortSpec("t", "csv"), "input") == tmp_path / "input" / "t.csv"
    assert port_target(tmp_path, PortSpec("t", "csv", compression="gzip"), "output") == \
        tmp_path / "output" / "t.csv.gz"
    assert port_target(tmp_path, PortSpec("t", "parquet", compression="gzip"), "input") == \
        tmp_path / "input" / "t.parquet"
    assert port_target(tmp_path, PortSpec("m", "file"), "output") == tmp_path / "output" / "m"
    assert port_target(tmp_path, PortSpec("t", "csv", layout="p-{shard}.csv", shards=2), "input") == \
        tmp_path / "input" / "t"


def test_gzip_files_are_gzip_and_reproducible(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "amount": [0.5, 1.5], "code": ["a", None],
                          "ts": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    port = PortSpec("t", "csv", compression="gzip", schema=SCHEMA)
    first, second = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    write_port(port, frame, first)
    write_port(port, frame, second)
    assert gzip.decompress(first.read_bytes()).startswith(b"id,amount,code,ts")
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_shards_split_rows_evenly(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": range(10)})
    port = PortSpec("t", "csv", layout="part-{shard:02d}.csv", shards=3)
    written = write_port(port, frame, tmp_path / "t")
    assert [p.name for p in written] == ["part-00.csv", "part-01.csv", "part-02.csv"]
    frames = read_port(port, tmp_path / "t")
    assert list(frames) == ["part-00.csv", "part-01.csv", "part-02.csv"]
    assert [len(f) for f in frames.values()] == [4, 3, 3]


def test_shard_files_are_found_by_pattern_whatever_their_count(tmp_path: Path) -> None:
    port = PortSpec("t", "csv", layout="part-{shard:05d}.csv", shards=2)
    (tmp_path / "part-00007.csv").write_text("id\n1\n")
    (tmp_path / "part-12.csv").write_text("id\n2\n")
    (tmp_path / "notes.txt").write_text("ignored")
    assert [p.name for p in port_files(port, tmp_path)] == ["part-00007.csv", "part-12.csv"]
    assert sorted(read_port_frame(port, tmp_path)["id"]) == [1, 2]


def test_split_layout_writes_every_split_and_reads_them_by_relative_path(tmp_path: Path) -> None:
    port = PortSpec("s", "parquet", layout="{split}/{split}_processed_data.parquet",
                    split=["train", "test", "val"])
    frame = pd.DataFrame({"id": range(9)})
    write_port(port, frame, tmp_path / "s", seed=1)
    frames = read_port(port, tmp_path / "s")
    assert list(frames) == ["train/train_processed_data.parquet", "test/test_processed_data.parquet",
                            "val/val_processed_data.parquet"]
    assert sorted(pd.concat(frames.values())["id"]) == list(range(9))
    (tmp_path / "s" / "val" / "val_processed_data.parquet").unlink()
    with pytest.raises(PortReadError, match="file not found"):
        read_port(port, tmp_path / "s")


def test_missing_file_and_directory_raise_port_read_error(tmp_path: Path) -> None:
    with pytest.raises(PortReadError) as caught:
        read_port(PortSpec("out", "csv"), tmp_path / "nope.csv")
    assert caught.value.port == "out" and caught.value.path == tmp_path / "nope.csv"
    with pytest.raises(PortReadError, match="directory not found"):
        read_port(PortSpec("out", "csv", layout="p-{shard}.csv"), tmp_path / "dir")
    (tmp_path / "dir").mkdir()
    with pytest.raises(PortReadError, match="no files matching"):
        read_port(PortSpec("out", "csv", layout="p-{shard}.csv"), tmp_path / "dir")


@pytest.mark.parametrize("fmt, content", [
    ("parquet", b"this is not parquet"),
    ("jsonl", b'{"a": 1}\n{"a": \n'),
    ("csv", b'a,b\n1,"unterminated\n'),
])
def test_unparsable_output_raises_port_read_error(tmp_path: Path, fmt: str, content: bytes) -> None:
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(content)
    with pytest.raises(PortReadError):
        read_port(PortSpec("out", fmt), path)


def test_wrongly_typed_values_are_left_for_validation(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("id,amount,code,ts\n1,abc,x,2024-01-01\n2.5,3,y,not-a-date\n")
    frame = read_port_frame(PortSpec("out", "csv", schema=SCHEMA), path)
    ok, failures = validate_frame(frame, to_pandera(SCHEMA, TYPES))
    assert not ok
    assert {f.column for f in failures} >= {"id", "amount", "ts"}


def test_integral_floats_are_not_ints_and_empty_fields_are_nulls(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("id,amount,code,ts\n1.0,3,x,2024-01-01\n,4,,2024-01-02\n")
    frame = read_port_frame(PortSpec("out", "csv", schema=SCHEMA), path)
    assert str(frame["id"].dtype) == "Int64" and frame["id"].isna().all()
    assert math.isnan(frame["code"][1])
    ok, failures = validate_frame(frame, to_pandera(SCHEMA, TYPES))
    assert not ok
    assert [(f.column, f.check, f.count) for f in failures] == [
        ("id", "declared type int, found text that does not parse as int in out.csv", 1),
        ("id", "not_nullable", 1)]                   # the empty field, not the unparsable "1.0"
    assert failures[0].examples == ["1.0"]


def test_text_that_looks_like_null_stays_text(tmp_path: Path) -> None:
    schema = SchemaSpec("s", {"code": ColumnSpec("code", "str"), "n": ColumnSpec("n", "int")})
    path = tmp_path / "t.csv"
    write_port(PortSpec("t", "csv"), pd.DataFrame({"code": ["NA", "null", "", "nan"], "n": [1, 2, 3, 4]}), path)
    frame = read_port_frame(PortSpec("t", "csv", schema=schema), path)
    assert frame["code"].tolist() == ["NA", "null", "", "nan"]


def test_nrows_caps_the_rows_read_across_files(tmp_path: Path) -> None:
    port = PortSpec("t", "jsonl", layout="p-{shard}.jsonl", shards=3)
    write_port(port, pd.DataFrame({"id": range(30)}), tmp_path / "t")
    assert len(read_port_frame(port, tmp_path / "t", nrows=14)) == 14
    assert len(read_port_frame(PortSpec("t", "jsonl", layout="p-{shard}.jsonl"), tmp_path / "t")) == 30


def test_non_tabular_format_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not tabular"):
        write_port(PortSpec("m", "json"), pd.DataFrame({"a": [1]}), tmp_path / "m.json")


def test_copy_fixture_file_and_directory(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.json").write_text("{}")
    (tmp_path / "src" / "sub").mkdir()
    (tmp_path / "src" / "sub" / "b.txt").write_text("b")
    copy_fixture(tmp_path / "src" / "a.json", tmp_path / "out" / "input" / "rates.json")
    assert (tmp_path / "out" / "input" / "rates.json").read_text() == "{}"
    copy_fixture(tmp_path / "src", tmp_path / "out" / "dir")
    assert (tmp_path / "out" / "dir" / "sub" / "b.txt").read_text() == "b"
    with pytest.raises(FileNotFoundError, match="fixture not found"):
        copy_fixture(tmp_path / "missing", tmp_path / "x")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_carriage_return_inside_a_text_value_round_trips(tmp_path: Path, fmt: str) -> None:
    """Found by the round-trip property: csv quotes only its line terminator's characters, so
    an unquoted CR in a generated value (a pattern's ``\\s``) read back as a row break."""
    schema = SchemaSpec("s", {"s": ColumnSpec("s", "str", nullable=True), "b": ColumnSpec("b", "bool")})
    frame = pd.DataFrame({"s": pd.array([None, "00\r00", "a\nb"], dtype="str"), "b": [False, True, False]})
    port = PortSpec("d", format=fmt, schema=schema)
    target = port_target(tmp_path, port, "input")
    write_port(port, frame, target)
    back = read_port_frame(port, target)
    assert back["s"].tolist()[1:] == ["00\r00", "a\nb"] and back["s"].isna().tolist() == [True, False, False]
    assert back["b"].tolist() == [False, True, False] and back["b"].dtype == bool

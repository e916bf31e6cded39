"""contract.parquet_read: a large parquet file read column by column is the frame
``pd.read_parquet`` returns, dtypes, index, column index and ``attrs`` included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.parquet_read import read_parquet

PANDAS_READ = pd.read_parquet    # the expected frames: pandas' own read, never recorded
KINDS = ("int64", "float", "str", "bool", "Int64", "boolean", "datetime_tz", "category", "object_mixed_null")


def column(kind: str, rows: int, rng: np.random.Generator) -> pd.Series:
    if kind == "int64":
        return pd.Series(rng.integers(-10**12, 10**12, rows), dtype="int64")
    if kind == "float":
        values = rng.normal(size=rows)
        values[rng.random(rows) < 0.2] = np.nan
        return pd.Series(values)
    if kind == "str":
        return pd.Series([None if rng.random() < 0.2 else f"v{rng.integers(5)}" for _ in range(rows)], dtype="str")
    if kind == "bool":
        return pd.Series(rng.random(rows) < 0.5)
    if kind == "Int64":
        return pd.Series(pd.array([None if rng.random() < 0.3 else int(rng.integers(9)) for _ in range(rows)],
                                  dtype="Int64"))
    if kind == "boolean":
        return pd.Series(pd.array([None if rng.random() < 0.3 else bool(rng.random() < 0.5) for _ in range(rows)],
                                  dtype="boolean"))
    if kind == "datetime_tz":
        return pd.Series(pd.to_datetime(rng.integers(0, 10**9, rows), unit="s", utc=True))
    if kind == "category":
        return pd.Series(pd.Categorical([f"c{rng.integers(3)}" for _ in range(rows)], categories=["c0", "c1", "c2"]))
    return pd.Series([None if rng.random() < 0.5 else "x" for _ in range(rows)], dtype=object)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 40))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frame = pd.DataFrame({f"c{i}_{kind}": column(kind, rows, rng)
                          for i, kind in enumerate(kinds)})
    index = draw(st.sampled_from(["range", "shifted_range", "ints_with_repeats", "named_strings"]))
    if index == "shifted_range":
        frame.index = pd.RangeIndex(5, 5 + 2 * rows, 2)
    elif index == "ints_with_repeats":
        frame.index = pd.Index(rng.integers(0, 4, rows), name="key")
    elif index == "named_strings":
        frame.index = pd.Index([f"r{i}" for i in range(rows)], name="row")
    if draw(st.booleans()):
        frame.columns.name = "fields"
    if draw(st.booleans()):
        frame.attrs = {"source": "test", "n": rows}
    return frame


@pytest.fixture
def reads(monkeypatch) -> list:
    """The ``columns`` of every ``pd.read_parquet`` call (None: the whole file)."""
    asked: list = []

    def recording(target, columns=None, **kwargs):
        asked.append(columns)
        return PANDAS_READ(target, columns=columns, **kwargs)

    monkeypatch.setattr(pd, "read_parquet", recording)
    return asked


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_index_type=True, check_column_type=True)
    assert list(got.dtypes) == list(expected.dtypes)
    assert got.columns.name == expected.columns.name
    assert got.attrs == expected.attrs


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=frames(), preserve_index=st.sampled_from([None, True, False]))
def test_a_column_wise_read_is_pandas_whole_read(tmp_path, frame, preserve_index):
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=preserve_index)
    assert_same(read_parquet(path, columnwise_bytes=0), pd.read_parquet(path))


def test_a_large_file_is_read_one_column_at_a_time(tmp_path, reads):
    path = tmp_path / "data.parquet"
    frame = pd.DataFrame({"a": np.arange(1000), "b": np.linspace(0, 1, 1000), "c": ["x"] * 1000})
    frame.to_parquet(path)
    got = read_parquet(path, columnwise_bytes=0)
    assert reads == [["a"], ["b"], ["c"]]
    assert_same(got, PANDAS_READ(path))
    reads.clear()
    read_parquet(path)                     # a small file: one read, as pandas does it
    assert reads == [None]


def test_pieces_that_disagree_on_the_index_give_the_whole_read(tmp_path, monkeypatch):
    path = tmp_path / "data.parquet"
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}).to_parquet(path)
    real = pd.read_parquet

    def shifted_b(target, columns=None, **kwargs):
        frame = real(target, columns=columns, **kwargs)
        if columns == ["b"]:
            frame.index = frame.index + 1      # side by side, this would misalign the rows
        return frame

    monkeypatch.setattr(pd, "read_parquet", shifted_b)
    assert_same(read_parquet(path, columnwise_bytes=0), real(path))


def test_a_wide_file_is_read_in_at_most_max_reads_groups_of_columns(tmp_path, reads):
    from specrun.contract import parquet_read

    path = tmp_path / "wide.parquet"
    names = [f"f{i}" for i in range(40)]
    frame = pd.DataFrame({name: np.arange(5) * i for i, name in enumerate(names)})
    frame.to_parquet(path)
    assert parquet_read.MAX_READS == 16
    got = read_parquet(path, columnwise_bytes=0)
    assert len(reads) == 14 and all(len(group) == 3 for group in reads[:-1])   # 40 columns, 3 a read
    assert [name for group in reads for name in group] == names
    assert_same(got, PANDAS_READ(path))


@pytest.mark.parametrize("case", ["no_pandas_metadata", "repeated_name", "one_column"])
def test_files_a_column_wise_read_cannot_rebuild_are_read_whole(tmp_path, reads, case):
    path = tmp_path / "data.parquet"
    if case == "no_pandas_metadata":
        pq.write_table(pa.table({"a": [1, 2], "b": ["x", None]}), path)
    elif case == "repeated_name":
        pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4])], names=["a", "a"]), path)
    else:
        pd.DataFrame({"a": [1, 2]}).to_parquet(path)
    if case == "repeated_name":            # pandas cannot read it either: its very error
        with pytest.raises(pa.ArrowInvalid) as theirs:
            PANDAS_READ(path)
        with pytest.raises(pa.ArrowInvalid) as ours:
            read_parquet(path, columnwise_bytes=0)
        assert str(ours.value) == str(theirs.value)
        assert reads == [None]
        return
    got = read_parquet(path, columnwise_bytes=0)
    assert reads == [None]
    assert_same(got, PANDAS_READ(path))


def test_ports_read_their_large_parquet_files_column_wise(tmp_path, reads, monkeypatch):
    from specrun.contract import parquet_read
    from specrun.contract.io import read_port
    from specrun.spec.model import PortSpec

    path = tmp_path / "data.parquet"
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None]}).to_parquet(path)
    monkeypatch.setattr(parquet_read, "COLUMNWISE_BYTES", 0)
    frames = read_port(PortSpec(name="data", format="parquet"), path)
    assert reads == [["a"], ["b"]]
    assert_same(frames[""], PANDAS_READ(path))

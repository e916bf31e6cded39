"""Sampling Parquet and sharded CSV/JSONL from the real test server, read back from disk."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from specrun.sources import SourceCache, sample_uri


def _frame(rows: int, start: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(start)
    return pd.DataFrame({
        "txn_id": np.arange(start, start + rows),
        "amount": rng.random(rows) * 1000,
        "note": [f'said "hi",\nthen left {i}' if i % 7 == 0 else f"n{i}" for i in range(rows)],
    })


def _parquet_bytes(frame: pd.DataFrame, row_group_size: int) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer, row_group_size=row_group_size)
    return buffer.getvalue()


def test_parquet_sample_reads_a_few_row_groups_with_ranged_gets(s3: Any, server: Any, bucket: str,
                                                                cache: SourceCache) -> None:
    frame = _frame(300_000)
    body = _parquet_bytes(frame, row_group_size=10_000)    # 30 row groups
    s3.put_object(Bucket=bucket, Key="features/part-0.parquet", Body=body)
    server.clear_requests()

    sample = sample_uri(s3, f"s3://{bucket}/features/part-0.parquet", "parquet", 2_500, seed=7, cache=cache)

    got = pd.read_parquet(sample.path)
    assert len(got) == 2_500 and sample.rows == 2_500
    assert list(got.columns) == list(frame.columns)
    # every sampled row is a real row of the object, unchanged
    merged = got.merge(frame, on="txn_id", suffixes=("", "_src"))
    assert len(merged) == 2_500 and (merged["amount"] == merged["amount_src"]).all()
    gets = server.object_requests(bucket, "features/part-0.parquet")
    assert gets and all(r["range"] and r["range"].startswith("bytes=") for r in gets)
    fetched = sum(r["bytes_sent"] for r in gets)
    assert fetched == sample.bytes_fetched
    assert fetched < len(body) / 5, f"fetched {fetched} of {len(body)} bytes"


def test_parquet_row_groups_depend_on_the_seed_only(s3: Any, bucket: str, cache: SourceCache) -> None:
    s3.put_object(Bucket=bucket, Key="f.parquet", Body=_parquet_bytes(_frame(5_000), row_group_size=500))
    uri = f"s3://{bucket}/f.parquet"
    first = pd.read_parquet(sample_uri(s3, uri, "parquet", 600, seed=1, cache=cache).path)
    again = pd.read_parquet(sample_uri(s3, uri, "parquet", 600, seed=1, cache=cache, refresh=True).path)
    other = pd.read_parquet(sample_uri(s3, uri, "parquet", 600, seed=2, cache=cache).path)
    pd.testing.assert_frame_equal(first, again)
    assert set(first["txn_id"]) != set(other["txn_id"])


def test_sharded_csv_keeps_layout_and_reads_a_seeded_subset_of_shard_heads(
        s3: Any, server: Any, bucket: str, cache: SourceCache) -> None:
    shards = {}
    for split in ("train", "test"):
        for i in range(8):
            frame = _frame(400, start=i * 1000)
            shards[f"{split}/part-{i:05d}.csv"] = frame.to_csv(index=False).encode()
    for rel, body in shards.items():
        s3.put_object(Bucket=bucket, Key=f"prep/out/{rel}", Body=body)
    s3.put_object(Bucket=bucket, Key="prep/out/_SUCCESS", Body=b"")
    server.clear_requests()

    sample = sample_uri(s3, f"s3://{bucket}/prep/out/", "csv", 300, seed=3,
                        layout="{split}/part-{shard:05d}.csv", cache=cache, max_shards=3)

    assert sample.path.is_dir()
    picked = sorted(p.relative_to(sample.path).as_posix() for p in sample.path.rglob("*") if p.is_file())
    assert "_SUCCESS" in picked
    for split in ("train", "test"):
        in_split = [p for p in picked if p.startswith(f"{split}/")]
        assert len(in_split) == 3                          # a subset of the 8 shards
        rows = 0
        for rel in in_split:
            text = (sample.path / rel).read_bytes()
            assert shards[rel].startswith(text)            # the head of that shard, byte for byte
            rows += len(pd.read_csv(io.BytesIO(text)))
        assert rows == 300
    # the same seed picks the same shards; another seed another subset
    same = sample_uri(s3, f"s3://{bucket}/prep/out/", "csv", 300, seed=3,
                      layout="{split}/part-{shard:05d}.csv", cache=cache, max_shards=3, refresh=True)
    assert [f.path for f in same.files] == [f.path for f in sample.files]
    other = sample_uri(s3, f"s3://{bucket}/prep/out/", "csv", 300, seed=4,
                       layout="{split}/part-{shard:05d}.csv", cache=cache, max_shards=3)
    assert [f.path for f in other.files] != [f.path for f in sample.files]
    # only ranged reads of the head of each shard
    gets = [r for r in server.requests() if r["method"] == "GET" and "/part-" in r["path"]]
    assert gets and all(r["range"] for r in gets)


def test_gzip_csv_and_jsonl_heads_are_complete_records(s3: Any, bucket: str, cache: SourceCache,
                                                       tmp_path: Path) -> None:
    frame = _frame(20_000)
    csv_gz = gzip.compress(frame.to_csv(index=False).encode())
    jsonl = frame.to_json(orient="records", lines=True).encode()
    s3.put_object(Bucket=bucket, Key="a/data.csv.gz", Body=csv_gz)
    s3.put_object(Bucket=bucket, Key="b/data.jsonl", Body=jsonl)

    csv_sample = sample_uri(s3, f"s3://{bucket}/a/data.csv.gz", "csv", 5_000, seed=0, cache=cache)
    got = pd.read_csv(csv_sample.path, compression="gzip")
    pd.testing.assert_frame_equal(got, frame.head(5_000))
    assert csv_sample.bytes_fetched < len(csv_gz)

    json_sample = sample_uri(s3, f"s3://{bucket}/b/data.jsonl", "jsonl", 1_234, seed=0, cache=cache)
    got = pd.read_json(json_sample.path, lines=True)
    pd.testing.assert_frame_equal(got, frame.head(1_234))
    assert json_sample.bytes_fetched < len(jsonl) / 4


def test_a_prefix_without_trailing_slash_and_a_small_object(s3: Any, bucket: str, cache: SourceCache) -> None:
    s3.put_object(Bucket=bucket, Key="out/x.csv", Body=b"a,b\n1,2\n3,4\n")
    s3.put_object(Bucket=bucket, Key="out/meta.json", Body=b'{"k": 1}')
    sample = sample_uri(s3, f"s3://{bucket}/out", "auto", 10, seed=0, cache=cache)
    assert sample.uri == f"s3://{bucket}/out/"
    assert (sample.path / "x.csv").read_bytes() == b"a,b\n1,2\n3,4\n"
    assert (sample.path / "meta.json").read_bytes() == b'{"k": 1}'
    assert {f.path: f.whole for f in sample.files} == {"x.csv": True, "meta.json": True}


def test_unknown_format_is_refused(s3: Any, bucket: str, cache: SourceCache) -> None:
    from specrun.sources import SourceError
    with pytest.raises(SourceError, match="unknown format 'xls'"):
        sample_uri(s3, f"s3://{bucket}/x", "xls", 10, seed=0, cache=cache)


def test_sampling_and_local_discovery_hold_the_same_files_of_a_layout(
        s3: Any, bucket: str, cache: SourceCache, tmp_path: Path) -> None:
    """One layout rule: ``{shard}`` is digits only, ``{split}`` one of the declared names."""
    from specrun.contract.io import port_files
    from specrun.spec.model import PortSpec

    layout, splits = "{split}/part-{shard:05d}.csv", ["train", "test"]
    body = _frame(5).to_csv(index=False).encode()
    keys = ["train/part-00000.csv", "train/part-00001.csv", "test/part-00000.csv",
            "train/part-latest.csv",       # not a shard number
            "scratch/part-00000.csv",      # not a declared split
            "train/part-00000.csv.bak", "train/notes.csv"]
    local = tmp_path / "local"
    for key in keys:
        s3.put_object(Bucket=bucket, Key=f"layout/out/{key}", Body=body)
        (local / key).parent.mkdir(parents=True, exist_ok=True)
        (local / key).write_bytes(body)

    sample = sample_uri(s3, f"s3://{bucket}/layout/out/", "csv", 1_000, seed=1, layout=layout,
                        splits=splits, cache=cache, max_shards=10)
    port = PortSpec(name="rows", format="csv", layout=layout, split=splits)
    discovered = [p.relative_to(local).as_posix() for p in port_files(port, local)]

    expected = ["test/part-00000.csv", "train/part-00000.csv", "train/part-00001.csv"]
    assert sorted(discovered) == expected
    assert sorted(f.path for f in sample.files) == expected

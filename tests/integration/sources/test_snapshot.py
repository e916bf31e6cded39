"""Snapshots: sample an execution's data to a directory, read it back with no server."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from specrun.sources import ExecutionData, SourceError, StepRecord, find_snapshot, load_snapshot, write_snapshot


def _execution(bucket: str) -> ExecutionData:
    return ExecutionData(
        execution_arn="arn:aws:sagemaker:us-east-1:123456789012:pipeline/fraud/execution/e1",
        pipeline_name="fraud", status="Succeeded",
        steps={
            "Prep": StepRecord(name="Prep", status="Succeeded", duration_s=30.0, job_kind="ProcessingJob",
                               inputs={"raw": f"s3://{bucket}/raw/txns.csv"},
                               outputs={"train": f"s3://{bucket}/prep/train", "test": f"s3://{bucket}/prep/test"}),
            "Train": StepRecord(name="Train", status="Succeeded", duration_s=600.0, job_kind="TrainingJob",
                                inputs={"train": f"s3://{bucket}/prep/train"},
                                outputs={"model": f"s3://{bucket}/models/model.tar.gz"}),
            "Report": StepRecord(name="Report", status="Failed",
                                 outputs={"report": f"s3://{bucket}/reports/"}),
        },
    )


@pytest.fixture
def populated(s3: Any, bucket: str) -> ExecutionData:
    frame = pd.DataFrame({"id": range(3000), "amount": [i * 0.5 for i in range(3000)]})
    s3.put_object(Bucket=bucket, Key="raw/txns.csv", Body=frame.to_csv(index=False).encode())
    for split in ("train", "test"):
        for i in range(3):
            part = frame.iloc[i * 1000:(i + 1) * 1000]
            buffer = io.BytesIO()
            part.to_parquet(buffer, index=False)
            s3.put_object(Bucket=bucket, Key=f"prep/{split}/part-{i}.parquet", Body=buffer.getvalue())
    s3.put_object(Bucket=bucket, Key="models/model.tar.gz", Body=b"\x1f\x8bnot-really-a-model")
    return _execution(bucket)


def test_snapshot_round_trip_works_offline(s3: Any, server: Any, bucket: str, populated: ExecutionData,
                                           tmp_path: Path) -> None:
    dest = tmp_path / "snap"
    written = write_snapshot(populated, s3, dest, sample_size=500, seed=9)
    assert written.errors == {f"s3://{bucket}/reports/": "NoSuchKey: no object at this URI or under this prefix"}

    server.clear_requests()
    snapshot = load_snapshot(dest)             # from here on: no S3 at all
    assert snapshot.execution == populated
    assert snapshot.sampling == {"sample_size": 500, "seed": 9, "max_shards": 4}

    raw = snapshot.channel_path("Prep", "raw", direction="input")
    assert raw == dest / "s3" / bucket / "raw" / "txns.csv"
    assert len(pd.read_csv(raw)) == 500
    train = snapshot.channel_path("Prep", "train")
    assert train == dest / "s3" / bucket / "prep" / "train" and train.is_dir()
    assert len(pd.read_parquet(train)) == 500
    assert sorted(p.name for p in train.iterdir()) == sorted(
        f.path for f in snapshot.sources[f"s3://{bucket}/prep/train"].files)
    assert snapshot.channel_path("Train", "train", direction="input") == train           # same URI, same directory
    assert snapshot.channel_path("Train", "model").read_bytes() == b"\x1f\x8bnot-really-a-model"
    assert snapshot.local_path(f"s3://{bucket}/prep/train/part-0.parquet") == train / "part-0.parquet"
    with pytest.raises(SourceError, match="not sampled when the snapshot was taken"):
        snapshot.channel_path("Report", "report")
    assert server.requests() == []

    manifest = json.loads((dest / "manifest.json").read_text())
    source = manifest["sources"][f"s3://{bucket}/raw/txns.csv"]
    assert source["etag"] and source["path"] == f"s3/{bucket}/raw/txns.csv"
    assert manifest["execution"]["steps"]["Train"]["duration_s"] == 600.0
    assert find_snapshot(train / "part-0.parquet").root == dest
    assert find_snapshot(tmp_path) is None


def test_snapshot_of_chosen_steps_only_and_rewrite(s3: Any, bucket: str, populated: ExecutionData,
                                                   tmp_path: Path) -> None:
    dest = tmp_path / "snap"
    write_snapshot(populated, s3, dest, sample_size=100, seed=1, steps=["Train"], include_inputs=False)
    snapshot = load_snapshot(dest)
    assert list(snapshot.sources) == [f"s3://{bucket}/models/model.tar.gz"]
    write_snapshot(populated, s3, dest, sample_size=100, seed=1, steps=["Prep"])   # replaces it
    assert f"s3://{bucket}/raw/txns.csv" in load_snapshot(dest).sources
    assert [p.name for p in tmp_path.iterdir()] == ["snap"]                          # no leftovers


def test_snapshot_refuses_a_non_snapshot_directory_and_bad_manifests(
        s3: Any, populated: ExecutionData, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(SourceError, match="not a snapshot directory"):
        write_snapshot(populated, s3, tmp_path / "busy", sample_size=10, seed=0)
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
    with pytest.raises(SourceError, match="no manifest.json"):
        load_snapshot(tmp_path / "busy")
    (tmp_path / "busy" / "manifest.json").write_text("{}")
    with pytest.raises(SourceError, match="not a version 1 specrun snapshot"):
        load_snapshot(tmp_path / "busy")

"""Comparing two executions over HTTP: planted drift is flagged, identical data is not."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pandas as pd
import pytest
from deep_dive_helpers import specrun

ROLE = "arn:aws:iam::123456789012:role/compare"
BUCKET = "compare-data"
SCRIPT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    frame["score"] = frame["amount"] / 100.0
    frame.to_csv(output_paths["scored"], index=False)
'''
SPEC = '''
version: 1
pipeline: scoring
defaults: {{timeout: 60, seed: 3}}
schemas:
  rows:
    columns:
      id: {{type: int, unique: true}}
      amount: {{type: float, min: 0}}
      segment: {{type: str, isin: [a, b, c]}}
steps:
  score:
    script: score.py
    call: main
    sagemaker_step: Score
    inputs:
      rows: {{format: csv, schema: rows}}
    outputs:
      scored: {{format: csv}}
modes:
  deep_dive: {{baseline_execution: '{baseline}', comparison_execution: '{comparison}',
              endpoint_url: '{endpoint}', region: us-east-1, focus_areas: [data_quality]}}
'''


def frame(seed: int, scale: float = 1.0, shares: tuple[float, float, float] = (0.5, 0.3, 0.2),
          extra: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"id": np.arange(1000), "amount": np.round(rng.gamma(2.0, 50.0, 1000) * scale, 2),
                         "segment": rng.choice(["a", "b", "c"], 1000, p=list(shares))})
    if extra:
        data["flag"] = rng.random(1000) < 0.5
    return data


@pytest.fixture
def publish(server: Any) -> Any:
    s3 = boto3.client("s3", **server.client_kwargs())
    sagemaker = boto3.client("sagemaker", **server.client_kwargs())
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)

    def execution(data: pd.DataFrame, duration_s: int) -> str:
        name = f"run-{uuid.uuid4().hex[:8]}"
        s3.put_object(Bucket=BUCKET, Key=f"{name}/input/rows.csv", Body=data.drop(columns=["flag"], errors="ignore")
                      .to_csv(index=False).encode())
        buffer = io.BytesIO()
        data.to_parquet(buffer, index=False)
        s3.put_object(Bucket=BUCKET, Key=f"{name}/scored/part-0.parquet", Body=buffer.getvalue())
        job = sagemaker.create_processing_job(
            ProcessingJobName=f"{name}-score", RoleArn=ROLE, AppSpecification={"ImageUri": "img:1"},
            ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                   "VolumeSizeInGB": 10}},
            ProcessingInputs=[{"InputName": "rows", "S3Input": {
                "S3Uri": f"s3://{BUCKET}/{name}/input/rows.csv", "LocalPath": "/opt/ml/processing/input",
                "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
            ProcessingOutputConfig={"Outputs": [{"OutputName": "scored", "S3Output": {
                "S3Uri": f"s3://{BUCKET}/{name}/scored/", "LocalPath": "/opt/ml/processing/output",
                "S3UploadMode": "EndOfJob"}}]})["ProcessingJobArn"]
        sagemaker.create_pipeline(PipelineName=name, RoleArn=ROLE,
                                  PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}))
        arn = sagemaker.start_pipeline_execution(PipelineName=name)["PipelineExecutionArn"]
        server.seed_pipeline_steps(arn, [{"StepName": "Score", "StepStatus": "Succeeded",
                                          "StartTime": 1_700_000_000, "EndTime": 1_700_000_000 + duration_s,
                                          "Metadata": {"ProcessingJob": {"Arn": job}}}])
        return arn
    return execution


def test_identical_outputs_are_not_flagged(tmp_path: Path, server: Any, publish: Any) -> None:
    before, after = publish(frame(1), 60), publish(frame(1), 66)

    out = specrun(tmp_path, "compare", before, after, "--endpoint-url", server.endpoint_url, "--region", "us-east-1")

    assert out.code == 0, out.output
    (dataset,) = out.record["datasets"]
    assert not dataset["drifted"] and dataset["complete"]
    assert (dataset["rows_before"], dataset["rows_after"]) == (1000, 1000)
    assert all(c["psi"] == pytest.approx(0.0, abs=1e-9) for c in dataset["columns"] if c["psi"] is not None)
    assert out.record["steps"][0]["duration_before_s"] == 60 and out.record["steps"][0]["duration_after_s"] == 66
    assert "no drift in 1 dataset(s)" in out.output


def test_planted_drift_and_schema_change_are_flagged(tmp_path: Path, server: Any, publish: Any) -> None:
    before = publish(frame(1), 60)
    after = publish(frame(2, scale=3.0, shares=(0.1, 0.3, 0.6), extra=True), 90)

    out = specrun(tmp_path, "compare", before, after, "--endpoint-url", server.endpoint_url, "--region", "us-east-1")

    assert out.code == 1, out.output
    (dataset,) = out.record["datasets"]
    assert dataset["drifted"]
    columns = {c["column"]: c for c in dataset["columns"]}
    assert columns["amount"]["drifted"] and columns["amount"]["psi"] > 0.2 and columns["amount"]["ks"] > 0.1
    assert columns["segment"]["drifted"] and columns["segment"]["psi"] > 0.2
    assert not columns["id"]["drifted"]
    assert [(c["column"], c["change"]) for c in dataset["schema_changes"]] == [("flag", "added")]
    assert "1 of 1 dataset(s) drifted" in out.output and "amount (PSI" in out.output


def test_deep_dive_mode_compares_baseline_and_comparison(tmp_path: Path, server: Any, publish: Any) -> None:
    before = publish(frame(1), 60)
    after = publish(frame(2, scale=3.0), 90)
    (tmp_path / "score.py").write_text(SCRIPT)
    (tmp_path / "scoring.yaml").write_text(SPEC.format(baseline=before, comparison=after,
                                                       endpoint=server.endpoint_url))

    out = specrun(tmp_path, "scoring.yaml", "--mode", "deep_dive")

    assert out.code == 0, out.output
    assert out.case("score")["details"]["sources"]["rows"]["origin"].endswith("/input/rows.csv")
    comparison = out.deep_dive("scoring")["comparison"]
    assert comparison["baseline"] == before and comparison["comparison"] == after
    (dataset,) = comparison["datasets"]
    assert dataset["drifted"] and {c["column"] for c in dataset["columns"] if c["drifted"]} == {"amount"}
    assert "output drift" in out.output

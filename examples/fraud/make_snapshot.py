"""Regenerate ``examples/fraud/snapshot/``: an offline snapshot of a "production" execution.

What it does, end to end with the real code paths:

1. generates a day of production-like transactions (skewed amounts and currencies,
   a few null merchants, rare fraud) as three CSV shards, seeded;
2. runs the four example scripts on them, as SageMaker would have;
3. starts the test S3/SageMaker server (``tests/s3server``: moto on 127.0.0.1), uploads
   every input and output where a SageMaker pipeline puts them, creates the
   processing and training jobs and a pipeline execution whose steps point at them;
4. runs ``specrun snapshot ARN --to examples/fraud/snapshot --sample-size N``.

Run from the repository root (needs the test extra, for moto)::

    .venv/bin/python examples/fraud/make_snapshot.py [--rows 3000] [--sample-size 300]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fraud"
sys.path.insert(0, str(ROOT))

from tests.s3server import S3TestServer, client_environment  # noqa: E402

BUCKET = "fraud-prod"
ROLE = "arn:aws:iam::123456789012:role/fraud-pipeline"
RUN = "2024-06-01"
PREFIX = f"pipelines/fraud-detection/{RUN}"


def production_transactions(rows: int, seed: int) -> pd.DataFrame:
    """Transactions shaped like production: log-normal amounts, USD-heavy, 2 % fraud."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    merchants = np.array([f"{''.join(rng.choice(letters, 3))}-{rng.integers(0, 10000):04d}" for _ in range(60)])
    popularity = rng.zipf(1.6, size=len(merchants)).astype(float)
    merchant = rng.choice(merchants, size=rows, p=popularity / popularity.sum()).astype(object)
    merchant[rng.random(rows) < 0.03] = None
    start = pd.Timestamp("2024-06-01")
    return pd.DataFrame({
        "txn_id": np.arange(1_000_000, 1_000_000 + rows),
        "amount": np.round(np.clip(rng.lognormal(3.6, 1.1, rows), 0.5, 50_000), 2),
        "currency": rng.choice(["USD", "EUR", "GBP", "JPY"], size=rows, p=[0.62, 0.23, 0.1, 0.05]),
        "ts": (start + pd.to_timedelta(np.sort(rng.integers(0, 86_400, rows)), unit="s")).strftime("%Y-%m-%dT%H:%M:%S"),
        "merchant": merchant,
        "channel": rng.choice(["web", "pos", "app"], size=rows, p=[0.45, 0.4, 0.15]),
        "is_fraud": rng.random(rows) < 0.02,
    })


def run_scripts(work: Path, rows: int, seed: int) -> dict[str, Path]:
    """The four steps run by hand on the production data; where each channel's data is."""
    raw = work / "transactions"
    raw.mkdir()
    frame = production_transactions(rows, seed)
    for i, chunk in enumerate(np.array_split(np.arange(rows), 3)):
        frame.iloc[chunk].to_csv(raw / f"part-{i:05d}.csv", index=False)
    scripts = EXAMPLE / "scripts"
    steps = [
        [scripts / "currency_conversion.py", "--transactions", raw, "--rates", EXAMPLE / "data" / "rates.json",
         "--converted", work / "converted" / "converted.parquet"],
        [scripts / "preprocessing.py", "--input", work / "converted" / "converted.parquet", "--output",
         work / "splits", "--job-type", "training", "--split-seed", "42"],
        [scripts / "feature_engineering.py", "--splits", work / "splits", "--features", work / "features",
         "--feature-stats", work / "feature_stats" / "feature_stats.json"],
        [scripts / "train.py", "--train", work / "features", "--model-dir", work / "model", "--epochs", "5"],
    ]
    for argv in steps:
        subprocess.run([sys.executable, *map(str, argv)], check=True, cwd=work)
    return {"transactions": raw, "rates": EXAMPLE / "data" / "rates.json", "converted": work / "converted",
            "splits": work / "splits", "features": work / "features", "feature_stats": work / "feature_stats",
            "model": work / "model"}


def upload(s3: Any, local: Path, prefix: str) -> str:
    """Upload a file or folder under ``prefix``; its S3 URI (a prefix for a folder)."""
    if local.is_file():
        s3.upload_file(str(local), BUCKET, f"{prefix}/{local.name}")
        return f"s3://{BUCKET}/{prefix}/{local.name}"
    for file in sorted(p for p in local.rglob("*") if p.is_file()):
        s3.upload_file(str(file), BUCKET, f"{prefix}/{file.relative_to(local).as_posix()}")
    return f"s3://{BUCKET}/{prefix}/"


def processing_job(sagemaker: Any, name: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    return sagemaker.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE, AppSpecification={"ImageUri": "fraud-sklearn:1.2"},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                               "VolumeSizeInGB": 30}},
        ProcessingInputs=[{"InputName": channel, "S3Input": {
            "S3Uri": uri, "LocalPath": f"/opt/ml/processing/input/{channel}", "S3DataType": "S3Prefix",
            "S3InputMode": "File"}} for channel, uri in inputs.items()],
        ProcessingOutputConfig={"Outputs": [{"OutputName": channel, "S3Output": {
            "S3Uri": uri, "LocalPath": f"/opt/ml/processing/output/{channel}", "S3UploadMode": "EndOfJob"}}
            for channel, uri in outputs.items()]},
    )["ProcessingJobArn"]


def publish_execution(server: S3TestServer, data: dict[str, Path]) -> str:
    import boto3

    s3 = boto3.client("s3", **server.client_kwargs())
    sagemaker = boto3.client("sagemaker", **server.client_kwargs())
    s3.create_bucket(Bucket=BUCKET)
    uri = {
        "transactions": upload(s3, data["transactions"], f"raw/{RUN}/transactions"),
        "rates": upload(s3, data["rates"], "config/rates"),
        "converted": upload(s3, data["converted"], f"{PREFIX}/CurrencyConversion/converted"),
        "splits": upload(s3, data["splits"], f"{PREFIX}/Preprocessing/splits"),
        "features": upload(s3, data["features"], f"{PREFIX}/FeatureEngineering/features"),
        "feature_stats": upload(s3, data["feature_stats"], f"{PREFIX}/FeatureEngineering/feature_stats"),
    }
    jobs = {
        "CurrencyConversion": processing_job(sagemaker, "fraud-currency-conversion-0601",
                                             {"transactions": uri["transactions"], "rates": uri["rates"]},
                                             {"converted": uri["converted"]}),
        "Preprocessing": processing_job(sagemaker, "fraud-preprocessing-0601", {"converted": uri["converted"]},
                                        {"splits": uri["splits"]}),
        "FeatureEngineering": processing_job(sagemaker, "fraud-feature-engineering-0601",
                                             {"splits": uri["splits"]},
                                             {"features": uri["features"], "feature_stats": uri["feature_stats"]}),
    }
    training = sagemaker.create_training_job(
        TrainingJobName="fraud-training-0601", RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "fraud-train:1.2", "TrainingInputMode": "File"},
        InputDataConfig=[{"ChannelName": "features", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": uri["features"]}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/{PREFIX}/Training"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600})["TrainingJobArn"]
    artifacts = sagemaker.describe_training_job(TrainingJobName="fraud-training-0601")["ModelArtifacts"]["S3ModelArtifacts"]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(data["model"] / "model.json", arcname="model.json")
    bucket, _, key = artifacts.removeprefix("s3://").partition("/")
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())

    sagemaker.create_pipeline(PipelineName="fraud-detection", RoleArn=ROLE,
                              PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}))
    arn = sagemaker.start_pipeline_execution(PipelineName="fraud-detection")["PipelineExecutionArn"]
    timeline = [("CurrencyConversion", "ProcessingJob", jobs["CurrencyConversion"], "02:00:00", "02:01:35"),
                ("Preprocessing", "ProcessingJob", jobs["Preprocessing"], "02:01:40", "02:05:40"),
                ("FeatureEngineering", "ProcessingJob", jobs["FeatureEngineering"], "02:05:45", "02:08:45"),
                ("Training", "TrainingJob", training, "02:08:50", "02:29:40")]
    server.seed_pipeline_steps(arn, [
        {"StepName": name, "StepStatus": "Succeeded", "StartTime": f"{RUN}T{start}+00:00",
         "EndTime": f"{RUN}T{end}+00:00", "Metadata": {kind: {"Arn": job}}}
        for name, kind, job, start, end in timeline])
    return arn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000, help="production transactions (default 3000)")
    parser.add_argument("--sample-size", type=int, default=300, help="rows per sampled channel (default 300)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--to", type=Path, default=EXAMPLE / "snapshot")
    args = parser.parse_args(argv)
    os.environ.update(client_environment())
    with tempfile.TemporaryDirectory(prefix="fraud-prod-") as work, S3TestServer() as server:
        data = run_scripts(Path(work), args.rows, args.seed)
        arn = publish_execution(server, data)
        return subprocess.run([sys.executable, "-m", "specrun", "snapshot", arn, "--to", str(args.to),
                               "--sample-size", str(args.sample_size), "--seed", str(args.seed),
                               "--endpoint-url", server.endpoint_url, "--region", "us-east-1",
                               "--workspace", str(Path(work) / "ws")],
                              env={**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"}, cwd=ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main())

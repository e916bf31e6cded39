"""``specrun infer s3://bucket/prefix`` against the real moto server: every tabular object under
the prefix is read (markers skipped), through specrun's S3 client and cache; a type conflict
between two objects is reported, not coerced."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from tests.s3server import client_environment


def infer(tmp_path: Path, server: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env.update(client_environment(), SPECRUN_DISABLE_PLUGIN_AUTOLOAD="1")
    return subprocess.run([sys.executable, "-m", "specrun", "infer", *args, "--endpoint-url", server.endpoint_url,
                           "--region", "us-east-1"], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=240)


def test_infer_reads_every_object_under_a_prefix(tmp_path: Path, server: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="orders/part-0.csv", Body=b"id,code\n1,AB-01\n2,CD-02\n")
    buffer = io.BytesIO()
    pd.DataFrame({"id": [3, 4], "code": ["EF-03", "GH-04"]}).to_parquet(buffer, index=False)
    s3.put_object(Bucket=bucket, Key="orders/day=2/part-1.parquet", Body=buffer.getvalue())
    s3.put_object(Bucket=bucket, Key="orders/_SUCCESS", Body=b"")
    out = infer(tmp_path, server, f"s3://{bucket}/orders/", "--name", "orders")
    assert out.returncode == 0, out.stderr
    assert "(4 rows)" in out.stdout                          # both objects, as one sample
    assert "id: {type: int, unique: true, min: 1, max: 4}" in out.stdout
    assert 'code: {type: str, unique: true, pattern: "^[A-Z]{2}-[0-9]{2}$"}' in out.stdout
    assert "rows: {min: 2}   # rows: min from the rows read; no max" in out.stdout
    assert (tmp_path / ".specrun" / "cache" / "s3").is_dir()   # specrun's sample cache

    s3.put_object(Bucket=bucket, Key="orders/part-2.csv", Body=b"id,code\nseven,IJ-05\n")
    out = infer(tmp_path, server, f"s3://{bucket}/orders/")
    assert out.returncode == 2 and "column 'id'" in out.stderr and "str in s3://" in out.stderr, out.stderr
    out = infer(tmp_path, server, f"s3://{bucket}/nothing-here/")
    assert out.returncode == 2 and "NoSuchKey" in out.stderr

"""Retries (botocore standard mode) and permanent errors, seen in the server's request log."""

from __future__ import annotations

from typing import Any

import pytest

from specrun.sources import S3Settings, SourceCache, SourceError, make_clients, sample_uri

KEY = "in/data.csv"
BODY = b"a,b\n" + b"1,2\n" * 1000


@pytest.fixture
def uri(s3: Any, server: Any, bucket: str) -> str:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    server.clear_requests()
    return f"s3://{bucket}/{KEY}"


@pytest.mark.parametrize("kind, status", [("internal", 500), ("slowdown", 503), ("throttle", 400)])
def test_transient_failures_are_retried_until_success(s3: Any, server: Any, bucket: str, uri: str,
                                                      cache: SourceCache, kind: str, status: int) -> None:
    server.inject_fault(f"^/{bucket}/{KEY}$", kind, count=2, method="GET")
    sample = sample_uri(s3, uri, "csv", 10, seed=0, cache=cache)
    assert sample.rows == 10
    assert [r["status"] for r in server.object_requests(bucket, KEY)] == [status, status, 206]


def test_failures_on_the_metadata_request_are_retried_too(s3: Any, server: Any, bucket: str, uri: str,
                                                          cache: SourceCache) -> None:
    server.inject_fault(f"^/{bucket}/{KEY}$", "internal", count=1, method="HEAD")
    assert sample_uri(s3, uri, "csv", 10, seed=0, cache=cache).rows == 10
    assert [r["status"] for r in server.object_requests(bucket, KEY, "HEAD")] == [500, 200]


def test_retries_are_bounded_and_the_error_is_transient(server: Any, bucket: str, uri: str,
                                                        cache: SourceCache) -> None:
    s3, _ = make_clients(S3Settings(endpoint_url=server.endpoint_url, region="us-east-1", max_attempts=2))
    server.inject_fault(f"^/{bucket}/{KEY}$", "slowdown", count=10, method="GET")
    with pytest.raises(SourceError) as info:
        sample_uri(s3, uri, "csv", 10, seed=0, cache=cache)
    assert info.value.uri == uri and not info.value.permanent
    assert "SlowDown" in info.value.message and "after 2 attempts" in info.value.message
    assert len(server.object_requests(bucket, KEY)) == 2


@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_access_denied_is_not_retried_and_names_the_uri(s3: Any, server: Any, bucket: str, uri: str,
                                                        cache: SourceCache, method: str) -> None:
    server.inject_fault(f"^/{bucket}/{KEY}$", "access_denied", count=5, method=method)
    with pytest.raises(SourceError) as info:
        sample_uri(s3, uri, "csv", 10, seed=0, cache=cache)
    assert info.value.uri == uri and info.value.permanent
    assert str(info.value).startswith(uri)
    assert len(server.object_requests(bucket, KEY, method)) == 1


def test_missing_object_is_permanent_and_not_retried(s3: Any, server: Any, bucket: str,
                                                     cache: SourceCache) -> None:
    missing = f"s3://{bucket}/nothing/here.csv"
    with pytest.raises(SourceError) as info:
        sample_uri(s3, missing, "csv", 10, seed=0, cache=cache)
    assert info.value.permanent and "NoSuchKey" in info.value.message
    assert len(server.object_requests(bucket, "nothing/here.csv", "HEAD")) == 1


def test_missing_bucket_is_permanent(s3: Any, cache: SourceCache) -> None:
    with pytest.raises(SourceError) as info:
        sample_uri(s3, "s3://specrun-no-such-bucket/x/", "csv", 10, seed=0, cache=cache)
    assert info.value.permanent and "NoSuchBucket" in info.value.message


def test_unreachable_endpoint_is_a_transient_error(cache: SourceCache) -> None:
    import socket
    with socket.socket() as probe:     # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    s3, _ = make_clients(S3Settings(endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1",
                                    max_attempts=1, connect_timeout=1))
    with pytest.raises(SourceError) as info:
        sample_uri(s3, "s3://bucket/key.csv", "csv", 10, seed=0, cache=cache)
    assert info.value.uri == "s3://bucket/key.csv" and not info.value.permanent


def test_failures_inside_pyarrow_reads_surface_as_source_errors(s3: Any, server: Any, bucket: str,
                                                                cache: SourceCache) -> None:
    import io

    import pandas as pd
    buffer = io.BytesIO()
    pd.DataFrame({"a": range(100)}).to_parquet(buffer, index=False)
    s3.put_object(Bucket=bucket, Key="t.parquet", Body=buffer.getvalue())
    server.inject_fault(f"^/{bucket}/t.parquet$", "access_denied", count=1, method="GET")
    with pytest.raises(SourceError) as info:
        sample_uri(s3, f"s3://{bucket}/t.parquet", "parquet", 10, seed=0, cache=cache)
    assert info.value.uri == f"s3://{bucket}/t.parquet" and info.value.permanent
    assert "AccessDenied" in info.value.message
    s3.put_object(Bucket=bucket, Key="bad.parquet", Body=b"this is not parquet at all")
    with pytest.raises(SourceError, match="cannot read as Parquet") as info:
        sample_uri(s3, f"s3://{bucket}/bad.parquet", "parquet", 10, seed=0, cache=cache)
    assert info.value.permanent

"""The on-disk cache seen from outside: hits, misses, refresh, crashes, eviction, unsafe keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from specrun.sources import SourceCache, SourceError, sample_uri
from specrun.sources.ranged import STREAM_ATTEMPTS

BODY = b"id,value\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(50_000))


@pytest.fixture
def csv_uri(s3: Any, server: Any, bucket: str) -> str:
    s3.put_object(Bucket=bucket, Key="in/data.csv", Body=BODY)
    server.clear_requests()
    return f"s3://{bucket}/in/data.csv"


def _entry_dirs(cache: SourceCache) -> list[Path]:
    return sorted(cache.entries_dir.iterdir())


def test_miss_then_hit_then_refresh(s3: Any, server: Any, bucket: str, csv_uri: str,
                                    cache: SourceCache) -> None:
    first = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert not first.from_cache and server.object_requests(bucket, "in/data.csv")

    server.clear_requests()
    hit = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert hit.from_cache and hit.path == first.path
    assert server.object_requests(bucket, "in/data.csv") == []          # no GET on a hit
    assert len(server.object_requests(bucket, "in/data.csv", "HEAD")) == 1  # only the ETag check

    fresh = SourceCache(cache.root)     # another process: no in-memory index, same disk
    assert sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=fresh).from_cache

    server.clear_requests()
    refreshed = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache, refresh=True)
    assert not refreshed.from_cache and server.object_requests(bucket, "in/data.csv")
    assert refreshed.path.read_bytes() == first.path.read_bytes()
    assert len(_entry_dirs(cache)) == 1


def test_other_parameters_or_a_new_etag_miss(s3: Any, server: Any, bucket: str, csv_uri: str,
                                              cache: SourceCache) -> None:
    sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert not sample_uri(s3, csv_uri, "csv", 200, seed=1, cache=cache).from_cache
    s3.put_object(Bucket=bucket, Key="in/data.csv", Body=BODY.replace(b"id,", b"ID,"))
    changed = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert not changed.from_cache and changed.path.read_bytes().startswith(b"ID,value\n")


def test_interrupted_download_leaves_no_entry(s3: Any, server: Any, bucket: str, csv_uri: str,
                                              cache: SourceCache) -> None:
    server.inject_fault(f"^/{bucket}/in/data.csv$", "truncate", count=STREAM_ATTEMPTS, method="GET")
    with pytest.raises(SourceError) as info:
        sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert info.value.uri == csv_uri and not info.value.permanent
    assert _entry_dirs(cache) == [] and list(cache.tmp_dir.iterdir()) == []
    assert len(server.object_requests(bucket, "in/data.csv")) == STREAM_ATTEMPTS

    server.clear_requests()
    again = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert not again.from_cache and len(again.path.read_bytes().splitlines()) == 101


def test_a_body_broken_off_once_is_fetched_again(s3: Any, server: Any, bucket: str, csv_uri: str,
                                                 cache: SourceCache) -> None:
    server.inject_fault(f"^/{bucket}/in/data.csv$", "truncate", count=1, method="GET")
    sample = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert sample.path.read_bytes() == b"".join(BODY.splitlines(keepends=True)[:101])
    assert [r["fault"] for r in server.object_requests(bucket, "in/data.csv")] == ["truncate", None]


def test_a_process_killed_mid_download_leaves_nothing_served(s3: Any, server: Any, bucket: str,
                                                             csv_uri: str, cache: SourceCache) -> None:
    server.inject_fault(f"^/{bucket}/in/data.csv$", "stall", count=1, method="GET", stall_s=60)
    script = textwrap.dedent(f"""
        from specrun.sources import S3Settings, SourceCache, make_clients, sample_uri
        s3, _ = make_clients(S3Settings(endpoint_url={server.endpoint_url!r}, region="us-east-1"))
        sample_uri(s3, {csv_uri!r}, "csv", 100, seed=1, cache=SourceCache({str(cache.root)!r}))
    """)
    child = subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy())
    try:
        deadline = time.monotonic() + 30
        while not any(r["fault"] == "stall" and r["bytes_sent"]
                      for r in server.object_requests(bucket, "in/data.csv")):
            assert time.monotonic() < deadline and child.poll() is None, "the download never started"
            time.sleep(0.05)
        assert list(cache.tmp_dir.iterdir())          # it was writing …
        child.send_signal(signal.SIGKILL)             # … and dies mid-stream
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert _entry_dirs(cache) == []
    server.clear_requests()
    sample = sample_uri(s3, csv_uri, "csv", 100, seed=1, cache=cache)
    assert not sample.from_cache and server.object_requests(bucket, "in/data.csv")


def test_size_cap_evicts_least_recently_used(s3: Any, bucket: str, tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=f"{name}.csv", Body=BODY)
    one_sample = len(b"".join(BODY.splitlines(keepends=True)[:1001]))
    cache = SourceCache(tmp_path / "capped", max_bytes=int(one_sample * 2.5))
    uris = {name: f"s3://{bucket}/{name}.csv" for name in ("a", "b", "c")}
    sample_uri(s3, uris["a"], "csv", 1000, seed=0, cache=cache)
    time.sleep(0.01)
    sample_uri(s3, uris["b"], "csv", 1000, seed=0, cache=cache)
    time.sleep(0.01)
    assert sample_uri(s3, uris["a"], "csv", 1000, seed=0, cache=cache).from_cache   # a is now newer than b
    time.sleep(0.01)
    sample_uri(s3, uris["c"], "csv", 1000, seed=0, cache=cache)
    assert cache.size_bytes() <= cache.max_bytes
    assert sample_uri(s3, uris["a"], "csv", 1000, seed=0, cache=cache).from_cache
    assert not sample_uri(s3, uris["b"], "csv", 1000, seed=0, cache=cache).from_cache   # b was evicted


def test_a_key_escaping_the_cache_dir_is_rejected(s3: Any, bucket: str, cache: SourceCache,
                                                  tmp_path: Path) -> None:
    s3.put_object(Bucket=bucket, Key="out/ok.csv", Body=b"a\n1\n")
    s3.put_object(Bucket=bucket, Key="out/../../../escaped.csv", Body=b"a\n1\n")
    with pytest.raises(SourceError) as info:
        sample_uri(s3, f"s3://{bucket}/out/", "csv", 10, seed=0, cache=cache)
    assert info.value.permanent and "escape the cache directory" in info.value.message
    assert info.value.uri == f"s3://{bucket}/out/../../../escaped.csv"
    assert not list(tmp_path.rglob("escaped.csv")) and _entry_dirs(cache) == []

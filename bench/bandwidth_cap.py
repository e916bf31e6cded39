"""The deep dive's download cap (``bandwidth:``) against the uncapped read, in one run.

    .venv/bin/python bench/bandwidth_cap.py [MB] [CAP_MB_PER_S] [RUNS]

A real S3-compatible server (moto, 127.0.0.1) holds an object of MB megabytes (default 8);
it is read through specrun's ranged reader whole, uncapped (the anchor) and with a cap of
CAP_MB_PER_S (default 4), RUNS times each (default 3); the median wall time and rate are
printed with the capped rate as a ratio of the cap (at most 1.00 is the promise).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specrun.sources.bandwidth import Bandwidth  # noqa: E402
from specrun.sources.ranged import FetchStats, RangedObject  # noqa: E402
from tests.s3server import S3TestServer, client_environment  # noqa: E402


def read(s3, size: int, bandwidth: Bandwidth | None) -> float:
    head = s3.head_object(Bucket="bench", Key="blob")
    obj = RangedObject(s3, "bench", "blob", size, head["ETag"], FetchStats(bandwidth=bandwidth))
    started = time.perf_counter()
    data = obj.read_range(0, size)
    elapsed = time.perf_counter() - started
    assert len(data) == size
    return elapsed


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    cap = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    os.environ.update(client_environment())
    import boto3

    size = int(megabytes * 1_000_000)
    with S3TestServer() as server:
        s3 = boto3.client("s3", **server.client_kwargs())
        s3.create_bucket(Bucket="bench")
        s3.put_object(Bucket="bench", Key="blob", Body=os.urandom(size))
        free = statistics.median(read(s3, size, None) for _ in range(runs))
        capped = statistics.median(read(s3, size, Bandwidth(cap * 1_000_000)) for _ in range(runs))
    print(f"{'read of ' + f'{megabytes:g} MB':<26} {'median':>9} {'MB/s':>8}   ({runs} runs each)")
    print(f"{'uncapped (anchor)':<26} {free:>8.2f}s {megabytes / free:>8.1f}")
    print(f"{f'bandwidth: {cap:g}MB/s':<26} {capped:>8.2f}s {megabytes / capped:>8.2f}   "
          f"rate / cap = {megabytes / capped / cap:.2f}, time / uncapped = {capped / free:.1f}x")


if __name__ == "__main__":
    main()

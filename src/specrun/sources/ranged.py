"""A seekable, read-only view of one S3 object that fetches only the byte ranges asked for.

Every read is a ranged ``GetObject`` (``Range: bytes=a-b``) pinned to the ETag seen
when sampling started (``IfMatch``), so pyarrow can read a Parquet footer and a few
row groups, and the text sampler the head of a file, without downloading the object.
botocore retries the request itself; a body that breaks off mid-stream (which
botocore does not retry) is fetched again a bounded number of times.
"""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from .bandwidth import Bandwidth, read_body
from .client import reading, source_error

if TYPE_CHECKING:
    import botocore.exceptions as bexc
else:
    bexc = lazy_module("botocore.exceptions")

STREAM_ATTEMPTS = 3          # GETs of one range whose body broke off before giving up
STREAM_BACKOFF_S = 0.2       # base of the jittered exponential pause between those GETs


@dataclass
class FetchStats:
    """What was read from S3 for one sample: ranged requests and body bytes."""

    requests: int = 0
    bytes: int = 0
    bandwidth: Bandwidth | None = None    # the run's download cap, shared by every read


class RangedObject(io.RawIOBase):
    """``bucket/key`` of ``size`` bytes at ``etag`` as a seekable raw file."""

    def __init__(self, s3: Any, bucket: str, key: str, size: int, etag: str | None,
                 stats: FetchStats | None = None, uri: str | None = None) -> None:
        super().__init__()
        self.s3, self.bucket, self.key, self.size, self.etag = s3, bucket, key, size, etag
        self.uri = uri or f"s3://{bucket}/{key}"
        self.stats = stats if stats is not None else FetchStats()
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.position = base + offset
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        end = min(self.position + len(view), self.size)
        if end <= self.position:
            return 0
        data = self.read_range(self.position, end)
        view[: len(data)] = data
        self.position += len(data)
        return len(data)

    def read_range(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the object (one ranged GET, again if the body breaks off)."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key, "Range": f"bytes={start}-{end - 1}"}
        if self.etag:
            kwargs["IfMatch"] = self.etag
        for attempt in range(1, STREAM_ATTEMPTS + 1):
            with reading(self.uri):
                response = self.s3.get_object(**kwargs)
            self.stats.requests += 1
            try:
                data = read_body(response["Body"], self.stats.bandwidth)
            except (bexc.HTTPClientError, bexc.IncompleteReadError) as exc:
                if attempt == STREAM_ATTEMPTS:
                    raise source_error(self.uri, exc) from exc
                time.sleep(random.uniform(0, STREAM_BACKOFF_S * 2 ** (attempt - 1)))
                continue
            self.stats.bytes += len(data)
            return data
        raise AssertionError("unreachable")

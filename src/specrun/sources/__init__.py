"""Real data: S3 and SageMaker discovery, sampling, download cache, snapshots.

May import ``spec``, ``contract``, ``analysis``, ``execution`` and the records; never
``modes``, ``report``, ``commands`` or the session.
"""

from .cache import DEFAULT_CACHE_DIR, CacheEntry, SourceCache, cache_key
from .client import S3Settings, make_clients
from .discovery import ExecutionData, StepRecord, discover_execution
from .errors import SourceError
from .sampling import SampledFile, SampledSource, sample_uri
from .snapshot import Snapshot, find_snapshot, load_snapshot, write_snapshot
from .uri import S3Uri

__all__ = [
    "DEFAULT_CACHE_DIR", "CacheEntry", "ExecutionData", "S3Settings", "S3Uri", "SampledFile",
    "SampledSource", "Snapshot", "SourceCache", "SourceError", "StepRecord", "cache_key",
    "discover_execution", "find_snapshot", "load_snapshot", "make_clients", "sample_uri",
    "write_snapshot",
]

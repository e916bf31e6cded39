"""Sample an ``s3://`` object or prefix into the cache, keeping the relative layout.

Which objects: for one object, that object; for a prefix, every object below it
(matching ``layout`` if one is given).  Objects are grouped by directory and in each
directory a seeded subset of shards is read until ``sample_size`` rows are found, so
the sample has the same directory shape (``train/``, ``test/`` …) as production.
How: Parquet by row groups (``parquet_sample``), CSV/TSV/JSONL by their head
(``text_head``), other files copied whole up to a size cap; empty marker objects
(``_SUCCESS``) are kept as empty files.  Every read is a ranged GET.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..spec.placeholders import layout_pattern
from .bandwidth import Bandwidth
from .cache import SourceCache, cache_key
from .client import reading
from .errors import SourceError
from .parquet_sample import sample_parquet
from .ranged import FetchStats, RangedObject
from .text_head import text_head
from .uri import S3Uri, relative_key, safe_relative_path

SAMPLER_VERSION = 1
TEXT_FORMATS = ("csv", "tsv", "jsonl")
SAMPLED_FORMATS = TEXT_FORMATS + ("parquet",)
WHOLE_FORMATS = ("json", "text", "file")
DEFAULT_MAX_SHARDS = 4
DEFAULT_MAX_COPY_BYTES = 256 * 1024**2
_SUFFIX_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "tsv",
                   ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".txt": "text"}


@dataclass(frozen=True)
class S3Object:
    """A listed object: key, size and ETag."""

    key: str
    size: int
    etag: str


@dataclass
class SampledFile:
    """One file of a sample: where it came from and what was taken."""

    key: str
    path: str                  # relative to the sample's root (the prefix, or the object's folder)
    etag: str
    size: int                  # of the S3 object
    format: str
    rows: int | None           # rows written (None for files copied whole)
    whole: bool                # the whole object is in the sample


@dataclass
class SampledSource:
    """A sampled URI in the cache: its local path and what it holds."""

    uri: str
    path: Path                 # a directory for a prefix, the file for one object
    root: Path                 # the directory ``files[].path`` are relative to
    etag: str                  # the object's ETag, or a digest of every listed key's ETag
    params: dict[str, Any]
    files: list[SampledFile] = field(default_factory=list)
    from_cache: bool = False
    requests: int = 0
    bytes_fetched: int = 0

    @property
    def rows(self) -> int:
        return sum(f.rows or 0 for f in self.files)


def format_of(key: str) -> str:
    """A file's format from its suffix (``.gz`` ignored); unknown suffixes are ``file``."""
    name = key.rpartition("/")[2].lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIX_FORMATS.get(Path(name).suffix, "file")


def list_objects(s3: Any, uri: S3Uri) -> tuple[S3Uri, list[S3Object]]:
    """The objects ``uri`` names: itself, or everything under it (a prefix, also without ``/``)."""
    if not uri.is_prefix:
        try:
            with reading(str(uri)):
                head = s3.head_object(Bucket=uri.bucket, Key=uri.key)
            return uri, [S3Object(uri.key, head["ContentLength"], head["ETag"])]
        except SourceError as exc:
            if not (exc.permanent and ("404" in exc.message or "NoSuchKey" in exc.message)):
                raise
            uri = uri.as_prefix()
    objects = []
    with reading(str(uri)):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=uri.bucket, Prefix=uri.key):
            objects += [S3Object(o["Key"], o["Size"], o["ETag"]) for o in page.get("Contents", [])]
    if not objects:
        raise SourceError(str(uri), "NoSuchKey: no object at this URI or under this prefix", permanent=True)
    return uri, objects


def combined_etag(objects: Iterable[S3Object]) -> str:
    lines = "\n".join(f"{o.key}\t{o.etag}" for o in sorted(objects, key=lambda o: o.key))
    return "listing-" + hashlib.sha256(lines.encode()).hexdigest()[:32]


def choose_shards(files: list[tuple[str, S3Object]], seed: int) -> dict[str, list[tuple[str, S3Object]]]:
    """Data files grouped by directory, each group in a seeded order (the shards to try first)."""
    groups: dict[str, list[tuple[str, S3Object]]] = defaultdict(list)
    for rel, obj in sorted(files):
        groups[rel.rpartition("/")[0]].append((rel, obj))
    for directory, members in groups.items():
        random.Random(f"{seed}:{directory}").shuffle(members)
    return dict(sorted(groups.items()))


def _write_text(dest: Path, data: bytes, compressed: bool) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if compressed:
        with gzip.open(dest, "wb") as out:
            out.write(data)
    else:
        dest.write_bytes(data)


def _sample_file(s3: Any, base: S3Uri, rel: str, obj: S3Object, fmt: str, rows: int, seed: int,
                 data_dir: Path, stats: FetchStats, max_copy_bytes: int) -> SampledFile:
    uri = str(base.child(obj.key))
    dest = data_dir / safe_relative_path(rel, uri)
    ranged = RangedObject(s3, base.bucket, obj.key, obj.size, obj.etag, stats, uri)
    if fmt == "parquet":
        written = sample_parquet(ranged, rows, seed, dest)
        return SampledFile(obj.key, rel, obj.etag, obj.size, fmt, written, False)
    if fmt in TEXT_FORMATS:
        head = text_head(ranged, fmt, rows)
        _write_text(dest, head.data, head.gzip)
        return SampledFile(obj.key, rel, obj.etag, obj.size, fmt, head.records, head.whole_object)
    if obj.size > max_copy_bytes:
        raise SourceError(uri, f"{obj.size} bytes is over the {max_copy_bytes}-byte limit for "
                          f"files copied whole (format {fmt!r})", permanent=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(ranged.read_range(0, obj.size) if obj.size else b"")
    return SampledFile(obj.key, rel, obj.etag, obj.size, fmt, None, True)


def _sample_group(s3: Any, base: S3Uri, members: list[tuple[str, S3Object]], fmt: str,
                  sample_size: int, seed: int, max_shards: int, data_dir: Path,
                  stats: FetchStats, max_copy_bytes: int) -> list[SampledFile]:
    """Read shards of one directory in their seeded order until ``sample_size`` rows."""
    sampled: list[SampledFile] = []
    needed = sample_size
    for position, (rel, obj) in enumerate(members):
        file_fmt = format_of(obj.key) if fmt == "auto" else fmt
        if file_fmt not in SAMPLED_FORMATS:
            sampled.append(_sample_file(s3, base, rel, obj, file_fmt, 0, seed, data_dir, stats, max_copy_bytes))
            continue
        if needed <= 0:
            continue
        shards_left = max(1, min(max_shards, len(members)) - position)
        quota = math.ceil(needed / shards_left) if position < max_shards else needed
        record = _sample_file(s3, base, rel, obj, file_fmt, quota, seed, data_dir, stats, max_copy_bytes)
        sampled.append(record)
        needed -= record.rows or 0
    return sampled


def sample_uri(s3: Any, uri: str, fmt: str, sample_size: int, seed: int, layout: str | None = None,
               *, splits: Sequence[str] | None = None, cache: SourceCache, refresh: bool = False,
               max_shards: int = DEFAULT_MAX_SHARDS,
               max_copy_bytes: int = DEFAULT_MAX_COPY_BYTES,
               bandwidth: Bandwidth | None = None) -> SampledSource:
    """Sample ``uri`` into ``cache`` (or find it there) and describe the result.

    ``fmt`` is a port format (``csv``, ``tsv``, ``jsonl``, ``parquet``, ``json``,
    ``text``, ``file``) or ``auto`` (per file, from its suffix).  ``sample_size``
    rows are taken per directory of a prefix, from the keys ``layout`` holds (with the
    declared ``splits``; the rule local discovery uses).  ``refresh`` ignores cached entries.
    ``bandwidth`` paces every byte read (the run's download cap; see :mod:`.bandwidth`).
    Every failure is a :class:`SourceError` naming the URI.
    """
    if fmt not in SAMPLED_FORMATS + WHOLE_FORMATS + ("auto",):
        raise SourceError(uri, f"unknown format {fmt!r}", permanent=True)
    base, objects = list_objects(s3, S3Uri.parse(uri))
    single = not base.is_prefix
    pattern = layout_pattern(layout, splits) if layout and not single else None
    etag = objects[0].etag if single else combined_etag(objects)
    params = {"format": fmt, "sample_size": sample_size, "seed": seed, "layout": layout,
              "splits": list(splits) if splits else None, "max_shards": max_shards, "sampler": SAMPLER_VERSION}
    key = cache_key(str(base), etag, params)
    entry = None if refresh else cache.get(key)
    stats = FetchStats(bandwidth=bandwidth)
    if entry is None:
        meta = {"uri": str(base), "etag": etag, "params": params, "single": single}
        with cache.writing(key, meta) as pending:
            files = _sample_objects(s3, base, objects, fmt, sample_size, seed, pattern, max_shards,
                                    pending.data_dir, stats, max_copy_bytes)
            pending.meta["files"] = [asdict(f) for f in files]
        entry = cache.get(key)
        if entry is None:
            raise SourceError(uri, "the sample vanished from the cache right after it was written "
                              "(is the cache size cap smaller than one sample?)", permanent=False)
        from_cache = False
    else:
        from_cache = True
    files = [SampledFile(**f) for f in entry.meta["files"]]
    root = entry.data_dir
    path = root / files[0].path if single else root
    return SampledSource(str(base), path, root, etag, params, files, from_cache, stats.requests, stats.bytes)


def _sample_objects(s3: Any, base: S3Uri, objects: list[S3Object], fmt: str, sample_size: int,
                    seed: int, pattern: re.Pattern[str] | None, max_shards: int, data_dir: Path,
                    stats: FetchStats, max_copy_bytes: int) -> list[SampledFile]:
    data: list[tuple[str, S3Object]] = []
    files: list[SampledFile] = []
    for obj in objects:
        rel = relative_key(base, obj.key)
        uri = str(base.child(obj.key))
        if rel.endswith("/"):                       # a "directory" marker
            if rel.strip("/"):
                (data_dir / safe_relative_path(rel.rstrip("/"), uri)).mkdir(parents=True, exist_ok=True)
            continue
        safe_relative_path(rel, uri)
        if obj.size == 0:                           # _SUCCESS and other markers
            (data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (data_dir / rel).touch()
            files.append(SampledFile(obj.key, rel, obj.etag, 0, "file", None, True))
        elif pattern is None or pattern.fullmatch(rel):
            data.append((rel, obj))
    for members in choose_shards(data, seed).values():
        files += _sample_group(s3, base, members, fmt, sample_size, seed, max_shards, data_dir,
                               stats, max_copy_bytes)
    return sorted(files, key=lambda f: f.path)


__all__ = ["SampledFile", "SampledSource", "S3Object", "sample_uri", "list_objects", "format_of",
           "choose_shards"]

"""Offline snapshots: the sampled data of an execution in a local directory plus a manifest.

``write_snapshot`` samples the outputs (and, by default, the inputs) of the chosen
steps and mirrors each source under ``DEST/s3/BUCKET/KEY`` — the same layout as in
S3 — with ``manifest.json`` recording the execution (steps, durations, channels),
every source's URI, ETag, local path and files, and the sampling parameters.
``load_snapshot`` reads it back, so a deep dive (or a ``source:``) can run with no
AWS access at all.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..atomic import write_text_atomic
from .cache import SourceCache
from .discovery import ExecutionData
from .errors import SourceError
from .sampling import DEFAULT_MAX_SHARDS, SampledFile, sample_uri
from .uri import S3Uri, safe_relative_path

MANIFEST = "manifest.json"
SNAPSHOT_FORMAT = "specrun-snapshot"
SNAPSHOT_VERSION = 1


@dataclass
class SnapshotSource:
    """One sampled URI in a snapshot (or why it could not be sampled).

    ``uri`` is as sampled (a prefix always ends with ``/``); the snapshot's
    ``sources`` mapping is keyed by the URI as the execution names it.
    """

    uri: str
    path: str                       # relative to the snapshot root
    format: str
    etag: str | None = None
    files: list[SampledFile] = field(default_factory=list)
    error: str | None = None
    permanent: bool | None = None


@dataclass
class Snapshot:
    """A snapshot directory read back: the execution and where each source lives locally."""

    root: Path
    execution: ExecutionData
    sampling: dict[str, Any]
    sources: dict[str, SnapshotSource]
    created: str = ""

    @property
    def errors(self) -> dict[str, str]:
        return {uri: src.error for uri, src in self.sources.items() if src.error}

    def local_path(self, uri: str) -> Path:
        """The local file or directory holding the sample of ``uri`` (or of a key under it)."""
        source = (self.sources.get(uri) or self.sources.get(uri.rstrip("/"))
                  or self.sources.get(uri.rstrip("/") + "/"))
        if source is None:
            prefixes = [src for src in self.sources.values() if src.uri.endswith("/")]
            for candidate in sorted(prefixes, key=lambda src: -len(src.uri)):
                if uri.startswith(candidate.uri):
                    rest = safe_relative_path(uri[len(candidate.uri):].rstrip("/"), uri)
                    return self._existing(candidate, self.root / candidate.path / rest)
            raise SourceError(uri, f"not in the snapshot at {self.root}", permanent=True)
        return self._existing(source, self.root / source.path)

    def _existing(self, source: SnapshotSource, path: Path) -> Path:
        if source.error:
            raise SourceError(source.uri, f"not sampled when the snapshot was taken: {source.error}",
                              permanent=bool(source.permanent))
        return path

    def channel_path(self, step: str, channel: str, direction: str = "output") -> Path:
        """The local path of a step's output (or input) channel."""
        record = self.execution.step(step)
        channels = record.outputs if direction == "output" else record.inputs
        if channel not in channels:
            raise SourceError(self.execution.execution_arn,
                              f"step {step!r} has no {direction} channel {channel!r}", permanent=True)
        return self.local_path(channels[channel])


def mirror_path(uri: str) -> PurePosixPath:
    """Where a URI lives inside a snapshot: ``s3/BUCKET/KEY``."""
    parsed = S3Uri.parse(uri)
    key = parsed.key.rstrip("/")
    return PurePosixPath("s3", parsed.bucket) / (safe_relative_path(key, uri) if key else "")


def _selected_uris(execution: ExecutionData, steps: Iterable[str] | None,
                   include_inputs: bool) -> dict[str, str]:
    """URI → ``step.channel`` naming it first, for the chosen steps' channels."""
    names = list(steps) if steps is not None else list(execution.steps)
    uris: dict[str, str] = {}
    for name in names:
        record = execution.step(name)
        channels = list(record.outputs.items()) + (list(record.inputs.items()) if include_inputs else [])
        for channel, uri in channels:
            uris.setdefault(uri, f"{name}.{channel}")
    return uris


def write_snapshot(execution: ExecutionData, s3: Any, dest: Path | str, sample_size: int, seed: int,
                   steps: Iterable[str] | None = None, *, cache: SourceCache | None = None,
                   include_inputs: bool = True, formats: Mapping[str, str] | None = None,
                   max_shards: int = DEFAULT_MAX_SHARDS) -> Snapshot:
    """Sample the chosen steps' channels into ``dest`` (written atomically) and return it.

    ``formats`` maps ``step.channel`` to a port format (default ``auto``: from file
    suffixes).  A source that fails is recorded in the manifest with its error; the
    others are still written.
    """
    dest = Path(dest).absolute()
    if dest.exists() and any(dest.iterdir()) and not (dest / MANIFEST).exists():
        raise SourceError(str(dest), "exists and is not a snapshot directory; choose an empty or new one",
                          permanent=True)
    formats = dict(formats or {})
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    with tempfile.TemporaryDirectory(prefix="specrun-snapshot-cache-") as scratch:
        sample_cache = cache or SourceCache(scratch)
        sources: dict[str, SnapshotSource] = {}
        try:
            for uri, channel in _selected_uris(execution, steps, include_inputs).items():
                sources[uri] = _snapshot_source(s3, uri, formats.get(channel, "auto"), sample_size, seed,
                                                max_shards, sample_cache, staging)
            snapshot = Snapshot(dest, execution, {"sample_size": sample_size, "seed": seed,
                                                  "max_shards": max_shards}, sources,
                                datetime.now(UTC).isoformat())
            _write_manifest(staging, snapshot)
            _replace_dir(staging, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return snapshot


def _snapshot_source(s3: Any, uri: str, fmt: str, sample_size: int, seed: int, max_shards: int,
                     cache: SourceCache, staging: Path) -> SnapshotSource:
    try:
        sampled = sample_uri(s3, uri, fmt, sample_size, seed, cache=cache, max_shards=max_shards)
        parsed = S3Uri.parse(sampled.uri)
        target = staging / mirror_path(sampled.uri)
        if parsed.is_prefix:
            shutil.copytree(sampled.root, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(sampled.path, target)
        return SnapshotSource(sampled.uri, str(mirror_path(sampled.uri)), fmt, sampled.etag, sampled.files)
    except SourceError as exc:
        return SnapshotSource(uri, str(mirror_path(uri)), fmt, error=exc.message, permanent=exc.permanent)


def _write_manifest(root: Path, snapshot: Snapshot) -> None:
    data = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "created": snapshot.created,
        "execution": snapshot.execution.to_json(),
        "sampling": snapshot.sampling,
        "sources": {uri: asdict(source) for uri, source in snapshot.sources.items()},
    }
    write_text_atomic(root / MANIFEST, json.dumps(data, indent=1, sort_keys=True))


def _replace_dir(staging: Path, dest: Path) -> None:
    """Put ``staging`` at ``dest``, moving an older snapshot there out of the way first."""
    old = None
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(dest, old)
    os.replace(staging, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_snapshot(path: Path | str) -> Snapshot:
    """Read a snapshot directory written by :func:`write_snapshot`."""
    root = Path(path).absolute()
    try:
        data = json.loads((root / MANIFEST).read_text())
    except FileNotFoundError:
        raise SourceError(str(root), f"no {MANIFEST}: not a specrun snapshot", permanent=True) from None
    except json.JSONDecodeError as exc:
        raise SourceError(str(root), f"unreadable {MANIFEST}: {exc}", permanent=True) from None
    if data.get("format") != SNAPSHOT_FORMAT or data.get("version") != SNAPSHOT_VERSION:
        raise SourceError(str(root), f"{MANIFEST} is not a version {SNAPSHOT_VERSION} specrun snapshot",
                          permanent=True)
    sources = {
        uri: SnapshotSource(**{**src, "files": [SampledFile(**f) for f in src.get("files", [])]})
        for uri, src in data["sources"].items()
    }
    return Snapshot(root, ExecutionData.from_json(data["execution"]), data["sampling"], sources,
                    data.get("created", ""))


def find_snapshot(path: Path | str) -> Snapshot | None:
    """The snapshot containing ``path`` (a local ``source:``), or ``None`` if it is in none."""
    for candidate in [Path(path).absolute(), *Path(path).absolute().parents]:
        if (candidate / MANIFEST).is_file():
            return load_snapshot(candidate)
    return None

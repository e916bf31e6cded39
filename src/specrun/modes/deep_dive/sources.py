"""Where a deep dive's real data comes from, resolved per step and only for the steps selected.

An input port's data is, in this order:

1. its ``source:`` — an ``s3://`` object or prefix (sampled into the cache), a snapshot
   directory (the port's channel in that snapshot), a path inside a snapshot, or any
   local file or folder (used as it is);
2. the port's channel in the execution — ``deep_dive.snapshot`` (offline), else
   ``deep_dive.execution_arn`` (discovered with boto3), else ``comparison_execution``.
   A ``from: producer.output`` input is the producer's SageMaker step's output channel
   named like ``output``, falling back to the consumer's own input channel of the
   port's name; any other input is the consumer's input channel of the port's name;
3. its ``fixture:`` or ``sample:``.

A failure is a :class:`SourceError` kept per step, so the other steps still run.
Nothing is fetched until :meth:`RealData.resolve` is called for a step.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...contract.io import read_port, write_port
from ...lazy import lazy_module
from ...sources import (
    ExecutionData,
    S3Settings,
    SourceCache,
    SourceError,
    discover_execution,
    find_snapshot,
    load_snapshot,
    make_clients,
    sample_uri,
)
from ...sources.bandwidth import Bandwidth
from ...sources.cache import DEFAULT_MAX_BYTES
from ...sources.sampling import DEFAULT_MAX_SHARDS
from ...sources.snapshot import Snapshot
from ...spec.model import PipelineSpec, PortSpec, StepSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

FULL_SCOPE = 2**62   # "no limit" for rows and shards when analysis_scope is full


@dataclass
class RealInput:
    """One input port's real data: a local file or folder, and where it came from."""

    port: str
    path: Path
    origin: str                  # the s3:// URI, snapshot path, local path or fixture
    kind: str                    # s3 | snapshot | local | fixture
    from_cache: bool = False
    requests: int = 0
    bytes_fetched: int = 0

    def describe(self) -> dict[str, Any]:
        return {"origin": self.origin, "kind": self.kind, "local": str(self.path),
                "from_cache": self.from_cache, "requests": self.requests, "bytes_fetched": self.bytes_fetched}


@dataclass
class StepSources:
    """The resolved inputs of one step, or the first failure."""

    step: str
    inputs: dict[str, RealInput] = field(default_factory=dict)
    error: SourceError | None = None
    port_in_error: str | None = None

    @property
    def message(self) -> str:
        if self.error is None:
            return ""
        return f"input {self.port_in_error!r}: {self.error}"


def sagemaker_name(step: StepSpec) -> str:
    return step.sagemaker_step or step.name


def resolve_path(spec: PipelineSpec, value: str) -> Path:
    """A local path from the spec's ``modes:``: relative to the spec file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (spec.path.parent / path).resolve()


def load_execution(reference: str, spec: PipelineSpec | None, clients: Any) -> tuple[ExecutionData, Snapshot | None]:
    """An execution from an ARN (discovered) or a snapshot folder (read offline)."""
    if reference.startswith("arn:"):
        return discover_execution(clients()[1], reference), None
    path = resolve_path(spec, reference) if spec is not None else Path(reference).absolute()
    snapshot = load_snapshot(path)
    return snapshot.execution, snapshot


class RealData:
    """Resolves steps' inputs to local samples; clients, cache and execution are made lazily."""

    def __init__(self, spec: PipelineSpec, options: Mapping[str, Any], seed: int, workspace: Path,
                 refresh: bool = False) -> None:
        self.spec = spec
        self.options = options
        self.seed = seed
        self.refresh = refresh or bool(options.get("refresh"))
        full = options.get("analysis_scope") == "full"    # whole objects: no row or shard limit
        self.sample_size = FULL_SCOPE if full else int(options["sample_size"])
        self.max_shards = FULL_SCOPE if full else DEFAULT_MAX_SHARDS
        cache_dir = options.get("cache_dir")
        self.cache_root = resolve_path(spec, cache_dir) if cache_dir else workspace / "cache" / "s3"
        self.cache_max_bytes = options.get("cache_max_bytes") or DEFAULT_MAX_BYTES
        # bandwidth: one download cap for every S3 read of the run (sources/bandwidth.py)
        self.bandwidth = Bandwidth(options["bandwidth"]) if options.get("bandwidth") else None
        self._clients: tuple[Any, Any] | None = None
        self._cache: SourceCache | None = None
        self._execution: tuple[ExecutionData | None, Snapshot | None] | None = None
        self._execution_error: SourceError | None = None

    # -- lazily made parts ------------------------------------------------------
    def settings(self) -> S3Settings:
        return S3Settings(endpoint_url=self.options.get("endpoint_url"), region=self.options.get("region"),
                          profile=self.options.get("profile"))

    def clients(self) -> tuple[Any, Any]:
        if self._clients is None:
            self._clients = make_clients(self.settings())
        return self._clients

    def cache(self) -> SourceCache:
        if self._cache is None:
            self._cache = SourceCache(self.cache_root, self.cache_max_bytes)
        return self._cache

    def execution_reference(self) -> str | None:
        """The snapshot, execution ARN or comparison execution the steps' channels come from."""
        for key in ("snapshot", "execution_arn", "comparison_execution"):
            if self.options.get(key):
                return str(self.options[key])
        return None

    def execution(self) -> tuple[ExecutionData | None, Snapshot | None]:
        """The execution (and its snapshot, when offline); a failure is raised every time asked."""
        if self._execution_error is not None:
            raise self._execution_error
        if self._execution is None:
            reference = self.execution_reference()
            if reference is None:
                self._execution = (None, None)
            else:
                try:
                    self._execution = load_execution(reference, self.spec, self.clients)
                except SourceError as exc:
                    self._execution_error = exc
                    raise
        return self._execution

    # -- resolving ----------------------------------------------------------------
    def resolve(self, step: StepSpec) -> StepSources:
        """Every input of ``step`` as a local sample; stops at the first failing port."""
        found = StepSources(step.name)
        for name, port in step.inputs.items():
            try:
                found.inputs[name] = self.resolve_port(step, port)
            except SourceError as exc:
                found.error, found.port_in_error = exc, name
                break
        return found

    def resolve_port(self, step: StepSpec, port: PortSpec) -> RealInput:
        if port.source:
            return self._from_source(step, port, port.source)
        execution, snapshot = self.execution()
        if execution is not None:
            uri = self._channel_uri(execution, step, port)
            if uri is not None:
                if snapshot is not None:
                    return RealInput(port.name, snapshot.local_path(uri), uri, "snapshot")
                return self._sample(port, uri)
        local = port.fixture or port.sample
        if local is not None:
            return RealInput(port.name, Path(local), str(local), "fixture")
        where = (f"the execution has no channel for it (SageMaker step {sagemaker_name(step)!r})"
                 if execution is not None else "no source:, execution or snapshot is configured")
        raise SourceError(port.name, f"no real data: {where}", permanent=True)

    def _from_source(self, step: StepSpec, port: PortSpec, source: str) -> RealInput:
        if "://" in source:
            return self._sample(port, source)
        path = Path(source)
        snapshot = find_snapshot(path) if path.exists() else None
        if snapshot is not None and snapshot.root == path.absolute():
            uri = self._channel_uri(snapshot.execution, step, port)
            if uri is None:
                raise SourceError(source, f"the snapshot has no channel for input {port.name!r} of "
                                  f"SageMaker step {sagemaker_name(step)!r}", permanent=True)
            return RealInput(port.name, snapshot.local_path(uri), uri, "snapshot")
        if not path.exists():
            raise SourceError(source, "no such file or directory", permanent=True)
        return RealInput(port.name, path, source, "snapshot" if snapshot is not None else "local")

    def _sample(self, port: PortSpec, uri: str) -> RealInput:
        fmt = port.format if port.format in ("csv", "tsv", "jsonl", "parquet") else "auto"
        sampled = sample_uri(self.clients()[0], uri, fmt, self.sample_size, self.seed,
                             port.layout if port.is_dir else None, splits=port.split, cache=self.cache(),
                             refresh=self.refresh,
                             max_shards=self.max_shards, bandwidth=self.bandwidth)
        return RealInput(port.name, sampled.path, uri, "s3", sampled.from_cache, sampled.requests,
                         sampled.bytes_fetched)

    def _channel_uri(self, execution: ExecutionData, step: StepSpec, port: PortSpec) -> str | None:
        if port.from_:
            producer_name, _, output = port.from_.partition(".")
            producer = self.spec.steps.get(producer_name)
            record = execution.steps.get(sagemaker_name(producer)) if producer is not None else None
            if record is not None and output in record.outputs:
                return record.outputs[output]
        record = execution.steps.get(sagemaker_name(step))
        if record is not None and port.name in record.inputs:
            return record.inputs[port.name]
        return None


# -- placing samples in a sandbox ------------------------------------------------------

def data_files(folder: Path) -> list[Path]:
    """Non-empty files under ``folder`` (empty ``_SUCCESS`` markers left out), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.stat().st_size > 0)


def place_input(port: PortSpec, real: RealInput, target: Path) -> None:
    """Copy the sample to where the script expects the port (never hand out the cache itself).

    A single-file port fed from a folder (SageMaker channels are prefixes) gets the one
    data file in it, or, for a tabular port, every data file concatenated.
    """
    source = real.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if port.is_dir or not source.is_dir():
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
        return
    files = data_files(source)
    if not files:
        raise SourceError(real.origin, f"input {port.name!r}: the channel holds no data files", permanent=True)
    if len(files) == 1 or not port.tabular:
        shutil.copy2(files[0], target)
        return
    single = dataclasses.replace(port, layout=None)
    frames = [frame for file in files for frame in read_port(single, file).values()]
    write_port(single, pd.concat(frames, ignore_index=True), target)

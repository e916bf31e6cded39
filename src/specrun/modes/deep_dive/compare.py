"""Comparing two pipeline executions: step durations and how each output's data changed.

Each side is an execution ARN (discovered, outputs sampled through the cache) or a
snapshot folder (read offline).  Per step: status and duration from the SageMaker
step metadata, and the change in duration.  Per output channel present on both
sides, per dataset (the files of one folder of one format, concatenated): row counts,
schema changes (columns added, removed, dtype changed) and distribution drift per
column (PSI for numbers and categories, KS for numbers) against
:class:`~specrun.analysis.drift.DriftThresholds`.  Row counts are those of the
samples; a row-count change is judged only when both samples are complete (every
object read whole, or fewer rows found than ``sample_size``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...analysis.drift import ColumnDrift, DriftThresholds, compare_frames
from ...contract.io import SEPARATORS
from ...lazy import lazy_module
from ...sources import ExecutionData, SourceCache, SourceError, sample_uri
from ...sources.bandwidth import Bandwidth
from ...sources.sampling import SampledFile, format_of
from ...sources.snapshot import Snapshot
from ...spec.model import PipelineSpec, StepSpec
from .sources import data_files, load_execution

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "parquet": lambda path: pd.read_parquet(path),
    "csv": lambda path: pd.read_csv(path),
    "tsv": lambda path: pd.read_csv(path, sep="\t"),
    "jsonl": lambda path: pd.read_json(path, lines=True),
}


def _reader(fmt: str, names: Sequence[str] | None) -> Callable[[Path], pd.DataFrame]:
    """How one file of ``fmt`` is read; ``names``: a headerless csv/tsv port's columns, in
    declared order (its first row is data, never a header)."""
    if names is not None and fmt in SEPARATORS:
        return lambda path: pd.read_csv(path, sep=SEPARATORS[fmt], header=None, names=list(names))
    return READERS[fmt]
ROW_CHANGE_LIMIT = 0.1       # a complete sample's row count may change this much before it is flagged


@dataclass
class FetchedChannel:
    """A channel's sample on local disk, and whether it holds the whole data."""

    path: Path
    complete: bool


@dataclass
class ExecutionSide:
    """One execution of a comparison and how to get its channels' samples."""

    reference: str
    execution: ExecutionData
    fetch: Callable[[str], FetchedChannel]


def open_side(reference: str, spec: PipelineSpec | None, clients: Callable[[], tuple[Any, Any]],
              cache: Callable[[], SourceCache], sample_size: int, seed: int, refresh: bool = False,
              bandwidth: Bandwidth | None = None) -> ExecutionSide:
    """An execution to compare: an ARN (sampled from S3 on demand, paced by ``bandwidth``) or a
    snapshot folder."""
    execution, snapshot = load_execution(reference, spec, clients)
    if snapshot is not None:
        size = int(snapshot.sampling.get("sample_size", 0))
        return ExecutionSide(reference, execution, lambda uri: _from_snapshot(snapshot, uri, size))

    def fetch(uri: str) -> FetchedChannel:
        sampled = sample_uri(clients()[0], uri, "auto", sample_size, seed, cache=cache(), refresh=refresh,
                             bandwidth=bandwidth)
        return FetchedChannel(sampled.path, _whole(sampled.files, sample_size))
    return ExecutionSide(reference, execution, fetch)


def _from_snapshot(snapshot: Snapshot, uri: str, sample_size: int) -> FetchedChannel:
    path = snapshot.local_path(uri)
    source = snapshot.sources.get(uri)
    return FetchedChannel(path, source is not None and _whole(source.files, sample_size))


def _whole(files: Sequence[SampledFile], sample_size: int) -> bool:
    """Every object read whole, or fewer rows found than asked for (the sampler ran out of data)."""
    if not files:
        return False
    return all(f.whole or f.rows is None for f in files) or sum(f.rows or 0 for f in files) < sample_size


@dataclass
class StepTiming:
    step: str
    status_before: str | None
    status_after: str | None
    duration_before_s: float | None
    duration_after_s: float | None

    @property
    def change(self) -> float | None:
        """Relative change of the duration (0.5 = 50 % longer)."""
        if not self.duration_before_s or self.duration_after_s is None:
            return None
        return self.duration_after_s / self.duration_before_s - 1.0


@dataclass
class DatasetComparison:
    """One dataset of one output channel, baseline against comparison."""

    step: str
    channel: str
    dataset: str
    rows_before: int | None = None
    rows_after: int | None = None
    complete: bool = False               # both samples hold the whole data: row counts are exact
    row_change: float | None = None
    schema_changes: list[ColumnDrift] = field(default_factory=list)
    columns: list[ColumnDrift] = field(default_factory=list)
    drifted: bool = False
    error: str | None = None


@dataclass
class ExecutionComparison:
    baseline: str
    comparison: str
    thresholds: DriftThresholds
    steps: list[StepTiming] = field(default_factory=list)
    datasets: list[DatasetComparison] = field(default_factory=list)
    only_in_baseline: list[str] = field(default_factory=list)
    only_in_comparison: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return any(d.drifted for d in self.datasets)

    @property
    def errors(self) -> list[str]:
        return [f"{d.step}.{d.channel}: {d.error}" for d in self.datasets if d.error]


def headerless_columns(steps: Iterable[StepSpec], job_name: Callable[[StepSpec], str]
                       ) -> dict[tuple[str, str], list[str]]:
    """(SageMaker step name, channel) → declared columns, for every ``header: false`` output."""
    return {(job_name(step), name): list(port.schema.columns) for step in steps
            for name, port in step.outputs.items() if not port.header and port.schema is not None}


def compare_executions(before: ExecutionSide, after: ExecutionSide, thresholds: DriftThresholds | None = None,
                       steps: Iterable[str] | None = None,
                       headerless: Mapping[tuple[str, str], Sequence[str]] | None = None) -> ExecutionComparison:
    """Durations of every common step and drift of every common output channel.
    ``headerless`` gives the columns of the (step, channel) outputs the spec declares
    ``header: false``, which are read with those names."""
    limits = thresholds or DriftThresholds()
    names_a, names_b = list(before.execution.steps), list(after.execution.steps)
    wanted = set(steps) if steps is not None else None
    result = ExecutionComparison(before.reference, after.reference, limits,
                                 only_in_baseline=[n for n in names_a if n not in names_b],
                                 only_in_comparison=[n for n in names_b if n not in names_a])
    for name in [n for n in names_a if n in names_b]:
        if wanted is not None and name not in wanted:
            continue
        a, b = before.execution.steps[name], after.execution.steps[name]
        result.steps.append(StepTiming(name, a.status, b.status, a.duration_s, b.duration_s))
        for channel in [c for c in a.outputs if c in b.outputs]:
            names = (headerless or {}).get((name, channel))
            result.datasets += _compare_channel(name, channel, before, after, a.outputs[channel],
                                                b.outputs[channel], limits, names)
    return result


def _compare_channel(step: str, channel: str, before: ExecutionSide, after: ExecutionSide,
                     uri_a: str, uri_b: str, limits: DriftThresholds,
                     names: Sequence[str] | None = None) -> list[DatasetComparison]:
    try:
        fetched_a, fetched_b = before.fetch(uri_a), after.fetch(uri_b)
        sets_a, sets_b = read_datasets(fetched_a.path, names), read_datasets(fetched_b.path, names)
    except SourceError as exc:
        return [DatasetComparison(step, channel, channel, error=str(exc))]
    except (OSError, ValueError) as exc:
        return [DatasetComparison(step, channel, channel, error=f"{type(exc).__name__}: {exc}")]
    complete = fetched_a.complete and fetched_b.complete
    out = []
    for key in sorted(set(sets_a) | set(sets_b)):
        label = f"{channel}/{key}" if key else channel
        item = DatasetComparison(step, channel, label, complete=complete)
        if key not in sets_a or key not in sets_b:
            item.error = f"only in the {'comparison' if key in sets_b else 'baseline'}"
            item.drifted = True
            out.append(item)
            continue
        frame_a, frame_b = sets_a[key], sets_b[key]
        item.rows_before, item.rows_after = len(frame_a), len(frame_b)
        if len(frame_a):
            item.row_change = len(frame_b) / len(frame_a) - 1.0
        item.columns = compare_frames(frame_a, frame_b, limits)
        item.schema_changes = [c for c in item.columns if c.change is not None]
        rows_moved = complete and item.row_change is not None and abs(item.row_change) > ROW_CHANGE_LIMIT
        item.drifted = rows_moved or any(c.drifted for c in item.columns)
        out.append(item)
    return out


def read_datasets(path: Path, names: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """The tabular data under ``path``: ``{"": frame}`` for a file, else one frame per
    ``folder/format`` (files concatenated); non-tabular files are left out.  ``names``: the
    columns of a headerless csv/tsv output."""
    if path.is_file():
        fmt = format_of(path.name)
        return {"": _reader(fmt, names)(path)} if fmt in READERS else {}
    groups: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for file in data_files(path):
        fmt = format_of(file.name)
        if fmt in READERS:
            folder = file.parent.relative_to(path).as_posix()
            groups["" if folder == "." else folder, fmt].append(file)
    formats: dict[str, int] = defaultdict(int)
    for folder, _fmt in groups:
        formats[folder] += 1
    out = {}
    for (folder, fmt), files in sorted(groups.items()):
        key = folder if formats[folder] == 1 else f"{folder}[{fmt}]".lstrip("/")
        frames = [_reader(fmt, names)(f) for f in files]
        out[key] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return out

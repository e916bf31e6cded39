"""How data changes along the pipeline, and where it gets worse.

:func:`compare_profiles` turns two :class:`DataProfile` records into a
:class:`Transformation` (rows dropped/added, columns added/removed, dtype changes,
per shared column the null-rate change in percentage points and the distinct-count
change).  :func:`find_degradations` flags the changes past
:class:`DegradationThresholds`.  :func:`track_evolution` does both over a whole DAG:
inside each step (every input against every output that shares a column with it)
and across each edge (the producer's output against what the consumer received),
giving the :class:`DataEvolution` record of the pipeline run.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, get_type_hints

from ..lazy import lazy_module
from ..spec.model import Location, SpecError
from .profile import DataProfile

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy_module("networkx")

ProfileKey = tuple[str, str, str]          # (step, port, "input" | "output")
MAX_PATHS = 200


@dataclass
class DtypeChange:
    column: str
    before: str
    after: str


@dataclass
class ColumnChange:
    """How one column present on both sides changed."""

    column: str
    null_fraction_before: float
    null_fraction_after: float
    null_rate_change_points: float          # (after - before) × 100
    distinct_before: int
    distinct_after: int
    distinct_change: int                    # after - before


@dataclass
class Transformation:
    """The difference between two profiles.

    ``kind`` is ``step`` (an input of ``step`` against one of its outputs), ``handoff``
    (a producer's output against what consumer ``step`` received) or ``compare``.
    """

    source: str
    target: str
    kind: str = "compare"
    step: str | None = None
    rows_before: int = 0
    rows_after: int = 0
    rows_dropped: int = 0
    rows_added: int = 0
    rows_change_fraction: float = 0.0       # (after - before) / before; 0 when before is 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    dtype_changes: list[DtypeChange] = field(default_factory=list)
    column_changes: list[ColumnChange] = field(default_factory=list)
    # a step's outputs with the same columns (train / test of one split): their rows together
    partition: list[str] = field(default_factory=list)
    partition_rows: int | None = None

    @property
    def label(self) -> str:
        return f"{self.source} -> {self.target}"

    @property
    def has_changes(self) -> bool:
        return bool(self.rows_dropped or self.rows_added or self.columns_added or self.columns_removed
                    or self.dtype_changes or any(c.null_rate_change_points or c.distinct_change
                                                 for c in self.column_changes))


@dataclass(frozen=True)
class DegradationThresholds:
    """When a change counts as a degradation (each comparison is strict: "more than")."""

    null_rate_up_points: float = 5.0        # a column's null rate rises by more than this many points
    rows_dropped_fraction: float = 0.5      # more than this fraction of rows is lost
    distinct_drop_fraction: float = 0.9     # a column loses more than this fraction of its distinct values
    collapse_to_one_value: bool = True      # a column with several values ends with a single one

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None,
                     location: Location | None = None) -> DegradationThresholds:
        """Thresholds from a spec mapping (e.g. ``modes.pipeline.degradation``); bad keys are SpecErrors."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for key, value in (mapping or {}).items():
            where = location.child(key) if location else None
            if key not in known:
                raise SpecError(f"unknown threshold {key!r} (known: {', '.join(known)})", where)
            if hints[key] is bool:
                if not isinstance(value, bool):
                    raise SpecError(f"{key} must be true or false, not {value!r}", where)
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                    key.endswith("fraction") and value > 1):
                limit = "a fraction between 0 and 1" if key.endswith("fraction") else "a number >= 0"
                raise SpecError(f"{key} must be {limit}, not {value!r}", where)
            values[key] = value
        return cls(**values)


@dataclass
class DegradationPoint:
    """One place where data quality got worse past a threshold."""

    transformation: str                     # "source -> target"
    step: str | None
    kind: str                               # null_rate | rows_dropped | distinct_drop | constant_column
    column: str | None
    before: float
    after: float
    threshold: float
    message: str


@dataclass
class QualityMetric:
    port: str                               # "step.port"
    direction: str                          # input | output
    name: str                               # completeness | constant_columns | rows
    value: float


@dataclass
class DataEvolution:
    """The data of a pipeline run, from its source inputs to its final outputs."""

    initial_profiles: list[DataProfile] = field(default_factory=list)   # inputs no step produces
    transformations: list[Transformation] = field(default_factory=list)
    final_profiles: list[DataProfile] = field(default_factory=list)     # outputs no step consumes
    quality_metrics: list[QualityMetric] = field(default_factory=list)
    degradation_points: list[DegradationPoint] = field(default_factory=list)
    paths: list[list[str]] = field(default_factory=list)                # step chains, source to sink
    paths_truncated: bool = False


def compare_profiles(before: DataProfile, after: DataProfile) -> Transformation:
    """What changed from ``before`` to ``after``."""
    shared = [name for name in before.columns if name in after.column_profiles]
    changes = []
    for name in shared:
        old, new = before.column_profiles[name], after.column_profiles[name]
        changes.append(ColumnChange(name, old.null_fraction, new.null_fraction,
                                    (new.null_fraction - old.null_fraction) * 100.0,
                                    old.distinct, new.distinct, new.distinct - old.distinct))
    delta = after.rows - before.rows
    return Transformation(
        source=before.port, target=after.port,
        rows_before=before.rows, rows_after=after.rows,
        rows_dropped=max(-delta, 0), rows_added=max(delta, 0),
        rows_change_fraction=delta / before.rows if before.rows else 0.0,
        columns_added=[name for name in after.columns if name not in before.column_profiles],
        columns_removed=[name for name in before.columns if name not in after.column_profiles],
        dtype_changes=[DtypeChange(name, before.dtypes[name], after.dtypes[name])
                       for name in shared if before.dtypes[name] != after.dtypes[name]],
        column_changes=changes)


def find_degradations(transformation: Transformation,
                      thresholds: DegradationThresholds | None = None) -> list[DegradationPoint]:
    """The changes in ``transformation`` that pass ``thresholds``."""
    limits = thresholds or DegradationThresholds()
    t = transformation
    points: list[DegradationPoint] = []

    def flag(kind: str, column: str | None, before: float, after: float, threshold: float, text: str) -> None:
        where = f"column {column!r} " if column else ""
        points.append(DegradationPoint(t.label, t.step, kind, column, before, after, threshold,
                                       f"{t.label}: {where}{text}"))

    if t.partition_rows is not None:      # the rows went to the step's sibling outputs, not away
        lost = max(t.rows_before - t.partition_rows, 0)
        if t.rows_before and lost / t.rows_before > limits.rows_dropped_fraction:
            flag("rows_dropped", None, t.rows_before, t.partition_rows, limits.rows_dropped_fraction,
                 f"lost {lost} of {t.rows_before} rows ({lost / t.rows_before:.0%}) across the outputs "
                 f"{', '.join(t.partition)} together")
    elif t.rows_before and t.rows_dropped / t.rows_before > limits.rows_dropped_fraction:
        flag("rows_dropped", None, t.rows_before, t.rows_after, limits.rows_dropped_fraction,
             f"lost {t.rows_dropped} of {t.rows_before} rows ({t.rows_dropped / t.rows_before:.0%})")
    if t.rows_after == 0:
        return points
    for c in t.column_changes:
        if c.null_rate_change_points > limits.null_rate_up_points:
            flag("null_rate", c.column, c.null_fraction_before, c.null_fraction_after, limits.null_rate_up_points,
                 f"null rate rose {c.null_rate_change_points:.1f} points "
                 f"({c.null_fraction_before:.1%} -> {c.null_fraction_after:.1%})")
        if limits.collapse_to_one_value and c.distinct_before > 1 and c.distinct_after == 1:
            flag("constant_column", c.column, c.distinct_before, c.distinct_after, 1,
                 f"collapsed from {c.distinct_before} distinct values to one")
        elif c.distinct_before and \
                (c.distinct_before - c.distinct_after) / c.distinct_before > limits.distinct_drop_fraction:
            flag("distinct_drop", c.column, c.distinct_before, c.distinct_after, limits.distinct_drop_fraction,
                 f"distinct values fell from {c.distinct_before} to {c.distinct_after}")
    return points


def _labelled(profile: DataProfile, step: str, port: str) -> DataProfile:
    return dataclasses.replace(profile, port=f"{step}.{port}")


def _quality(profile: DataProfile, direction: str) -> list[QualityMetric]:
    columns = list(profile.column_profiles.values())
    completeness = 1.0 - sum(c.null_fraction for c in columns) / len(columns) if columns else 1.0
    constant = sum(1 for c in columns if c.distinct == 1 and profile.rows > 1)
    return [QualityMetric(profile.port, direction, "rows", profile.rows),
            QualityMetric(profile.port, direction, "completeness", completeness),
            QualityMetric(profile.port, direction, "constant_columns", constant)]


def _paths(dag: nx.DiGraph) -> tuple[list[list[str]], bool]:
    roots = [n for n in dag if dag.in_degree(n) == 0]
    leaves = [n for n in dag if dag.out_degree(n) == 0]
    found = itertools.chain.from_iterable(
        [[root]] if root == leaf else nx.all_simple_paths(dag, root, leaf)
        for root in roots for leaf in leaves)
    paths = list(itertools.islice(found, MAX_PATHS + 1))
    return paths[:MAX_PATHS], len(paths) > MAX_PATHS


def _partitions(outputs: list[ProfileKey], named: Mapping[ProfileKey, DataProfile]
                ) -> dict[ProfileKey, list[ProfileKey]]:
    """Each output that shares its exact columns with another output of the same step → all
    of them: the parts of one partition (a holdout split's train and test ports), whose
    rows are judged together against the input, since a row in one part is not lost."""
    groups: dict[tuple[str, ...], list[ProfileKey]] = {}
    for key in outputs:
        columns = tuple(sorted(named[key].column_profiles))
        if columns:
            groups.setdefault(columns, []).append(key)
    return {key: members for members in groups.values() if len(members) > 1 for key in members}


def track_evolution(dag: nx.DiGraph, profiles: Mapping[ProfileKey, DataProfile],
                    thresholds: DegradationThresholds | None = None) -> DataEvolution:
    """The :class:`DataEvolution` of one run from the profiles of every port that ran.

    ``dag`` is :func:`specrun.analysis.dag.build_dag`'s graph (edges carry ``ports``);
    ports without a profile (a skipped step) are left out.
    """
    order = {step: i for i, step in enumerate(nx.topological_sort(dag))}
    keys = sorted(profiles, key=lambda k: (order.get(k[0], len(order)), k[2] != "input", k[1]))
    named = {key: _labelled(profiles[key], key[0], key[1]) for key in keys}
    links = [edge for _, _, ports in dag.edges(data="ports") for edge in ports]
    fed = {(e.consumer, e.input): e for e in links}          # an input is fed by one output at most
    used = {(e.producer, e.output) for e in links}
    evolution = DataEvolution()
    for step in order:                                          # already in topological order
        inputs = [k for k in keys if k[0] == step and k[2] == "input"]
        outputs = [k for k in keys if k[0] == step and k[2] == "output"]
        for read in inputs:
            edge = fed.get(read[:2])
            made = (edge.producer, edge.output, "output") if edge is not None else None
            if made in named:
                evolution.transformations.append(dataclasses.replace(
                    compare_profiles(named[made], named[read]), kind="handoff", step=step))
        siblings = _partitions(outputs, named)
        for read, made in itertools.product(inputs, outputs):
            if set(named[read].column_profiles) & set(named[made].column_profiles):
                together = siblings.get(made, [])
                evolution.transformations.append(dataclasses.replace(
                    compare_profiles(named[read], named[made]), kind="step", step=step,
                    partition=[named[k].port for k in together],
                    partition_rows=sum(named[k].rows for k in together) if together else None))
    evolution.initial_profiles = [named[k] for k in keys if k[2] == "input" and k[:2] not in fed]
    evolution.final_profiles = [named[k] for k in keys if k[2] == "output" and k[:2] not in used]
    evolution.quality_metrics = [m for k in keys for m in _quality(named[k], k[2])]
    evolution.degradation_points = [p for t in evolution.transformations for p in find_degradations(t, thresholds)]
    evolution.paths, evolution.paths_truncated = _paths(dag)
    return evolution

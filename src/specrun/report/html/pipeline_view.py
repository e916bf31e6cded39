"""One pipeline run's record (``records['pipeline:NAME']``) as the page shows it: the DAG
and timeline coordinates, the transitions, and the data evolution per transformation
and per port with its degradation points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dag import DagLayout, layout_dag
from .gantt import GanttChart, gantt_chart


@dataclass
class EvolutionRow:
    source: str
    target: str
    kind: str
    step: str | None
    rows_before: int
    rows_after: int
    null_changes: list[str]
    dtype_changes: list[str]
    columns_added: list[str]
    columns_removed: list[str]
    degraded: list[str]              # the degradation points' messages for this transformation


@dataclass
class PipelineView:
    name: str
    scenario: str
    seed: int | None
    execution: str
    validation: str
    wall_s: float
    stopped: str | None
    dag: DagLayout
    gantt: GanttChart | None
    critical_path: list[str]
    critical_path_s: float
    bottleneck: str | None
    transitions: list[dict[str, Any]]
    evolution: list[EvolutionRow]
    ports: list[dict[str, Any]]      # port, rows, completeness per quality metric
    degradation_points: list[str]


def _evolution(evolution: dict[str, Any]) -> tuple[list[EvolutionRow], list[dict[str, Any]], list[str]]:
    points = evolution.get("degradation_points") or []
    by_label: dict[str, list[str]] = {}
    for point in points:
        by_label.setdefault(point.get("transformation", ""), []).append(point.get("message", ""))
    rows = []
    for t in evolution.get("transformations") or []:
        label = f"{t['source']} -> {t['target']}"
        nulls = [f"{c['column']}: {100 * c['null_fraction_before']:.1f}% → {100 * c['null_fraction_after']:.1f}%"
                 for c in t.get("column_changes", []) if c.get("null_rate_change_points")]
        dtypes = [f"{d['column']}: {d['before']} → {d['after']}" for d in t.get("dtype_changes", [])]
        rows.append(EvolutionRow(t["source"], t["target"], t.get("kind", ""), t.get("step"),
                                 int(t.get("rows_before", 0)), int(t.get("rows_after", 0)), nulls, dtypes,
                                 list(t.get("columns_added", [])), list(t.get("columns_removed", [])),
                                 by_label.get(label, [])))
    ports: dict[str, dict[str, Any]] = {}
    for metric in evolution.get("quality_metrics") or []:
        entry = ports.setdefault(metric["port"], {"port": metric["port"], "direction": metric.get("direction")})
        entry[metric["name"]] = metric.get("value")
    return rows, list(ports.values()), [p.get("message", "") for p in points]


def pipeline_view(record: dict[str, Any]) -> PipelineView:
    """One pipeline run's record (``records['pipeline:NAME']``) as the page shows it."""
    rows, ports, points = _evolution(record.get("evolution") or {})
    degraded = {p.get("step") for p in (record.get("evolution") or {}).get("degradation_points") or []}
    return PipelineView(
        name=record["pipeline"] + (f"[{record['run']}]" if record.get("run") else ""),
        scenario=record.get("scenario", ""), seed=record.get("seed"),
        execution=record.get("execution", ""), validation=record.get("validation", ""),
        wall_s=float(record.get("wall_s") or 0), stopped=record.get("stopped"),
        dag=layout_dag(record.get("steps", []), record.get("transitions", []), degraded),
        gantt=gantt_chart(record.get("steps", []), record.get("critical_path", [])),
        critical_path=list(record.get("critical_path", [])),
        critical_path_s=float(record.get("critical_path_s") or 0), bottleneck=record.get("bottleneck"),
        transitions=list(record.get("transitions", [])), evolution=rows, ports=ports, degradation_points=points)



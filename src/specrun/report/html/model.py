"""What the HTML report shows, built from the JSON record (never from live objects).

The record is first made safe (:func:`clean`: every string through
``safe_text.xml_text``, so lone surrogates and control characters become visible
escapes); then :func:`build_report` computes the summary, the case rows embedded as
one JSON blob, the failure groups with their details, each pipeline run's DAG,
timeline and data evolution, the resource charts and the deep-dive tables.  A part
the record does not hold is ``None`` or empty, and the page leaves it out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...analysis.coverage import line_ranges
from ..safe_text import xml_text
from .deep_dive_view import DeepDiveView, deep_dive_view
from .failures import FailureDetail, failure_detail
from .pipeline_view import PipelineView, pipeline_view
from .sparkline import Sparkline, sparklines

FORMAT = "specrun-result"
#: the columns of each row in the embedded case table (the JS reads them by position)
CASE_COLUMNS = ("id", "outcome", "mode", "step", "scenario", "kind", "classification",
                "duration_s", "cpu_s", "peak_rss_bytes", "group", "message")
MESSAGE_CHARS = 300
TOP_CASES = 20     # the resource charts show the heaviest cases


class RecordError(ValueError):
    """The file is not a specrun result record."""


def clean(value: Any) -> Any:
    """``value`` with every string (keys too) made safe for HTML and UTF-8."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {xml_text(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


@dataclass
class Summary:
    counts: dict[str, int]
    by_mode: dict[str, int]
    by_classification: dict[str, int]
    seed: int | None
    versions: dict[str, str]
    started: str | None
    finished: str | None
    duration_s: float | None
    exit_code: int | None
    args: list[str]
    collected: int
    deselected: int
    not_run: int
    flaky: int
    interrupted: bool
    stopped: str | None
    isolation: str | None


@dataclass
class Bar:
    label: str
    value: float
    text: str
    width: float                     # of 100


@dataclass
class ResourceChart:
    title: str
    bars: list[Bar]


@dataclass
class CoverageRow:
    """One step of the record's ``coverage``: scenarios run, constraints exercised, --cov's lines."""

    step: str
    scenarios: str
    constraints: int
    rejected: int
    line_percent: float | None
    statements: int
    missed: str
    file: str


def coverage_rows(record: dict[str, Any]) -> list[CoverageRow]:
    rows = []
    for entry in record.get("coverage") or []:
        if not isinstance(entry, dict):
            continue
        found = entry.get("constraints")
        constraints: dict[str, Any] = found if isinstance(found, dict) else {}
        missing = [n for n in entry.get("missing") or [] if isinstance(n, int)]
        rows.append(CoverageRow(
            step=f"{entry.get('pipeline')}::{entry.get('step')}", scenarios=", ".join(map(str, entry.get("scenarios")
                                                                                         or [])),
            constraints=len(constraints), rejected=sum(v == "passed" for v in constraints.values()),
            line_percent=_num(entry.get("line_percent")), statements=int(_num(entry.get("statements")) or 0),
            missed=line_ranges(missing), file=str(entry.get("file") or "")))
    return rows


@dataclass
class Report:
    title: str
    summary: Summary
    case_columns: tuple[str, ...]
    case_rows: list[list[Any]]
    filters: dict[str, list[str]]
    failures: list[FailureDetail]
    pipelines: list[PipelineView]
    resources: list[ResourceChart]
    deep_dives: list[DeepDiveView]
    trends: list[Sparkline]
    coverage: list[CoverageRow]


def _duration(started: str | None, finished: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))).total_seconds()
    except (TypeError, ValueError):
        return None


def _s(value: Any) -> Any:
    return xml_text(value) if isinstance(value, str) else value


def _num(value: Any) -> float | int | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def slim_case(case: dict[str, Any]) -> dict[str, Any]:
    """What the table, the filters, the summary and the charts read of a case, made safe
    (only this is cleaned for every case: a record of 10,000 cases stays fast to render)."""
    metrics = case.get("metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    out = {key: _s(case.get(key)) for key in ("id", "outcome", "mode", "step", "scenario", "kind",
                                               "classification", "pipeline")}
    out["message"] = _s(str(case.get("message") or "")[:MESSAGE_CHARS])
    out["duration_s"] = round(float(_num(case.get("duration_s")) or 0), 4)
    out["measured"] = bool(metrics)
    for key in ("wall_s", "cpu_s", "peak_rss_bytes"):
        out[key] = _num(metrics.get(key))
    return out


def build_summary(record: dict[str, Any], cases: list[dict[str, Any]]) -> Summary:
    classes = Counter(c["classification"] for c in cases if c.get("classification"))
    return Summary(
        counts=dict(record.get("counts") or Counter(c["outcome"] for c in cases)),
        by_mode=dict(Counter(c.get("mode") or "?" for c in cases)), by_classification=dict(classes),
        seed=record.get("seed"), versions=dict(record.get("versions") or {}),
        started=record.get("started"), finished=record.get("finished"),
        duration_s=_duration(record.get("started"), record.get("finished")),
        exit_code=record.get("exit_code"), args=list(record.get("args") or []),
        collected=int(record.get("collected") or 0), deselected=int(record.get("deselected") or 0),
        not_run=int(record.get("not_run") or 0), flaky=int(record.get("flaky") or 0),
        interrupted=bool(record.get("interrupted")), stopped=record.get("stopped"),
        isolation=record.get("isolation"))


def case_rows(cases: list[dict[str, Any]], group_of: dict[str, int]) -> list[list[Any]]:
    """One row per (slim) case, in :data:`CASE_COLUMNS` order."""
    return [[case["id"], case["outcome"], case["mode"], case["step"], case["scenario"], case["kind"],
             case["classification"], case["duration_s"], case["cpu_s"], case["peak_rss_bytes"],
             group_of.get(case["id"], -1), case["message"]] for case in cases]


def _filters(cases: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {key: sorted({str(c[key]) for c in cases if c.get(key) is not None})
            for key in ("outcome", "step", "scenario", "mode", "classification")}


def _mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


def resource_charts(cases: list[dict[str, Any]]) -> list[ResourceChart]:
    """Bar charts of the heaviest (slim) cases by wall time, CPU time and peak RSS (those that ran a script)."""
    measured = [c for c in cases if c["measured"]]
    charts = []
    for title, name, fmt in (("wall time", "wall_s", "{:.2f} s"), ("CPU time", "cpu_s", "{:.2f} s"),
                             ("peak RSS", "peak_rss_bytes", None)):
        values = [(c["id"], float(c[name] or 0)) for c in measured]
        values = sorted(values, key=lambda item: -item[1])[:TOP_CASES]
        top = max((v for _, v in values), default=0.0)
        if top <= 0:
            continue
        bars = [Bar(label, value, _mib(value) if fmt is None else fmt.format(value), 100 * value / top)
                for label, value in values]
        charts.append(ResourceChart(f"{title} (top {len(bars)} of {len(measured)} cases)", bars))
    return charts


def build_report(raw: dict[str, Any], trends: Mapping[str, Sequence[float]] | None = None) -> Report:
    """The page's content from a JSON record; :class:`RecordError` if it is not one.
    ``trends``: each case's durations over the last runs, from the run history (optional)."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("cases"), list):
        raise RecordError(f"not a specrun result record (expected \"format\": \"{FORMAT}\" and a \"cases\" list)")
    record = clean({key: value for key, value in raw.items() if key != "cases"})
    raw_cases = [c for c in raw["cases"] if isinstance(c, dict) and "id" in c and "outcome" in c]
    cases = [slim_case(c) for c in raw_cases]
    by_id = {slim["id"]: case for slim, case in zip(cases, raw_cases, strict=True)}
    groups = [g for g in record.get("failure_groups") or [] if g.get("cases") and g["cases"][0] in by_id]
    group_of = {case_id: index for index, g in enumerate(groups) for case_id in g["cases"]}
    records = record.get("records") or {}
    pipelines = [pipeline_view(r) for name, r in records.items()
                 if name.startswith("pipeline:") and isinstance(r, dict) and "steps" in r]
    deep_dives = [deep_dive_view(r) for name, r in records.items()
                  if name.startswith("deep_dive:") and isinstance(r, dict)]
    names = sorted({str(c["pipeline"]) for c in cases if c["pipeline"]})
    return Report(
        title="specrun report" + (f": {', '.join(names)}" if names else ""), summary=build_summary(record, cases),
        case_columns=CASE_COLUMNS, case_rows=case_rows(cases, group_of), filters=_filters(cases),
        failures=[failure_detail(i, g, clean(by_id[g["cases"][0]])) for i, g in enumerate(groups)],
        pipelines=pipelines, resources=resource_charts(cases),
        deep_dives=[d for d in deep_dives if d.tables],
        trends=sparklines(trends or {}, [c["id"] for c in raw_cases]), coverage=coverage_rows(record))

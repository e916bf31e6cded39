"""The deep-dive record (``records['deep_dive:NAME']``) as tables: real vs synthetic runs,
volume scaling, drift per column, bottlenecks, error patterns, recommendations.  Only
the tables the record holds data for are made."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def _mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class DeepDiveView:
    pipeline: str
    tables: list[Table]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)[:500]
    return "" if value is None else str(value)


def _table(title: str, items: list[dict[str, Any]]) -> Table | None:
    if not items:
        return None
    headers: list[str] = []
    for item in items:
        headers += [k for k in item if k not in headers]
    return Table(title, headers, [[_cell(item.get(h)) for h in headers] for item in items])


def _run(run: dict[str, Any] | None) -> str:
    if not run:
        return ""
    if not run.get("ok"):
        return f"failed: {run.get('classification') or ''} {run.get('message') or ''}".strip()
    return f"{run.get('wall_s', 0):.2f} s wall, {run.get('cpu_s', 0):.2f} s CPU, {_mib(run.get('peak_rss_bytes', 0))}"


def _scaling(step: str, scaling: dict[str, Any]) -> dict[str, Any]:
    fits = {k: scaling.get(k) or {} for k in ("time", "wall", "memory")}
    return {"step": step, "data": scaling.get("data"),
            **{f"{k} exponent": fit.get("exponent") for k, fit in fits.items()},
            "super-linear": any(fits[k].get("super_linear") for k in ("time", "memory"))}


def deep_dive_view(record: dict[str, Any]) -> DeepDiveView:
    """The tables of one ``deep_dive:NAME`` record: only those it holds."""
    tables: list[Table | None] = []
    steps = record.get("steps") or {}
    if steps:
        tables.append(Table("real vs synthetic data", ["step", "rows", "real", "synthetic", "note"],
                            [[name, str((s.get("real") or {}).get("rows", "")), _run(s.get("real")),
                              _run(s.get("synthetic")), s.get("source_error") or s.get("synthetic_note") or ""]
                             for name, s in steps.items()]))
        scaling = [_scaling(name, s["scaling"]) for name, s in steps.items() if s.get("scaling")]
        tables.append(_table("volume scaling", scaling))
        drift = [{"step": name, "port": port, **d} for name, s in steps.items()
                 for port, columns in (s.get("synthetic_drift") or {}).items() for d in columns]
        tables.append(_table("drift per column (synthetic vs real)", drift))
    tables.append(_table("bottlenecks", record.get("bottlenecks") or []))
    tables.append(_table("error patterns", [{k: v for k, v in p.items() if k != "runs"}
                                            for p in record.get("error_patterns") or []]))
    tables.append(_table("recommendations", [{k: v for k, v in r.items() if k != "evidence"}
                                             for r in record.get("recommendations") or []]))
    if record.get("comparison_error"):
        tables.append(Table("comparison", ["error"], [[record["comparison_error"]]]))
    return DeepDiveView(record.get("pipeline", ""), [t for t in tables if t is not None])



"""The deep-dive report in the terminal: a rendering of the ``deep_dive:<pipeline>`` record.

Reads only the record's JSON form (:func:`specrun.results.to_jsonable`), so it renders
the same thing the JSON report holds: per step real vs synthetic measurements and
scaling exponents, bottlenecks, where the input contracts disagree with production,
error patterns, recommendations and the comparison of two executions.  Printed when
the record is published, through the console reporter's console when there is one.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from ..hooks import hookimpl
from ..results import to_jsonable
from ..spec.units import mib
from .console import shared_console, verbosity
from .safe_text import shown

PREFIX = "deep_dive:"


def _mib(value: Any) -> str:
    return mib(float(value)) if value is not None else "—"


def _secs(value: Any) -> str:
    return f"{float(value):.2f} s" if value is not None else "—"


def _exponent(fit: dict[str, Any] | None) -> str:
    if not fit or fit.get("exponent") is None:
        return "—"
    text = f"{fit['exponent']:.2f}"
    if fit.get("super_linear"):
        return f"[bold red]{text} ▲[/]"
    return text if fit.get("significant") else f"[dim]{text}~[/]"


def _run_cell(run: dict[str, Any] | None) -> str:
    if not run:
        return "—"
    if not run.get("ok"):
        return f"[red]{shown(str(run.get('classification') or 'failed'))}[/]"
    return f"{run['wall_s']:.2f} / {run['cpu_s']:.2f} s / {mib(run['peak_rss_bytes'], 0)}"


def step_table(steps: dict[str, Any]) -> Table:
    scaled = any(s.get("scaling") for s in steps.values())
    table = Table(title="steps on real vs synthetic data of the same row count (wall / CPU / peak memory)",
                  title_justify="left")
    headers = ["step", "rows", "real", "synthetic", "I/O"] + (["time exp", "mem exp"] if scaled else [])
    for header in headers:
        table.add_column(header, justify="left" if header == "step" else "right")
    for name, step in steps.items():
        real = step.get("real")
        if step.get("source_error"):
            table.add_row(shown(name), "[red]no data[/]", *["—"] * (len(headers) - 2))
            continue
        io = _mib(real.get("read_bytes", 0) + real.get("write_bytes", 0)) if real else "—"
        cells = [shown(name), str((real or {}).get("rows", "—")), _run_cell(real),
                 _run_cell(step.get("synthetic")), io]
        if scaled:
            scaling = step.get("scaling") or {}
            cells += [_exponent(scaling.get("time")), _exponent(scaling.get("memory"))]
        table.add_row(*cells)
    return table


def scaling_table(steps: dict[str, Any]) -> Table | None:
    rows = [(name, s["scaling"]) for name, s in steps.items() if s.get("scaling")]
    if not rows:
        return None
    table = Table(title="volume scaling (CPU s / peak MiB per row count; exponent of a log-log fit "
                        "after the 0-row baseline)", title_justify="left")
    for header in ("step", "data", "0 rows", *[f"{p['rows']} rows" for p in rows[0][1]["points"]], "time exp",
                   "mem exp"):
        table.add_column(header, justify="left" if header in ("step", "data") else "right")
    for name, scaling in rows:
        def cell(run: dict[str, Any] | None) -> str:
            if not run:
                return "—"
            if not run.get("ok"):
                return f"[red]{shown(str(run.get('classification')))}[/]"
            return f"{run['cpu_s']:.2f} / {run['peak_rss_bytes'] / 2**20:.0f}"
        table.add_row(shown(name), shown(scaling["data"]), cell(scaling.get("baseline")),
                      *[cell(p) for p in scaling["points"]], _exponent(scaling["time"]), _exponent(scaling["memory"]))
    return table


def contract_table(steps: dict[str, Any]) -> Table | None:
    table = Table(title="where the input contracts are wrong about production", title_justify="left")
    for header in ("step", "input", "column", "check", "rows", "examples"):
        table.add_column(header)
    found = False
    for name, step in steps.items():
        for validation in step.get("input_validations", []):
            for failure in validation.get("failures", []):
                found = True
                table.add_row(shown(name), shown(validation["port"]), shown(str(failure["column"])),
                              shown(failure["check"]), str(failure["count"]),
                              shown(", ".join(map(repr, failure.get("examples", [])[:3]))))
    return table if found else None


def comparison_tables(comparison: dict[str, Any]) -> list[Table]:
    steps = Table(title=f"executions: {comparison['baseline']} → {comparison['comparison']}", title_justify="left")
    for header in ("step", "status", "duration before", "duration after", "change"):
        steps.add_column(header)
    for timing in comparison["steps"]:
        before, after = timing.get("duration_before_s"), timing.get("duration_after_s")
        change = f"{after / before - 1:+.0%}" if before and after is not None else "—"
        status = timing.get("status_after") or "?"
        if timing.get("status_before") != timing.get("status_after"):
            status = f"{timing.get('status_before')} → {status}"
        steps.add_row(shown(timing["step"]), shown(str(status)), _secs(before), _secs(after), change)
    data = Table(title="output drift (PSI / KS per column)", title_justify="left")
    for header in ("step", "dataset", "rows", "schema changes", "drifted columns"):
        data.add_column(header)
    for item in comparison["datasets"]:
        if item.get("error"):
            data.add_row(shown(item["step"]), shown(item["dataset"]), "—", "—", f"[red]{shown(item['error'])}[/]")
            continue
        rows = f"{item['rows_before']} → {item['rows_after']}" + ("" if item.get("complete") else " (sampled)")
        schema = ", ".join(f"{c['column']} {c['change']}" for c in item.get("schema_changes", [])) or "none"
        drifted = [c for c in item.get("columns", []) if c.get("drifted") and not c.get("change")]
        drift_text = ", ".join(f"{c['column']} (PSI {c['psi']:.2f}"
                          + (f", KS {c['ks']:.2f})" if c.get("ks") is not None else ")")
                          if c.get("psi") is not None else str(c["column"]) for c in drifted) or "none"
        style = "red" if item.get("drifted") else "green"
        data.add_row(shown(item["step"]), shown(item["dataset"]), rows, shown(schema),
                     f"[{style}]{shown(drift_text)}[/]")
    return [steps, data]


def render(console: Console, name: str, record: dict[str, Any], verbosity: int = 0) -> None:
    """Print one deep-dive record."""
    console.rule(f"[bold]deep dive: {shown(name)}")
    data = record.get("data", {})
    console.print(f"data: {shown(str(data.get('execution') or 'source: URIs'))} · sample {data.get('sample_size')} "
                  f"rows · seed {data.get('seed')} · focus: {', '.join(data.get('focus_areas', []))}")
    steps = record.get("steps", {})
    console.print(step_table(steps))
    for table in (scaling_table(steps), contract_table(steps)):
        if table is not None:
            console.print(table)
    if verbosity > 0:
        for step_name, step in steps.items():
            for port, profile in (step.get("profiles") or {}).items():
                nulls = [f"{c} {p['null_fraction']:.0%}" for c, p in profile["column_profiles"].items()
                         if p.get("null_fraction")]
                console.print(f"  profile {shown(step_name)}.{shown(port)}: {profile['rows']} rows, "
                              f"{len(profile['columns'])} columns"
                              + (f", nulls: {shown(', '.join(nulls))}" if nulls else ""))
    for neck in record.get("bottlenecks", []):
        console.print(f"[bold]bottleneck[/] {shown(neck['message'])}")
    for pattern in record.get("error_patterns", []):
        console.print(f"[red]{shown(pattern['classification'])}[/] ×{pattern['count']} in "
                      f"{shown(', '.join(pattern['steps']))}: {shown(pattern['runs'][0]['message'][:160])}")
    for item in record.get("recommendations", []):
        console.print(f"[yellow]→[/] {shown(item['message'])}")
    if record.get("comparison"):
        for table in comparison_tables(record["comparison"]):
            console.print(table)
    if record.get("comparison_error"):
        console.print(f"[red]comparison failed[/]: {shown(record['comparison_error'])}")


class DeepDiveConsoleReporter:
    """Prints each deep-dive record as it is published."""

    name = "deep_dive_console"

    def __init__(self, config: argparse.Namespace) -> None:
        self.verbosity = verbosity(config)

    @hookimpl
    def specrun_record(self, session: Any, name: str, record: Any) -> None:
        if not name.startswith(PREFIX) or self.verbosity < -1:
            return
        render(shared_console(session), name[len(PREFIX):], to_jsonable(record), self.verbosity)


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[DeepDiveConsoleReporter]:
    return [DeepDiveConsoleReporter(config)]

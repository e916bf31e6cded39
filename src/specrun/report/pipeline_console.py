"""Terminal rendering of each pipeline run's record (``pipeline:<name>``, ``pipeline:<name>[<run>]``).

One block per pipeline run: a line per step (status, time, when it ran), the edges that
failed validation and whose contract is to blame, the degradation points of the
data evolution, the critical path and its bottleneck step.  It reads only the
published record; it prints through the console reporter's rich console when there
is one, so a live progress bar is not garbled.
"""

from __future__ import annotations

import argparse
import threading
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ..hooks import hookimpl
from .console import shared_console, verbosity
from .safe_text import shown

if TYPE_CHECKING:  # pragma: no cover
    from ..modes.pipeline.record import PipelineRecord

STYLE = {"passed": "green", "failed": "red", "error": "red", "skipped": "yellow"}
MAX_POINTS = 20


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def render_lines(record: PipelineRecord) -> list[str]:
    """The block for one pipeline run, as rich markup lines."""
    workers = "sequential" if record.execution == "sequential" else f"parallel (max {record.max_parallel})"
    lines = [f"[bold]pipeline {shown(record.title)}[/]: {workers}, validation {record.validation}, "
             f"scenario {shown(record.scenario)}, seed {record.seed}, {len(record.steps)} steps in "
             f"{record.wall_s:.2f}s" + (f", --from {shown(record.from_step)}" if record.from_step else "")]
    width = max((len(s.step) for s in record.steps), default=4)
    for step in record.steps:
        style = STYLE.get(step.outcome, "white")
        when = (f"{_seconds(step.started_s)} -> {_seconds(step.finished_s)}"
                if step.started_s is not None else "")
        note = "" if step.outcome == "passed" else f"  [dim]{shown(step.message[:160])}[/]"
        if getattr(step, "cached", False):
            note = "  [dim](cached)[/]" + note
        lines.append(f"  [{style}]{step.outcome.upper():7}[/] {shown(step.step):{width}} "
                     f"{_seconds(step.duration_s if step.started_s is not None else None):>8}  {when}{note}")
    if record.transitions:
        counts: dict[str, int] = {}
        for transition in record.transitions:
            counts[transition.outcome] = counts.get(transition.outcome, 0) + 1
        lines.append("  transitions: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    for transition in record.failed_transitions:
        lines.append(f"  [red]FAILED[/]  {shown(transition.edge)}  [bold]blame: {transition.blame}[/]  "
                     f"{shown(transition.message[:300])}")
    points = record.evolution.degradation_points
    if points:
        lines.append(f"  [yellow]degradation points ({len(points)})[/]:")
        lines += [f"    {shown(p.step or '?')}: {shown(p.message)}" for p in points[:MAX_POINTS]]
        if len(points) > MAX_POINTS:
            lines.append(f"    … and {len(points) - MAX_POINTS} more (see the JSON record)")
    if record.critical_path:
        lines.append(f"  critical path: {' -> '.join(map(shown, record.critical_path))} "
                     f"({record.critical_path_s:.2f}s); bottleneck: {shown(record.bottleneck or '-')} "
                     f"({record.bottleneck_s:.2f}s)")
    if record.stopped:
        lines.append(f"  [red]stopped[/]: {shown(record.stopped)}")
    return lines


class PipelineConsoleReporter:
    """Prints the pipeline block when pipeline mode publishes its record."""

    name = "pipeline_console"

    def __init__(self, config: argparse.Namespace) -> None:
        self.verbosity = verbosity(config)
        self._console: Console | None = None
        self._lock = threading.Lock()

    def console(self, session: Any) -> Console:
        if self._console is None:
            self._console = shared_console(session)
        return self._console

    @hookimpl
    def specrun_record(self, session: Any, name: str, record: Any) -> None:
        if not name.startswith("pipeline:") or not hasattr(record, "evolution"):
            return
        troubled = record.failed_transitions or record.stopped or any(
            s.outcome in ("failed", "error") for s in record.steps)
        if self.verbosity < 0 and not troubled:
            return
        with self._lock:
            console = self.console(session)
            console.rule(f"pipeline {shown(record.title)}", characters="-")
            for line in render_lines(record):
                console.print(line)


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[PipelineConsoleReporter]:
    return [PipelineConsoleReporter(config)]

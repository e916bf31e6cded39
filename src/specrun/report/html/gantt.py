"""The timeline of one pipeline run: a bar per step from its start to its end.

Coordinates are computed here (a fixed-width chart, one lane per step in order of
start); the steps on the run's critical path are flagged so the page highlights
them.  Steps that never started (``started_s`` None) get no bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dag import FILL, UNKNOWN_FILL

WIDTH, LANE, LABEL_W, PAD = 640, 22, 160, 8


@dataclass
class GanttBar:
    step: str
    outcome: str
    started_s: float
    finished_s: float
    x: float
    y: float
    width: float
    fill: str
    critical: bool


@dataclass
class GanttChart:
    width: float
    height: float
    span_s: float
    label_w: float
    ticks: list[tuple[float, str]] = field(default_factory=list)   # (x, label)
    bars: list[GanttBar] = field(default_factory=list)


def gantt_chart(steps: list[dict[str, Any]], critical_path: list[str]) -> GanttChart | None:
    """The chart of a run's steps, or None when no step has timings."""
    timed = [s for s in steps if s.get("started_s") is not None and s.get("finished_s") is not None]
    if not timed:
        return None
    timed.sort(key=lambda s: (s["started_s"], s["step"]))
    span = max(max(float(s["finished_s"]) for s in timed), 1e-6)
    scale = (WIDTH - LABEL_W - 2 * PAD) / span
    chart = GanttChart(WIDTH, 2 * PAD + LANE * len(timed) + 16, span, LABEL_W)
    chart.ticks = [(LABEL_W + PAD + scale * span * k / 4, f"{span * k / 4:.2f}s") for k in range(5)]
    critical = set(critical_path)
    for lane, step in enumerate(timed):
        start, end = float(step["started_s"]), float(step["finished_s"])
        chart.bars.append(GanttBar(
            step["step"], step.get("outcome", ""), start, end, LABEL_W + PAD + scale * start,
            PAD + lane * LANE, max(scale * (end - start), 1.0), FILL.get(step.get("outcome", ""), UNKNOWN_FILL),
            step["step"] in critical))
    return chart

"""Trend sparklines: each case's duration over the last runs, as SVG coordinates computed here.

The values come from the run history (report/history), handed to the page by whoever
renders it (the ``--html`` reporter, ``specrun report``); without a history the page has
no trends section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..safe_text import xml_text

WIDTH = 120
HEIGHT = 24
PAD = 3
MAX_TRENDS = 500   #: at most this many cases get a sparkline (the slowest first)


@dataclass
class Sparkline:
    case_id: str
    points: str          # the polyline's "x,y x,y …"
    last_x: float
    last_y: float
    runs: int
    text: str            # "0.12 s … 0.31 s over 6 runs"
    width: int = WIDTH
    height: int = HEIGHT


def sparkline(case_id: str, values: Sequence[float]) -> Sparkline:
    """The sparkline of ``values`` (oldest first; at least one)."""
    low, high = min(values), max(values)
    span = high - low
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)
    coords = [(PAD + i * step, HEIGHT - PAD - ((v - low) / span if span > 0 else 0.5) * (HEIGHT - 2 * PAD))
              for i, v in enumerate(values)]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return Sparkline(xml_text(case_id), points, round(coords[-1][0], 1), round(coords[-1][1], 1), len(values),
                     f"{low:.2f} s … {high:.2f} s over {len(values)} runs, last {values[-1]:.2f} s")


def sparklines(trends: Mapping[str, Sequence[float]], case_ids: Sequence[str]) -> list[Sparkline]:
    """Sparklines for the cases of the record that have two runs or more in ``trends``."""
    shown = [(case_id, list(trends[case_id])) for case_id in dict.fromkeys(case_ids)
             if len(trends.get(case_id, ())) >= 2]
    shown.sort(key=lambda item: -item[1][-1])
    return [sparkline(case_id, values) for case_id, values in shown[:MAX_TRENDS]]

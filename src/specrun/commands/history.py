"""``specrun history``: what the run history says (success rates, trends, flaky cases), and
``specrun history --regressions``: what got worse in a run against a baseline (exit 1 if anything).

The history is written by the ``history`` plugin at the end of every run (see
report/history/recorder.py); this command only reads it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..report.history.analysis import (
    DEFAULT_MEMORY_FLOOR_BYTES,
    DEFAULT_RATIO,
    DEFAULT_TIME_FLOOR_S,
    Thresholds,
    Trend,
    case_rates,
    flaky_cases,
    regressions,
    step_rates,
    trends,
)
from ..report.history.options import HistoryOptions
from ..report.history.store import History, HistoryError, RunRow, RunSelector, case_rows_of, db_path, read_history
from ..results import ExitCode
from ..run_options import NamespaceOptions, RunOptions
from ..spec.units import mib

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | int | None]) -> str:
    """``values`` as a row of block characters, lowest to highest (a gap for a missing one)."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join(" " if v is None else BARS[0 if span <= 0 else min(len(BARS) - 1, int((float(v) - low) / span
                                                                                         * len(BARS)))]
                   for v in values)


def _percent(rate: float | None) -> str:
    return "  -" if rate is None else f"{100 * rate:3.0f}%"


def _runs_line(path: Path, history: History) -> str:
    first, last = history.runs[0], history.runs[-1]
    return (f"run history {path}: {len(history.runs)} run{'s' if len(history.runs) != 1 else ''} "
            f"(#{first.run_id} {first.started} … #{last.run_id} {last.started})")


def _trend_text(trend: Trend) -> str:
    change = trend.change()
    text = f"time {sparkline(trend.durations)} {trend.durations[-1]:.2f} s"
    if change is not None:
        text += f" ({'+' if change >= 0 else ''}{100 * change:.0f} % vs median)"
    peaks = [p for p in trend.peaks if p is not None]
    if peaks:
        text += f"  memory {sparkline(trend.peaks)} {mib(peaks[-1])}"
    return text


def show_summary(path: Path, history: History) -> list[str]:
    lines = [_runs_line(path, history), "", "success rate per step:"]
    width = max((len(r.name) for r in step_rates(history.cases)), default=0)
    for rate in step_rates(history.cases):
        lines.append(f"  {rate.name:<{width}}  {_percent(rate.rate)}  {rate.passed}/{rate.passed + rate.failed}")
    lines += ["", "per case (success rate, duration and peak memory, oldest run first):"]
    found = trends(history.cases)
    rates = {r.name: r for r in case_rates(history.cases)}
    width = max((len(t.case_id) for t in found.values()), default=0)
    for trend in sorted(found.values(), key=lambda t: (t.spec, t.case_id)):
        rate = rates[trend.case_id]
        lines.append(f"  {trend.case_id:<{width}}  {_percent(rate.rate)}  {rate.passed}/{rate.passed + rate.failed}"
                     f"  {_trend_text(trend)}")
    flaky = flaky_cases(history.cases)
    lines += ["", f"flaky cases (outcome changed with the same script, spec and seed): {len(flaky) or 'none'}"]
    for case in flaky:
        flips = ", ".join(f"#{run} {outcome}" for run, outcome in case.outcomes)
        lines.append(f"  {case.case_id} (seed {case.seed}): {flips}")
    return lines


def _resolve(selector: RunSelector, runs: Sequence[RunRow], option: str) -> RunRow:
    run = selector.resolve(runs)
    if run is None:
        raise UsageError(f"{option} {selector}: no such run in the history "
                         f"(runs #{runs[0].run_id} to #{runs[-1].run_id})")
    return run


def show_regressions(path: Path, history: History, current: RunSelector, baseline: RunSelector | None,
                     thresholds: Thresholds) -> tuple[list[str], int]:
    now = _resolve(current, history.runs, "--run")
    if baseline is None:
        earlier = [r for r in history.runs if r.run_id < now.run_id]
        if not earlier:
            return [f"no run before #{now.run_id} in {path}: nothing to compare"], 0
        before = earlier[-1]
    else:
        before = _resolve(baseline, history.runs, "--baseline")
    found = regressions(list(case_rows_of(history, now.run_id)), list(case_rows_of(history, before.run_id)),
                        thresholds)
    lines = [f"regressions of run #{now.run_id} ({now.started}) against #{before.run_id} ({before.started}); "
             f"threshold +{100 * thresholds.ratio:g} % and at least +{thresholds.time_floor_s:g} s / "
             f"+{mib(thresholds.memory_floor_bytes)}:"]
    for item in found:
        lines.append(f"  {item.kind.upper():<12} {item.case_id}: {item.message}")
    lines.append(f"{len(found)} regression{'s' if len(found) != 1 else ''}" if found else "no regressions")
    return lines, (1 if found else 0)


@dataclass(frozen=True)
class HistoryQuery(NamespaceOptions):
    """The options of ``specrun history`` (see commands/parsers.py)."""

    last: int = 10
    regressions: bool = False
    run: RunSelector | None = None
    baseline: RunSelector | None = None
    threshold: float = DEFAULT_RATIO
    time_floor: float = DEFAULT_TIME_FLOOR_S
    memory_floor: int = DEFAULT_MEMORY_FLOOR_BYTES

    def thresholds(self) -> Thresholds:
        return Thresholds(self.threshold, self.time_floor, self.memory_floor)


def history_command(config: argparse.Namespace, pm: Any) -> int:
    path = db_path(Path(RunOptions.from_namespace(config).workspace), HistoryOptions.from_namespace(config).history_db)
    query = HistoryQuery.from_namespace(config)
    try:
        # a regression check reads every run (--baseline may name an old one); the summary the last N
        history = read_history(path, last=None if query.regressions else query.last)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    if not history.runs:
        print(f"specrun: no run history in {path} (every run writes it; -p no:history stops that)")
        return int(ExitCode.OK)
    if not query.regressions:
        print("\n".join(show_summary(path, history)))
        return int(ExitCode.OK)
    lines, code = show_regressions(path, history, query.run or RunSelector(back=0), query.baseline,
                                   query.thresholds())
    print("\n".join(lines))
    return code


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"history": history_command}

"""Cost of the run history: writing one run's cases, and reading it back for ``specrun history``.

Run: ``.venv/bin/python bench/history.py [CASES] [RUNS]`` (default 1,000 cases, 30 runs).
Prints, measured in the same run: the seconds to write one run of CASES cases to the
history (the figure) against writing the same run's JSON record (``last-run.json``, the
anchor every run already pays), and the seconds for the ``specrun history`` summary and a
regression check over RUNS runs.  It asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from specrun.atomic import write_text_atomic
from specrun.commands.history import show_regressions, show_summary
from specrun.report import json_report
from specrun.report.history.analysis import Thresholds
from specrun.report.history.store import CaseRow, RunRow, RunSelector, read_history, write_run
from specrun.results import CaseResult, ExecutionMetrics, Outcome, SessionResult


def session(cases: int) -> SessionResult:
    return SessionResult(started="2026-01-01T00:00:00+00:00", cases=[
        CaseResult(id=f"p::s{i % 50}[c{i}]", mode="isolation", pipeline="p", step=f"s{i % 50}", scenario=f"c{i}",
                   outcome=Outcome.FAILED if i % 97 == 0 else Outcome.PASSED, seed=i, duration_s=0.1 + i % 7 / 10,
                   metrics=ExecutionMetrics(wall_s=0.1, cpu_s=0.05, peak_rss_bytes=50_000_000 + i))
        for i in range(cases)])


def rows(result: SessionResult, run: int) -> list[CaseRow]:
    return [CaseRow(0, c.id, "specs/p.yaml", c.pipeline, c.step, c.scenario, c.mode, c.kind, c.outcome.value,
                    None, c.duration_s * (1 + (run % 3) / 10), 0.05, 50_000_000, c.seed, "h", "s")
            for c in result.cases]


def best(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main(cases: int, runs: int) -> None:
    result = session(cases)
    with tempfile.TemporaryDirectory() as tmp:
        db, record = Path(tmp) / "history.sqlite", Path(tmp) / "last-run.json"
        for run in range(runs - 1):
            write_run(db, RunRow(0, f"2026-01-{run % 28 + 1:02d}T00:00:00+00:00", None, 1, 0, ""), rows(result, run))
        counter = iter(range(10**6))
        write = best(lambda: write_run(db, RunRow(0, "2026-02-01T00:00:00+00:00", None, 1, 0, ""),
                                       rows(result, next(counter))))
        anchor = best(lambda: write_text_atomic(record, json_report.render(result)))
        print(f"write one run of {cases} cases to the history: {write:.4f} s; "
              f"anchor: its JSON record {anchor:.4f} s; ratio {write / anchor:.2f}")
        history = read_history(db, last=runs)
        summary = best(lambda: show_summary(db, read_history(db, last=runs)), repeat=3)
        regress = best(lambda: show_regressions(db, read_history(db), RunSelector(back=0), None, Thresholds()),
                       repeat=3)
        print(f"specrun history over {len(history.runs)} runs x {cases} cases: {summary:.3f} s; "
              f"--regressions: {regress:.3f} s; ratio to the record write {summary / anchor:.1f} / "
              f"{regress / anchor:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, int(sys.argv[2]) if len(sys.argv) > 2 else 30)

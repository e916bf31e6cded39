"""How fast the HTML report opens and filters in headless Chromium, next to pytest-html.

    .venv/bin/python bench/html_report.py [SIZES ...]     (default: 1000 10000)

For each size N a synthetic record of N cases is made the way a run makes one (result
dataclasses, 5 % failing in 20 distinct ways, a pipeline run of six steps, through the
JSON reporter) and rendered with ``--html``'s renderer.  In the OS's Chromium
(/usr/bin/chromium, driven by Playwright) it times, as the median of 3 fresh pages:

* open: from navigation to the load event and the first render of the case table
  (after one unmeasured warm-up open of the same file);
* filter: from choosing outcome = failed to the table showing only those cases.

The anchor, when pytest-html is installed: a pytest-html report (``--self-contained-html``)
of N trivial tests, 5 % failing, opened the same way (load event and its results table)
and filtered the same way (unticking "passed"); the ratio specrun / pytest-html is printed.
Targets (issue 14): 1,000 cases open and filter in under 2 s, 10,000 in under 5 s.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specrun.analysis.evolution import DataEvolution
from specrun.modes.pipeline.record import PipelineRecord, StepTiming, TransitionSummary
from specrun.report import json_report
from specrun.report.html import render_html
from specrun.results import (
    CaseResult,
    ChildError,
    ColumnFailure,
    ErrorClass,
    ExecutionMetrics,
    Outcome,
    PortValidation,
    SessionResult,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
RUNS = 3
TARGETS = {1000: 2.0, 10000: 5.0}
STEPS = ["load", "clean", "enrich", "features", "train", "score"]


def synthetic_result(n: int) -> SessionResult:
    cases = []
    for i in range(n):
        step = STEPS[i % len(STEPS)]
        failed = i % 20 == 0
        case = CaseResult(id=f"bench::{step}[scenario_{i % 37}-{i}]", mode="isolation" if i % 3 else "pipeline",
                          pipeline="bench", step=step, scenario=f"scenario_{i % 37}", seed=i,
                          duration_s=0.1 + (i % 97) / 50,
                          metrics=ExecutionMetrics(wall_s=0.1 + (i % 97) / 50, cpu_s=(i % 89) / 60,
                                                   peak_rss_bytes=(50 + i % 300) * 2**20),
                          replay=f"specrun specs/bench.yaml --seed 1 --id 'bench::{step}[{i}]'")
        if failed:
            kind = (i // 20) % 20
            case.outcome = Outcome.FAILED
            case.classification = ErrorClass.SCRIPT_ERROR if kind % 2 else ErrorClass.CONTRACT_ERROR
            case.message = f"failure kind {kind}: column 'amount' broke its contract"
            case.error = ChildError(type="ValueError", module="builtins", message=case.message,
                                    traceback=f"Traceback (most recent call last):\n  ...\nValueError: {kind}")
            case.validations = [PortValidation(port="out", direction="output", ok=False, message=case.message,
                                               failures=[ColumnFailure("amount", "ge(0)", 3, [-1.0, -2.5])])]
        cases.append(case)
    steps = [StepTiming(step=s, outcome="passed", duration_s=1.0, started_s=float(k), finished_s=k + 1.0)
             for k, s in enumerate(STEPS)]
    transitions = [TransitionSummary(id=f"bench::pipeline::{a}->{b}", edge=f"{a}.out -> {b}.in", outcome="passed")
                   for a, b in zip(STEPS, STEPS[1:], strict=False)]
    pipeline = PipelineRecord(pipeline="bench", spec="specs/bench.yaml", execution="parallel", validation="strict",
                              max_parallel=2, continue_on_failure=False, scenario="standard", seed=1,
                              wall_s=6.0, steps=steps, transitions=transitions, critical_path=STEPS,
                              critical_path_s=6.0, bottleneck="load", evolution=DataEvolution())
    return SessionResult(started="2026-01-01T00:00:00+00:00", finished="2026-01-01T00:10:00+00:00", seed=1,
                         versions={"specrun": "bench"}, args=["specs"], collected=n, cases=cases,
                         records={"pipeline:bench": pipeline}, exit_code=1)


def pytest_html_report(n: int, folder: Path) -> Path | None:
    """A pytest-html report of ``n`` trivial tests (5 % failing), or None without pytest-html."""
    if importlib.util.find_spec("pytest_html") is None:
        return None
    (folder / "test_many.py").write_text(textwrap.dedent(f"""
        import pytest


        @pytest.mark.parametrize("i", range({n}))
        def test_case(i):
            assert i % 20 != 0, f"case {{i}}: column 'amount' broke its contract"
        """))
    out = folder / "pytest-html.html"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:specrun",
                    "-p", "no:randomly", f"--html={out}", "--self-contained-html", "test_many.py"],
                   cwd=folder, capture_output=True, timeout=1800)
    return out if out.exists() else None


def open_and_filter(browser: Any, path: Path, ready: str, apply_filter: Callable[[Any], None],
                    filtered: str) -> tuple[float, float]:
    """(open, filter) seconds on a fresh page: ``ready`` and ``filtered`` are JS conditions."""
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        page.wait_for_function(ready, timeout=300_000, polling="raf")
        opened = time.perf_counter() - start
        start = time.perf_counter()
        apply_filter(page)
        page.wait_for_function(filtered, timeout=300_000, polling="raf")
        return opened, time.perf_counter() - start
    finally:
        page.close()


def measure(browser: Any, path: Path, ready: str, apply_filter: Callable[[Any], None],
            filtered: str) -> tuple[float, float]:
    open_and_filter(browser, path, ready, apply_filter, filtered)   # warm-up (file cache, JIT): not counted
    runs = [open_and_filter(browser, path, ready, apply_filter, filtered) for _ in range(RUNS)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main(sizes: list[int]) -> int:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("needs the playwright package (pip install -e '.[test]') and Debian's chromium")
        return 2
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"{'cases':>6} {'render':>8} {'size':>9} {'open':>7} {'filter':>7}   "
              f"{'pytest-html open':>16} {'filter':>7} {'size':>9}   {'ratio open':>10} {'filter':>7}  target")
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            record = json.loads(json_report.render(synthetic_result(n)))
            start = time.perf_counter()
            page = render_html(record)
            rendered = time.perf_counter() - start
            path = folder / "specrun.html"
            path.write_text(page, encoding="utf-8")
            failed = sum(c["outcome"] == "failed" for c in record["cases"])
            ours = measure(browser, path, "document.body.dataset.ready === '1'",
                           lambda p: p.select_option("#filter-outcome", "failed"),
                           f"document.body.dataset.filtered === '{failed}'")
            line = (f"{n:>6} {rendered:>7.2f}s {path.stat().st_size / 2**20:>7.2f}MB {ours[0]:>6.2f}s "
                    f"{ours[1]:>6.2f}s")
            anchor_path = pytest_html_report(n, folder)
            if anchor_path is not None:
                rows = "document.querySelectorAll('#results-table tbody.results-table-row')"
                anchor = measure(browser, anchor_path, f"{rows}.length === {n}",
                                 lambda p: p.click("input.filter[data-test-result=passed]"),
                                 f"{rows}.length === {n // 20 + (1 if n % 20 else 0)}")
                line += (f"   {anchor[0]:>15.2f}s {anchor[1]:>6.2f}s {anchor_path.stat().st_size / 2**20:>7.2f}MB"
                         f"   {ours[0] / anchor[0]:>10.3f} {ours[1] / anchor[1]:>7.3f}")
            else:
                line += "   (pytest-html not installed: no anchor)"
            target = TARGETS.get(n)
            if target is not None:
                line += f"  {'ok' if ours[0] + ours[1] < target else 'MISSED'} (< {target:.0f} s open + filter)"
            print(line, flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main([int(a) for a in sys.argv[1:]] or [1000, 10000]))

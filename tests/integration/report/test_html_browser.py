"""The HTML report of real runs, opened in headless Chromium: the DAG, the timeline, the
filters, the id search, the copy button; no script error and no request leaves the file.

One real run in a tmp project: four steps a -> b -> c and a -> d, in isolation and in
pipeline mode; b nulls a column (a degradation point), so the transition b -> c fails
c's stricter contract and c is skipped; d raises with markup in its message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specrun.report.html.dag import FILL
from tests.integration.pipeline.pipeline_project import PipelineProject
from tests.integration.report.browser import open_browser, open_report
from tests.warm_cli import run_specrun

HOSTILE = "d </script><svg onload=alert(1)> cannot cope"
SPEC = '''
version: 1
pipeline: demo
defaults: {timeout: 60, seed: 5}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 1, nullable: true}
  strict_rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 1}
steps:
  a:
    script: ../copy_step.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  b:
    script: ../copy_step.py
    call: main
    env: {NULL_COLUMN: x}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: csv, schema: rows}}
  c:
    script: ../copy_step.py
    call: main
    inputs: {rows: {from: b.out, schema: strict_rows}}
    outputs: {out: {format: csv, schema: strict_rows}}
  d:
    script: ../copy_step.py
    call: main
    env: {FAIL: "{{hostile}}"}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 10}
modes:
  isolation: {scenarios: [standard]}
  pipeline: {continue_on_failure: true}
'''


@pytest.fixture(scope="module")
def browser():
    manager, browser = open_browser()
    yield browser
    browser.close()
    manager.__exit__(None, None, None)


@pytest.fixture(scope="module")
def run(tmp_path_factory, browser) -> PipelineProject:
    """The real run, with ``--html report.html`` (its record also in .specrun/last-run.json)."""
    project = PipelineProject(tmp_path_factory.mktemp("html"))
    project.write("specs/demo.yaml", SPEC, hostile=HOSTILE)
    out = project.run("specs", "--html", "report.html")
    assert out.code == 1, out.output
    assert (project.root / "report.html").exists(), out.output
    return project


def test_the_run_and_the_record_render_the_same_page(run: PipelineProject) -> None:
    proc = run_specrun(["report", ".specrun/last-run.json",
                           "--html", "again.html"], cwd=run.root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "wrote again.html (11 cases" in proc.stdout
    assert (run.root / "again.html").read_text() == (run.root / "report.html").read_text()


def test_dag_and_timeline_of_the_pipeline_run(run: PipelineProject, browser) -> None:
    opened = open_report(browser, run.root / "report.html")
    page = opened.page
    fills = page.eval_on_selector_all(
        "svg.dag g.node", "nodes => nodes.map(n => [n.dataset.step, n.dataset.outcome, "
        "getComputedStyle(n.querySelector('rect')).fill])")
    by_step = {step: (outcome, fill) for step, outcome, fill in fills}
    assert set(by_step) == {"a", "b", "c", "d"}
    assert by_step["a"][0] == "passed" and by_step["d"][0] == "failed" and by_step["c"][0] == "skipped"

    def rgb(hex_colour: str) -> str:
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgb({r}, {g}, {b})"

    assert by_step["a"][1] == rgb(FILL["passed"]) and by_step["b"][1] == rgb(FILL["passed"])
    assert by_step["d"][1] == rgb(FILL["failed"]) and by_step["c"][1] == rgb(FILL["skipped"])
    # the transition b -> c failed c's contract: marked on its edge; b is where the data degraded
    edges = dict(page.eval_on_selector_all("svg.dag g.edge", "es => es.map(e => [e.dataset.edge, "
                                                             "e.querySelector('text').textContent])"))
    assert edges == {"a.out -> b.rows": "✓", "b.out -> c.rows": "✗", "a.out -> d.rows": "✓"}
    assert page.get_attribute("svg.dag g.node[data-step='b'] rect", "stroke") is not None
    # the timeline: one bar per step, the run's critical path (a -> b -> c or a -> d, as the
    # branches' times fell) highlighted
    path = json.loads((run.root / "result.json").read_text())["records"]["pipeline:demo"]["critical_path"]
    assert path in (["a", "b", "c"], ["a", "d"])
    critical = dict(page.eval_on_selector_all("svg.gantt g.bar", "bs => bs.map(b => [b.dataset.step, "
                                                                 "b.dataset.critical])"))
    assert critical == {step: str(step in path).lower() for step in "abcd"}
    assert page.inner_text("p.critical").startswith("critical path: " + " → ".join(path))
    assert "null rate rose 100.0 points" in page.inner_text("ul.degradations")
    assert opened.errors == [] and opened.outside == []


def test_filter_by_outcome_and_search_an_id(run: PipelineProject, browser) -> None:
    opened = open_report(browser, run.root / "report.html")
    page = opened.page
    assert page.inner_text("#case-count") == "11 of 11 cases"
    page.select_option("#filter-outcome", "failed")
    assert page.inner_text("#case-count") == "3 of 11 cases"
    shown = page.eval_on_selector_all("#case-body .row", "rows => rows.map(r => [r.dataset.id, "
                                                         "r.querySelector('.o').textContent])")
    assert sorted(shown) == [["demo::d[standard]", "failed"], ["demo::pipeline::b.out->c.rows", "failed"],
                             ["demo::pipeline::d", "failed"]]
    page.select_option("#filter-outcome", "")
    page.select_option("#filter-mode", "pipeline")
    page.fill("#search", "B.OUT")
    ids = page.eval_on_selector_all("#case-body .row", "rows => rows.map(r => r.dataset.id)")
    assert ids == ["demo::pipeline::b.out->c.rows"]
    # a failed row opens its failure group
    page.click("#case-body .row")
    assert page.evaluate("location.hash").startswith("#failure-")
    assert page.is_visible(page.evaluate("location.hash") + " pre.message")
    assert opened.errors == [] and opened.outside == []


def test_hostile_text_is_shown_not_run_and_the_replay_command_copies(run: PipelineProject, browser) -> None:
    opened = open_report(browser, run.root / "report.html", permissions=["clipboard-read", "clipboard-write"])
    page = opened.page
    assert page.evaluate("document.querySelectorAll('[onload]').length") == 0
    assert page.evaluate("window.__alerts") == []
    messages = page.eval_on_selector_all("pre.message", "ps => ps.map(p => p.textContent)")
    assert any(HOSTILE in m for m in messages)
    # d failed the same way alone and in the pipeline: one group of two
    groups = page.eval_on_selector_all("details.failure", "ds => ds.map(d => [...d.querySelectorAll('p.ids code')]"
                                                          ".map(c => c.textContent))")
    assert ["demo::d[standard]", "demo::pipeline::d"] in groups
    button = page.locator("details.failure button.copy").first
    command = button.get_attribute("data-copy")
    assert command.startswith("specrun specs/demo.yaml --seed 5 --id ")
    button.click()
    page.wait_for_selector("button.copy[data-copied]")
    assert button.get_attribute("data-copied") == "yes"
    assert page.evaluate("navigator.clipboard.readText()") == command
    assert opened.errors == [] and opened.outside == []


def test_a_request_that_leaves_the_file_is_caught(tmp_path: Path, browser) -> None:
    """The guard of the tests above: a page that fetches from the network is seen doing so."""
    page_path = tmp_path / "leaky.html"
    page_path.write_text("<body data-ready='1'><img src='http://127.0.0.1:9/x.png'></body>")
    opened = open_report(browser, page_path)
    opened.page.wait_for_timeout(200)
    assert opened.outside == ["http://127.0.0.1:9/x.png"]


@pytest.mark.slow
def test_trend_sparklines_from_the_run_history(run: PipelineProject, browser) -> None:
    """A second run adds to the history: the page then draws each case's duration over both
    runs (inline SVG), still with no script error and no request leaving the file."""
    again = run.run("specs", "--no-cache", "--html", "trends.html")   # every case runs again
    assert again.code == 1, again.output
    opened = open_report(browser, run.root / "trends.html")
    page = opened.page
    rows = page.eval_on_selector_all(
        "#trends tr", "rs => rs.map(r => [r.dataset.case, r.querySelector('svg.spark polyline')"
                      ".getAttribute('points').split(' ').length])")
    cases = {c["id"] for c in json.loads((run.root / "result.json").read_text())["cases"]}
    assert {case for case, _ in rows} == cases
    assert all(points == 2 for _, points in rows)
    assert page.locator("#trends svg.spark").first.bounding_box()["width"] > 0
    assert opened.errors == [] and opened.outside == []

"""The HTML report: hostile text cannot add markup, the DAG and timeline are laid out from
the record, parts the record lacks are left out, and a bad record is refused."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.report.html import render_html
from specrun.report.html.dag import FILL, edge_steps, layout_dag
from specrun.report.html.gantt import gantt_chart
from specrun.report.html.model import RecordError, build_report
from specrun.report.html.page import json_blob
from specrun.report.safe_text import xml_text
from tests.unit.report.html_records import record_with

# all of Unicode (controls and lone surrogates too), with the markup that matters forced in
anything = st.one_of(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=40),
    st.sampled_from(["</script><script>alert(1)</script>", "<svg onload=alert(1)>", "\"' onmouseover=x \"",
                     "<!--", "]]><img src=x onerror=alert(1)>", "{{ 7*7 }}{% raw %}", "</style><b>", "&amp;\x00"]))


class Structure(HTMLParser):
    """Every element and attribute name in document order, the text, and the scripts' bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def parsed(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    parser.close()
    return parser


BENIGN = parsed(render_html(record_with("x")))


@settings(max_examples=150, deadline=None)
@given(anything)
def test_no_text_from_a_script_adds_an_element_or_an_attribute(text: str) -> None:
    page = render_html(record_with(text))
    page.encode("utf-8")   # a lone surrogate would make the file unwritable
    structure = parsed(page)
    # the same elements with the same attributes as a record whose every text is "x"
    assert structure.tags == BENIGN.tags
    assert not any(name.startswith("on") for _, names in structure.tags for name in names)
    # the text is shown, as written (made printable)
    shown = xml_text(text).replace("\r\n", "\n").replace("\r", "\n")
    assert shown in "".join(structure.text).replace("\r\n", "\n").replace("\r", "\n")
    # the case rows arrive intact through the JSON blob
    blobs = [body for attrs, body in structure.scripts if attrs.get("type") == "application/json"]
    assert len(blobs) == 1
    rows = json.loads(blobs[0])["rows"]
    assert rows[0][0] == xml_text(f"p::{text}a[{text}]") and rows[0][-1] == xml_text(text)


def test_the_json_blob_cannot_end_its_script_element() -> None:
    blob = json_blob({"m": "</script><!-- & >"})
    assert "<" not in blob and ">" not in blob and "&" not in blob
    assert json.loads(str(blob)) == {"m": "</script><!-- & >"}


def test_the_page_is_one_file_that_loads_nothing() -> None:
    page = render_html(record_with("x"))
    structure = parsed(page)
    for tag, names in structure.tags:
        assert "src" not in names or tag == "never", tag
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    assert "default-src 'none'" in page


def test_dag_columns_follow_topological_generations_and_colour_by_outcome() -> None:
    steps = [{"step": s, "outcome": o} for s, o in
             (("a", "passed"), ("b", "failed"), ("c", "passed"), ("d", "skipped"))]
    transitions = [{"edge": e, "outcome": o} for e, o in
                   (("a.out -> b.in", "passed"), ("a.out -> c.in", "passed"),
                    ("b.out -> d.x", "failed"), ("c.out -> d.y", "passed"))]
    layout = layout_dag(steps, transitions, degraded=["c"])
    node = {n.step: n for n in layout.nodes}
    assert node["a"].x < node["b"].x == node["c"].x < node["d"].x
    assert node["b"].y != node["c"].y
    assert node["b"].fill == FILL["failed"] and node["a"].fill == FILL["passed"] and node["d"].fill == FILL["skipped"]
    assert node["c"].degraded and not node["b"].degraded
    marks = {e.edge: (e.mark, e.colour) for e in layout.edges}
    assert marks["b.out -> d.x"] == ("✗", FILL["failed"]) and marks["a.out -> b.in"] == ("✓", FILL["passed"])
    assert all(n.x + n.width <= layout.width and n.y + n.height <= layout.height for n in layout.nodes)


def test_edges_are_matched_to_the_longest_step_name() -> None:
    assert edge_steps("load.raw.out -> load.out -> x", ["load", "load.raw"]) == ("load.raw", "load")
    assert edge_steps("a.out -> b.in", ["a", "b"]) == ("a", "b")
    assert edge_steps("a.out -> nowhere.in", ["a", "b"]) is None


def test_gantt_bars_start_where_the_steps_started_and_mark_the_critical_path() -> None:
    steps = [{"step": "a", "outcome": "passed", "started_s": 0.0, "finished_s": 1.0},
             {"step": "b", "outcome": "passed", "started_s": 1.0, "finished_s": 3.0},
             {"step": "c", "outcome": "passed", "started_s": 1.0, "finished_s": 1.5},
             {"step": "never", "outcome": "skipped", "started_s": None, "finished_s": None}]
    chart = gantt_chart(steps, ["a", "b"])
    assert chart is not None
    bar = {b.step: b for b in chart.bars}
    assert set(bar) == {"a", "b", "c"}
    assert bar["a"].x < bar["b"].x == bar["c"].x and bar["b"].width == pytest.approx(4 * bar["c"].width)
    assert bar["a"].critical and bar["b"].critical and not bar["c"].critical
    assert gantt_chart(steps[3:], []) is None


def test_failure_details_come_from_the_first_case_of_each_group() -> None:
    report = build_report(record_with("boom"))
    (failure,) = report.failures
    assert failure.message == "boom" and failure.classification == "SCRIPT_ERROR"
    (port,) = failure.ports
    assert port.columns == [{"column": "boom", "check": "boom", "count": 2, "examples": "boom"}]
    assert failure.properties == [{"name": "boom", "message": "boom"}]
    assert failure.minimal_inputs[0].head == [["boom"]]
    assert any("boom.py" in line for line in failure.traceback)
    assert failure.replay == "specrun x --id boom"
    assert report.case_rows[0][report.case_columns.index("group")] == 0
    assert report.case_rows[1][report.case_columns.index("group")] == -1


def test_parts_the_record_lacks_are_left_out() -> None:
    record = record_with("x")
    record["records"] = {}
    for case in record["cases"]:
        case["metrics"] = None
    page = render_html(record)
    assert 'class="pipeline"' not in page and 'id="resources"' not in page and "Deep dive" not in page
    full = render_html(record_with("x"))
    assert 'class="pipeline"' in full and 'id="resources"' in full and "Deep dive" not in full


def test_a_deep_dive_record_becomes_its_tables() -> None:
    record = record_with("x")
    record["records"]["deep_dive:p"] = {
        "pipeline": "p", "data": {}, "steps": {"xa": {"real": {"ok": True, "rows": 5, "wall_s": 1.0, "cpu_s": 0.5,
                                                              "peak_rss_bytes": 2**20},
                                                     "synthetic": None, "synthetic_drift": {
                                                         "in": [{"column": "amount", "psi": 0.4}]}}},
        "bottlenecks": [{"kind": "time", "step": "xa", "value": 1.0, "share": 1.0, "message": "slow"}],
        "recommendations": [], "error_patterns": []}
    report = build_report(record)
    (dive,) = report.deep_dives
    assert [t.title for t in dive.tables] == ["real vs synthetic data", "drift per column (synthetic vs real)",
                                              "bottlenecks"]
    assert "Deep dive p" in render_html(record)


@pytest.mark.parametrize("record", [{}, {"format": "other", "cases": []}, {"format": "specrun-result"}, []])
def test_anything_but_a_result_record_is_refused(record) -> None:
    with pytest.raises(RecordError, match="not a specrun result record"):
        build_report(record)


def test_registering_the_html_plugin_imports_neither_jinja2_nor_networkx() -> None:
    import subprocess
    import sys

    code = ("import sys, specrun.report.html.reporter; "
            "print(sorted(m for m in ('jinja2', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": ":".join(sys.path)})
    assert out.stdout.strip() == "[]", out.stdout

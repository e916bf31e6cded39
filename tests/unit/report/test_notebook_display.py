"""Notebook display: a run, a case, a pipeline run and a spec show as the HTML report's parts;
text from scripts adds no element, and a record read back renders the same record."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from html_records import record_with
from hypothesis import given, settings
from hypothesis import strategies as st
from test_html_report import anything, parsed

import specrun
from specrun.report import json_report
from specrun.report.safe_text import xml_text
from specrun.results import (
    FRAME_COLUMNS,
    CaseResult,
    ErrorClass,
    ExecutionMetrics,
    Outcome,
    PropertyResult,
    RetryAttempt,
    SessionResult,
    session_from_json,
)


def displays(text: str) -> list[str]:
    """The four notebook displays of a run whose every script-provided text is ``text``."""
    result = session_from_json(record_with(text))
    return [result._repr_html_(), result.cases[0]._repr_html_(), result.cases[1]._repr_html_(),
            result.pipeline("p")._repr_html_()]


BENIGN = [parsed(html) for html in displays("x")]


@settings(max_examples=100, deadline=None)
@given(anything)
def test_no_text_from_a_script_adds_an_element_or_an_attribute(text: str) -> None:
    for html, benign in zip(displays(text), BENIGN, strict=True):
        html.encode("utf-8")
        structure = parsed(html)
        assert structure.tags == benign.tags
        assert not any(tag == "script" or any(name.startswith("on") for name in names)
                       for tag, names in structure.tags)
    shown = xml_text(text).replace("\r\n", "\n").replace("\r", "\n")
    assert shown in "".join(parsed(displays(text)[1]).text).replace("\r\n", "\n").replace("\r", "\n")


def test_the_displays_are_the_report_parts() -> None:
    session, failing, passing, pipeline = displays("x")
    assert 'id="summary"' in session and 'class="dag"' in session and 'class="failure' in session
    assert "1 failed" in session and "1 passed" in session
    assert 'class="failure' in failing and "ValueError: x" in failing
    assert 'class="failure' not in passing and "<code>p::xb[standard]</code>" in passing
    assert 'class="gantt"' in pipeline and "critical path" in pipeline and 'id="summary"' not in pipeline


def test_a_loaded_spec_shows_its_dag(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(textwrap.dedent('''
        version: 1
        pipeline: diamond
        schemas:
          rows: {columns: {id: {type: int}}}
        steps:
          a: {script: s.py, inputs: {rows: {format: csv, schema: rows}}, outputs: {out: {format: csv, schema: rows}}}
          b: {script: s.py, inputs: {rows: {from: a.out}}, outputs: {out: {format: csv, schema: rows}}}
          c: {script: s.py, inputs: {rows: {from: a.out}}, outputs: {out: {format: csv, schema: rows}}}
          d:
            script: s.py
            inputs: {left: {from: b.out}, right: {from: c.out}}
            outputs: {out: {format: csv, schema: rows}}
        '''))
    (tmp_path / "s.py").write_text("")
    structure = parsed(specrun.load(str(spec))._repr_html_())
    nodes = [tag for tag in structure.tags if tag == ("g", ("class", "data-step", "data-outcome"))]
    edges = [tag for tag in structure.tags if tag == ("g", ("class", "data-edge", "data-outcome"))]
    assert len(nodes) == 4 and len(edges) == 4
    html = specrun.load(str(spec))._repr_html_()
    for edge in ("a.out -&gt; b.rows", "a.out -&gt; c.rows", "b.out -&gt; d.left", "c.out -&gt; d.right"):
        assert f'data-edge="{edge}"' in html


# -- the record round trip ---------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
finite = st.floats(min_value=0, max_value=1e6, allow_nan=False)
metrics = st.builds(ExecutionMetrics, wall_s=finite, cpu_s=finite, peak_rss_bytes=st.integers(0, 2**40),
                    exit_code=st.none() | st.integers(-9, 255), timed_out=st.booleans())
cases = st.builds(
    CaseResult, id=text, mode=st.sampled_from(["isolation", "pipeline"]), pipeline=text, step=st.none() | text,
    scenario=st.none() | text, outcome=st.sampled_from(list(Outcome)),
    classification=st.none() | st.sampled_from(list(ErrorClass)), message=text, seed=st.none() | st.integers(0, 2**31),
    duration_s=finite, metrics=st.none() | metrics,
    properties=st.lists(st.builds(PropertyResult, name=text, ok=st.booleans(), message=text), max_size=2),
    retries=st.lists(st.builds(RetryAttempt, classification=st.none() | st.sampled_from(list(ErrorClass)),
                               message=text, wall_s=finite), max_size=2),
    details=st.dictionaries(text, st.none() | st.integers() | text, max_size=2))
sessions = st.builds(SessionResult, started=text, finished=st.none() | text, seed=st.none() | st.integers(0, 99),
                     cases=st.lists(cases, max_size=4), exit_code=st.none() | st.integers(0, 5),
                     records=st.dictionaries(text.map(lambda s: "pipeline:" + s),
                                             st.fixed_dictionaries({"pipeline": text, "steps": st.just([])}),
                                             max_size=1))


@settings(max_examples=150, deadline=None)
@given(sessions)
def test_a_record_loaded_and_written_again_is_identical(result: SessionResult) -> None:
    written = json_report.render(result)
    again = json_report.render(session_from_json(json.loads(written)))
    assert again == written


def test_load_result_reads_the_file_back(tmp_path: Path) -> None:
    result = session_from_json(record_with("x"))
    path = tmp_path / "last-run.json"
    path.write_text(json_report.render(result))
    loaded = specrun.load_result(path)
    assert json_report.render(loaded) == path.read_text()
    assert loaded.to_frame()["id"].tolist() == [c.id for c in result.cases]
    assert loaded.to_frame()["peak_rss_bytes"].tolist() == [2**20, 2**21]


def values(series) -> list:
    """A column as Python values, pandas' missing value as None."""
    import pandas as pd

    return [None if pd.isna(v) else v for v in series.astype(object).tolist()]


@settings(max_examples=100, deadline=None)
@given(sessions)
def test_the_frame_has_one_row_per_case_with_its_values(result: SessionResult) -> None:
    frame = result.to_frame()
    assert len(frame) == len(result.cases)
    assert frame["id"].tolist() == [c.id for c in result.cases]
    assert frame["outcome"].tolist() == [c.outcome.value for c in result.cases]
    assert values(frame["classification"]) == [c.classification.value if c.classification else None
                                               for c in result.cases]
    assert values(frame["peak_rss_bytes"]) == [c.metrics.peak_rss_bytes if c.metrics else None for c in result.cases]
    assert values(frame["seed"]) == [c.seed for c in result.cases]
    assert frame["flaky"].tolist() == [c.flaky for c in result.cases]
    assert list(frame.columns) == list(FRAME_COLUMNS)

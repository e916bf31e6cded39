"""Trend sparklines, as the console draws them (``specrun history``) and as the HTML page does
(SVG coordinates computed in Python), property-tested; hostile case ids stay text."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.commands.history import BARS, sparkline
from specrun.report import json_report
from specrun.report.html import render_html
from specrun.report.html import sparkline as svg
from specrun.report.safe_text import xml_text
from specrun.results import CaseResult, SessionResult

durations = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40)


@given(durations)
def test_console_sparkline_has_one_bar_per_run_lowest_to_highest(values: list[float]) -> None:
    line = sparkline(values)
    assert len(line) == len(values) and set(line) <= set(BARS)
    if max(values) > min(values):
        assert line[values.index(min(values))] == BARS[0]
        assert line[values.index(max(values))] == BARS[-1]
    for i in range(len(values) - 1):
        if values[i] < values[i + 1]:
            assert BARS.index(line[i]) <= BARS.index(line[i + 1])


@given(durations)
def test_svg_points_stay_in_the_box_and_follow_the_values(values: list[float]) -> None:
    line = svg.sparkline("p::s[a]", values)
    points = [tuple(map(float, p.split(","))) for p in line.points.split()]
    assert len(points) == len(values) == line.runs
    assert all(0 <= x <= line.width and 0 <= y <= line.height for x, y in points)
    assert [x for x, _ in points] == sorted(x for x, _ in points)
    for i in range(len(values) - 1):
        if values[i] < values[i + 1]:
            assert points[i][1] >= points[i + 1][1]   # higher is up
    assert (line.last_x, line.last_y) == (round(points[-1][0], 1), round(points[-1][1], 1))


def test_only_cases_with_two_runs_get_one_slowest_first_and_capped() -> None:
    trends = {"a": [1.0, 2.0], "b": [5.0], "c": [0.1, 9.0], "gone": [1.0, 1.0]}
    assert [s.case_id for s in svg.sparklines(trends, ["a", "b", "c"])] == ["c", "a"]
    many = {f"k{i}": [1.0, float(i)] for i in range(svg.MAX_TRENDS + 5)}
    assert len(svg.sparklines(many, list(many))) == svg.MAX_TRENDS


class Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cases: list[str] = []
        self.polylines = 0

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and dict(attrs).get("data-case") is not None:
            self.cases.append(dict(attrs)["data-case"])
        self.polylines += tag == "polyline"


def record(case_id: str) -> dict:
    result = SessionResult(started="2026-01-01T00:00:00+00:00",
                           cases=[CaseResult(id=case_id, mode="isolation", pipeline="p", step="s")])
    return json.loads(json_report.render(result))


@settings(max_examples=50, deadline=None)
@given(st.text(st.characters(exclude_categories=()), min_size=1, max_size=40))
def test_the_trends_section_shows_any_case_id_as_text(text: str) -> None:
    case_id = f"p::s[{text}]"
    page = render_html(record(case_id), {case_id: [0.5, 1.5, 1.0]})
    found = Rows()
    found.feed(page)
    assert found.cases == [xml_text(case_id)] and found.polylines == 1


def test_no_history_no_trends_section() -> None:
    assert 'id="trends"' not in render_html(record("p::s[a]"))
    assert 'id="trends"' not in render_html(record("p::s[a]"), {"p::s[a]": [1.0]})   # one run: no trend

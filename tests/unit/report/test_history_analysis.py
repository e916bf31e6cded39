"""What the history says: success rates, flaky cases, regressions against thresholds, and
the option values that set them (property-tested)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.report.history.analysis import (
    Thresholds,
    case_rates,
    flaky_cases,
    parse_memory_floor,
    parse_percent,
    parse_time_floor,
    regressions,
    step_rates,
    trends,
)
from specrun.report.history.store import CaseRow

MiB = 2**20


def row(run: int, case: str = "p::s[a]", outcome: str = "passed", duration: float = 1.0,
        peak: int | None = 100 * MiB, script: str | None = "h1", seed: int | None = 7, **extra) -> CaseRow:
    values = dict(run_id=run, case_id=case, spec="specs/p.yaml", pipeline="p", step=case.split("::")[1].split("[")[0],
                  scenario="a", mode="isolation", kind="step", outcome=outcome,
                  classification="SCRIPT_ERROR" if outcome == "failed" else None, duration_s=duration, cpu_s=None,
                  peak_rss_bytes=peak, seed=seed, script_hash=script, spec_hash="s1")
    values.update(extra)
    return CaseRow(**values)


def test_success_rates_per_step_and_case() -> None:
    rows = [row(1), row(2, outcome="failed"), row(3), row(1, "p::s[b]"), row(2, "p::s[b]", outcome="skipped"),
            row(1, "p::t[a]", outcome="error")]
    steps = {r.name: (r.passed, r.failed, r.rate) for r in step_rates(rows)}
    assert steps == {"p::s": (3, 1, 0.75), "p::t": (0, 1, 0.0)}
    cases = {r.name: (r.runs, r.rate) for r in case_rates(rows)}
    assert cases["p::s[a]"] == (3, 2 / 3)
    assert cases["p::s[b]"] == (2, 1.0)     # a skipped run does not count against it


def test_trend_change_is_against_the_median_of_earlier_runs() -> None:
    found = trends([row(1, duration=1.0), row(2, duration=3.0), row(3, duration=1.0), row(4, duration=1.5)])
    trend = found[("specs/p.yaml", "p::s[a]")]
    assert trend.durations == [1.0, 3.0, 1.0, 1.5]
    assert trend.change() == pytest.approx(0.5)


def test_a_flip_with_the_same_script_spec_and_seed_is_flaky() -> None:
    flaky = flaky_cases([row(1), row(2, outcome="failed"), row(3)])
    assert [(f.case_id, f.outcomes) for f in flaky] == [("p::s[a]", [(1, "passed"), (2, "failed"), (3, "passed")])]


def test_a_flip_after_the_script_or_seed_changed_is_not_flaky() -> None:
    assert flaky_cases([row(1), row(2, outcome="failed", script="h2")]) == []
    assert flaky_cases([row(1), row(2, outcome="failed", seed=8)]) == []
    assert flaky_cases([row(1), row(2, outcome="failed", spec_hash="s2")]) == []
    assert flaky_cases([row(1), row(2, outcome="skipped")]) == []
    assert flaky_cases([row(1, spec_hash=None), row(2, outcome="failed", spec_hash=None)]) == []


def kinds(current: list[CaseRow], baseline: list[CaseRow], thresholds: Thresholds | None = None) -> list[tuple]:
    return [(r.case_id, r.kind) for r in regressions(current, baseline, thresholds or Thresholds())]


def test_new_failures_are_flagged_and_old_ones_are_not() -> None:
    baseline = [row(1, "p::a[x]"), row(1, "p::b[x]", outcome="failed")]
    current = [row(2, "p::a[x]", outcome="failed"), row(2, "p::b[x]", outcome="failed"),
               row(2, "p::c[x]", outcome="error")]
    assert kinds(current, baseline) == [("p::a[x]", "new failure"), ("p::c[x]", "new failure")]


def test_time_needs_both_the_ratio_and_the_floor() -> None:
    baseline = [row(1, "p::big[x]", duration=1.0), row(1, "p::tiny[x]", duration=0.01),
                row(1, "p::steady[x]", duration=1.0)]
    current = [row(2, "p::big[x]", duration=1.6), row(2, "p::tiny[x]", duration=0.1),   # +900 % but +0.09 s
               row(2, "p::steady[x]", duration=1.3)]                                     # +0.3 s but +30 %
    assert kinds(current, baseline) == [("p::big[x]", "time")]
    assert kinds(current, baseline, Thresholds(ratio=0.7)) == []
    assert kinds(current, baseline, Thresholds(ratio=0.2, time_floor_s=0.0)) == [
        ("p::big[x]", "time"), ("p::steady[x]", "time"), ("p::tiny[x]", "time")]


def test_memory_needs_both_the_ratio_and_the_floor() -> None:
    baseline = [row(1, "p::a[x]", peak=100 * MiB), row(1, "p::b[x]", peak=10 * MiB), row(1, "p::c[x]", peak=None)]
    current = [row(2, "p::a[x]", peak=200 * MiB), row(2, "p::b[x]", peak=30 * MiB), row(2, "p::c[x]", peak=999 * MiB)]
    assert kinds(current, baseline) == [("p::a[x]", "memory")]


def test_a_failing_case_is_not_timed() -> None:
    baseline = [row(1, outcome="failed", duration=0.1)]
    assert kinds([row(2, outcome="failed", duration=9.0)], baseline) == []


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False), st.booleans(), st.booleans())
def test_percent_parses_as_written(value, sign, space) -> None:
    text = f"{value}{' ' if space else ''}{'%' if sign else ''}"
    assert parse_percent(text) == pytest.approx(float(value) / 100)


@given(st.text())
def test_percent_rejects_or_parses_anything(text: str) -> None:
    try:
        ratio = parse_percent(text)
    except ValueError as exc:
        assert "percentage" in str(exc)
    else:
        assert ratio >= 0


def test_floors() -> None:
    assert parse_time_floor("0") == 0.0
    assert parse_time_floor("200ms") == pytest.approx(0.2)
    assert parse_time_floor("1.5") == 1.5
    assert parse_memory_floor("0") == 0
    assert parse_memory_floor("32MiB") == 32 * MiB
    for bad in ("-1", "fast", "1 parsec"):
        with pytest.raises(ValueError):
            parse_time_floor(bad)
    with pytest.raises(ValueError):
        parse_memory_floor("lots")

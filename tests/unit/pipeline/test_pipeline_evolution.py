"""Data evolution: transformations between profiles and the degradation points they hide."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd
from pipeline_builders import SPEC_FILE, pipeline, port, step

from specrun.analysis.dag import build_dag
from specrun.analysis.evolution import DegradationThresholds, compare_profiles, find_degradations, track_evolution
from specrun.analysis.profile import profile_frame
from specrun.results import to_jsonable
from specrun.spec.model import Location, SpecError


def transactions(rows=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"id": np.arange(rows), "amount": rng.uniform(1, 100, rows),
                         "currency": rng.choice(["USD", "EUR", "GBP"], rows)})


def test_compare_profiles_counts_rows_columns_dtypes_nulls_and_distincts():
    before = transactions()
    after = before.head(150).drop(columns=["currency"]).assign(
        id=lambda f: f["id"].astype(float), flag=True)
    after.loc[:29, "amount"] = np.nan
    t = compare_profiles(profile_frame(before, "in"), profile_frame(after, "out"))
    assert (t.source, t.target, t.rows_before, t.rows_after, t.rows_dropped, t.rows_added) == (
        "in", "out", 200, 150, 50, 0)
    assert t.rows_change_fraction == -0.25
    assert (t.columns_added, t.columns_removed) == (["flag"], ["currency"])
    assert [(d.column, d.before, d.after) for d in t.dtype_changes] == [("id", "int64", "float64")]
    amount = next(c for c in t.column_changes if c.column == "amount")
    assert amount.null_rate_change_points == pytest.approx(20.0)
    assert (amount.distinct_before, amount.distinct_after, amount.distinct_change) == (200, 120, -80)
    assert t.has_changes


def test_default_thresholds_flag_each_kind_of_degradation():
    before = transactions()
    after = before.head(90).assign(currency="USD")
    after.loc[:9, "amount"] = np.nan               # 10 of 90 rows: +11.1 points
    t = compare_profiles(profile_frame(before, "a.out"), profile_frame(after, "b.in"))
    points = find_degradations(t)
    assert sorted((p.kind, p.column) for p in points) == [
        ("constant_column", "currency"), ("null_rate", "amount"), ("rows_dropped", None)]
    rows = next(p for p in points if p.kind == "rows_dropped")
    assert (rows.before, rows.after, rows.threshold) == (200, 90, 0.5)
    assert "lost 110 of 200 rows (55%)" in rows.message and rows.transformation == "a.out -> b.in"


def test_distinct_drop_and_configurable_thresholds():
    before = transactions(1000)
    after = before.assign(id=before["id"] % 50)
    t = compare_profiles(profile_frame(before, "x"), profile_frame(after, "y"))
    assert [(p.kind, p.column) for p in find_degradations(t)] == [("distinct_drop", "id")]
    assert find_degradations(t, DegradationThresholds(distinct_drop_fraction=0.96)) == []


def test_thresholds_from_a_spec_mapping():
    limits = DegradationThresholds.from_mapping({"null_rate_up_points": 1, "collapse_to_one_value": False})
    assert (limits.null_rate_up_points, limits.collapse_to_one_value, limits.rows_dropped_fraction) == (1, False, 0.5)
    where = Location(SPEC_FILE, 40, "modes.pipeline.degradation")
    with pytest.raises(SpecError, match="unknown threshold 'null_rate'") as info:
        DegradationThresholds.from_mapping({"null_rate": 3}, where)
    assert (info.value.line, info.value.key) == (40, "modes.pipeline.degradation.null_rate")
    with pytest.raises(SpecError, match="between 0 and 1"):
        DegradationThresholds.from_mapping({"rows_dropped_fraction": 50})
    with pytest.raises(SpecError, match="true or false"):
        DegradationThresholds.from_mapping({"collapse_to_one_value": "yes"})


def test_track_evolution_flags_the_step_that_nulls_out_a_column():
    spec = pipeline(step("load", [port("raw")], [port("table")]),
                    step("enrich", [port("data", from_="load.table")], [port("enriched")]),
                    step("train", [port("data", from_="enrich.enriched")], [port("model", "file")]))
    raw = transactions()
    table = raw.copy()
    enriched = table.assign(fx=1.1)
    enriched.loc[enriched.index % 4 == 0, "amount"] = np.nan      # the planted degradation: 25 % nulls
    profiles = {("load", "raw", "input"): profile_frame(raw, "raw"),
                ("load", "table", "output"): profile_frame(table, "table"),
                ("enrich", "data", "input"): profile_frame(table, "data"),
                ("enrich", "enriched", "output"): profile_frame(enriched, "enriched"),
                ("train", "data", "input"): profile_frame(enriched, "data")}
    evolution = track_evolution(build_dag(spec), profiles)
    assert [(t.kind, t.label) for t in evolution.transformations] == [
        ("step", "load.raw -> load.table"), ("handoff", "load.table -> enrich.data"),
        ("step", "enrich.data -> enrich.enriched"), ("handoff", "enrich.enriched -> train.data")]
    [point] = evolution.degradation_points
    assert (point.step, point.kind, point.column, point.transformation) == (
        "enrich", "null_rate", "amount", "enrich.data -> enrich.enriched")
    assert point.after == 0.25
    assert [p.port for p in evolution.initial_profiles] == ["load.raw"]
    assert evolution.final_profiles == []           # enrich.enriched is consumed; the model is not tabular
    assert evolution.paths == [["load", "enrich", "train"]]
    completeness = {(m.port, m.direction): m.value for m in evolution.quality_metrics if m.name == "completeness"}
    assert completeness[("enrich.enriched", "output")] == pytest.approx(1 - 0.25 / 4)
    record = json.loads(json.dumps(to_jsonable(evolution)))
    assert record["degradation_points"][0]["column"] == "amount"


def test_handoff_that_loses_rows_is_flagged_on_the_consumer():
    spec = pipeline(step("a", [], [port("out")]), step("b", [port("in", from_="a.out")]))
    sent = transactions()
    profiles = {("a", "out", "output"): profile_frame(sent, "out"),
                ("b", "in", "input"): profile_frame(sent.head(20), "in")}
    evolution = track_evolution(build_dag(spec), profiles)
    [point] = evolution.degradation_points
    assert (point.kind, point.step, point.transformation) == ("rows_dropped", "b", "a.out -> b.in")
    assert evolution.final_profiles == [] and evolution.initial_profiles == []


def test_missing_profiles_of_a_skipped_step_are_left_out():
    spec = pipeline(step("a", [port("raw")], [port("out")]), step("b", [port("in", from_="a.out")], [port("x")]))
    profiles = {("a", "raw", "input"): profile_frame(transactions(), "raw"),
                ("a", "out", "output"): profile_frame(transactions(), "out")}
    evolution = track_evolution(build_dag(spec), profiles)
    assert [t.label for t in evolution.transformations] == ["a.raw -> a.out"]
    assert not evolution.transformations[0].has_changes
    assert [p.port for p in evolution.final_profiles] == []


@settings(max_examples=60, deadline=None)
@given(hpd.data_frames([hpd.column("n", dtype=float), hpd.column("i", dtype=int),
                        hpd.column("s", elements=st.sampled_from(["a", "b", "c"]))],
                       index=hpd.range_indexes(max_size=30)))
def test_a_profile_compared_with_itself_has_no_changes(frame):
    profile = profile_frame(frame, "p")
    t = compare_profiles(profile, profile)
    assert not t.has_changes
    assert t.columns_added == t.columns_removed == t.dtype_changes == []
    assert find_degradations(t, DegradationThresholds(0.0, 0.0, 0.0, True)) == []


def test_the_parts_of_a_split_are_judged_together_and_a_split_that_loses_rows_still_is():
    """train (80 %) and test (20 %) of one holdout split lose no row together; the same
    split keeping only 40 % of its input in all is a row drop, named with both parts."""
    spec = pipeline(step("split", [port("rows")], [port("train"), port("test"), port("summary")]))
    rows = transactions()
    cut = len(rows) * 4 // 5
    summary = pd.DataFrame({"stat": ["rows"], "value": [len(rows)]})   # columns of its own

    def evolve(train, test):
        profiles = {("split", "rows", "input"): profile_frame(rows, "rows"),
                    ("split", "train", "output"): profile_frame(train, "train"),
                    ("split", "test", "output"): profile_frame(test, "test"),
                    ("split", "summary", "output"): profile_frame(summary, "summary")}
        return track_evolution(build_dag(spec), profiles)

    whole = evolve(rows.iloc[:cut], rows.iloc[cut:])
    assert [p for p in whole.degradation_points if p.kind == "rows_dropped"] == []
    lossy = evolve(rows.iloc[: len(rows) // 5], rows.iloc[len(rows) // 5: 2 * len(rows) // 5])
    dropped = [p for p in lossy.degradation_points if p.kind == "rows_dropped"]
    assert {p.transformation for p in dropped} == {"split.rows -> split.train", "split.rows -> split.test"}
    messages = [p.message for p in dropped]
    assert all("across the outputs split.test, split.train together" in m for m in messages), messages
    assert [p.after for p in dropped] == [2 * (len(rows) // 5)] * 2, [p.message for p in dropped]

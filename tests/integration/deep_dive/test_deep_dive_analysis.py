"""The deep dive's conclusions on synthetic measurements: scaling fits, bottlenecks,
recommendations, error patterns; and the data helpers (resampling, placing samples,
reading datasets).  No processes, no server."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.contract.types import TypeRegistry
from specrun.modes.deep_dive.analysis import (
    RunSummary,
    StepAnalysis,
    error_patterns,
    find_bottlenecks,
    fit_exponent,
    near_floor,
    projected,
    quietest,
    recommend,
    scaling_result,
    time_noise_floor,
)
from specrun.modes.deep_dive.compare import read_datasets
from specrun.modes.deep_dive.runs import resampled
from specrun.modes.deep_dive.sources import RealInput, place_input
from specrun.results import ColumnFailure, PortValidation
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec

SIZES = [1000, 10000, 100000]


@given(a=st.floats(1e-5, 1e-2), b=st.floats(0.3, 2.5), base=st.floats(0.0, 5.0))
@settings(max_examples=60, deadline=None)
def test_fit_recovers_the_exponent_of_an_exact_power_law(a, b, base):
    values = [base + a * n ** b + (n / 1000) ** b for n in SIZES]    # growth (1 + a·1000^b)·(n/1000)^b >= 1
    fit = fit_exponent(SIZES, values, "cpu_s", baseline=base, noise_floor=0.05)
    assert fit.exponent == pytest.approx(b, abs=1e-6)
    assert fit.r2 == pytest.approx(1.0) and fit.significant and fit.points == 3
    assert fit.super_linear == (b > 1.2)


@given(b=st.floats(0.3, 2.5), scale=st.floats(0.01, 100.0))
@settings(max_examples=40, deadline=None)
def test_exponent_does_not_depend_on_the_unit(b, scale):
    values = [(n / 1000) ** b for n in SIZES]
    one = fit_exponent(SIZES, values, "cpu_s", noise_floor=0.0)
    other = fit_exponent(SIZES, [v * scale for v in values], "cpu_s", noise_floor=0.0)
    assert one.exponent == pytest.approx(other.exponent, abs=1e-9)


def test_growth_below_the_noise_floor_is_never_flagged():
    fit = fit_exponent([1000, 2000, 4000], [0.500, 0.503, 0.530], "cpu_s", baseline=0.5, noise_floor=0.05)
    assert fit.exponent is not None and fit.exponent > 1.2      # steep, but only milliseconds
    assert not fit.significant and not fit.super_linear and "noise floor" in fit.note


def test_a_jittery_machine_raises_the_floor_so_a_linear_step_is_not_flagged():
    # A linear step (~5 ms of growth) measured on a loaded machine: the two larger sizes
    # caught a burst of contention, which a fixed 0.05 s floor would read as steep growth.
    baselines = [RunSummary("rows=0", 0, True, cpu_s=c) for c in (0.40, 0.47, 0.43)]
    points = [RunSummary(f"rows={n}", n, True, cpu_s=c) for n, c in ((2000, 0.41), (4000, 0.46), (8000, 0.62))]
    base, floor = quietest(baselines), time_noise_floor(baselines)
    assert base.cpu_s == pytest.approx(0.40) and floor == pytest.approx(0.07)
    assert scaling_result("s", "synthetic", points, base).time.super_linear           # the fixed floor is fooled
    assert not scaling_result("s", "synthetic", points, base, time_floor=floor).time.super_linear


def test_a_quiet_machine_keeps_the_fixed_floor_and_a_quadratic_step_is_flagged():
    baselines = [RunSummary("rows=0", 0, True, cpu_s=c) for c in (0.400, 0.402, 0.401)]
    points = [RunSummary(f"rows={n}", n, True, cpu_s=0.4 + (n / 1000) ** 2 * 0.1) for n in (2000, 4000, 8000)]
    floor = time_noise_floor(baselines)
    assert floor == 0.05
    assert scaling_result("s", "synthetic", points, quietest(baselines), time_floor=floor).time.super_linear


def test_quietest_keeps_the_least_of_each_measurement_and_never_hides_a_failure():
    runs = [RunSummary("rows=10", 10, True, cpu_s=0.9, wall_s=1.0, peak_rss_bytes=300),
            RunSummary("rows=10", 10, True, cpu_s=0.5, wall_s=2.0, peak_rss_bytes=200)]
    best = quietest(runs)
    assert (best.cpu_s, best.wall_s, best.peak_rss_bytes, best.rows) == (0.5, 1.0, 200, 10)
    failed = RunSummary("rows=10", 10, False, classification="TIMEOUT")
    assert quietest([*runs, failed]) is failed


def test_only_sizes_near_the_floor_are_measured_again():
    base = RunSummary("rows=0", 0, True, cpu_s=0.4)
    assert near_floor(RunSummary("rows=10", 10, True, cpu_s=0.45), base, 0.05)
    assert not near_floor(RunSummary("rows=10", 10, True, cpu_s=5.0), base, 0.05)
    assert not near_floor(RunSummary("rows=10", 10, False, cpu_s=0.45), base, 0.05)


def test_too_few_points_give_no_exponent():
    fit = fit_exponent([1000, 2000], [1.0, 0.9], "cpu_s", baseline=1.0)
    assert fit.exponent is None and not fit.super_linear


def test_scaling_result_projects_the_power_law():
    points = [RunSummary(f"rows={n}", n, True, cpu_s=0.5 + (n / 1000) ** 2 * 0.1, wall_s=0.6 + (n / 1000) ** 2 * 0.1,
                         peak_rss_bytes=100 * 2**20 + n * 1000) for n in (1000, 2000, 4000)]
    baseline = RunSummary("rows=0", 0, True, cpu_s=0.5, wall_s=0.6, peak_rss_bytes=100 * 2**20)
    result = scaling_result("s", "synthetic", points, baseline)
    assert result.time.exponent == pytest.approx(2.0) and result.time.super_linear and result.super_linear
    assert result.memory.exponent == pytest.approx(1.0) and not result.memory.super_linear
    assert projected(result.time, points) == pytest.approx(0.5 + 1.6 * 100)   # 10× the rows: 100× the growth


def _step(name, wall, cpu, peak, io=0, **extra):
    return StepAnalysis(name, name, real=RunSummary("real", 1000, True, wall_s=wall, cpu_s=cpu,
                                                    peak_rss_bytes=peak, read_bytes=io), **extra)


def test_bottlenecks_and_recommendations_come_from_the_measurements():
    steps = [_step("load", 0.5, 0.4, 200 * 2**20, io=10), _step("join", 8.0, 1.0, 1500 * 2**20, io=5,
                                                                 memory_limit=2 * 2**30),
             _step("save", 0.5, 0.5, 100 * 2**20, io=50)]
    necks = {n.kind: n for n in find_bottlenecks(steps)}
    assert necks["time"].step == "join" and necks["time"].share == pytest.approx(8 / 9)
    assert necks["memory"].step == "join" and necks["io"].step == "save"
    advice = {(r.step, r.topic): r for r in recommend(steps, list(necks.values()))}
    assert "89% of the deep dive's step time" in advice["join", "performance"].message
    assert "73% of its 2048.0 MiB limit" in advice["join", "memory"].message
    assert "only 12% of its 8.00 s" in advice["join", "io"].message
    assert set(advice) == {("join", "performance"), ("join", "memory"), ("join", "io")}


def test_contract_failures_and_synthetic_gap_become_recommendations():
    validation = PortValidation("rows", "input", False, rows=10, failures=[
        ColumnFailure("currency", "isin(['USD', 'EUR'])", 3, ["CHF"])])
    step = _step("convert", 3.0, 3.0, 100, input_validations=[validation])
    step.synthetic = RunSummary("synthetic", 1000, True, wall_s=1.0, cpu_s=1.0)
    topics = {r.topic: r.message for r in recommend([step], [])}
    assert "column currency fails isin(['USD', 'EUR']) in 3 sampled row(s) (e.g. 'CHF')" in topics["data_quality"]
    assert "3.0× the CPU on real data" in topics["synthetic_gap"]


def test_error_patterns_group_every_failed_run_by_classification():
    a = StepAnalysis("a", "A", real=RunSummary("real", 10, False, "DATA_ERROR", "KeyError: 'x'"),
                     synthetic=RunSummary("synthetic", 10, False, "DATA_ERROR", "KeyError: 'x'"))
    b = StepAnalysis("b", "B", source_error="input 'rows': s3://b/k: AccessDenied")
    c = StepAnalysis("c", "C", real=RunSummary("real", 10, False, "TIMEOUT", "timed out"))
    patterns = error_patterns([a, b, c])
    assert [(p.classification, p.count, p.steps) for p in patterns] == [
        ("DATA_ERROR", 2, ["a"]), ("SETUP_ERROR", 1, ["b"]), ("TIMEOUT", 1, ["c"])]


@given(rows=st.integers(0, 300), seed=st.integers(0, 2**31 - 1))
@settings(max_examples=40, deadline=None)
def test_resampling_draws_real_rows_and_keeps_unique_keys_unique(rows, seed):
    frame = pd.DataFrame({"id": np.arange(7), "value": np.arange(7) * 1.5})
    schema = SchemaSpec("rows", {"id": ColumnSpec("id", "int", unique=True), "value": ColumnSpec("value", "float")})
    out = resampled(frame, rows, schema, seed, TypeRegistry.builtin())
    assert len(out) == rows and list(out.columns) == ["id", "value"]
    assert out["id"].is_unique
    assert set(out["value"]) <= set(frame["value"])


def test_a_folder_of_parquet_files_becomes_one_file_for_a_single_file_port(tmp_path: Path):
    folder = tmp_path / "channel"
    folder.mkdir()
    pd.DataFrame({"x": [1, 2]}).to_parquet(folder / "part-0.parquet")
    pd.DataFrame({"x": [3]}).to_parquet(folder / "part-1.parquet")
    (folder / "_SUCCESS").touch()
    port = PortSpec("data", format="parquet")
    place_input(port, RealInput("data", folder, "s3://b/channel/", "s3"), tmp_path / "in" / "data.parquet")
    assert pd.read_parquet(tmp_path / "in" / "data.parquet")["x"].tolist() == [1, 2, 3]


def test_datasets_are_grouped_per_folder_and_format(tmp_path: Path):
    for split in ("train", "test"):
        (tmp_path / split).mkdir()
        pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / split / "part-0.csv", index=False)
        pd.DataFrame({"a": [3]}).to_csv(tmp_path / split / "part-1.csv", index=False)
    (tmp_path / "stats.json").write_text("{}")
    found = read_datasets(tmp_path)
    assert sorted(found) == ["test", "train"] and found["train"]["a"].tolist() == [1, 2, 3]
    assert math.isclose(read_datasets(tmp_path / "train" / "part-1.csv")[""]["a"].sum(), 3)

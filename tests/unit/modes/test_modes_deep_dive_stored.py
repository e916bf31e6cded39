"""A deep-dive analysis stored by the result cache comes back as it was (Hypothesis:
any analysis, through JSON, revives equal), and JSON that does not describe one is an
error (a cache miss), never a half-built analysis."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.analysis.drift import ColumnDrift
from specrun.analysis.profile import ColumnProfile, DataProfile, ValueCount
from specrun.modes.deep_dive.analysis import ExponentFit, RunSummary, ScalingResult, StepAnalysis
from specrun.modes.deep_dive.stored import StoredAnalysisError, stored_analysis
from specrun.results import ColumnFailure, PortValidation, to_jsonable

text = st.text(max_size=8)
floats = st.floats(allow_nan=False)      # nan != nan: compared apart below
maybe_float = st.none() | floats
ints = st.integers(min_value=0, max_value=2**53)
json_scalar = st.none() | st.booleans() | st.integers(-10**6, 10**6) | text

runs = st.builds(RunSummary, label=text, rows=ints, ok=st.booleans(), classification=st.none() | text,
                 message=text, wall_s=floats, cpu_s=floats, peak_rss_bytes=ints, read_bytes=ints,
                 write_bytes=ints, output_rows=st.none() | ints)
fits = st.builds(ExponentFit, metric=text, exponent=maybe_float, r2=maybe_float, points=ints,
                 baseline=maybe_float, significant=st.booleans(), super_linear=st.booleans(), note=text)
scaling = st.builds(ScalingResult, step=text, data=text, points=st.lists(runs, max_size=3),
                    baseline=st.none() | runs, time=fits, wall=fits, memory=fits)
columns = st.builds(ColumnProfile, name=text, dtype=text, kind=text, nulls=ints, null_fraction=floats,
                    distinct=ints, memory_bytes=ints, min=json_scalar, max=json_scalar, mean=maybe_float,
                    std=maybe_float, quantiles=st.dictionaries(text, floats, max_size=3),
                    top_values=st.lists(st.builds(ValueCount, value=json_scalar, count=ints), max_size=3))
profiles = st.builds(DataProfile, port=text, rows=ints, columns=st.lists(text, max_size=3),
                     dtypes=st.dictionaries(text, text, max_size=3),
                     column_profiles=st.dictionaries(text, columns, max_size=2), memory_bytes=ints,
                     nbytes=st.none() | ints)
validations = st.builds(PortValidation, port=text, direction=text, ok=st.booleans(), rows=st.none() | ints,
                        message=text, failures=st.lists(st.builds(
                            ColumnFailure, column=st.none() | text, check=text, count=ints,
                            examples=st.lists(json_scalar, max_size=3)), max_size=2))
drifts = st.builds(ColumnDrift, column=text, kind=text, drifted=st.booleans(), psi=maybe_float, ks=maybe_float,
                   change=st.none() | text, message=text)
analyses = st.builds(
    StepAnalysis, step=text, sagemaker_step=text,
    sources=st.dictionaries(text, st.dictionaries(text, json_scalar, max_size=3), max_size=2),
    source_error=st.none() | text, real=st.none() | runs, synthetic=st.none() | runs, synthetic_note=text,
    input_validations=st.lists(validations, max_size=2), profiles=st.dictionaries(text, profiles, max_size=2),
    synthetic_drift=st.dictionaries(text, st.lists(drifts, max_size=2), max_size=2),
    scaling=st.none() | scaling, memory_limit=st.none() | ints)


def through_json(value: object) -> object:
    return json.loads(json.dumps(to_jsonable(value)))


@given(analyses)
def test_any_analysis_comes_back_equal(analysis: StepAnalysis) -> None:
    assert stored_analysis(through_json(analysis)) == analysis


def test_non_finite_figures_come_back_as_floats() -> None:
    run = RunSummary("real", 3, True, wall_s=math.inf, cpu_s=math.nan)
    back = stored_analysis(through_json(StepAnalysis("s", "S", real=run)))
    assert back.real is not None and back.real.wall_s == math.inf and math.isnan(back.real.cpu_s)


@pytest.mark.parametrize("broken", [
    {"step": "s"},                                                    # a required field missing
    {"step": "s", "sagemaker_step": "S", "renamed_field": 1},          # written by another version
    {"step": "s", "sagemaker_step": "S", "real": {"label": "real"}},   # a nested record incomplete
    {"step": "s", "sagemaker_step": "S", "memory_limit": "lots"},      # a value of the wrong type
    {"step": "s", "sagemaker_step": "S", "real": None, "scaling": [1]},
    ["not", "a", "mapping"],
])
def test_json_that_is_no_analysis_is_an_error(broken: object) -> None:
    with pytest.raises(StoredAnalysisError):
        stored_analysis(broken)

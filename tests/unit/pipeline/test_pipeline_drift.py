"""Distribution drift: PSI, the KS statistic and per-column comparison of two frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.analysis.drift import EPSILON, DriftThresholds, compare_frames, ks_statistic, psi
from specrun.spec.model import SpecError

numbers = st.lists(st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-5, 5), min_size=1, max_size=60)


def normal(shift=0.0, size=4000, seed=1):
    return np.random.default_rng(seed).normal(shift, 1.0, size)


def test_identical_samples_have_no_drift():
    sample = normal()
    assert psi(sample, sample) == 0.0
    assert ks_statistic(sample, sample) == 0.0
    assert psi(["a", "b", "b"], ["b", "a", "b"]) == 0.0


def test_a_shifted_normal_drifts():
    base, shifted = normal(seed=1), normal(1.0, seed=2)
    assert psi(base, shifted) > 0.2
    # theory: D = 2·Φ(0.5) − 1 ≈ 0.383 for a one-sigma shift
    assert ks_statistic(base, shifted) == pytest.approx(0.383, abs=0.04)
    assert psi(base, normal(seed=3)) < 0.1        # a fresh sample of the same distribution


def test_ks_on_hand_computed_samples():
    assert ks_statistic([1, 2, 3], [4, 5, 6]) == 1.0
    assert ks_statistic([1, 2, 3, 4], [3, 4, 5, 6]) == 0.5
    assert ks_statistic([1, 1, 2], [1, 2, 2]) == pytest.approx(1 / 3)
    assert ks_statistic([1.0, None, 2.0], [1.0, 2.0]) == 0.0          # nulls are dropped


def test_psi_on_hand_computed_bins():
    expected = list(range(1, 11))                   # two quantile bins: <= 5.5 and above
    actual = [1] * 8 + [10] * 2
    assert psi(expected, actual, bins=2) == pytest.approx(0.3 * math.log(1.6) + 0.3 * math.log(2.5))


def test_categorical_psi_with_an_empty_category_uses_epsilon():
    expected = ["USD"] * 50 + ["EUR"] * 50
    actual = ["USD"] * 100
    value = (1.0 - 0.5) * math.log(1.0 / 0.5) + (EPSILON - 0.5) * math.log(EPSILON / 0.5)
    assert psi(expected, actual) == pytest.approx(value)
    assert psi(pd.Series(expected, dtype="category"), pd.Series(actual)) == pytest.approx(value)


def test_empty_samples_are_rejected():
    with pytest.raises(ValueError, match="no non-null values"):
        psi([None, None], [1.0])
    with pytest.raises(ValueError, match="no non-null values"):
        ks_statistic([1.0], [])


def test_compare_frames_flags_drift_and_schema_changes():
    rng = np.random.default_rng(5)
    before = pd.DataFrame({"amount": normal(seed=1), "currency": rng.choice(["USD", "EUR"], 4000),
                           "ts": pd.date_range("2024-01-01", periods=4000, freq="h"), "gone": 1, "n": 1})
    after = pd.DataFrame({"amount": normal(2.0, seed=2), "currency": rng.choice(["USD", "EUR"], 4000),
                          "ts": pd.date_range("2024-01-01", periods=4000, freq="h"), "new": 1.0,
                          "n": "1"})
    drift = {d.column: d for d in compare_frames(before, after)}
    assert list(drift) == ["amount", "currency", "ts", "gone", "n", "new"]
    assert drift["amount"].drifted and drift["amount"].kind == "numeric"
    assert drift["amount"].psi > 0.2 and drift["amount"].ks > 0.1
    assert not drift["currency"].drifted and drift["currency"].ks is None
    assert not drift["ts"].drifted and drift["ts"].psi == 0.0
    assert (drift["gone"].change, drift["new"].change) == ("removed", "added")
    assert (drift["n"].kind, drift["n"].change, drift["n"].drifted) == ("schema", "dtype", True)
    loose = {d.column: d for d in compare_frames(before, after, DriftThresholds(psi=100, ks=1))}
    assert not loose["amount"].drifted


def test_column_with_values_on_one_side_only_drifts():
    drift = compare_frames(pd.DataFrame({"x": [np.nan, np.nan]}), pd.DataFrame({"x": [1.0, 2.0]}))
    assert drift[0].drifted and drift[0].null_fraction_before == 1.0 and drift[0].psi is None


def test_drift_thresholds_from_a_spec_mapping():
    assert DriftThresholds.from_mapping({"psi": 0.25}) == DriftThresholds(psi=0.25, ks=0.1)
    with pytest.raises(SpecError, match="unknown drift threshold 'chi2'"):
        DriftThresholds.from_mapping({"chi2": 1})
    with pytest.raises(SpecError, match="number >= 0"):
        DriftThresholds.from_mapping({"ks": -1})


def naive_ks(a, b):
    """The definition, point by point: sup over x of |F_a(x) − F_b(x)|."""
    return max(abs(sum(v <= x for v in a) / len(a) - sum(v <= x for v in b) / len(b)) for x in list(a) + list(b))


@settings(max_examples=150, deadline=None)
@given(numbers, numbers)
def test_ks_is_symmetric_bounded_and_matches_its_definition(a, b):
    d = ks_statistic(a, b)
    assert 0.0 <= d <= 1.0
    assert d == ks_statistic(b, a)
    assert d == pytest.approx(naive_ks(a, b))


@settings(max_examples=150, deadline=None)
@given(numbers, numbers, st.integers(1, 12))
def test_psi_is_never_negative_and_zero_on_itself(a, b, bins):
    assert psi(a, b, bins) >= 0.0
    assert psi(a, a, bins) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("abcde"), min_size=1, max_size=40),
       st.lists(st.sampled_from("abcdef"), min_size=1, max_size=40))
def test_categorical_psi_is_never_negative(a, b):
    assert psi(a, b) >= 0.0

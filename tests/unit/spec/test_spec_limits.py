"""``cpu:`` (and the sizes of resource limits) of a step and of ``defaults:``: a number of
cores > 0, the step's own over defaults'; anything else is a SpecError naming file, line
and key."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from spec_helpers import BASE, error_text, write

from specrun.spec.loader import load_spec
from specrun.spec.units import parse_memory, size_text


def _with(step_key: str = "", defaults: str = "") -> str:
    text = BASE.replace("script: one.py", f"script: one.py\n    {step_key}", 1) if step_key else BASE
    return text.replace("pipeline: p\n", f"pipeline: p\ndefaults: {{{defaults}}}\n", 1) if defaults else text


def test_the_step_s_cpu_wins_over_defaults(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, _with("cpu: 0.5", "cpu: 1.5")))
    assert spec.steps["one"].cpu == 0.5 and spec.steps["two"].cpu == 1.5
    assert spec.defaults.cpu == 1.5
    assert load_spec(write(tmp_path, BASE)).steps["one"].cpu is None


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=1e-3, max_value=4096, allow_nan=False))
@example(1.5)
def test_any_positive_number_of_cores_reads_back(cores: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        spec = load_spec(write(Path(folder), _with(f"cpu: {cores!r}")))
    assert math.isclose(spec.steps["one"].cpu or 0.0, cores)


@pytest.mark.parametrize("value", ["0", "-1", "two", "nan", "inf", "1.5GB"])
def test_cpu_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    text = error_text(tmp_path, _with(f"cpu: {value}"))
    assert text.startswith("spec.yaml:11: steps.one.cpu: expected a number of cores"), text


def test_a_bad_cpu_in_defaults_names_its_line(tmp_path: Path) -> None:
    text = error_text(tmp_path, _with(defaults="cpu: none"))
    assert text.startswith("spec.yaml:3: defaults.cpu: expected a number of cores"), text


def test_max_output_size_is_a_size_and_the_step_s_wins(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, _with("max_output_size: 100MB", "max_output_size: 1GiB")))
    assert spec.steps["one"].max_output_size == 100 * 10**6
    assert spec.steps["two"].max_output_size == 2**30
    text = error_text(tmp_path, _with("max_output_size: lots"))
    assert text.startswith("spec.yaml:11: steps.one.max_output_size: expected a memory size"), text


@given(st.integers(min_value=1, max_value=2**50))
@example(100 * 10**6)
@example(2**30)
@example(1234)
def test_a_size_shown_reads_back_as_the_same_bytes(n: int) -> None:
    """What a message says ("wrote more than 100 MB") is exactly the budget that was written."""
    shown = size_text(n)
    assert parse_memory(shown.replace(" bytes", "")) == n

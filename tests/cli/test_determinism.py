"""deterministic: true — the standard case runs twice on the same inputs; an unseeded shuffle
or an order-dependent result fails it with the rows that differ."""

from __future__ import annotations

import pytest

SCRIPT = '''
import sys
import numpy as np
import pandas as pd

frame = pd.read_csv(sys.argv[1])
BUG
frame.to_csv(sys.argv[2], index=False)
'''

SPEC = '''
version: 1
pipeline: det
defaults: {timeout: 60, seed: 11}
steps:
  step:
    script: ../step.py
    args: ["{inputs.rows}", "{outputs.out}"]
    DETERMINISTIC
    inputs:
      rows:
        format: csv
        schema: {columns: {id: {type: int, unique: true}, v: {type: float, min: 0, max: 10}}}
    outputs:
      out: {format: csv}
scenarios:
  standard: {rows: 50}
  other: {rows: 5}
modes:
  isolation: {scenarios: [standard, other]}
'''

SHUFFLE = "frame = frame.sample(frac=1.0).reset_index(drop=True)"
SEEDED = "frame = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)"
NOISE = 'frame["v"] = frame["v"] + np.random.default_rng().normal(size=len(frame))'


def make(project, bug: str, deterministic: str = "deterministic: true") -> None:
    project.write("step.py", SCRIPT.replace("BUG", bug))
    project.write("specs/det.yaml", SPEC.replace("DETERMINISTIC", deterministic))


def test_an_unseeded_shuffle_is_reported_with_the_rows_that_differ(project):
    make(project, SHUFFLE)
    out = project.run("specs")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert case["message"].startswith("not deterministic: output 'out': ")
    assert "rows differ, first: row " in case["message"] and " then {" in case["message"]
    assert case["properties"][-1]["name"] == "deterministic"
    assert out.case("[other]")["outcome"] == "passed"   # only the standard case runs twice
    assert "not deterministic" in out.stdout


def test_a_seeded_shuffle_passes(project):
    make(project, SEEDED)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    (prop,) = out.case("[standard]")["properties"]
    assert prop == {**prop, "name": "deterministic", "ok": True}


@pytest.mark.parametrize("bug, code", [(SHUFFLE, 0), (NOISE, 1)])
def test_ignore_row_order_compares_rows_as_a_set(project, bug, code):
    make(project, bug, "deterministic: {ignore_row_order: true}")
    out = project.run("specs")
    assert out.code == code, out.stdout + out.stderr
    if code:
        assert "after sorting rows" in out.case("[standard]")["message"]


def test_without_the_key_nothing_runs_twice(project):
    make(project, SHUFFLE, "deterministic: false")
    out = project.run("specs")
    assert out.code == 0
    assert out.case("[standard]")["properties"] == []


def test_a_misspelt_option_is_a_spec_error(project):
    make(project, SEEDED, "deterministic: {ignore_order: true}")
    out = project.run("specs")
    assert out.code == 4
    assert "det.yaml:" in out.stdout + out.stderr and "ignore_order" in out.stdout + out.stderr

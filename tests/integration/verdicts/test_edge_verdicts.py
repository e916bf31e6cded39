"""Edge cases end to end, on the scripts of examples/verdicts/edges.yaml: each works on
comfortable data and has one bug that only one edge reaches (an empty input, a single
row, an all-null column), and a default run fails exactly that edge's case."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]
SPEC = "examples/verdicts/edges.yaml"


def specrun(tmp_path: Path, *args: str) -> tuple[int, str, dict]:
    out = tmp_path / "result.json"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")},
           "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    proc = run_specrun([SPEC, *args, "--json", str(out),
                           "--workspace", str(tmp_path / "ws")],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    record = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, record


def outcomes(record: dict) -> dict[str, str]:
    return {case["id"]: case["outcome"] for case in record["cases"]}


def failed(record: dict) -> dict[str, dict]:
    return {case["id"]: case for case in record["cases"] if case["outcome"] != "passed"}


@pytest.mark.slow
def test_a_default_run_fails_exactly_the_edge_each_script_breaks_on(tmp_path):
    code, output, record = specrun(tmp_path, "-n", "2")
    assert code == 1, output
    broken = failed(record)
    assert set(broken) == {"edges::centre[edge_cases:empty]", "edges::zscore[edge_cases:single_row]",
                           "edges::shout[edge_cases:all_null]"}, output
    empty = broken["edges::centre[edge_cases:empty]"]
    assert (empty["outcome"], empty["classification"]) == ("failed", "SCRIPT_ERROR")   # valid input: the script's bug
    assert empty["error"]["type"] == "ZeroDivisionError"
    assert empty["details"]["edge"] == "empty" and empty["details"]["fed"]["readings"]["rows"] == 0
    one = broken["edges::zscore[edge_cases:single_row]"]
    assert (one["outcome"], one["classification"]) == ("failed", "CONTRACT_ERROR")
    assert one["details"]["fed"]["readings"]["rows"] == 1
    assert "z: not_nullable" in one["message"]
    nulls = broken["edges::shout[edge_cases:all_null]"]
    assert (nulls["outcome"], nulls["classification"]) == ("failed", "SCRIPT_ERROR")
    assert nulls["error"]["type"] == "AttributeError" and ".str accessor" in nulls["error"]["message"]
    assert nulls["details"]["fed"]["readings"]["columns"]["note"]["nulls"] == 10
    assert "FAILED  edges::centre[edge_cases:empty]" in output and "ZeroDivisionError" in output
    # every other case, the other edges of the same scripts included, is green
    passed = {i for i, o in outcomes(record).items() if o == "passed"}
    assert {"edges::centre[standard]", "edges::centre[edge_cases:boundary]", "edges::centre[edge_cases:single_row]",
            "edges::zscore[edge_cases:empty]", "edges::shout[edge_cases:single_row]"} <= passed


@pytest.mark.slow
def test_a_contract_that_promises_rows_plans_no_empty_edge_and_the_same_script_is_green(tmp_path):
    code, output, record = specrun(tmp_path, "--step", "busy_days", "--step", "centre")
    assert code == 1, output
    assert outcomes(record) == {
        "edges::centre[standard]": "passed", "edges::centre[edge_cases:boundary]": "passed",
        "edges::centre[edge_cases:empty]": "failed", "edges::centre[edge_cases:single_row]": "passed",
        "edges::busy_days[standard]": "passed", "edges::busy_days[edge_cases:boundary]": "passed",
        "edges::busy_days[edge_cases:single_row]": "passed"}
    # without the empty edge, a default run of the buggy script would be green
    code, output, record = specrun(tmp_path, "--step", "centre", "-k", "not edge_cases:empty")
    assert code == 0, output
    assert set(outcomes(record).values()) == {"passed"}

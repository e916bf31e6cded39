"""Property scenarios end to end through the CLI: a planted bug is found, shrunk to one
row, saved, replayed; runs are deterministic under --seed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli.conftest import Project

BUGGY = '''
from pathlib import Path

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    shards = sorted(Path(input_paths["orders"]).glob("part-*.csv"))
    frame = pd.concat([pd.read_csv(shard) for shard in shards], ignore_index=True)
    rates = []
    for qty, kind in zip(frame["qty"], frame["kind"]):
        divisor = qty if kind == "bulk" else 1
        rates.append(100 / int(divisor))   # planted bug: only bulk orders of quantity 0
    frame["rate"] = rates
    frame.to_csv(output_paths["out"], index=False)
'''

FIXED = BUGGY.replace("divisor = qty if kind == \"bulk\" else 1", "divisor = max(qty, 1)")

SPEC = '''
version: 1
pipeline: shop
defaults: {timeout: 60, seed: 3}
schemas:
  orders:
    columns:
      order_id: {type: int, unique: true, min: 1}
      qty: {type: int, min: 0, max: 50}
      kind: {type: str, isin: [retail, bulk, sample]}
      note: {type: str, nullable: true}
steps:
  rate:
    script: orders.py
    call: main
    inputs:
      orders: {format: csv, schema: orders, layout: "part-{shard}.csv", shards: 2}
    outputs:
      out: {format: csv}
    properties:
      - row_count: {output: out, equals: orders}
scenarios:
  property: {examples: 60, max_rows: 10}
modes:
  isolation: {scenarios: [property]}
'''


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def shop(project: Project) -> Project:
    project.write("orders.py", BUGGY)
    project.write("spec.yaml", SPEC)
    return project


def _failure(outcome) -> dict:
    case = outcome.case("shop::rate[property]")
    assert case["kind"] == "property" and case["outcome"] == "failed", case["message"]
    return case


@pytest.mark.slow
def test_planted_bug_is_found_shrunk_to_one_row_saved_and_replayed(shop: Project) -> None:
    run = shop.run("spec.yaml")
    assert run.code == 1, run.stdout + run.stderr
    case = _failure(run)
    assert case["classification"] == "SCRIPT_ERROR"       # drawn inside the contract: the script's bug
    assert case["error"]["type"] == "ZeroDivisionError"
    failure = case["details"]["failures"][0]
    assert failure["input_rows"] == {"orders": 1}                     # minimal: one row …
    row = failure["input_head"]["orders"][0]
    assert (row["qty"], row["kind"]) == (0, "bulk")                    # … with the bad combination
    assert case["details"]["runs"] >= 1 and len(case["details"]["failures"]) == 1
    assert case["replay"] == f"specrun replay {failure['id']}" and case["replay"] in run.stdout

    saved = shop.root / ".specrun" / "failures" / failure["id"]
    shards = sorted(p.name for p in (saved / "input" / "orders").iterdir())
    assert shards == ["part-0.csv", "part-1.csv"]                      # the port's real layout
    record = json.loads((saved / "failure.json").read_text())
    assert record["step"] == "rate" and record["scenario"] == "property"
    assert record["seed"] == case["seed"] and record["spec"].endswith("spec.yaml")
    assert "ZeroDivisionError" in record["error"]["traceback"]

    replay = shop.run("replay", failure["id"])
    assert replay.code == 1, replay.stdout + replay.stderr
    assert "ZeroDivisionError: division by zero" in replay.stdout
    assert 'orders.py", line 12, in main' in replay.stdout              # the script's own traceback

    shop.write("orders.py", FIXED)
    fixed = shop.run("replay", failure["id"])
    assert fixed.code == 0, fixed.stdout + fixed.stderr
    assert "no longer reproduces" in fixed.stdout


@pytest.mark.slow
def test_same_seed_same_shrunk_example(shop: Project) -> None:
    first = _failure(shop.run("spec.yaml", "--seed", "11", "--workspace", "ws-a"))
    second = _failure(shop.run("spec.yaml", "--seed", "11", "--workspace", "ws-b"))
    assert first["seed"] == second["seed"]
    assert first["details"]["failures"][0]["id"] == second["details"]["failures"][0]["id"]
    assert first["details"]["failures"][0]["input_head"] == second["details"]["failures"][0]["input_head"]


def test_no_shrink_and_max_examples_override_the_spec(shop: Project) -> None:
    case = _failure(shop.run("spec.yaml", "--no-shrink", "--max-examples", "200", "--workspace", "ws-c"))
    assert case["details"]["shrink"] is False and case["details"]["examples"] == 200
    assert case["details"]["failures"][0]["id"] in case["replay"]


def test_passing_property_run_is_one_junit_testcase(shop: Project) -> None:
    shop.write("orders.py", FIXED)
    run = shop.run("spec.yaml", "--max-examples", "8", "--junitxml", "junit.xml")
    assert run.code == 0, run.stdout + run.stderr
    case = run.case("shop::rate[property]")
    assert case["outcome"] == "passed" and case["details"]["runs"] == 8
    assert case["details"]["executor"] == "fork"
    testcases = list(ET.parse(shop.root / "junit.xml").getroot().iter("testcase"))
    assert len(testcases) == 1 and "rate" in (testcases[0].get("name") or "")


def test_replay_of_an_unknown_id_is_a_usage_error(project: Project) -> None:
    run = project.run("replay", "nope-123")
    assert run.code == 2
    assert "no saved failure 'nope-123'" in run.stderr

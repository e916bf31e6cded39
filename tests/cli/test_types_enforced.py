"""Declared types are enforced through the CLI, in CSV: a step that writes ints as floats
fails its isolation case; bools written as 0/1 fail the hand-off to a consumer whose
contract declares bool (the producer promised nothing about the column)."""

from __future__ import annotations

import pytest

SPEC = '''
version: 1
pipeline: typed
defaults: {timeout: 60, seed: 3}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      flag: {type: bool}
steps:
  produce:
    script: ../produce.py
    args: ["{inputs.rows}", "{outputs.out}"]
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv, schema: {{out_schema}}}
  consume:
    script: ../consume.py
    args: ["{inputs.data}"]
    inputs:
      data: {from: produce.out, format: csv, schema: rows}
scenarios:
  standard: {rows: 20}
modes:
  isolation: {scenarios: [standard]}
  pipeline: {validation: lenient, continue_on_failure: true}
'''
PRODUCE = '''
import sys
import pandas as pd
frame = pd.read_csv(sys.argv[1])
{bug}
frame.to_csv(sys.argv[2], index=False)
'''
CONSUME = "import sys, pandas as pd\npd.read_csv(sys.argv[1])\n"


def make(project, bug: str, out_schema: str) -> None:
    project.write("specs/typed.yaml", SPEC.replace("{{out_schema}}", out_schema))
    project.write("produce.py", PRODUCE.replace("{bug}", bug))
    project.write("consume.py", CONSUME)


def test_ints_written_as_floats_fail_the_isolation_case(project):
    make(project, 'frame["id"] = frame["id"].astype(float)', "rows")
    out = project.run("specs", "--mode", "isolation", "-k", "produce")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("produce[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    [failure] = [f for v in case["validations"] for f in v["failures"]]
    assert failure["column"] == "id" and failure["count"] == 20
    assert failure["check"] == "declared type int, found text that does not parse as int in out.csv"
    assert all(e.endswith(".0") for e in failure["examples"])
    assert "id: declared type int, found text that does not parse as int in out.csv" in out.stdout


@pytest.mark.parametrize("bug, bad", [
    ('frame["flag"] = frame["flag"].astype(int)', ["0", "1"]),
    ('frame["flag"] = frame["flag"].map({True: "yes", False: "no"})', ["yes", "no"]),
])
def test_bools_written_as_other_text_fail_the_handoff(project, bug, bad):
    make(project, bug, "{columns: {id: {type: int, unique: true}}}")
    out = project.run("specs", "--mode", "pipeline")
    assert out.code == 1, out.stdout + out.stderr
    produce = [c for c in out.record["cases"] if c["id"] == "typed::pipeline::produce"]
    assert produce[0]["outcome"] == "passed"      # its own contract says nothing of flag
    handoff = out.case("produce.out->consume.data")
    assert handoff["outcome"] == "failed" and handoff["details"]["blame"] == "contracts"
    assert "flag: declared type bool, found text that does not parse as bool" in handoff["message"]
    [failure] = [f for v in handoff["validations"] for f in v["failures"]]
    assert sorted(failure["examples"]) == sorted(bad) and failure["count"] == 20

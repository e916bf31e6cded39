"""Input → output relations as built-in properties, end to end: each check fails a script
broken in exactly its way (a float32 round trip, a wrong formula, a lost input, an empty or
unbalanced split) and passes the correct script."""

from __future__ import annotations

import pytest

CONVERT = '''
import sys
import pandas as pd

frame = pd.read_csv(sys.argv[1])
frame["amount_usd"] = frame["amount"] * frame["rate"]
BUG
frame.to_parquet(sys.argv[2], index=False)
'''

SPEC = '''
version: 1
pipeline: rel
defaults: {timeout: 60, seed: 3}
steps:
  convert:
    script: ../convert.py
    args: ["{inputs.rows}", "{outputs.out}"]
    inputs:
      rows:
        format: csv
        schema:
          columns:
            id: {type: int, unique: true}
            amount: {type: float, min: 0.1, max: 1000}
            rate: {type: float, min: 0.5, max: 2}
    outputs:
      out: {format: parquet}
    properties:
PROPS
scenarios:
  standard: {rows: 40}
modes:
  isolation: {scenarios: [standard]}
'''

UNCHANGED = "      - unchanged: {output: out, input: rows, columns: [amount, rate], key: id}\n"
RELATION = "      - relation: {output: out, input: rows, key: id, expr: \"out.amount_usd == in.amount * in.rate\"}\n"


def make(project, bug: str = "", props: str = UNCHANGED + RELATION) -> None:
    project.write("convert.py", CONVERT.replace("BUG", bug))
    project.write("specs/rel.yaml", SPEC.replace("PROPS\n", props))


def test_a_correct_script_passes_both_relations(project):
    make(project)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    names = [p["name"] for p in out.case("[standard]")["properties"]]
    assert names == ["unchanged", "relation"]
    assert all(p["ok"] for p in out.case("[standard]")["properties"])


def test_unchanged_catches_a_float32_round_trip(project):
    make(project, bug='frame["amount"] = frame["amount"].astype("float32").astype("float64")',
         props=UNCHANGED)
    out = project.run("specs")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("[standard]")
    assert case["outcome"] == "failed"
    (prop,) = case["properties"]
    assert prop["ok"] is False
    assert "values changed in 'amount'" in prop["message"] and "'rate'" not in prop["message"].split("; e.g.")[0]
    assert "in=" in prop["message"] and "out=" in prop["message"]
    assert "property unchanged failed" in out.stdout


def test_unchanged_passes_a_float32_round_trip_within_an_explicit_tolerance(project):
    make(project, bug='frame["amount"] = frame["amount"].astype("float32").astype("float64")',
         props="      - unchanged: {output: out, input: rows, columns: [amount], key: id, tolerance: 0.001}\n")
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr


def test_unchanged_pairs_rows_by_key_not_position(project):
    # reversing the rows is not a change of values when a key pairs them
    make(project, bug="frame = frame.iloc[::-1]", props=UNCHANGED)
    assert project.run("specs").code == 0
    # without a key, position pairs them, so the reversal is a change
    make(project, bug="frame = frame.iloc[::-1]",
         props="      - unchanged: {output: out, input: rows, columns: [amount]}\n")
    out = project.run("specs")
    assert out.code == 1
    assert "values changed in 'amount'" in out.case("[standard]")["properties"][0]["message"]


def test_relation_catches_a_wrong_formula(project):
    make(project, bug='frame["amount_usd"] = frame["amount"] / frame["rate"]', props=RELATION)
    out = project.run("specs")
    assert out.code == 1, out.stdout + out.stderr
    (prop,) = out.case("[standard]")["properties"]
    assert prop["ok"] is False
    assert "fails on" in prop["message"] and "of 40 rows" in prop["message"]
    assert "in.amount=" in prop["message"] and "out.amount_usd=" in prop["message"]


def test_relation_with_a_comparison_other_than_equality(project):
    make(project, bug='frame["amount_usd"] = -frame["amount_usd"]',
         props="      - relation: {output: out, input: rows, key: id, expr: \"out.amount_usd >= 0\"}\n")
    out = project.run("specs")
    assert out.code == 1
    assert "fails on 40 of 40 rows" in out.case("[standard]")["properties"][0]["message"]


@pytest.mark.parametrize("props, fragment", [
    ("      - relation: {output: out, input: rows, expr: \"out.amount_usd == amount\"}\n",
     "amount is not a column"),
    ("      - relation: {output: out, input: rows, expr: \"out.amount_usd ==\"}\n",
     "is not an expression"),
    ("      - relation: {output: out, input: rows, expr: \"__import__('os')\"}\n",
     "names no column"),
    ("      - unchanged: {output: out, input: rows, colums: [amount]}\n", "colums"),
    ("      - unchanged: {output: out, input: rows, tolerance: -1}\n", "expected a number >= 0"),
    ("      - unchanged: {output: out, input: row}\n", "has no input 'row'"),
    ("      - row_count: {output: out, equals: [rows, other]}\n", "has no input 'other'"),
    ("      - part_rows: {output: out, min: 1}\n", "is one file"),
])
def test_malformed_relation_params_are_spec_errors(project, props, fragment):
    make(project, props=props)
    out = project.run("specs")
    assert out.code == 4, out.stdout + out.stderr
    message = out.stdout + out.stderr
    assert fragment in message and "rel.yaml:" in message, message


MERGE = '''
import sys
import pandas as pd

a = pd.read_csv(sys.argv[1])
b = pd.read_csv(sys.argv[2])
frames = [a, b]
BUG
pd.concat(frames, ignore_index=True).to_csv(sys.argv[3], index=False)
'''

MERGE_SPEC = '''
version: 1
pipeline: merge
defaults: {timeout: 60, seed: 3}
schemas:
  rows: {columns: {id: {type: int}, v: {type: float}}}
steps:
  merge:
    script: ../merge.py
    args: ["{inputs.a}", "{inputs.b}", "{outputs.out}"]
    inputs:
      a: {format: csv, schema: rows, rows: 7}
      b: {format: csv, schema: rows, rows: 5}
    outputs:
      out: {format: csv}
    properties:
      - row_count: {output: out, equals: [a, b]}
scenarios:
  standard: {rows: 10}
modes:
  isolation: {scenarios: [standard]}
'''


@pytest.mark.parametrize("bug, code", [("", 0), ("frames = frames[:1]", 1)])
def test_row_count_against_the_sum_of_inputs(project, bug, code):
    project.write("merge.py", MERGE.replace("BUG", bug))
    project.write("specs/merge.yaml", MERGE_SPEC)
    out = project.run("specs")
    assert out.code == code, out.stdout + out.stderr
    (prop,) = out.case("[standard]")["properties"]
    assert prop["ok"] is (code == 0)
    assert "rows of inputs 'a' (7) + 'b' (5)" in prop["message"]


SPLIT = '''
import os
import sys
import pandas as pd

frame = pd.read_csv(sys.argv[1])
frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
cut = int(len(frame) * 0.75)
BUG
for name, part in (("train", frame.iloc[:cut]), ("test", frame.iloc[cut:])):
    os.makedirs(os.path.join(sys.argv[2], name), exist_ok=True)
    part.to_csv(os.path.join(sys.argv[2], name, "part.csv"), index=False)
'''

SPLIT_SPEC = '''
version: 1
pipeline: split
defaults: {timeout: 60, seed: 3}
steps:
  split:
    script: ../split.py
    args: ["{inputs.rows}", "{outputs.parts}"]
    inputs:
      rows:
        format: csv
        schema: {columns: {id: {type: int, unique: true}, label: {type: int, isin: [0, 1]}}}
    outputs:
      parts: {format: csv, layout: "{split}/part.csv", split: [train, test]}
    properties:
PROPS
scenarios:
  standard: {rows: 400}
modes:
  isolation: {scenarios: [standard]}
'''


def make_split(project, bug: str, props: str) -> None:
    project.write("split.py", SPLIT.replace("BUG", bug))
    project.write("specs/split.yaml", SPLIT_SPEC.replace("PROPS\n", props))


BALANCE = "      - class_balance: {output: parts, column: label, tolerance: 0.1}\n"
SHARES = "      - part_rows: {output: parts, min: 1, shares: {train: 0.75, test: 0.25}, tolerance: 0.02}\n"


def test_a_shuffled_split_is_balanced_and_has_its_shares(project):
    make_split(project, "", BALANCE + SHARES)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    assert [p["ok"] for p in out.case("[standard]")["properties"]] == [True, True]


def test_class_balance_catches_a_split_of_sorted_rows(project):
    make_split(project, 'frame = frame.sort_values("label").reset_index(drop=True)', BALANCE)
    out = project.run("specs")
    assert out.code == 1, out.stdout + out.stderr
    (prop,) = out.case("[standard]")["properties"]
    assert prop["ok"] is False
    assert "test: label=1 is 1.000 of the rows" in prop["message"]


def test_part_rows_catches_an_empty_split(project):
    make_split(project, "cut = len(frame)", SHARES)
    out = project.run("specs")
    assert out.code == 1, out.stdout + out.stderr
    (prop,) = out.case("[standard]")["properties"]
    assert prop["ok"] is False
    assert "test/part.csv (0)" in prop["message"]
    assert "split 'test' holds 0.000 of the rows" in prop["message"]


def test_shares_must_name_splits_of_the_output(project):
    make_split(project, "", "      - part_rows: {output: parts, shares: {validation: 0.2}}\n")
    out = project.run("specs")
    assert out.code == 4
    assert "has no split 'validation'" in out.stdout + out.stderr

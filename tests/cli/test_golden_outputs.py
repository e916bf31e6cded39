"""Golden outputs end to end on real scripts: fixed inputs, expected rows, files and
snapshots, and what each check exists to catch (a wrong value, rows in another order,
an int column turned float, a snapshot that was never written)."""

from __future__ import annotations

import json

import pytest

SPEC = '''
version: 1
pipeline: g
defaults: {timeout: 60, seed: 3}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      amount: {type: float}
steps:
  double:
    script: double.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs:
      out:
        format: csv
        schema:
          columns:
            id: {type: int}
            amount: {type: float}
{n_column}modes:
  isolation: {scenarios: [golden]}
scenarios:
  golden:
    inputs:
      rows:
        rows:
          - {id: 1, amount: 2.5}
          - {id: 2, amount: 4.0}
          - {id: 3, amount: 0.25}
    expect:
      pass: true
      outputs:
        out:
{expected}
'''

ROWS = '''          rows:
            - {id: 1, amount: 5.0, n: 1}
            - {id: 2, amount: 8.0, n: 2}
            - {id: 3, amount: 0.5, n: 3}'''

SCRIPT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    frame["amount"] = frame["amount"] * 2
    frame["n"] = frame["id"]
    {body}
    frame.to_csv(output_paths["out"], index=False)
'''


def write(project, body: str = "pass", expected: str = ROWS, n_column: str = "            n: {type: int}\n") -> None:
    project.write("spec.yaml", SPEC.replace("{expected}", expected).replace("{n_column}", n_column))
    project.write("double.py", SCRIPT.replace("{body}", body))


def test_a_script_with_the_expected_rows_passes(project) -> None:
    write(project)
    outcome = project.run("spec.yaml")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("golden")["outcome"] == "passed"


def test_a_wrong_value_in_one_row_fails_with_the_changed_cell(project) -> None:
    write(project, body='frame.loc[frame["id"] == 2, "amount"] = 8.5')
    outcome = project.run("spec.yaml")
    assert outcome.code == 1, outcome.stdout
    case = outcome.case("golden")
    assert case["outcome"] == "failed" and case["classification"] == "EXPECTATION_ERROR"
    assert "1 changed row" in case["message"]
    assert "~ row 1: amount: 8.0 → 8.5" in outcome.stdout
    assert case["details"]["golden"]["out"][1] == "  ~ row 1: amount: 8.0 → 8.5"


def test_rows_in_another_order_pass_only_with_ignore_order_or_a_key(project) -> None:
    reverse = 'frame = frame.iloc[::-1]'
    write(project, body=reverse)
    outcome = project.run("spec.yaml")
    assert outcome.code == 1 and outcome.case("golden")["outcome"] == "failed"
    for option in ("          ignore_order: true", "          key: id"):
        write(project, body=reverse, expected=ROWS + "\n" + option)
        outcome = project.run("spec.yaml")
        assert outcome.code == 0, option + outcome.stdout


def test_an_int_column_written_as_float_fails_even_with_equal_values(project) -> None:
    # n is not declared by the output schema: its kind is what the script wrote
    write(project, body='frame["n"] = frame["n"].astype(float)', n_column="")
    outcome = project.run("spec.yaml")
    assert outcome.code == 1, outcome.stdout
    assert "column n: int expected, float found" in outcome.case("golden")["message"]
    write(project, n_column="")
    assert project.run("spec.yaml").code == 0


def test_extra_and_missing_rows_are_listed(project) -> None:
    write(project, body='frame = pd.concat([frame.iloc[1:], pd.DataFrame({"id": [9], "amount": [1.0], '
                        '"n": [9]})], ignore_index=True)', expected=ROWS + "\n          key: id")
    outcome = project.run("spec.yaml")
    assert outcome.code == 1
    assert "1 missing row; 1 extra row" in outcome.case("golden")["message"]
    assert "- {id: 1, amount: 5.0, n: 1}" in outcome.stdout
    assert "+ {id: 9, amount: 1.0, n: 9}" in outcome.stdout


def test_an_expected_file_is_read_in_the_port_format(project) -> None:
    project.write("expected.csv", "id,amount,n\n1,5.0,1\n2,8.0,2\n3,0.5,3\n")
    write(project, expected="          file: expected.csv")
    assert project.run("spec.yaml").code == 0
    write(project, body='frame.loc[0, "amount"] = 5.25', expected="          file: expected.csv")
    assert project.run("spec.yaml").code == 1


def test_a_missing_snapshot_fails_until_update_snapshots_writes_it(project) -> None:
    write(project, expected="          snapshot: doubled")
    outcome = project.run("spec.yaml")
    assert outcome.code == 1
    assert "snapshot 'doubled' does not exist" in outcome.case("golden")["message"]
    assert not (project.root / "__snapshots__").exists()      # never written silently

    outcome = project.run("spec.yaml", "--update-snapshots")
    assert outcome.code == 0, outcome.stdout
    assert "1 snapshot written" in outcome.stdout
    (snapshot,) = (project.root / "__snapshots__" / "spec").rglob("doubled.csv")
    assert snapshot.parent.name == "g__double_golden_"

    assert project.run("spec.yaml").code == 0     # now compared, and equal
    write(project, body='frame.loc[2, "amount"] = 7.0', expected="          snapshot: doubled")
    outcome = project.run("spec.yaml")
    assert outcome.code == 1 and "1 changed row" in outcome.case("golden")["message"]


def test_update_snapshots_still_fails_the_run_on_other_failures(project) -> None:
    write(project, body='frame["amount"] = -frame["amount"]',
          expected="          snapshot: doubled")
    declared = "            amount: {type: float}\n            n:"
    spec = (project.root / "spec.yaml").read_text().replace(
        declared, declared.replace("float}", "float, min: 0}"), 1)
    (project.root / "spec.yaml").write_text(spec)
    outcome = project.run("spec.yaml", "--update-snapshots")
    assert outcome.code == 1
    assert outcome.case("golden")["classification"] == "CONTRACT_ERROR"
    assert not (project.root / "__snapshots__").exists()


def test_a_changed_snapshot_is_rewritten_but_fails_until_accepted(project) -> None:
    write(project, expected="          snapshot: doubled")
    assert project.run("spec.yaml", "--update-snapshots").code == 0       # a new snapshot: written
    (snapshot,) = (project.root / "__snapshots__" / "spec").rglob("doubled.csv")
    write(project, body='frame.loc[2, "amount"] = 7.0', expected="          snapshot: doubled")

    outcome = project.run("spec.yaml", "--update-snapshots")
    assert outcome.code == 1, outcome.stdout          # a changed golden output is never a silent green
    case = outcome.case("golden")
    assert case["classification"] == "EXPECTATION_ERROR"
    assert "snapshot 'doubled' changed and was rewritten" in case["message"] and "--accept" in case["message"]
    assert "1 changed row" in case["message"]
    assert "7.0" in outcome.stdout                    # the diff is shown
    assert "1 snapshot written" in outcome.stdout and "snapshot rewritten" in outcome.stdout
    assert "7.0" in snapshot.read_text()              # rewritten all the same
    assert project.run("spec.yaml").code == 0         # the next plain run compares with the new one

    write(project, body='frame.loc[2, "amount"] = 9.0', expected="          snapshot: doubled")
    outcome = project.run("spec.yaml", "--accept")    # implies --update-snapshots; the change is wanted
    assert outcome.code == 0, outcome.stdout
    assert "1 snapshot written" in outcome.stdout and "9.0" in snapshot.read_text()

    outcome = project.run("spec.yaml", "--update-snapshots")
    assert outcome.code == 0 and "snapshot written" not in outcome.stdout   # unchanged: nothing rewritten
    assert "snapshots_written" not in json.dumps(outcome.record)


def test_accept_does_not_pass_a_case_that_fails_otherwise(project) -> None:
    write(project, expected="          snapshot: doubled")
    assert project.run("spec.yaml", "--update-snapshots").code == 0
    write(project, body='frame["amount"] = frame["amount"].astype(str) + "x"', expected="          snapshot: doubled")
    outcome = project.run("spec.yaml", "--accept")
    assert outcome.code == 1
    assert outcome.case("golden")["classification"] == "CONTRACT_ERROR"
    (snapshot,) = (project.root / "__snapshots__" / "spec").rglob("doubled.csv")
    assert "x" not in snapshot.read_text()            # a broken output is never accepted as golden


def test_a_value_that_does_not_fit_its_type_is_a_spec_error(project) -> None:
    write(project, expected=ROWS.replace("amount: 8.0", "amount: eight"))
    outcome = project.run("spec.yaml")
    assert outcome.code == 4
    assert "spec.yaml:" in outcome.stdout + outcome.stderr
    assert "expected a number for a float column, found 'eight'" in outcome.stdout + outcome.stderr


# -- docs/spec.md's example, run -------------------------------------------------

TOTALS = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    orders = pd.read_csv(input_paths["orders"], keep_default_na=False, na_values=[""])
    share = orders["coupon"].map(lambda c: {share}).astype(float)
    out = pd.DataFrame({"order_id": orders["order_id"], "total": orders["amount"] * share})
    out.iloc[::-1].to_csv(output_paths["totals"], index=False)      # any order: key / ignore_order
'''


def docs_example() -> str:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    example = re.search(r"<!-- golden-example:start -->\n```yaml\n(.*?)```", doc, re.S)
    assert example, "docs/spec.md lost its golden example"
    return example.group(1)


@pytest.mark.slow
def test_the_docs_example_runs_and_catches_a_wrong_total(project) -> None:
    project.write("spec.yaml", docs_example())
    project.write("scripts/totals.py", TOTALS.replace("{share}", '0.5 if c == "HALF" else 1.0'))
    outcome = project.run("spec.yaml")
    assert outcome.code == 1, outcome.stdout
    assert outcome.case("three_orders")["outcome"] == "passed"
    assert "snapshot 'totals' does not exist" in outcome.case("generated")["message"]
    outcome = project.run("spec.yaml", "--update-snapshots")
    assert outcome.code == 0, outcome.stdout
    assert "1 snapshot written" in outcome.stdout
    assert list((project.root / "__snapshots__" / "spec").glob("*/totals.csv"))
    assert project.run("spec.yaml").code == 0

    project.write("scripts/totals.py", TOTALS.replace("{share}", '0.5 if c == "HALF" else 0.9 if pd.isna(c) else 1.0'))
    outcome = project.run("spec.yaml")
    assert outcome.code == 1
    assert outcome.case("three_orders")["message"].endswith("2 changed rows (3 rows expected, 3 found)")
    assert "~ order_id=3: total: 0.3 → 0.27" in outcome.stdout
    assert "~ order_id=1: total: 10.0 → 9.0" in outcome.stdout
    assert outcome.case("generated")["outcome"] == "failed"


def test_the_docs_example_validates_against_the_json_schema() -> None:
    import jsonschema
    import strictyaml as sy

    from specrun.spec.jsonschema import generate
    from specrun.spec.values import generic_data

    data = generic_data(sy.dirty_load(docs_example(), sy.Any(), allow_flow_style=True).data)
    jsonschema.Draft202012Validator(generate()).validate(data)
    data["scenarios"]["three_orders"]["expect"]["outputs"]["totals"].pop("rows")
    errors = list(jsonschema.Draft202012Validator(generate()).iter_errors(data))
    assert errors       # one of rows, file, snapshot is required

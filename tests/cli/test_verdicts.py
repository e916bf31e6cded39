"""Verdicts end to end on real scripts: built-in properties fail their case in isolation
mode, an exception blames the script or the data by the input's validity, and the log
keys of ``expect`` see what the script really printed and warned (both executors)."""

from __future__ import annotations

import pytest

HEAD = '''
version: 1
pipeline: v
defaults: {timeout: 60, seed: 11}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 100}
      currency: {type: str, isin: [USD, EUR]}
'''

COPY_MAIN = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    {body}
    frame.to_csv(output_paths["out"], index=False)
'''


def step(name: str, script: str, properties: str = "") -> str:
    return f'''
  {name}:
    script: {script}
    call: main
    inputs: {{rows: {{format: csv, schema: rows}}}}
    outputs:
      out:
        format: csv
        schema:
          columns:
            id: {{type: int}}
            amount: {{type: float}}
            currency: {{type: str}}
{properties}'''


def write_steps(project, body_by_step: dict[str, str], properties: dict[str, str],
                scenarios: str, modes: str = "") -> None:
    spec = HEAD + "steps:" + "".join(
        step(name, f"{name}.py", properties.get(name, "")) for name in body_by_step) + scenarios + modes
    project.write("spec.yaml", spec)
    for name, body in body_by_step.items():
        project.write(f"{name}.py", COPY_MAIN.replace("{body}", body))


# -- built-in properties fail their case ---------------------------------------------

def test_row_count_and_unique_properties_fail_the_case_in_isolation(project) -> None:
    write_steps(
        project,
        {"drops_a_row": "frame = frame.iloc[1:]",
         "duplicates_ids": "frame['id'] = frame['id'].iloc[0]",
         "correct": "pass"},
        {"drops_a_row": "    properties:\n      - row_count: {output: out, equals: rows}\n",
         "duplicates_ids": "    properties:\n      - unique: {output: out, columns: [id]}\n",
         "correct": "    properties:\n      - row_count: {output: out, equals: rows}\n"
                    "      - unique: {output: out, columns: [id]}\n"},
        "scenarios:\n  standard: {rows: 20}\nmodes:\n  isolation: {scenarios: [standard]}\n")
    out = project.run("spec.yaml", "--mode", "isolation")
    assert out.code == 1, out.stdout + out.stderr
    dropped = out.case("drops_a_row[standard]")
    assert (dropped["outcome"], dropped["classification"]) == ("failed", "CONTRACT_ERROR")
    assert "property row_count" in dropped["message"]
    assert [p["ok"] for p in dropped["properties"]] == [False]
    duplicated = out.case("duplicates_ids[standard]")
    assert (duplicated["outcome"], duplicated["classification"]) == ("failed", "CONTRACT_ERROR")
    assert "property unique" in duplicated["message"]
    correct = out.case("correct[standard]")
    assert correct["outcome"] == "passed" and [p["ok"] for p in correct["properties"]] == [True, True]


# -- whom an exception blames ----------------------------------------------------------

def test_an_exception_blames_the_script_on_valid_input_and_the_data_on_invalid(project) -> None:
    write_steps(
        project,
        {"reads_amount": "frame['cents'] = frame['amount'] * 100",
         "divides": "frame['inverse'] = [1 / a for a in frame['amount']]"},
        {},
        '''scenarios:
  standard: {rows: 20}
  no_amount:
    rows: 5
    steps: [reads_amount]
    mutate: {rows: [{drop_columns: [amount]}]}
    expect: {fail: true, error: "KeyError: 'amount'", classification: DATA_ERROR}
  at_the_bounds:
    rows: 5
    steps: [divides]
    mutate: {rows: [{boundary: {columns: [amount]}}]}
modes:
  isolation: {scenarios: [standard, no_amount, at_the_bounds]}
''')
    out = project.run("spec.yaml", "--mode", "isolation")
    assert out.code == 1, out.stdout + out.stderr
    # a missing column the contract requires: the script's KeyError is a rejection
    rejected = out.case("reads_amount[no_amount]")
    assert rejected["outcome"] == "passed", rejected["message"]
    assert rejected["message"].startswith("failed as expected: DATA_ERROR: KeyError: 'amount' "
                                          "(at reads_amount.py:6 in main)")
    # boundary values (amount = 0) keep the contract: the ZeroDivisionError is the script's bug
    bounds = out.case("divides[at_the_bounds]")
    assert (bounds["outcome"], bounds["classification"]) == ("failed", "SCRIPT_ERROR")
    assert bounds["message"].startswith("ZeroDivisionError: ")
    assert bounds["message"].endswith("(at divides.py:6 in <listcomp>)")
    assert bounds["error"]["frame"] == "divides.py:6 in <listcomp>"


# -- log keys -------------------------------------------------------------------------

WARNING_SCRIPT = '''
import logging
import sys
import warnings

import pandas as pd

log = logging.getLogger("convert")


def main(input_paths, output_paths, environ_vars, job_args):
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")
    frame = pd.read_csv(input_paths["rows"])
    log.info("read %d rows", len(frame))
    warnings.warn("rates table is 3 days old", UserWarning)
    warnings.warn("old_rates() is deprecated", DeprecationWarning)   # ignored by Python's default filters
    print("done")
    frame.to_csv(output_paths["out"], index=False)
'''


@pytest.mark.parametrize("executor", ["fresh", "fork"])
def test_log_keys_see_real_logs_and_warnings(project, executor: str) -> None:
    write_steps(project, {"warner": "pass"}, {}, '''scenarios:
  logs_ok:
    rows: 7
    expect:
      pass: true
      stderr: '^INFO read 7 rows$'
      stdout: '^done$'
      no_stderr: '^ERROR'
      warns: ['UserWarning: 3 days old', DeprecationWarning]
  logs_wrong:
    rows: 7
    expect:
      pass: true
      no_stderr: '^INFO read'
  deprecation_unwanted:
    rows: 7
    expect: {pass: true, no_warns: 'DeprecationWarning: deprecated'}
  other_warning_wanted:
    rows: 7
    expect: {pass: true, warns: FutureWarning}
modes:
  isolation: {scenarios: [logs_ok, logs_wrong, deprecation_unwanted, other_warning_wanted]}
''')
    project.write("warner.py", WARNING_SCRIPT)
    out = project.run("spec.yaml", "--mode", "isolation", "--executor", executor)
    assert out.code == 1, out.stdout + out.stderr
    ok = out.case("warner[logs_ok]")
    assert ok["outcome"] == "passed", ok["message"]
    assert [(w["category"], w["message"]) for w in ok["warnings"]] == [
        ("UserWarning", "rates table is 3 days old"), ("DeprecationWarning", "old_rates() is deprecated")]
    assert ok["warnings"][0]["filename"].endswith("warner.py") and ok["warnings"][0]["lineno"] == 14
    wrong = out.case("warner[logs_wrong]")
    assert (wrong["outcome"], wrong["classification"]) == ("failed", "EXPECTATION_ERROR")
    assert wrong["message"] == ("succeeded, but not as expected: stderr matches '^INFO read': "
                                "'INFO read 7 rows'")
    unwanted = out.case("warner[deprecation_unwanted]")
    assert unwanted["outcome"] == "failed"
    assert "emitted DeprecationWarning: old_rates() is deprecated at warner.py:15" in unwanted["message"]
    other = out.case("warner[other_warning_wanted]")
    assert other["outcome"] == "failed"
    assert "no FutureWarning matching '.*' was emitted" in other["message"]


def test_a_users_pythonwarnings_is_respected(project) -> None:
    """With PYTHONWARNINGS set by the step, specrun adds no filter of its own."""
    write_steps(project, {"warner": "pass"}, {}, '''scenarios:
  ignored:
    rows: 3
    expect: {pass: true, no_warns: DeprecationWarning, warns: UserWarning}
modes:
  isolation: {scenarios: [ignored]}
''')
    project.write("spec.yaml", project.root.joinpath("spec.yaml").read_text().replace(
        "    call: main\n", "    call: main\n    env: {PYTHONWARNINGS: 'ignore::DeprecationWarning'}\n"))
    project.write("warner.py", WARNING_SCRIPT)
    out = project.run("spec.yaml", "--mode", "isolation")
    assert out.code == 0, out.stdout + out.stderr
    assert [w["category"] for w in out.case("warner[ignored]")["warnings"]] == ["UserWarning"]

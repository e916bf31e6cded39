"""specrun end to end through its command line, on small specs and real scripts."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SCRIPT = '''
"""Doubles amounts; rejects unknown currencies like a real processing script."""
import argparse
import os
import pandas as pd

KNOWN = {"USD", "EUR"}


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    ids, amounts = frame["id"], frame["amount"]   # a missing column is a KeyError: refused
    typed = not frame.empty   # an empty CSV column reads back without a dtype: no value to check
    if typed and (not pd.api.types.is_integer_dtype(ids) or ids.duplicated().any()):
        raise ValueError("ids must be unique integers")
    if typed and (not pd.api.types.is_float_dtype(amounts) or amounts.isna().any()
                  or not amounts.between(0, 100).all()):
        raise ValueError("amounts must be numbers in [0, 100]")
    bad = sorted(set(frame["currency"]) - KNOWN)
    if bad:
        raise ValueError(f"unknown currency code(s): {', '.join(bad)}")
    frame["doubled"] = frame["amount"] * float(environ_vars.get("FACTOR", "2"))
    frame.to_csv(output_paths["out"], index=False)


if __name__ == "__main__":
    main({}, {}, dict(os.environ), argparse.Namespace())
'''

SPEC = '''
version: 1
pipeline: demo
defaults: {timeout: 60, seed: 7}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 100}
      currency: {type: str, isin: [USD, EUR]}
steps:
  double:
    script: double.py
    call: main
    env: {FACTOR: "2"}
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out:
        format: csv
        schema:
          extends: rows
          columns:
            doubled: {type: float, min: 0, max: 200}
    properties:
      - row_count: {output: out, equals: rows}
scenarios:
  standard: {rows: 50}
  performance: {rows: 2000}
  bad_currency:
    rows: 5
    mutate: {rows: [{set: {currency: XXX}}]}
    expect: {fail: true, error: "unknown currency", classification: DATA_ERROR}
'''


def make(project, spec=SPEC, script=SCRIPT):
    project.write("specs/demo.yaml", spec.replace("script: double.py", "script: ../double.py"))
    project.write("double.py", script)


@pytest.mark.slow
def test_passing_spec_exit_0_with_record(project):
    make(project)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    ids = sorted(c["id"] for c in out.record["cases"] if "[negative:" not in c["id"])
    assert ids == ["demo::double[bad_currency]", "demo::double[edge_cases:boundary]",
                   "demo::double[edge_cases:empty]", "demo::double[edge_cases:single_row]",
                   "demo::double[performance]", "demo::double[standard]"]   # no nullable column: no all_null
    negative = [c for c in out.record["cases"] if "[negative:" in c["id"]]
    assert negative and all(c["outcome"] == "passed" for c in negative)   # the script refuses them all
    assert out.case("[bad_currency]")["outcome"] == "passed"
    assert "failed as expected" in out.case("[bad_currency]")["message"]
    standard = out.case("[standard]")
    assert standard["metrics"]["peak_rss_bytes"] > 0
    assert [v["rows"] for v in standard["validations"]] == [50]
    assert standard["properties"][0]["ok"] is True
    assert f"{6 + len(negative)} passed" in out.stdout


def test_default_path_is_specs(project):
    make(project)
    assert project.run("-k", "standard").code == 0


def test_failing_case_is_reported_with_replay_and_exit_1(project):
    make(project, script=SCRIPT.replace('float(environ_vars.get("FACTOR", "2"))', '-1.0'))
    out = project.run("specs", "-k", "standard")
    assert out.code == 1
    case = out.case("[standard]")
    assert case["outcome"] == "failed"
    assert case["classification"] == "CONTRACT_ERROR"
    assert any(f["column"] == "doubled" for v in case["validations"] for f in v["failures"])
    assert "FAILURES" in out.stdout and "replay: specrun" in out.stdout
    # the replay command reruns exactly that case with the same seed and the same data
    replay = shlex.split(case["replay"])
    assert replay[0] == "specrun"
    again = project.run(*replay[1:])
    assert again.code == 1
    assert [c["id"] for c in again.record["cases"]] == [case["id"]]
    assert again.record["cases"][0]["seed"] == case["seed"]
    assert again.record["cases"][0]["validations"] == case["validations"]


def test_expected_failure_that_does_not_happen_fails(project):
    fixed = 'frame.loc[~frame["currency"].isin(KNOWN), "currency"] = "USD"'
    make(project, script=SCRIPT.replace('raise ValueError(f"unknown currency code(s): {\', \'.join(bad)}")', fixed))
    out = project.run("specs", "-k", "bad_currency")
    assert out.code == 1
    case = out.case("[bad_currency]")
    assert case["classification"] == "EXPECTATION_ERROR"
    assert "but it succeeded" in case["message"]


def test_a_silent_pass_through_is_accepted_invalid_not_failed_as_expected(project):
    """The script no longer rejects XXX: it exits 0 and writes it on. specrun's own output
    check failing is not the failure `expect: fail` asked for."""
    make(project, script=SCRIPT.replace('raise ValueError(f"unknown currency code(s): {\', \'.join(bad)}")', 'pass'))
    out = project.run("specs", "-k", "bad_currency")
    assert out.code == 1
    case = out.case("[bad_currency]")
    assert (case["outcome"], case["classification"]) == ("failed", "ACCEPTED_INVALID")
    assert case["message"].startswith("the script exited 0 on invalid input; its output violates the contract: ")
    assert "currency" in case["message"] and "failed as expected" not in case["message"]


def test_bad_spec_is_one_line_exit_4(project):
    make(project, spec=SPEC.replace("unique: true", "unique: maybe"))
    out = project.run("specs")
    assert out.code == 4
    assert "Traceback" not in out.stdout + out.stderr
    error_lines = [line for line in out.stdout.splitlines() if line.startswith("ERROR")]
    assert len(error_lines) == 1
    assert "demo.yaml:7: schemas.rows.columns.id.unique" in error_lines[0]


def test_missing_script_is_a_spec_error(project):
    project.write("specs/demo.yaml", SPEC.replace("script: double.py", "script: ../nope.py"))
    out = project.run("specs")
    assert out.code == 4
    assert "steps.double.script" in out.stdout and "script not found" in out.stdout


def test_main_signature_is_checked_before_running(project):
    make(project, script=SCRIPT.replace("def main(input_paths, output_paths, environ_vars, job_args):",
                                        "def main(input_paths):"))
    out = project.run("specs")
    assert out.code == 4
    assert "steps.double.call" in out.stdout and "cannot be called" in out.stdout


def test_nothing_collected_exit_5(project):
    make(project)
    assert project.run("specs", "-k", "no_such_case").code == 5
    (project.root / "empty").mkdir()
    assert project.run("empty").code == 5


def test_collect_only_and_check_run_nothing(project):
    make(project)
    out = project.run("specs", "--collect-only")
    assert out.code == 0
    assert "demo::double[standard]" in out.stdout
    sandboxes = project.root / ".specrun" / "sandboxes"
    assert not sandboxes.exists() or not any(sandboxes.iterdir())
    out = project.run("check", "specs")
    assert out.code == 0
    assert "specs OK" in out.stdout


def test_junit_and_blocking_a_reporter(project):
    make(project)
    out = project.run("specs", "--junitxml", "report.xml", "-k", "standard or bad_currency")
    assert out.code == 0
    root = ET.parse(project.root / "report.xml").getroot()
    names = sorted(tc.get("name") for tc in root.iter("testcase"))
    assert names == ["double[bad_currency]", "double[standard]"]
    (project.root / "report.xml").unlink()
    out = project.run("specs", "--junitxml", "report.xml", "-k", "standard", "-p", "no:junit")
    assert out.code == 0
    assert not (project.root / "report.xml").exists()


@pytest.mark.slow
def test_parallel_jobs_give_the_same_results(project):
    make(project)
    serial = project.run("specs", "--seed", "3")
    parallel = project.run("specs", "--seed", "3", "-n", "2")
    assert serial.code == parallel.code == 0

    def summary(record):
        return sorted((c["id"], c["outcome"], c["seed"], [v["rows"] for v in c["validations"]])
                      for c in record["cases"])
    assert summary(serial.record) == summary(parallel.record)


def test_exitfirst_stops_after_first_failure(project):
    make(project, script=SCRIPT.replace("import pandas as pd", "import pandas as pd\nraise RuntimeError('boom')"))
    out = project.run("specs", "-x")
    assert out.code == 1
    assert len(out.record["cases"]) == 1


def test_python_dash_m_and_plugins_listing(project):
    out = project.run("plugins")
    assert out.code == 0
    assert "isolation" in out.stdout and "console" in out.stdout


def test_parametrize_gives_one_case_per_combination(project):
    spec = SPEC + """  sizes:
    parametrize:
      rows: [5, 7]
      env.FACTOR: ["1", "2"]
"""
    make(project, spec=spec)
    out = project.run("specs", "--scenario", "sizes")
    assert out.code == 0, out.stdout
    cases = {c["id"]: c for c in out.record["cases"]}
    assert sorted(cases) == [
        "demo::double[sizes-rows=5-env.FACTOR=1]", "demo::double[sizes-rows=5-env.FACTOR=2]",
        "demo::double[sizes-rows=7-env.FACTOR=1]", "demo::double[sizes-rows=7-env.FACTOR=2]"]
    for case_id, case in cases.items():
        assert case["params"]["rows"] == int(case_id.split("rows=")[1].split("-")[0])
        assert [v["rows"] for v in case["validations"]] == [case["params"]["rows"]]


def test_parametrized_factor_reaches_the_script(project):
    spec = SPEC + """  sizes:
    parametrize:
      env.FACTOR: ["2", "5"]
"""
    make(project, spec=spec)
    out = project.run("specs", "--scenario", "sizes")
    # doubled is bounded by 200 = 2 * max amount: factor 5 breaks the output contract
    assert out.code == 1
    assert out.case("env.FACTOR=2")["outcome"] == "passed"
    failed = out.case("env.FACTOR=5")
    assert failed["outcome"] == "failed" and failed["classification"] == "CONTRACT_ERROR"


def test_blocking_a_mode_plugin_leaves_the_mode_out(project):
    make(project, spec=SPEC + "modes:\n  isolation: {scenarios: [standard]}\n  pipeline: {}\n")
    out = project.run("specs", "-p", "no:pipeline")
    assert out.code == 0, out.stdout
    assert {c["mode"] for c in out.record["cases"]} == {"isolation"}
    out = project.run("specs")
    assert {c["mode"] for c in out.record["cases"]} == {"isolation", "pipeline"}


def test_a_misspelt_mode_is_a_spec_error(project):
    make(project, spec=SPEC + "modes:\n  isolaton: {}\n")
    out = project.run("specs")
    assert out.code == 4
    assert "unknown mode(s) isolaton" in out.stdout


def test_an_unknown_executor_is_a_usage_error(project):
    make(project)
    out = project.run("specs", "--executor", "bogus")
    assert out.code == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert out.stderr.strip() == "specrun: error: --executor bogus: unknown executor (known: dask, fork, fresh)"


def test_an_unknown_default_executor_is_a_spec_error(project):
    make(project, spec=SPEC.replace("defaults: {timeout: 60, seed: 7}",
                                    "defaults: {timeout: 60, seed: 7, executor: bogus}"))
    out = project.run("specs")
    assert out.code == 4, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "demo.yaml:3: defaults.executor: unknown executor 'bogus'" in out.stdout


PRELOAD_PROBE = '''
import sys
PANDAS_WAS_LOADED = "pandas" in sys.modules   # true only in a fork of the warm parent
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    pd.DataFrame({"forked": [PANDAS_WAS_LOADED]}).to_csv(output_paths["out"], index=False)
'''


def test_defaults_executor_chooses_how_isolation_cases_run(project):
    spec = """
version: 1
pipeline: probe
defaults: {executor: EXECUTOR}
steps:
  probe:
    script: ../probe.py
    call: main
    outputs: {out: {format: csv}}
scenarios:
  standard: {}
modes:
  isolation: {scenarios: [standard]}
"""
    project.write("probe.py", PRELOAD_PROBE)
    for executor, forked in (("fork", "True"), ("fresh", "False")):
        project.write("specs/probe.yaml", spec.replace("EXECUTOR", executor))
        out = project.run("specs", "--keep-sandboxes")
        assert out.code == 0, out.stdout
        workdir = out.case("[standard]")["workdir"]
        assert (Path(workdir) / "output" / "out.csv").read_text().split() == ["forked", forked]
    # --executor wins over the spec's default
    out = project.run("specs", "--keep-sandboxes", "--executor", "fork")
    assert (Path(out.case("[standard]")["workdir"]) / "output" / "out.csv").read_text().split() == ["forked", "True"]


def test_a_missing_path_is_one_line_exit_4(project):
    run = project.run("no_such_dir/")
    assert run.code == 4, run.stdout + run.stderr
    assert run.stderr == "specrun: no_such_dir: file or directory not found\n" and run.stdout == ""


def test_no_specs_folder_is_one_line_exit_4(project):
    run = project.run()   # the default path, specs/, does not exist here
    assert run.code == 4, run.stdout + run.stderr
    assert run.stderr == "specrun: specs: file or directory not found\n" and run.stdout == ""

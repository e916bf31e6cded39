"""The limits that applied to each run are in the JSON record, decided by the one precedence rule."""

from __future__ import annotations

SCRIPT = '''
import os
import time

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    if environ_vars.get("NAP"):
        time.sleep(float(environ_vars["NAP"]))
    frame.to_csv(output_paths["out"], index=False)
'''

SPEC = '''
version: 1
pipeline: lim
defaults: {timeout: 60, memory_limit: 3GB, seed: 1}
schemas:
  rows:
    columns:
      id: {type: int}
steps:
  first:
    script: ../pass_rows.py
    call: main
    memory_limit: 2GB
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv, schema: rows}
  second:
    script: ../pass_rows.py
    call: main
    inputs:
      rows: {from: first.out}
    outputs:
      out: {format: csv, schema: rows}
scenarios:
  standard: {rows: 5}
  tight: {rows: 5, timeout: 45, memory_limit: 1GB}
modes:
  isolation: {scenarios: [standard, tight], timeout: 50}
  pipeline: {timeout_per_step: 40}
'''


def limits(case: dict) -> tuple[float | None, int | None]:
    return case["metrics"]["timeout_s"], case["metrics"]["memory_limit_bytes"]


def test_every_run_records_the_limits_that_applied(project):
    project.write("pass_rows.py", SCRIPT)
    project.write("specs/lim.yaml", SPEC)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    isolation = {c["id"]: limits(c) for c in out.record["cases"] if c["mode"] == "isolation"}
    assert isolation == {
        "lim::first[standard]": (50.0, 2 * 10**9),    # mode option over defaults; the step's memory
        "lim::first[tight]": (45.0, 10**9),           # the scenario over everything
        "lim::second[standard]": (50.0, 3 * 10**9),   # defaults' memory
        "lim::second[tight]": (45.0, 10**9),
    }
    steps = {c["step"]: limits(c) for c in out.record["cases"] if c["mode"] == "pipeline" and c["kind"] == "step"}
    assert steps == {"first": (40.0, 2 * 10**9), "second": (40.0, 3 * 10**9)}


def test_the_recorded_timeout_is_the_one_enforced(project):
    project.write("pass_rows.py", SCRIPT)
    project.write("specs/lim.yaml", SPEC.replace("    call: main\n    memory_limit: 2GB\n",
                                                 "    call: main\n    env: {NAP: '120'}\n")
                  .replace("timeout: 50}", "timeout: 1}"))
    out = project.run("specs", "--mode", "isolation", "-k", "first and standard")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("first[standard]")
    assert case["classification"] == "TIMEOUT"
    assert limits(case) == (1.0, 3 * 10**9)

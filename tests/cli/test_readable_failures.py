"""Readable failures: identical failures grouped, tracebacks folded at the script, counts that add up."""

from __future__ import annotations

import re

# One KeyError on a renamed column (raised inside pandas, caused by the script's line 5),
# and, on tiny inputs, a different failure from another line.
SCRIPT = '''
import pandas as pd


def convert(frame):
    return frame["amt"] * 2


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    if len(frame) < 5:
        raise ValueError("too few rows to convert")
    frame["doubled"] = convert(frame)
    frame.to_csv(output_paths["out"], index=False)
'''

SPEC = '''
version: 1
pipeline: demo
defaults: {timeout: 60, seed: 7}
steps:
  double:
    script: ../step.py
    call: main
    inputs:
      rows:
        format: csv
        schema:
          columns:
            amount: {type: float, min: 0, max: 100}
    outputs:
      out: {format: csv}
scenarios:
  standard: {rows: 20}
  medium: {rows: 50}
  big: {rows: 200}
  tiny: {rows: 2}
modes:
  isolation: {scenarios: [standard, medium, big, tiny]}
'''


def make(project, script=SCRIPT):
    project.write("specs/demo.yaml", SPEC)
    project.write("step.py", script)


def blocks(stdout: str) -> list[str]:
    """The FAILURES section split into its blocks (each starts with a ``____ id ____`` rule)."""
    section = stdout.split("FAILURES", 1)[1]
    return [b for b in re.split(r"\n_{3,} ", section)[1:]]


def test_identical_failures_are_one_block_listing_every_case(project):
    make(project)
    out = project.run("specs")
    assert out.code == 1
    same = ["demo::double[standard]", "demo::double[medium]", "demo::double[big]"]
    for case_id in same:
        case = out.case(case_id)
        assert case["classification"] and case["message"] == "KeyError: 'amt' (at step.py:5 in convert)"
    # one block for the KeyError (listing the three cases), one for the ValueError
    found = blocks(out.stdout)
    assert len(found) == 2, out.stdout
    assert "3 cases failed the same way:" in found[0]
    assert all(f"  {case_id}" in found[0] for case_id in same)
    assert "too few rows" in found[1] and "failed the same way" not in found[1]
    assert out.stdout.count("KeyError: 'amt'") == 2     # the block's headline and its traceback's last line
    groups = out.record["failure_groups"]
    assert [g["cases"] for g in groups] == [same, ["demo::double[tiny]"]]
    assert groups[0]["script_frame"]["function"] == "convert"
    assert groups[0]["script_frame"]["line"] == 5
    assert groups[1]["script_frame"]["line"] == 11
    assert "3 failed, 1" not in out.stdout and "4 failed" in out.stdout   # every case is still counted


def test_traceback_starts_at_the_script_and_folds_library_frames(project):
    make(project)
    out = project.run("specs", "-k", "standard")
    assert out.code == 1
    frames = out.case("[standard]")["error"]["frames"]
    user = [(f["function"], f["line"]) for f in frames if f["is_user_script"]]
    assert user == [("main", 12), ("convert", 5)]
    library = [f for f in frames if not f["is_user_script"]]
    assert library and all("pandas" in f["file"] for f in library)
    text = out.stdout
    assert re.search(r"in the script: \S*step\.py:5 in convert: return frame\[\"amt\"\] \* 2", text), text
    assert re.search(r"… \d+ library frames? \(pandas/core/", text), text
    assert 'pandas/core/frame.py", line' not in text          # folded, not printed frame by frame
    assert text.index('step.py", line 12, in main') < text.index("  … ")
    verbose = project.run("specs", "-k", "standard", "-v")
    assert 'pandas/core/frame.py", line' in verbose.stdout     # -v: the traceback as recorded


PIPELINE_SPEC = '''
version: 1
pipeline: flow
defaults: {timeout: 60, seed: 3}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 10}
steps:
  first:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv, schema: rows}
  second:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {from: first.out}
    outputs:
      out: {format: csv, schema: rows}
scenarios:
  standard: {rows: 10}
modes:
  isolation: {enabled: false}
  pipeline: {scenario: standard}
'''

COPY = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    pd.read_csv(input_paths["rows"]).to_csv(output_paths["out"], index=False)
'''


def test_pipeline_transitions_are_collected_listed_and_counted(project):
    project.write("specs/flow.yaml", PIPELINE_SPEC)
    project.write("copy_rows.py", COPY)
    listed = project.run("specs", "--collect-only")
    assert listed.code == 0, listed.stdout + listed.stderr
    assert "collected 3 cases from 1 spec (pipeline: 3)" in listed.stdout
    ids = [line.strip() for line in listed.stdout.splitlines() if line.startswith("  flow::")]
    assert ids == ["flow::pipeline::first", "flow::pipeline::first.out->second.rows", "flow::pipeline::second"]
    out = project.run("specs")
    assert out.code == 0, out.stdout
    assert "collected 3 cases" in out.stdout and "3 passed" in out.stdout
    assert out.record["collected"] == 3 == sum(out.record["counts"].values())
    assert sorted(c["id"] for c in out.record["cases"]) == sorted(ids)


def test_selecting_a_step_collects_its_incoming_transition(project):
    project.write("specs/flow.yaml", PIPELINE_SPEC)
    project.write("copy_rows.py", COPY)
    listed = project.run("specs", "--collect-only", "--step", "second")
    assert "collected 2 cases" in listed.stdout
    assert "  flow::pipeline::first.out->second.rows" in listed.stdout
    assert "  flow::pipeline::second" in listed.stdout

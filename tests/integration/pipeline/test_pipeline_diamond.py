"""A diamond DAG end to end: independent branches run at the same time (proved by the
timestamps the branch scripts write), or one at a time with ``execution: sequential``."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET

# A branch: records when it started, waits until the other branch has started too
# (at most WAIT seconds), records when it ended.  Run in parallel, both see each other;
# run one at a time, the first waits in vain - so the intervals prove what happened.
BRANCH = '''
import json
import os
import time
from pathlib import Path

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    started = time.time()
    rendezvous = Path(environ_vars["RENDEZVOUS"])
    (rendezvous / environ_vars["NAME"]).write_text(str(started))
    other = rendezvous / environ_vars["OTHER"]
    give_up = time.monotonic() + float(environ_vars["WAIT"])
    while not other.exists() and time.monotonic() < give_up:
        time.sleep(0.02)
    frame = pd.read_csv(input_paths["base"])
    frame["branch"] = environ_vars["NAME"]
    frame.to_csv(output_paths["part"], index=False)
    Path(output_paths["times"]).write_text(json.dumps({"start": started, "end": time.time()}))
'''

SPEC = '''
version: 1
pipeline: diamond
defaults: {timeout: 60, seed: 3}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 100}
      cat: {type: str, isin: [a, b]}
  parts:
    extends: rows
    columns:
      branch: {type: str, isin: [left, right]}
  joined:
    extends: parts
    columns:
      id: {type: int, unique: false}
steps:
  source:
    script: ../copy_step.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      base: {format: csv, schema: rows}
  left:
    script: ../branch.py
    call: main
    env: {NAME: left, OTHER: right, RENDEZVOUS: "{{rv}}", WAIT: "{{wait}}"}
    inputs:
      base: {from: source.base}
    outputs:
      part: {format: csv, schema: parts}
      times: {format: json}
  right:
    script: ../branch.py
    call: main
    env: {NAME: right, OTHER: left, RENDEZVOUS: "{{rv}}", WAIT: "{{wait}}"}
    inputs:
      base: {from: source.base}
    outputs:
      part: {format: csv, schema: parts}
      times: {format: json}
  join:
    script: ../copy_step.py
    call: main
    inputs:
      left: {from: left.part}
      right: {from: right.part}
    outputs:
      joined: {format: csv, schema: joined}
scenarios:
  standard: {rows: 40}
modes:
  pipeline: {execution: {{execution}}, max_parallel: 2}
'''


def make(project, execution: str, wait: float) -> None:
    rendezvous = project.root / "rendezvous"
    rendezvous.mkdir()
    project.write("branch.py", BRANCH)
    project.write("specs/diamond.yaml", SPEC, rv=rendezvous, wait=wait, execution=execution)


def intervals(project) -> dict[str, tuple[float, float]]:
    out = {}
    for branch in ("left", "right"):
        times = json.loads(project.kept("diamond", branch, "times.json").read_text())
        out[branch] = (times["start"], times["end"])
    return out


def test_parallel_branches_overlap_and_every_edge_is_a_case(pipeline_project):
    pipeline_project.extra_env["SPECRUN_ISOLATION"] = "process"   # the steps share a file outside their sandboxes
    make(pipeline_project, "parallel", wait=60)
    junit = pipeline_project.root / "junit.xml"
    out = pipeline_project.run("specs", "--mode", "pipeline", "--junitxml", str(junit))
    assert out.code == 0, out.output
    steps = {c["step"]: c for c in out.record["cases"] if c["kind"] == "step"}
    transitions = {c["id"].split("::")[-1]: c for c in out.record["cases"] if c["kind"] == "transition"}
    assert set(steps) == {"source", "left", "right", "join"}
    assert set(transitions) == {"source.base->left.base", "source.base->right.base",
                                "left.part->join.left", "right.part->join.right"}
    assert all(c["outcome"] == "passed" for c in out.record["cases"])
    assert {t["details"]["handoff"] for t in transitions.values()} == {"hardlink"}
    assert transitions["left.part->join.left"]["details"]["rows"] == 40
    # the branches' own clocks: each started before the other ended
    (left_start, left_end), (right_start, right_end) = intervals(pipeline_project).values()
    assert max(left_start, right_start) < min(left_end, right_end)
    record = out.pipeline("diamond")
    assert record["execution"] == "parallel" and record["max_parallel"] == 2
    assert record["critical_path"][0] == "source" and record["critical_path"][-1] == "join"
    assert record["bottleneck"] in record["critical_path"]
    # the evolution: every port profiled, the join gains the two branches' rows
    evolution = record["evolution"]
    assert [p["port"] for p in evolution["initial_profiles"]] == ["source.rows"]
    assert [p["port"] for p in evolution["final_profiles"]] == ["join.joined"]
    assert evolution["final_profiles"][0]["rows"] == 80
    joined = [t for t in evolution["transformations"] if t["target"] == "join.joined"]
    assert {t["source"] for t in joined} == {"join.left", "join.right"}
    assert all(t["rows_added"] == 40 for t in joined)
    # JUnit: one testcase per step and per transition
    cases = ET.parse(junit).getroot().iter("testcase")
    kinds = sorted(case.get("classname").rsplit(".", 1)[-1] for case in cases)
    assert kinds == ["step"] * 4 + ["transition"] * 4
    # the console: one line per step with its time, and the critical path
    assert "pipeline diamond: parallel (max 2)" in out.stdout
    assert "critical path: source -> " in out.stdout and "bottleneck:" in out.stdout


def test_sequential_runs_one_step_at_a_time(pipeline_project):
    pipeline_project.extra_env["SPECRUN_ISOLATION"] = "process"   # the steps share a file outside their sandboxes
    make(pipeline_project, "sequential", wait=0)
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 0, out.output
    spans = intervals(pipeline_project)
    assert spans["left"][1] <= spans["right"][0]      # left (first by name) ended before right started
    steps = out.pipeline("diamond")["steps"]
    assert [s["step"] for s in steps] == ["source", "left", "right", "join"]
    assert all(a["finished_s"] <= b["started_s"] for a, b in itertools.pairwise(steps))

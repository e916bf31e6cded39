"""A failing middle step stops the pipeline or only its descendants; the pipeline deadline
skips steps that could not start; a cyclic DAG is a spec error."""

from __future__ import annotations

# a -> b -> d  and  a -> c -> e; b fails
SPEC = '''
version: 1
pipeline: branches
defaults: {timeout: 60, seed: 5}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 1}
steps:
  a:
    script: ../copy_step.py
    call: main
    {{a_env}}
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  b:
    script: ../copy_step.py
    call: main
    env: {FAIL: "b cannot cope"}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: csv, schema: rows}}
  c:
    script: ../copy_step.py
    call: main
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: csv, schema: rows}}
  d:
    script: ../copy_step.py
    call: main
    inputs: {rows: {from: b.out}}
    outputs: {out: {format: csv, schema: rows}}
  e:
    script: ../copy_step.py
    call: main
    inputs: {rows: {from: c.out}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 10}
modes:
  pipeline: {{options}}
'''

SLEEPER = '''
import time


def main(input_paths, output_paths, environ_vars, job_args):
    time.sleep(60)
'''


def outcomes(out) -> dict[str, str]:
    return {c["step"]: c["outcome"] for c in out.record["cases"] if c["kind"] == "step"}


def test_continue_on_failure_skips_only_the_descendants(pipeline_project):
    pipeline_project.write("specs/branches.yaml", SPEC, a_env="", options="{continue_on_failure: true}")
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 1, out.output
    assert outcomes(out) == {"a": "passed", "b": "failed", "c": "passed", "d": "skipped", "e": "passed"}
    assert out.case("b")["classification"] == "SCRIPT_ERROR"     # its hand-off was valid
    assert out.case("d")["message"] == "skipped: upstream step b failed"
    assert out.case("b.out->d.rows")["outcome"] == "skipped"
    assert out.pipeline("branches")["stopped"] is None
    # a failed step keeps no outputs for --from; the others do
    assert not (pipeline_project.root / ".specrun/pipeline/branches/b").exists()
    assert pipeline_project.kept("branches", "e", "out.csv").is_file()


def test_without_continue_on_failure_the_first_failure_stops_the_run(pipeline_project):
    options = "{continue_on_failure: false, execution: sequential}"
    pipeline_project.write("specs/branches.yaml", SPEC, a_env="", options=options)
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 1, out.output
    assert outcomes(out) == {"a": "passed", "b": "failed", "c": "skipped", "d": "skipped", "e": "skipped"}
    reason = "skipped: pipeline stopped after step b failed (continue_on_failure: false)"
    assert out.case("c")["message"] == out.case("e")["message"] == reason
    assert out.case("d")["message"] == "skipped: upstream step b failed"
    assert out.pipeline("branches")["stopped"] == reason.removeprefix("skipped: ")
    assert "stopped: pipeline stopped after step b failed" in out.stdout


def test_steps_not_started_before_the_pipeline_deadline_are_skipped(pipeline_project):
    # a sleeps far past max_pipeline_time: its timeout is capped at the deadline, and c
    # (independent of a, but after it in a sequential run) cannot start in time
    pipeline_project.write("sleeper.py", SLEEPER)
    spec = SPEC.replace("script: ../copy_step.py\n    call: main\n    {{a_env}}",
                        "script: ../sleeper.py\n    call: main")
    spec = spec.replace("c:\n    script: ../copy_step.py\n    call: main\n    inputs: {rows: {from: a.out}}",
                        "c:\n    script: ../copy_step.py\n    call: main\n"
                        "    inputs: {rows: {format: csv, schema: rows}}")
    options = "{continue_on_failure: true, execution: sequential, max_pipeline_time: 1s}"
    pipeline_project.write("specs/branches.yaml", spec, options=options)
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 1, out.output
    a = out.case("a")
    assert a["classification"] == "TIMEOUT" and "capped by max_pipeline_time" in a["message"]
    assert out.case("c")["message"] == "skipped: max_pipeline_time (1.0s) reached before it started"
    assert out.case("b")["message"] == "skipped: upstream step a failed"


def test_a_cycle_is_a_spec_error(pipeline_project):
    cyclic = SPEC.replace("inputs: {rows: {format: csv, schema: rows}}", "inputs: {rows: {from: e.out}}", 1)
    pipeline_project.write("specs/branches.yaml", cyclic, a_env="", options="{}")
    out = pipeline_project.run("check", "specs", "--mode", "pipeline")
    assert out.code == 4, out.output
    assert "cycle" in out.stdout and "branches.yaml:" in out.stdout

"""`specrun --from STEP` reruns STEP and its descendants on the outputs kept by the last
run; selecting a step runs it with the ancestors it needs."""

from __future__ import annotations

import pandas as pd
import pytest

# a -> b -> c; a stamps its rows with a random token, so a rerun of a would show
SPEC = '''
version: 1
pipeline: chain
defaults: {timeout: 60, seed: 9}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 1}
  stamped:
    extends: rows
    columns:
      token: {type: str}
steps:
  a:
    script: ../copy_step.py
    call: main
    env: {NAME: a, LOG: "{{log}}", TOKEN: "yes"}
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: stamped}}
  b:
    script: ../copy_step.py
    call: main
    env: {NAME: b, LOG: "{{log}}"}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: parquet, schema: stamped}}
  c:
    script: ../copy_step.py
    call: main
    env: {NAME: c, LOG: "{{log}}"}
    inputs: {rows: {from: b.out}}
    outputs: {out: {format: csv, schema: stamped}}
scenarios:
  standard: {rows: 15}
modes:
  isolation: {scenarios: [standard]}
  pipeline: {}
'''


def make(project, spec: str = SPEC) -> None:
    project.write("specs/chain.yaml", spec, log=project.root / "runs.log")


def runs(project) -> list[str]:
    return (project.root / "runs.log").read_text().split()


@pytest.mark.slow
def test_resume_from_a_step_reuses_the_kept_upstream_outputs(pipeline_project):
    pipeline_project.extra_env["SPECRUN_ISOLATION"] = "process"   # the steps share a file outside their sandboxes
    make(pipeline_project)
    first = pipeline_project.run("specs")        # isolation and pipeline
    assert first.code == 0, first.output
    token = pd.read_csv(pipeline_project.kept("chain", "a", "out.csv"))["token"].unique().tolist()
    assert len(token) == 1
    log_before = runs(pipeline_project)

    again = pipeline_project.run("specs", "--from", "b")
    assert again.code == 0, again.output
    assert runs(pipeline_project)[len(log_before):] == ["b", "c"]        # a did not run again
    assert {c["mode"] for c in again.record["cases"]} == {"pipeline"}
    a = again.case("pipeline::a")
    assert a["outcome"] == "skipped" and a["message"] == "not rerun: --from b reuses its kept outputs"
    assert again.case("a.out->b.rows")["outcome"] == "passed"
    # b ran on the rows a kept from the first run
    assert pd.read_parquet(pipeline_project.kept("chain", "b", "out.parquet"))["token"].unique().tolist() == token
    record = again.pipeline("chain")
    assert record["from_step"] == "b"
    assert [s["step"] for s in record["steps"] if s["reused"]] == ["a"]

    # the spec changes what a writes: its kept output no longer fits
    make(pipeline_project, SPEC.replace("token: {type: str}", "token: {type: str, nullable: true}"))
    changed = pipeline_project.run("specs", "--from", "b")
    assert changed.code == 2
    assert "the spec changed output a.out" in changed.stderr


def test_resume_needs_kept_outputs_and_a_known_step(pipeline_project):
    pipeline_project.extra_env["SPECRUN_ISOLATION"] = "process"   # the steps share a file outside their sandboxes
    make(pipeline_project)
    fresh = pipeline_project.run("specs", "--from", "c")
    assert fresh.code == 2 and "step 'b' has no kept outputs" in fresh.stderr
    unknown = pipeline_project.run("specs", "--from", "nope")
    assert unknown.code == 2 and "no collected pipeline has a step 'nope'" in unknown.stderr


def test_selecting_a_step_runs_the_ancestors_it_needs(pipeline_project):
    pipeline_project.extra_env["SPECRUN_ISOLATION"] = "process"   # the steps share a file outside their sandboxes
    make(pipeline_project)
    out = pipeline_project.run("specs", "--mode", "pipeline", "--step", "b")
    assert out.code == 0, out.output
    assert runs(pipeline_project) == ["a", "b"]
    assert sorted(c["id"].split("::")[-1] for c in out.record["cases"]) == ["a", "a.out->b.rows", "b"]

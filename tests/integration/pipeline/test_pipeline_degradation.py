"""Data evolution of a real run: a step that nulls out a column is a degradation point,
with the thresholds of `modes.pipeline.degradation`, in the JSON record and on the console."""

from __future__ import annotations

SPEC = '''
version: 1
pipeline: quality
defaults: {timeout: 60, seed: 2}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      score: {type: float, min: 0, max: 1}
      label: {type: str, isin: [x, y, z]}
  nulled:
    extends: rows
    columns:
      score: {type: float, nullable: true}
steps:
  load:
    script: ../copy_step.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: parquet, schema: rows}}
  clean:
    script: ../copy_step.py
    call: main
    env: {NULL_COLUMN: score}
    inputs: {rows: {from: load.out}}
    outputs: {out: {format: parquet, schema: nulled}}
scenarios:
  standard: {rows: 30}
modes:
  pipeline: {degradation: {null_rate_up_points: 20, collapse_to_one_value: false}}
'''


def test_a_step_nulling_a_column_is_a_degradation_point(pipeline_project):
    pipeline_project.write("specs/quality.yaml", SPEC)
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 0, out.output           # the contracts allow it: a quality finding, not a failure
    evolution = out.pipeline("quality")["evolution"]
    points = evolution["degradation_points"]
    # the column's null rate jumps, and its distinct values vanish with it; nothing else
    assert sorted((p["step"], p["kind"], p["column"]) for p in points) == [
        ("clean", "distinct_drop", "score"), ("clean", "null_rate", "score")]
    nulls = next(p for p in points if p["kind"] == "null_rate")
    assert nulls["transformation"] == "clean.rows -> clean.out"
    assert (nulls["before"], nulls["after"], nulls["threshold"]) == (0.0, 1.0, 20)
    inside = [t for t in evolution["transformations"] if t["kind"] == "step" and t["step"] == "clean"]
    change = {c["column"]: c for c in inside[0]["column_changes"]}
    assert change["score"]["null_rate_change_points"] == 100.0
    assert change["label"]["null_rate_change_points"] == 0.0
    handoff = [t for t in evolution["transformations"] if t["kind"] == "handoff"]
    assert [(t["source"], t["target"], t["rows_dropped"]) for t in handoff] == [("load.out", "clean.rows", 0)]
    profiles = {q["port"] for q in evolution["quality_metrics"]}
    assert profiles == {"load.rows", "load.out", "clean.rows", "clean.out"}
    assert "degradation points (2)" in out.stdout and "null rate rose 100.0 points" in out.stdout


def test_bad_degradation_thresholds_are_a_spec_error(pipeline_project):
    pipeline_project.write("specs/quality.yaml", SPEC.replace("null_rate_up_points: 20", "null_rate_up: 20"))
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 4
    assert "modes.pipeline.degradation.null_rate_up" in out.stdout and "unknown threshold" in out.stdout

"""Pipeline runs per scenario and per parametrize combination (issue 11 point 4), through
real ``python -m specrun`` runs of docs/spec.md's example: each run has its own ids,
kept outputs, record and history entries; ``--scenario``, ``-k`` and ``--from`` act per run."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"

IMPUTE = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["raw"])
    frame["amount"] = frame["amount"].fillna(frame["amount"].median())
    frame.to_csv(output_paths["clean"], index=False)
'''

# broken in one way: it assumes some amounts are missing (divides by their count)
IMPUTE_NEEDS_NULLS = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["raw"])
    missing = int(frame["amount"].isna().sum())
    share = len(frame) // missing          # ZeroDivisionError when nothing is missing
    frame["amount"] = frame["amount"].fillna(frame["amount"].median())
    frame.to_csv(output_paths["clean"], index=False)
    print("one in", share, "was missing")
'''

SUMMARISE = '''
import json
import os

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["clean"])
    job = getattr(job_args, "job_type", None)
    with open(output_paths["summary"], "w") as fh:
        json.dump({"rows": len(frame), "job_type": job, "total": float(frame["amount"].sum())}, fh)
    with open(os.environ["RUNS_LOG"], "a") as log:
        log.write(f"summarise:{job}\\n")
'''

RUNS = ("standard", "no_nulls", "jobs-job_args.job_type=training", "jobs-job_args.job_type=validation")


def example() -> str:
    found = re.search(r"<!-- pipeline-runs-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its pipeline runs example"
    return found.group(1)


def make(project, impute: str = IMPUTE, spec: str | None = None) -> None:
    spec = (spec or example()).replace("call: main\n    inputs: {clean",
                             'call: main\n    env: {RUNS_LOG: "%s"}\n    inputs: {clean' % (project.root / "runs.log"))
    assert "RUNS_LOG" in spec
    project.write("spec.yaml", spec)
    project.write("scripts/impute.py", impute)
    project.write("scripts/summarise.py", SUMMARISE)


def run(project, *args: str):
    """A run whose scripts may append to the log outside their sandboxes (the counter of what ran)."""
    return project.run(*args, env={"SPECRUN_ISOLATION": "process"})


def pipeline_cases(out) -> dict[str, dict]:
    return {c["id"]: c for c in out.record["cases"] if c["mode"] == "pipeline"}


def kept_summary(project, label: str) -> dict:
    folder = project.root / ".specrun" / "pipeline" / f"fraud-detection[{label}]" / "summarise"
    [path] = [p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"]
    return json.loads(path.read_text())


@pytest.mark.slow
def test_the_dag_runs_once_per_scenario_and_combination_each_with_its_own_ids_outputs_and_record(project):
    make(project)
    out = run(project, "spec.yaml", "--mode", "pipeline", "--no-cache", "--html", "report.html")
    assert out.code == 0, out.stdout + out.stderr
    cases = pipeline_cases(out)
    expected = {f"fraud-detection::pipeline[{label}]::{name}" for label in RUNS
                for name in ("impute", "summarise", "impute.clean->summarise.clean")}
    assert set(cases) == expected
    assert {c["outcome"] for c in cases.values()} == {"passed"}
    training = cases["fraud-detection::pipeline[jobs-job_args.job_type=training]::summarise"]
    assert training["scenario"] == "jobs" and training["params"] == {"job_args.job_type": "training"}
    # every run kept its own outputs, made with its own parameters and rows
    assert kept_summary(project, "jobs-job_args.job_type=training")["job_type"] == "training"
    assert kept_summary(project, "jobs-job_args.job_type=validation")["job_type"] == "validation"
    standard = kept_summary(project, "standard")
    assert standard["rows"] == 50 and standard["job_type"] is None
    assert kept_summary(project, "jobs-job_args.job_type=training")["rows"] == 20
    assert sorted((project.root / "runs.log").read_text().split()) == sorted(
        ["summarise:None", "summarise:None", "summarise:training", "summarise:validation"])
    # one record per run, one console block per run
    records = out.record["records"]
    assert {name for name in records if name.startswith("pipeline:")} == {
        f"pipeline:fraud-detection[{label}]" for label in RUNS}
    assert records["pipeline:fraud-detection[no_nulls]"]["scenario"] == "no_nulls"
    assert records["pipeline:fraud-detection[jobs-job_args.job_type=training]"]["params"] == {
        "job_args.job_type": "training"}
    page = (project.root / "report.html").read_text()
    for label in RUNS:
        assert f"pipeline fraud-detection[{label}]" in out.stdout
        assert f'data-pipeline="fraud-detection[{label}]"' in page
    # the history has one entry per case of every run
    with sqlite3.connect(project.root / ".specrun" / "history.sqlite") as db:
        ids = {row[0] for row in db.execute("SELECT case_id FROM cases WHERE mode = 'pipeline'")}
    assert ids == expected


def test_a_script_broken_only_without_nulls_fails_that_run_and_passes_the_standard_one(project):
    make(project, IMPUTE_NEEDS_NULLS)
    out = run(project, "spec.yaml", "--mode", "pipeline", "--no-cache", "--scenario", "standard",
                      "--scenario", "no_nulls")
    assert out.code == 1, out.stdout + out.stderr
    cases = pipeline_cases(out)
    assert cases["fraud-detection::pipeline[standard]::impute"]["outcome"] == "passed"
    assert cases["fraud-detection::pipeline[standard]::summarise"]["outcome"] == "passed"
    broken = cases["fraud-detection::pipeline[no_nulls]::impute"]
    assert broken["outcome"] == "failed" and "ZeroDivisionError" in broken["message"] + str(broken.get("stderr_tail"))
    assert cases["fraud-detection::pipeline[no_nulls]::summarise"]["outcome"] == "skipped"
    assert not any("jobs" in case_id for case_id in cases)      # --scenario selected the two runs
    assert out.record["records"]["pipeline:fraud-detection[standard]"]["stopped"] is None


@pytest.mark.slow
def test_k_selects_one_run_and_from_reruns_a_step_in_each_run_on_its_own_kept_outputs(project):
    make(project)
    out = run(project, "spec.yaml", "--mode", "pipeline", "--no-cache", "-k", "job_type=training")
    assert out.code == 0, out.stdout + out.stderr
    assert {c.split("::")[1] for c in pipeline_cases(out)} == {"pipeline[jobs-job_args.job_type=training]"}
    first = run(project, "spec.yaml", "--mode", "pipeline", "--no-cache")
    assert first.code == 0, first.stdout + first.stderr
    log = project.root / "runs.log"
    log.write_text("")
    resumed = run(project, "spec.yaml", "--no-cache", "--from", "summarise")
    assert resumed.code == 0, resumed.stdout + resumed.stderr
    cases = pipeline_cases(resumed)
    ran = {case_id for case_id, c in cases.items() if c["outcome"] == "passed"}
    assert ran == {f"fraud-detection::pipeline[{label}]::{name}" for label in RUNS
                   for name in ("summarise", "impute.clean->summarise.clean")}
    assert sorted(log.read_text().split()) == sorted(
        ["summarise:None", "summarise:None", "summarise:training", "summarise:validation"])
    assert kept_summary(project, "jobs-job_args.job_type=validation")["job_type"] == "validation"
    # a run without kept outputs cannot be resumed; a run that is not selected needs none
    kept = project.root / ".specrun" / "pipeline" / "fraud-detection[no_nulls]"
    shutil.rmtree(kept)
    refused = run(project, "spec.yaml", "--no-cache", "--from", "summarise")
    assert refused.code == 2 and "impute" in refused.stderr, refused.stdout + refused.stderr
    other = run(project, "spec.yaml", "--no-cache", "--from", "summarise", "--scenario", "standard")
    assert other.code == 0, other.stdout + other.stderr


def test_one_run_keeps_the_plain_ids(project):
    make(project, spec=example().replace("scenarios: [standard, no_nulls, jobs]", "scenario: no_nulls"))
    out = run(project, "spec.yaml", "--mode", "pipeline", "--no-cache")
    assert out.code == 0, out.stdout + out.stderr
    assert set(pipeline_cases(out)) == {"fraud-detection::pipeline::impute", "fraud-detection::pipeline::summarise",
                                        "fraud-detection::pipeline::impute.clean->summarise.clean"}
    assert "pipeline:fraud-detection" in out.record["records"]


def test_bad_pipeline_scenarios_are_spec_errors(project):
    make(project)
    spec = example()
    project.write("spec.yaml", spec.replace("[standard, no_nulls, jobs]", "[standard, nope]"))
    out = run(project, "spec.yaml", "--mode", "pipeline")
    assert out.code == 4 and "modes.pipeline.scenarios: unknown scenario 'nope'" in out.stdout + out.stderr
    project.write("spec.yaml", spec.replace("pipeline: {scenarios:", "pipeline: {scenario: standard, scenarios:"))
    out = run(project, "spec.yaml", "--mode", "pipeline")
    assert out.code == 4 and "not both" in out.stdout + out.stderr
    project.write("spec.yaml", spec.replace("job_args.job_type: [training, validation]", "max_rows: [5, 10]"))
    out = run(project, "spec.yaml", "--mode", "pipeline")
    assert out.code == 4 and "scenarios.jobs.parametrize.max_rows" in out.stdout + out.stderr

"""Layouts, splits and column names that follow the case (issue 11 pt 1), run through the CLI
on the bundled example (specs/imputation.yaml, examples/jobtype/): the correct script passes
for every job type and env; a script broken in exactly one case's way fails that case alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

ROOT = Path(__file__).resolve().parents[2]
SPEC = (ROOT / "specs" / "imputation.yaml").read_text()
SCRIPT = (ROOT / "examples" / "jobtype" / "scripts" / "impute.py").read_text()
MODEL = (ROOT / "examples" / "jobtype" / "data" / "imputation_dict.json").read_text()


def _project(project: Project, script: str = SCRIPT, spec: str = SPEC) -> Project:
    project.write("specs/imputation.yaml", spec)
    project.write("examples/jobtype/scripts/impute.py", script)
    project.write("examples/jobtype/data/imputation_dict.json", MODEL)
    return project


def _outcomes(record: dict) -> dict[str, str]:
    return {case["id"]: case["outcome"] for case in record["cases"]}


@pytest.mark.slow
def test_the_script_passes_for_every_job_type_in_isolation_and_chained(project: Project) -> None:
    out = _project(project).run("specs")
    assert out.code == 0, out.stdout + out.stderr
    outcomes = _outcomes(out.record)
    for job_type in ("validation", "testing", "calibration"):
        assert outcomes[f"imputation::impute_validation[job_types-job_args.job_type={job_type}]"] == "passed"
    assert outcomes["imputation::impute_training[standard]"] == "passed"
    # pipeline mode: the training job's fitted model feeds the validation job of the same script
    assert outcomes["imputation::pipeline::impute_training.model->impute_validation.model"] == "passed"
    assert outcomes["imputation::pipeline::impute_validation"] == "passed"
    kept = project.root / ".specrun" / "pipeline"
    written = {(step, "/".join(p.parts[-2:])) for step in ("impute_training", "impute_validation")
               for p in kept.rglob("*_processed_data.csv") if step in p.relative_to(kept).as_posix()}
    assert written == {("impute_training", "test/test_processed_data.csv"),
                       ("impute_training", "train/train_processed_data.csv"),
                       ("impute_training", "val/val_processed_data.csv"),
                       ("impute_validation", "validation/validation_processed_data.csv")}


def test_a_script_writing_the_validation_folder_for_every_job_fails_the_other_jobs_alone(
        project: Project) -> None:
    fixed = SCRIPT.replace('out = processed / split / f"{split}_processed_data.csv"',
                           'out = processed / ("validation" if job_type != "training" else split) '
                           '/ f"{\'validation\' if job_type != \'training\' else split}_processed_data.csv"')
    assert fixed != SCRIPT
    out = _project(project, fixed).run("specs", "--mode", "isolation")
    assert out.code == 1, out.stdout + out.stderr
    outcomes = _outcomes(out.record)
    assert outcomes["imputation::impute_training[standard]"] == "passed"
    assert outcomes["imputation::impute_validation[job_types-job_args.job_type=validation]"] == "passed"
    for job_type in ("testing", "calibration"):
        case = out.case(f"impute_validation[job_types-job_args.job_type={job_type}]")
        assert case["outcome"] == "failed", case
        assert job_type in case["message"], case["message"]


def test_a_training_job_that_skips_a_split_fails(project: Project) -> None:
    broken = SCRIPT.replace("    for split, frame in frames.items():\n        out =",
                            "    for split, frame in list(frames.items())[:2]:\n        out =")
    assert broken != SCRIPT
    out = _project(project, broken).run("specs", "--mode", "isolation", "--step", "impute_training")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("impute_training[standard]")
    assert case["outcome"] == "failed" and "val" in case["message"], case


LABEL_PARAMS = SPEC.replace("    parametrize: {job_args.job_type: [validation, testing, calibration]}",
                            "    parametrize: {job_args.job_type: [validation, testing], env.LABEL_FIELD: [churned, "
                            "target]}")


def test_a_column_named_by_env_follows_the_parameter(project: Project) -> None:
    assert LABEL_PARAMS != SPEC
    out = _project(project, spec=LABEL_PARAMS).run("specs", "--mode", "isolation")
    assert out.code == 0, out.stdout + out.stderr
    assert out.case("job_type=testing-env.LABEL_FIELD=target]")["outcome"] == "passed"


def test_a_script_writing_the_literal_label_name_fails_the_case_that_renames_it(project: Project) -> None:
    literal = SCRIPT.replace('label, ident = environ_vars["LABEL_FIELD"], environ_vars["ID_FIELD"]',
                             'label, ident = environ_vars["LABEL_FIELD"], environ_vars["ID_FIELD"]\n'
                             '    written_label = "churned"')
    literal = literal.replace("impute(frame, medians, label).to_csv(out, index=False)",
                              "impute(frame, medians, label).rename(columns={label: written_label})"
                              ".to_csv(out, index=False)")
    assert literal.count("written_label") == 2
    out = _project(project, literal, LABEL_PARAMS).run("specs", "--mode", "isolation")
    assert out.code == 1, out.stdout + out.stderr
    for job_type in ("validation", "testing"):
        assert out.case(f"job_type={job_type}-env.LABEL_FIELD=churned]")["outcome"] == "passed"
        failed = out.case(f"job_type={job_type}-env.LABEL_FIELD=target]")
        assert failed["outcome"] == "failed" and "target" in failed["message"], failed


def test_an_undeclared_name_is_a_spec_error_at_its_line(project: Project) -> None:
    bad = SPEC.replace('layout: "{job_args.job_type}/{job_args.job_type}_data.csv"',
                       'layout: "{job_args.kind}/{job_args.kind}_data.csv"')
    assert bad != SPEC
    out = _project(project, spec=bad).run("specs")
    assert out.code == 4, out.stdout + out.stderr
    line = next(i for i, text in enumerate(bad.splitlines(), 1) if "{job_args.kind}" in text)
    assert f"imputation.yaml:{line}: steps.impute_validation.inputs.data.layout" in out.stdout + out.stderr
    assert "job_args 'kind'" in out.stdout + out.stderr
    env = SPEC.replace('"{env.LABEL_FIELD}": {type: int, isin: [0, 1]}\n  processed',
                       '"{env.LABEL}": {type: int, isin: [0, 1]}\n  processed')
    assert env != SPEC
    out = _project(project, spec=env).run("specs")
    assert out.code == 4, out.stdout + out.stderr
    assert f"imputation.yaml:{_line(env, '{env.LABEL}')}: schemas.raw.columns" in out.stdout + out.stderr
    assert "env 'LABEL'" in out.stdout + out.stderr


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_check_resolves_every_combination_and_reports_conflicts_with_file_and_line(project: Project) -> None:
    clash = SPEC.replace("    parametrize: {job_args.job_type: [validation, testing, calibration]}",
                         "    parametrize: {job_args.job_type: [validation], env.LABEL_FIELD: [churned, customer_id]}")
    assert clash != SPEC
    out = _project(project, spec=clash).run("check", "specs")
    text = out.stdout + out.stderr
    assert out.code == 1, text
    assert "env.LABEL_FIELD=customer_id" in text and "both named 'customer_id'" in text, text
    assert f"imputation.yaml:{_line(clash, '{env.LABEL_FIELD}')}:" in text, text
    assert "env.LABEL_FIELD=churned:" not in text, text

    # an edge whose consumer reads the layout of its own job type: validation/… written, testing/… read
    score = """
  score:
    script: ../examples/jobtype/scripts/impute.py
    call: main
    job_args: {job_type: testing}
    env: {ID_FIELD: customer_id, LABEL_FIELD: churned}
    inputs:
      data: {from: impute_validation.processed, layout: "{job_args.job_type}/{job_args.job_type}_processed_data.csv"}
      model: {format: json, from: impute_training.model}
    outputs:
      processed: {schema: processed, layout: "{job_args.job_type}/{job_args.job_type}_processed_data.csv"}
"""
    edge = SPEC.replace("\nscenarios:", score + "\nscenarios:")
    assert edge != SPEC
    out = _project(project, spec=edge).run("check", "specs")
    text = out.stdout + out.stderr
    assert out.code == 1, text
    assert f"imputation.yaml:{_line(edge, 'from: impute_validation.processed')}: " in text, text
    assert ("impute_validation.processed -> score.data with the step's own job_args and env: the producer writes "
            "layout 'validation/validation_processed_data.csv', the consumer reads "
            "'testing/testing_processed_data.csv'") in text, text

    # an unresolvable name: job_type given only by one scenario's parametrize, no default
    unresolved = SPEC.replace("    job_args: {job_type: validation}\n", "")
    assert unresolved != SPEC
    out = _project(project, spec=unresolved).run("check", "specs")
    text = out.stdout + out.stderr
    assert out.code == 1, text
    assert "{job_args.job_type} has no value" in text and "own job_args" in text, text

    out = _project(project).run("check", "specs")
    assert out.code == 0, out.stdout + out.stderr

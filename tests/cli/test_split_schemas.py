"""docs/spec.md's split_schemas example, run as written: each split of the input is
generated from its own schema (the scripts assert the label is in the training splits and
absent from inference), each split of the output validated by its own; a script that drops
the label from the training split fails, while the inference split without it passes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"

SCALE = '''
from pathlib import Path

import pandas as pd

LABELLED = ("train", "validation")


def main(input_paths, output_paths, environ_vars, job_args):
    source, target = Path(input_paths["data"]), Path(output_paths["scaled"])
    rows = 0
    for split in ("train", "validation", "inference"):
        frame = pd.read_csv(source / split / "data.csv")
        expected = ["id", "x", "label"] if split in LABELLED else ["id", "x"]
        assert list(frame.columns) == expected, (split, list(frame.columns))
        rows += len(frame)
        frame["x"] = frame["x"] / 2
        KEEP_LABEL
        (target / split).mkdir(parents=True, exist_ok=True)
        frame.to_csv(target / split / "data.csv", index=False)
    assert rows == 90, rows
'''


def _example() -> str:
    found = re.search(r"<!-- split-schemas-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its split_schemas example"
    return found.group(1)


def _project(project: Project, keep_label: str = "pass") -> Project:
    project.write("spec.yaml", _example())
    project.write("scale.py", SCALE.replace("KEEP_LABEL", keep_label))
    return project


def test_each_split_is_generated_and_validated_by_its_own_schema(project: Project) -> None:
    outcome = _project(project).run("spec.yaml", "-k", "standard")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("split_schemas_demo::scale[standard]")["outcome"] == "passed"
    outcome = project.run("spec.yaml", "--mode", "pipeline")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("pipeline::scale")["outcome"] == "passed"


def test_a_script_dropping_the_label_from_the_training_split_fails(project: Project) -> None:
    drop = 'frame = frame.drop(columns=["label"]) if split == "train" else frame'
    outcome = _project(project, drop).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("split_schemas_demo::scale[standard]")
    assert case["outcome"] == "failed"
    assert "label" in outcome.stdout and "train/data.csv" in outcome.stdout
    assert "validation/data.csv" not in outcome.stdout and "inference/data.csv" not in outcome.stdout


def test_a_broken_label_in_the_validation_split_is_reported_for_that_split(project: Project) -> None:
    broken = 'frame = frame.assign(label=2) if split == "validation" else frame'
    outcome = _project(project, broken).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.case("split_schemas_demo::scale[standard]")["outcome"] == "failed"
    assert "validation/data.csv" in outcome.stdout and "train/data.csv" not in outcome.stdout


COPY = '''
import shutil


def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copytree(input_paths["data"], output_paths["scaled"], dirs_exist_ok=True)
'''


def test_a_fixture_is_checked_split_by_split(project: Project) -> None:
    """A fixture whose train split lacks the label is invalid input: a script that copies
    it through silently is ACCEPTED_INVALID (CONTRACT_ERROR if the fixture went unchecked);
    with the label in train too it is valid, the inference split still without it."""
    spec = _example().replace(
        "split_schemas: {train: labelled, validation: labelled, inference: unlabelled}\n    outputs:",
        "split_schemas: {train: labelled, validation: labelled, inference: unlabelled}\n"
        "        fixture: given\n    outputs:", 1).replace("standard: {rows: 90}", "given: {expect: {fail: true}}")
    assert "fixture: given" in spec
    project.write("spec.yaml", spec)
    project.write("scale.py", COPY)
    project.write("given/train/data.csv", "id,x\n1,0.5\n")            # the label is missing
    project.write("given/validation/data.csv", "id,x,label\n2,0.5,1\n")
    project.write("given/inference/data.csv", "id,x\n3,0.5\n")
    outcome = project.run("spec.yaml", "-k", "given")
    case = outcome.case("split_schemas_demo::scale[given]")
    assert case["outcome"] == "failed" and case["classification"] == "ACCEPTED_INVALID", outcome.stdout
    project.write("given/train/data.csv", "id,x,label\n1,0.5,0\n")
    project.write("spec.yaml", spec.replace("given: {expect: {fail: true}}", "given: {}"))
    outcome = project.run("spec.yaml", "-k", "given")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("split_schemas_demo::scale[given]")["outcome"] == "passed"

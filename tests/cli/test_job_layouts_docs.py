"""docs/spec.md "Layouts that follow the case", run as written: a script that writes the
folders and label column each job type and env ask for, reading every input shard, passes all eight
cases; one broken in one way fails exactly the cases that ask otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"

PREPARE = '''
from pathlib import Path

import numpy as np
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    parts = sorted(Path(input_paths["raw"]).glob("part-*.csv"))
    assert len(parts) == int(job_args.parts), parts
    frame = pd.concat([pd.read_csv(p) for p in parts])
    frame[environ_vars["LABEL_FIELD"]] = (frame["score"] > 0.5).astype(int)
    splits = ["train", "test", "val"] if job_args.job_type == "training" else [job_args.job_type]
    for split, rows in zip(splits, np.array_split(np.arange(len(frame)), len(splits))):
        out = Path(output_paths["data"]) / split / "data.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.iloc[rows].to_csv(out, index=False)
'''

ALL = ["training", "validation"], ["1", "2"], ["label", "target"]


def _example() -> str:
    found = re.search(r"<!-- job-layouts-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its job-layouts example"
    return found.group(1)


def _failed(project: Project, script: str) -> set[tuple[str, str, str]]:
    project.write("spec.yaml", _example())
    project.write("prepare.py", script)
    out = project.run("spec.yaml")
    cases = out.record["cases"]
    assert len(cases) == 8, [c["id"] for c in cases]
    assert out.code == (1 if any(c["outcome"] != "passed" for c in cases) else 0), out.stdout
    found = set()
    for case in cases:
        params = case["params"]
        key = (params["job_args.job_type"], str(params["job_args.parts"]), params["env.LABEL_FIELD"])
        if case["outcome"] != "passed":
            assert case["outcome"] == "failed", case
            found.add(key)
    return found


def _cases(job_types: list[str], parts: list[str], labels: list[str]) -> set[tuple[str, str, str]]:
    return {(j, p, label) for j in job_types for p in parts for label in labels}


@pytest.mark.slow
def test_the_documented_script_passes_every_case(project: Project) -> None:
    assert _failed(project, PREPARE) == set()


@pytest.mark.slow
def test_a_script_writing_training_splits_for_every_job_fails_the_validation_cases(project: Project) -> None:
    broken = PREPARE.replace('if job_args.job_type == "training" else [job_args.job_type]',
                             'if True else [job_args.job_type]')
    assert broken != PREPARE
    assert _failed(project, broken) == _cases(["validation"], ALL[1], ALL[2])


@pytest.mark.slow
def test_a_script_reading_only_the_first_shard_fails_the_two_shard_cases(project: Project) -> None:
    broken = PREPARE.replace('    assert len(parts) == int(job_args.parts), parts\n', '    parts = parts[:1]\n')
    assert broken != PREPARE
    assert _failed(project, broken) == _cases(ALL[0], ["2"], ALL[2])


@pytest.mark.slow
def test_a_script_writing_the_literal_label_column_fails_the_target_cases(project: Project) -> None:
    broken = PREPARE.replace('frame[environ_vars["LABEL_FIELD"]]', 'frame["label"]')
    assert broken != PREPARE
    assert _failed(project, broken) == _cases(ALL[0], ALL[1], ["target"])

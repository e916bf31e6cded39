"""Comparing executions reads a ``header: false`` output with its declared columns: its
first row is data, so two executions whose data is alike are not called drifted (read as a
header, the first rows' values became column names, differing on each side), and a
planted shift in a named column is found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from specrun.modes.deep_dive.compare import (
    ExecutionSide,
    FetchedChannel,
    compare_executions,
    headerless_columns,
    read_datasets,
)
from specrun.sources.discovery import ExecutionData, StepRecord
from specrun.spec.loader import load_spec


def _write(folder: Path, seed: int, shift: float = 0.0) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    frame = pd.DataFrame({"id": np.arange(2000), "score": np.round(rng.normal(0.0, 1.0, 2000) + shift, 6)})
    frame.to_csv(folder / "part-0.csv", header=False, index=False)
    return folder


def _side(name: str, path: Path) -> ExecutionSide:
    execution = ExecutionData(f"arn:{name}", "p", steps={"Score": StepRecord("Score", "Succeeded",
                                                                          outputs={"scored": f"s3://b/{name}"})})
    return ExecutionSide(name, execution, lambda uri: FetchedChannel(path, True))


def test_a_headerless_file_keeps_its_first_row_under_the_declared_names(tmp_path: Path) -> None:
    folder = _write(tmp_path / "a", seed=1)
    frames = read_datasets(folder, ["id", "score"])
    assert list(frames[""].columns) == ["id", "score"] and len(frames[""]) == 2000
    assert frames[""]["id"].iloc[0] == 0


def test_alike_headerless_outputs_are_not_drifted_and_a_shift_is(tmp_path: Path) -> None:
    names = {("Score", "scored"): ["id", "score"]}
    before = _side("a", _write(tmp_path / "a", seed=1))
    alike = compare_executions(before, _side("b", _write(tmp_path / "b", seed=2)), headerless=names)
    assert not alike.drifted and not alike.datasets[0].schema_changes
    as_headers = compare_executions(before, _side("b", tmp_path / "b"))
    assert as_headers.drifted          # without the names: the first rows became two different headers
    shifted = compare_executions(before, _side("c", _write(tmp_path / "c", seed=3, shift=1.5)), headerless=names)
    assert shifted.drifted
    assert [c.column for c in shifted.datasets[0].columns if c.drifted] == ["score"]


def test_the_deep_dive_names_the_columns_of_each_headerless_output(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    (tmp_path / "spec.yaml").write_text("""
version: 1
pipeline: p
schemas:
  scores: {columns: {id: {type: int}, score: {type: float}}}
steps:
  score:
    script: s.py
    call: main
    sagemaker_step: Score
    outputs:
      scored: {format: csv, schema: scores, header: false}
      named: {format: csv, schema: scores}
""")
    spec = load_spec(tmp_path / "spec.yaml")
    steps = list(spec.steps.values())
    assert headerless_columns(steps, lambda step: step.sagemaker_step or step.name) == {
        ("Score", "scored"): ["id", "score"]}

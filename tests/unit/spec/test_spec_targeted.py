"""Targeted scenarios at load time: STEP.PORT keys, ``where:``, file mutations, ``fixtures:``.

Every mistake is a SpecError naming the file, the line and the key."""

from __future__ import annotations

import pytest
from spec_helpers import write

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

SPEC = """\
version: 1
pipeline: t
steps:
  train_step:
    script: s.py
    inputs:
      input_data: {format: csv, layout: "{split}/part-{shard}.csv", split: [train, test], shards: 2,
                   schema: {columns: {label: {type: float}}}}
      flat: {format: csv, schema: {columns: {label: {type: float}}}}
  eval_step:
    script: s.py
    inputs:
      input_data: {format: csv, schema: {columns: {label: {type: float}}}}
      model: {format: json, fixture: model.json}
scenarios:
  s:
    MUTATION
"""


def load(tmp_path, scenario: str):
    (tmp_path / "s.py").write_text("")
    (tmp_path / "model.json").write_text("{}")
    (tmp_path / "other.json").write_text("{}")
    return load_spec(write(tmp_path, SPEC.replace("MUTATION", scenario)))


def error(tmp_path, scenario: str) -> str:
    with pytest.raises(SpecError) as raised:
        load(tmp_path, scenario)
    return str(raised.value)


def test_a_step_qualified_key_applies_to_that_step_only(tmp_path):
    spec = load(tmp_path, "mutate: {train_step.input_data: [{nulls: {columns: [label]}, where: {split: train}}]}")
    scenario = spec.scenarios["s"]
    assert scenario.steps is None
    (mutation,) = scenario.mutations_for("train_step", "input_data")
    assert (mutation.op, mutation.where.split, mutation.where.shard) == ("nulls", ("train",), None)
    assert scenario.mutations_for("eval_step", "input_data") == []
    assert scenario.names_ports_of(spec.steps["train_step"]) is True
    assert scenario.names_ports_of(spec.steps["eval_step"]) is False


def test_file_mutations_default_to_expect_fail(tmp_path):
    spec = load(tmp_path, "mutate: {train_step.input_data: [{remove_file: true, where: {split: test, shard: [0, 1]}}]}")
    scenario = spec.scenarios["s"]
    assert scenario.expect.outcome == "fail"
    (mutation,) = scenario.mutations_for("train_step", "input_data")
    assert mutation.where.shard == (0, 1) and mutation.on_files
    spec = load(tmp_path, "mutate: {flat: [truncate_file]}\n    expect: {pass: true}")
    assert spec.scenarios["s"].expect.outcome == "pass"
    assert spec.scenarios["s"].mutate["flat"][0].params == {"fraction": 0.5}


def test_fixtures_replace_a_ports_fixture(tmp_path):
    spec = load(tmp_path, "fixtures: {eval_step.model: other.json}")
    scenario = spec.scenarios["s"]
    port = scenario.port_of(spec.steps["eval_step"], spec.steps["eval_step"].inputs["model"])
    assert port.fixture == tmp_path / "other.json"
    assert spec.steps["eval_step"].inputs["model"].fixture == tmp_path / "model.json"   # untouched
    assert scenario.names_ports_of(spec.steps["train_step"]) is False


@pytest.mark.parametrize("scenario, line, message", [
    ("mutate: {trainstep.input_data: [nulls]}", 17, "'trainstep.input_data': unknown step 'trainstep'"),
    ("mutate: {train_step.model: [nulls]}", 17, "step 'train_step' has no input 'model'"),
    ("mutate:\n      input_data:\n        - {nulls: {}, where: {split: val}}", 19,
     "where: split 'val' is not a split of input 'input_data' (splits: train, test)"),
    ("mutate:\n      train_step.input_data:\n        - {nulls: {}, where: {shard: 2}}", 19,
     "where: shard 2 is out of range: input 'input_data' has 2 shard(s)"),
    ("mutate:\n      flat:\n        - {nulls: {}, where: {split: train}}", 19,
     "input 'flat' has no {split} in its layout"),
    ("mutate:\n      '*':\n        - {nulls: {}, where: {split: train}}", 19, "name the port"),
    ("mutate:\n      '*': [remove_file]", 18, "name the port"),
    ("mutate:\n      flat:\n        - {nulls: {}, where: {splits: train}}", 19, "splits"),
    ("mutate:\n      flat:\n        - {nulls: {}, set: {label: 1}}", 19, "one {op: parameters} mapping"),
    ("mutate:\n      flat:\n        - {truncate_file: {fraction: 2}}", 19, "fraction must be between 0 and 1"),
    ("fixtures: {eval_step.model: missing.json}", 17, "fixture not found"),
    ("fixtures: {eval_step.nope: other.json}", 17, "step 'eval_step' has no input 'nope'"),
])
def test_a_mistake_is_a_spec_error_at_its_line(tmp_path, scenario, line, message):
    text = error(tmp_path, scenario)
    assert text.startswith(f"{tmp_path / 'spec.yaml'}:{line}: scenarios.s."), text
    assert message in text, text

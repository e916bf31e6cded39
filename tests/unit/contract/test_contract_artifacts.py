"""Artifact contracts: each check fails the artifact broken in its way; pickles and user
checks run in another process; malformed checks are spec errors."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from specrun.contract.artifacts import artifact_problems
from specrun.spec.loader import load_spec
from specrun.spec.model import ArtifactCheck, PortSpec, SpecError


def write(folder: Path, text: str) -> Path:
    path = folder / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SCHEMA = {"type": "object", "required": ["slope"], "properties": {"slope": {"type": "number"}}}


def port(fmt: str, *checks: tuple[str, object]) -> PortSpec:
    return PortSpec("out", fmt, checks=[ArtifactCheck(kind, value) for kind, value in checks])


def test_not_empty_json(tmp_path):
    file = tmp_path / "p.json"
    file.write_text("{}")
    assert artifact_problems(port("json", ("not_empty", True)), file, []) == ["is empty (JSON {})"]
    assert artifact_problems(port("json"), file, []) == []
    file.write_text('{"slope": 1}')
    assert artifact_problems(port("json", ("not_empty", True)), file, []) == []


def test_not_empty_file_and_text(tmp_path):
    file = tmp_path / "f"
    file.write_bytes(b"")
    assert artifact_problems(port("file", ("not_empty", True)), file, []) == ["is empty (0 bytes)"]
    file.write_text("  \n")
    assert artifact_problems(port("text", ("not_empty", True)), file, []) == ["is empty (only whitespace)"]


def test_json_schema(tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps(SCHEMA))
    file = tmp_path / "p.json"
    file.write_text('{"slope": "steep"}')
    (problem,) = artifact_problems(port("json", ("json_schema", str(schema))), file, [])
    assert problem == "violates JSON Schema s.json at slope: 'steep' is not of type 'number'"
    file.write_text('{"slope": 2.5}')
    assert artifact_problems(port("json", ("json_schema", str(schema))), file, []) == []


def test_size(tmp_path):
    file = tmp_path / "m.bin"
    file.write_bytes(b"x" * 10)
    assert artifact_problems(port("file", ("size", {"min": 11})), file, []) == [
        "has 10 bytes, expected at least 11"]
    assert artifact_problems(port("file", ("size", {"max": 9})), file, []) == [
        "has 10 bytes, expected at most 9"]
    assert artifact_problems(port("file", ("size", {"min": 10, "max": 10})), file, []) == []


class RecordsWhereItIsLoaded:
    """Unpickling writes the loading process's pid next to the pickle."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (_write_pid, (self.marker,))


def _write_pid(marker: str) -> dict:
    Path(marker).write_text(str(os.getpid()))
    return {}


def test_a_pickle_is_loaded_in_another_process(tmp_path):
    marker = tmp_path / "pid"
    file = tmp_path / "model.pkl"
    file.write_bytes(pickle.dumps(RecordsWhereItIsLoaded(str(marker))))
    problems = artifact_problems(port("pickle", ("not_empty", True)), file,
                                 [Path(__file__).parent])
    assert problems == ["is empty (loaded dict {})"]
    assert marker.read_text() != str(os.getpid())


def test_a_pickle_that_cannot_be_loaded(tmp_path):
    file = tmp_path / "model.pkl"
    file.write_bytes(b"not a pickle")
    (problem,) = artifact_problems(port("pickle", ("not_empty", True)), file, [])
    assert problem.startswith("cannot be loaded: UnpicklingError")


def test_python_check_gets_the_loaded_value(tmp_path):
    (tmp_path / "mychecks.py").write_text(
        "def positive(value):\n    return value['slope'] > 0 or f\"slope {value['slope']} <= 0\"\n")
    file = tmp_path / "p.pkl"
    file.write_bytes(pickle.dumps({"slope": -1}))
    checked = port("pickle", ("python", "mychecks:positive"))
    assert artifact_problems(checked, file, [tmp_path]) == ["check mychecks:positive: slope -1 <= 0"]
    file.write_bytes(pickle.dumps({"slope": 3}))
    assert artifact_problems(checked, file, [tmp_path]) == []
    json_file = tmp_path / "p.json"
    json_file.write_text('{"slope": -2}')
    assert artifact_problems(port("json", ("python", "mychecks:positive")), json_file, [tmp_path]) == [
        "check mychecks:positive: slope -2 <= 0"]


SPEC = """
version: 1
pipeline: p
steps:
  train:
    script: train.py
    inputs:
      x: {format: file, fixture: x.bin}
    outputs:
      out: PORT
"""


@pytest.mark.parametrize("port_text, fragment", [
    ("{format: json, checks: [not_emty]}", "unknown check 'not_emty'"),
    ("{format: json, checks: [{size: {min: 2KB, max: 1KB}}]}", "size min (2000) is above max (1000)"),
    ("{format: json, checks: [{size: {mni: 1KB}}]}", "mni"),
    ("{format: json, checks: [{json_schema: missing.json}]}", "cannot read JSON Schema"),
    ("{format: json, checks: [{json_schema: bad.json}]}", "is not a valid JSON Schema"),
    ("{format: pickle, checks: [{json_schema: ok.json}]}", "json_schema needs a 'json' output"),
    ("{format: csv, checks: [not_empty]}", "'checks' are for non-tabular outputs"),
    ("{format: json, checks: [not_empty, not_empty]}", "given twice"),
    ("{format: json, checks: [{python: nocolon}]}", "expected 'module:function'"),
])
def test_malformed_checks_are_spec_errors(tmp_path, port_text, fragment):
    (tmp_path / "bad.json").write_text('{"type": 12}')
    (tmp_path / "ok.json").write_text("{}")
    path = write(tmp_path, SPEC.replace("PORT", port_text))
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert fragment in str(error.value)
    assert "steps.train.outputs.out" in str(error.value) and ":" in str(error.value)


def test_checks_on_an_input_are_a_spec_error(tmp_path):
    text = SPEC.replace("x: {format: file, fixture: x.bin}",
                        "x: {format: file, fixture: x.bin, checks: [not_empty]}").replace("PORT", "{format: json}")
    with pytest.raises(SpecError, match="'checks' are for outputs"):
        load_spec(write(tmp_path, text))


def test_checks_load_into_the_model(tmp_path):
    (tmp_path / "ok.json").write_text("{}")
    spec = load_spec(write(tmp_path, SPEC.replace(
        "PORT", "{format: json, checks: [not_empty, {size: {max: 1MB}}, {json_schema: ok.json}]}")))
    checks = spec.steps["train"].outputs["out"].checks
    assert [(c.kind, c.value) for c in checks] == [
        ("not_empty", True), ("size", {"max": 1000000}), ("json_schema", str(tmp_path / "ok.json"))]

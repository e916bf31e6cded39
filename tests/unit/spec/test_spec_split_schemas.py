"""``split_schemas:`` at load time: a named schema per split, every split named; each
mistake is a SpecError naming the file, the line and the key."""

from __future__ import annotations

import pytest
from spec_helpers import write

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

SPEC = """\
version: 1
pipeline: t
schemas:
  labelled: {columns: {id: {type: int}, label: {type: int}}}
  unlabelled: {columns: {id: {type: int}}}
steps:
  prep:
    script: s.py
    inputs:
      data: {layout: "{split}.csv", split: [train, test, infer],
             PORT}
    outputs:
      out: {layout: "{split}.csv", split: [train, test, infer],
            split_schemas: {train: labelled, test: labelled, infer: unlabelled}}
  use:
    script: s.py
    inputs:
      data: {from: prep.out}
"""

GOOD = "split_schemas: {train: labelled, test: labelled, infer: unlabelled}"


def load(tmp_path, port: str):
    (tmp_path / "s.py").write_text("")
    return load_spec(write(tmp_path, SPEC.replace("PORT", port)))


def error(tmp_path, port: str) -> str:
    with pytest.raises(SpecError) as raised:
        load(tmp_path, port)
    return str(raised.value)


def test_each_split_gets_its_named_schema_and_a_consumer_inherits_them(tmp_path):
    spec = load(tmp_path, GOOD)
    port = spec.steps["prep"].inputs["data"]
    assert port.schema is None
    assert {split: schema.name for split, schema in (port.split_schemas or {}).items()} == {
        "train": "labelled", "test": "labelled", "infer": "unlabelled"}
    assert "label" not in port.split_schemas["infer"].columns
    inherited = spec.steps["use"].inputs["data"]
    assert inherited.split_schemas == spec.steps["prep"].outputs["out"].split_schemas


def test_a_consumer_with_its_own_schema_does_not_inherit_split_schemas(tmp_path):
    (tmp_path / "s.py").write_text("")
    text = SPEC.replace("PORT", GOOD).replace("data: {from: prep.out}",
                                              "data: {from: prep.out, schema: unlabelled}")
    spec = load_spec(write(tmp_path, text))
    port = spec.steps["use"].inputs["data"]
    assert port.split_schemas is None and port.schema is not None and port.schema.name == "unlabelled"


def test_an_unknown_schema_is_an_error_at_its_line(tmp_path):
    message = error(tmp_path, "split_schemas: {train: labelled, test: labeled, infer: unlabelled}")
    assert "spec.yaml:11" in message and "unknown schema 'labeled'" in message


def test_an_unknown_split_is_an_error_at_its_key(tmp_path):
    message = error(tmp_path, "split_schemas: {train: labelled, test: labelled, infer: unlabelled, "
                              "val: labelled}")
    assert "spec.yaml:11" in message and "no split 'val'" in message and "split_schemas.val" in message


def test_every_split_needs_a_schema(tmp_path):
    message = error(tmp_path, "split_schemas: {train: labelled, test: labelled}")
    assert "spec.yaml:11" in message and "infer" in message and "every split needs one" in message


def test_schema_and_split_schemas_together_are_an_error(tmp_path):
    message = error(tmp_path, f"schema: labelled, {GOOD}")
    assert "spec.yaml:11" in message and "not both" in message


def test_split_schemas_need_split_names(tmp_path):
    (tmp_path / "s.py").write_text("")
    text = SPEC.replace('data: {layout: "{split}.csv", split: [train, test, infer],\n             PORT}',
                        'data: {layout: "part-{shard}.csv", shards: 2,\n             ' + GOOD + "}")
    with pytest.raises(SpecError) as raised:
        load_spec(write(tmp_path, text))
    assert "spec.yaml:11" in str(raised.value) and "needs the port's 'split'" in str(raised.value)

"""Spec errors of the split and positional contracts (issue 11 pt 3): ``header: false``,
``disjoint``, ``extra_file`` and ``shard_columns``, each at its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_helpers import error_text, write

from specrun.spec.loader import load_spec

SPEC = """\
version: 1
pipeline: p
schemas:
  t:
    columns:
      id: {type: int}
      s: {type: str}
steps:
  one:
    script: one.py
    inputs:
      x: {format: csv, schema: t, header: false}
      f: {format: csv, schema: t}
    outputs:
      y: {format: csv, schema: t, header: false, layout: "{split}/part-{shard}.csv", split: [train, test], shards: 2}
      flat: {format: csv, schema: t, layout: "part-{shard}.csv", shards: 2}
    properties:
      - disjoint: {output: y, column: id, splits: [train, test]}
  two:
    script: two.py
    inputs:
      z: {from: one.y}
scenarios:
  s1:
    mutate:
      two.z: [extra_file, {shard_columns: {drop: s}, where: {split: test, shard: 1}}]
"""


def edit(old: str, new: str) -> str:
    assert old in SPEC
    return SPEC.replace(old, new, 1)


def test_the_spec_loads_and_z_inherits_header_false(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, SPEC))
    assert spec.steps["one"].inputs["x"].header is False
    assert spec.steps["two"].inputs["z"].header is False          # inherited over from:
    assert spec.steps["one"].inputs["f"].header is True
    assert spec.steps["one"].properties[0].params["splits"] == ["train", "test"]
    ops = [m.op for m in spec.scenarios["s1"].mutate["two.z"]]
    assert ops == ["extra_file", "shard_columns"]


CASES = [
    ("header off csv", edit("{format: csv, schema: t, header: false}", "{format: parquet, schema: t, header: false}"),
     "spec.yaml:12: steps.one.inputs.x.header: 'header: false' is for csv/tsv ports, not 'parquet'"),
    ("header without columns",
     edit("x: {format: csv, schema: t, header: false}", "x: {format: csv, header: false, fixture: a.csv}"),
     "spec.yaml:12: steps.one.inputs.x.header: 'header: false' needs a schema with 'columns': a headerless "
     "file's columns are named by their declared order"),
    ("disjoint unknown split", edit("splits: [train, test]", "splits: [train, val]"),
     "spec.yaml:18: steps.one.properties.0.disjoint.splits.1: output 'y' has no split 'val' (known: test, train)"),
    ("disjoint one split", edit("splits: [train, test]", "splits: [train, train]"),
     "spec.yaml:18: steps.one.properties.0.disjoint.splits: disjoint 'splits' needs two or more different "
     "splits to compare"),
    ("disjoint without split", edit("disjoint: {output: y", "disjoint: {output: flat"),
     "spec.yaml:18: steps.one.properties.0.disjoint.output: disjoint compares the splits of an output; "
     "'flat' has no 'split'"),
    ("extra_file on a file", edit("two.z: [extra_file", "one.f: [extra_file"),
     "spec.yaml:26: scenarios.s1.mutate.one.f.0: mutation 'extra_file' changes the files of a layout folder; "
     "input 'f' is one file"),
    ("shard_columns rename headerless", edit("{drop: s}", "{rename: {s: t}}"),
     "spec.yaml:26: scenarios.s1.mutate.two.z.1: shard_columns rename leaves a header: false file of input "
     "'z' as it was (it has no names); drop a column instead"),
    ("shard_columns undeclared column", edit("{drop: s}", "{drop: nope}"),
     "spec.yaml:26: scenarios.s1.mutate.two.z.1.shard_columns: column 'nope' is not declared by input 'z' "
     "of steps two"),
]


@pytest.mark.parametrize("text, expected", [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_error_message(tmp_path: Path, text: str, expected: str) -> None:
    assert error_text(tmp_path, text) == expected

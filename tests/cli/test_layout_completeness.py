"""A layout output holds every file its layout declares: each split, and with ``shards:``
exactly shards 0 … N-1 of each split.  A script that writes fewer shards than declared, one
too many, or leaves a split out fails, naming what is missing or unexpected; before this
check such a script passed, because the files of a ``{shard}`` layout are found by pattern."""

from __future__ import annotations

import pytest

SCRIPT = '''
import os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    for split in SPLITS:
        folder = os.path.join(output_paths["parts"], split) if split else output_paths["parts"]
        os.makedirs(folder, exist_ok=True)
        for shard in range(SHARDS):
            frame.iloc[shard::SHARDS].to_csv(os.path.join(folder, NAME.format(shard=shard)), index=False)
'''

SPEC = '''
version: 1
pipeline: parts
schemas:
  rows: {{columns: {{id: {{type: int, min: 0, max: 1000}}}}}}
steps:
  cut:
    script: cut.py
    call: main
    inputs: {{rows: {{format: csv, schema: rows}}}}
    outputs: {{parts: {{format: csv, schema: rows, layout: "{layout}"{extra}}}}}
scenarios:
  standard: {{rows: 12}}
modes:
  isolation: {{scenarios: [standard]}}
'''


def _run(project, *, layout: str, extra: str, splits: list[str], shards: int, name: str = "part-{shard}.csv"):
    project.write("specs/cut.py", SCRIPT.replace("SPLITS", repr(splits)).replace("SHARDS", str(shards))
                  .replace("NAME", repr(name)))
    project.write("specs/s.yaml", SPEC.format(layout=layout, extra=extra))
    return project.run("specs")


@pytest.mark.parametrize(("shards", "fault"), [(3, None), (2, "missing"), (4, "unexpected")])
def test_a_sharded_output_holds_exactly_its_declared_shards(project, shards: int, fault: str | None) -> None:
    out = _run(project, layout="part-{shard}.csv", extra=", shards: 3", splits=[""], shards=shards)
    case = out.case("cut[standard]")
    if fault is None:
        assert case["outcome"] == "passed", out.stdout
        return
    assert case["outcome"] == "failed", out.stdout
    assert case["classification"] == "CONTRACT_ERROR", out.stdout
    detail = "missing part-2.csv" if fault == "missing" else "unexpected part-3.csv"
    assert "declares 3 shards" in case["message"] and detail in case["message"], case["message"]


def test_zero_padded_shard_names_follow_the_layout_format(project) -> None:
    out = _run(project, layout="part-{shard:05d}.csv", extra=", shards: 2", splits=[""], shards=1,
               name="part-{shard:05d}.csv")
    case = out.case("cut[standard]")
    assert case["outcome"] == "failed" and "missing part-00001.csv" in case["message"], out.stdout


def test_a_split_left_out_of_a_sharded_layout_fails(project) -> None:
    out = _run(project, layout="{split}/part-{shard}.csv", extra=", split: [train, test], shards: 2",
               splits=["train"], shards=2)
    case = out.case("cut[standard]")
    assert case["outcome"] == "failed", out.stdout
    assert "split 'test'" in case["message"] and "no file" in case["message"], case["message"]


def test_a_split_file_left_out_of_a_layout_without_shards_fails(project) -> None:
    out = _run(project, layout="{split}/data.csv", extra=", split: [train, test]", splits=["train"], shards=1,
               name="data.csv")
    case = out.case("cut[standard]")
    assert case["outcome"] == "failed", out.stdout
    assert "test/data.csv" in case["message"], case["message"]


STRAY = '''
import os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    root = output_paths["parts"]
    os.makedirs(os.path.join(root, "train"), exist_ok=True)
    for shard in range(2):
        frame.iloc[shard::2].to_csv(os.path.join(root, "train", f"part-{shard}.csv"), index=False)
    if STRAY:
        with open(os.path.join(root, STRAY), "w") as handle:
            handle.write("id\\n1\\n")
'''


@pytest.mark.parametrize("stray", [None, "train/part-0.csv.bak", ".manifest", "_SUCCESS"])
def test_a_file_outside_the_layout_in_an_output_folder_fails(project, stray: str | None) -> None:
    """A consumer given such a folder receives broken data (the extra_file mutation), so the
    producer that writes it breaks its output's contract."""
    project.write("specs/cut.py", STRAY.replace("STRAY", repr(stray)))
    project.write("specs/s.yaml", SPEC.format(layout="{split}/part-{shard}.csv", extra=", split: [train], shards: 2"))
    case = project.run("specs").case("cut[standard]")
    if stray is None:
        assert case["outcome"] == "passed", case["message"]
        return
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR", case
    assert f"files not in layout '{{split}}/part-{{shard}}.csv': {stray}" in case["message"], case["message"]

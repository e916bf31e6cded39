"""Input fingerprints: every way a script can touch its inputs is named, and nothing else."""

from __future__ import annotations

import os
from pathlib import Path

from specrun.execution.fingerprint import fingerprint, input_changes


def _inputs(tmp_path: Path) -> dict[str, Path]:
    single = tmp_path / "a.csv"
    single.write_text("x\n1\n")
    shards = tmp_path / "parts"
    shards.mkdir()
    for i in range(3):
        (shards / f"part-{i}.csv").write_text(f"x\n{i}\n")
    return {"single": single, "sharded": shards}


def test_untouched_inputs_have_no_changes(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    before = fingerprint(inputs)
    os.utime(inputs["single"], (0, 0))          # a touch is not a change of content
    assert input_changes(before, inputs) == {}


def test_rewrite_of_the_same_size_delete_and_add_are_each_named(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    before = fingerprint(inputs)
    inputs["single"].write_text("x\n2\n")                       # same size, other bytes
    (inputs["sharded"] / "part-1.csv").unlink()
    (inputs["sharded"] / "extra.csv").write_text("x\n9\n")
    found = input_changes(before, inputs)
    assert found["single"] == "input 'single': a.csv changed"
    assert found["sharded"] == "input 'sharded': part-1.csv deleted; extra.csv added"


def test_a_deleted_input_file_is_named(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    before = fingerprint(inputs)
    inputs["single"].unlink()
    assert input_changes(before, inputs) == {"single": "input 'single': a.csv deleted"}

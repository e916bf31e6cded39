"""The files of a split output as properties see them (``disjoint``, ``python:`` with
``parts``) and the ``extra_file`` / ``shard_columns`` mutations (issue 11 pt 3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from specrun.contract.io import layout_parts, port_files, read_port
from specrun.contract.part_mutations import write_targeted
from specrun.contract.part_properties import check_disjoint, output_parts
from specrun.contract.properties import BUILTIN_PROPERTIES, PropertyContext
from specrun.contract.types import TypeRegistry
from specrun.spec.model import ColumnSpec, MutationSpec, PartWhere, PortSpec, SchemaSpec, SpecError, StepSpec

SCHEMA = SchemaSpec("s", {"id": ColumnSpec("id", "int"), "label": ColumnSpec("label", "int")})
PORT = PortSpec("data", schema=SCHEMA, layout="{split}/part-{shard}.csv", split=["train", "test"], shards=2)
FRAME = pd.DataFrame({"id": range(20), "label": [i % 2 for i in range(20)]})


def _parts(frame: pd.DataFrame = FRAME) -> dict[str, pd.DataFrame]:
    return {part.relative: part.frame for part in layout_parts(PORT, frame, seed=3)}


def test_disjoint_passes_a_real_split_and_fails_a_leak() -> None:
    parts = _parts()
    assert check_disjoint(PORT, parts, {"output": "data", "column": "id"}).ok
    leaked = dict(parts)
    leaked["train/part-0.csv"] = pd.concat([parts["train/part-0.csv"], parts["test/part-1.csv"].head(2)])
    result = check_disjoint(PORT, leaked, {"output": "data", "column": "id"})
    assert not result.ok and "2 value(s) in both train and test" in result.message


def test_disjoint_fails_when_a_split_lacks_the_column() -> None:
    parts = _parts()
    parts["test/part-0.csv"] = parts["test/part-0.csv"].drop(columns=["id"])
    result = check_disjoint(PORT, parts, {"output": "data", "column": "id"})
    assert not result.ok and "missing from test/part-0.csv" in result.message


def test_output_parts_name_each_files_split_and_shard() -> None:
    found = output_parts({"data": PORT}, {"data": FRAME}, {"data": _parts()})
    assert [(p.split, p.shard, p.path) for p in found] == [
        ("train", 0, "train/part-0.csv"), ("train", 1, "train/part-1.csv"),
        ("test", 0, "test/part-0.csv"), ("test", 1, "test/part-1.csv")]
    assert sum(len(p.frame) for p in found) == 20
    one = output_parts({"flat": PortSpec("flat")}, {"flat": FRAME}, {})
    assert [(p.output, p.split, p.shard, p.path, len(p.frame)) for p in one] == [("flat", None, None, "", 20)]


def by_parts(parts):
    return None if {p.split for p in parts} == {"train", "test"} else f"splits seen: {[p.split for p in parts]}"


def by_position(inputs, outputs, step):
    return "called the old way" if "data" in outputs else False


def test_a_python_property_naming_parts_receives_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules.py").write_text("from test_contract_split_parts import by_parts, by_position\n")
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    step = StepSpec(name="s", script=None, outputs={"data": PORT})
    context = PropertyContext(step=step, inputs={}, outputs={"data": FRAME}, base_dir=tmp_path,
                              output_parts={"data": _parts()}, module_dirs=(tmp_path,))
    python = BUILTIN_PROPERTIES["python"]
    assert python({"function": "rules:by_parts"}, context).ok
    assert python({"function": "rules:by_position"}, context).message == "rules:by_position: called the old way"
    context.output_parts = {"data": {k: v for k, v in _parts().items() if k.startswith("train")}}
    assert not python({"function": "rules:by_parts"}, context).ok


def _write(tmp_path: Path, mutation: MutationSpec):
    return write_targeted(PORT, FRAME, SCHEMA, [mutation], tmp_path / "data", 3, 4, TypeRegistry.builtin())


def test_extra_file_adds_a_file_the_layout_does_not_hold(tmp_path: Path) -> None:
    done = _write(tmp_path, MutationSpec("extra_file", {}))
    assert done.changed_files and done.added == ["train/stray-part-0.csv"]
    stray = tmp_path / "data" / "train" / "stray-part-0.csv"
    assert stray.is_file()
    assert stray not in port_files(PORT, tmp_path / "data")           # not a file of the layout
    assert len(done.frame()) == 20                                    # the layout's rows are untouched
    with pytest.raises(SpecError, match="is a file of input 'data'"):
        _write(tmp_path, MutationSpec("extra_file", {"name": "test/part-7.csv"}))


@pytest.mark.parametrize("params, columns", [({"drop": "label"}, ["id"]),
                                             ({"rename": {"label": "target"}}, ["id", "target"])])
def test_shard_columns_changes_one_file_only(tmp_path: Path, params: dict, columns: list[str]) -> None:
    done = _write(tmp_path, MutationSpec("shard_columns", params, where=PartWhere(split=("test",), shard=(1,))))
    assert done.changed_files and done.reshaped[0].startswith("test/part-1.csv: ")
    read = read_port(PortSpec("data", layout=PORT.layout, split=PORT.split, shards=2), tmp_path / "data")
    assert {name: list(frame.columns) for name, frame in read.items()} == {
        "train/part-0.csv": ["id", "label"], "train/part-1.csv": ["id", "label"],
        "test/part-0.csv": ["id", "label"], "test/part-1.csv": columns}
    unaimed = _write(tmp_path / "first", MutationSpec("shard_columns", params))
    assert [r.partition(":")[0] for r in unaimed.reshaped] == ["train/part-0.csv"]

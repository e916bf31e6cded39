"""``specrun infer``: the printed schema is accepted by ``specrun check``, validates its sample,
and rejects a broken copy of it (a value outside ``isin``, a null where the sample had none,
a value below the sample's minimum).  A property test does the same on generated samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.analysis.infer_schema import infer_columns, render_schema
from specrun.contract.io import read_port, read_untyped
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.spec.loader import load_spec
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec

SAMPLE = """order_id,amount,currency,coupon,placed,gift
1,10.5,EUR,,2024-01-01,true
2,20.25,USD,HALF,2024-01-02,false
3,0.333,EUR,,2024-02-01,true
4,1000,USD,TENOFF,2024-03-01,false
5,7,EUR,,2024-03-02,false
"""

STEPS = """
steps:
  passthrough:
    script: passthrough.py
    call: main
    inputs: {orders: {format: csv, schema: orders, sample: data.csv}}
    outputs: {copy: {format: csv, schema: orders}}
modes:
  isolation: {scenarios: [standard]}
"""

COPY = """
import shutil


def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copyfile(input_paths["orders"], output_paths["copy"])
"""


def spec_with(project, inferred: str, data: str) -> None:
    project.write("spec.yaml", "version: 1\npipeline: inferred\n" + inferred + STEPS)
    project.write("data.csv", data)
    project.write("passthrough.py", COPY)


def test_the_inferred_schema_validates_its_sample_and_rejects_broken_copies(project) -> None:
    project.write("orders.csv", SAMPLE)
    inferred = project.run("infer", "orders.csv")
    assert inferred.code == 0, inferred.stderr
    text = inferred.stdout
    assert "schemas:\n  orders:\n    columns:\n" in text
    assert "order_id: {type: int, unique: true, min: 1, max: 5}" in text
    assert "currency: {type: str, isin: [EUR, USD]}" in text
    assert "coupon: {type: str, nullable: true}" in text
    assert "amount: {type: float, min: 0.333, max: 1000.0}" in text
    assert "placed: {type: datetime}" in text and "gift: {type: bool}" in text
    assert "come from the sample" in text

    spec_with(project, text, SAMPLE)
    assert project.run("check", "spec.yaml").code == 0
    outcome = project.run("spec.yaml")
    assert outcome.code == 0, outcome.stdout

    for broken, column in ((SAMPLE.replace("5,7,EUR", "5,7,GBP"), "currency"),
                           (SAMPLE.replace("\n3,0.333", "\n,0.333"), "order_id"),
                           (SAMPLE.replace("3,0.333", "3,0.3"), "amount")):
        spec_with(project, text, broken)
        outcome = project.run("spec.yaml")      # a sample that breaks its schema is a spec error
        assert outcome.code == 4, (column, outcome.stdout)
        assert f"'{column}'" in outcome.stdout or f" {column}" in outcome.stdout


def test_name_format_and_missing_files(project) -> None:
    frame = pd.DataFrame({"id": [1, 2, 3], "score": [0.5, 1.25, 2.0], "kind": ["a", "a", "b"],
                          "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    frame.to_parquet(project.root / "scores.data", index=False)
    out = project.run("infer", "scores.data")
    assert out.code == 2 and "give --format" in out.stderr
    out = project.run("infer", "scores.data", "--format", "parquet", "--name", "scores")
    assert out.code == 0, out.stderr
    assert "  scores:\n" in out.stdout and "id: {type: int, unique: true, min: 1, max: 3}" in out.stdout
    assert "at: {type: datetime}" in out.stdout
    assert project.run("infer", "nope.csv").code == 4
    assert project.run("infer", "scores.data", "--name", "bad name").code == 2


# -- generated samples -------------------------------------------------------------

TYPES = TypeRegistry.builtin()


@st.composite
def samples(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 30))

    def column(values: st.SearchStrategy[object], nulls: bool) -> list[object]:
        return draw(st.lists(st.one_of(values, st.none()) if nulls else values, min_size=n, max_size=n))

    data = {
        "i": column(st.integers(-10**9, 10**9), draw(st.booleans())),
        "f": column(st.floats(-1e9, 1e9, allow_nan=False).filter(lambda v: v != 0 and abs(v) > 1e-6),
                    draw(st.booleans())),
        "s": column(st.sampled_from(["EUR", "USD", "x y", "007", "é", "true"]), draw(st.booleans())),
        "t": column(st.text(st.characters(codec="ascii", categories=("L", "N", "P")), min_size=1, max_size=8),
                    False),
        "d": column(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), draw(st.booleans())),
    }
    return pd.DataFrame(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(samples())
def test_an_inferred_schema_loads_and_validates_its_generated_sample(tmp_path: Path, frame) -> None:
    sample = tmp_path / "sample.csv"
    frame.to_csv(sample, index=False)
    port = PortSpec(name="sample", format="csv")
    probe = SchemaSpec("probe", {name: ColumnSpec(name, "str") for name in frame.columns})
    raw, text, found = read_untyped(port, sample, probe, types=TYPES)
    rendered = render_schema("sample", infer_columns(raw, text, found, TYPES), "sample.csv", len(raw))
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text("version: 1\npipeline: p\n" + rendered + "steps:\n  s:\n    script: s.py\n"
                         "    inputs: {x: {format: csv, schema: sample}}\n")
    schema = load_spec(spec_file).schemas["sample"]
    (typed,) = read_port(dataclass_port(schema), sample, schema, types=TYPES).values()
    ok, failures = validate_frame(typed, to_pandera(schema, TYPES))
    assert ok, (rendered, failures)


def dataclass_port(schema: SchemaSpec) -> PortSpec:
    return PortSpec(name="sample", format="csv", schema=schema)


@pytest.mark.parametrize(("value", "down", "up"), [(0.333, "0.333", "0.333"), (123456.0, "123000", "124000"),
                                                    (-1.23456, "-1.24", "-1.23")])
def test_float_bounds_are_rounded_outward(value, down, up) -> None:
    from specrun.analysis.infer_schema import _round

    assert format(_round(value, down=True), "f") == down and format(_round(value, down=False), "f") == up
    assert float(_round(value, down=True)) <= value <= float(_round(value, down=False))

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

from specrun.analysis.infer_schema import SampleFile, guess_rows, infer_columns, render_schema
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
    assert "schemas:\n  orders:\n    rows: {min: 5, max: 5}   # rows: the file's row count\n    columns:\n" in text
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
    rows = guess_rows([SampleFile("sample.csv", raw, text, found)])
    rendered = render_schema("sample", infer_columns(raw, text, found, TYPES), "sample.csv", len(raw), rows)
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


# -- several files, conflicts, rows --------------------------------------------------

def test_several_files_are_one_schema_and_a_type_conflict_is_reported(project) -> None:
    project.write("a.csv", "id,amount,ref\n1,1,ORD-000001\n2,2,ORD-000123\n3,3,ORD-999999\n")
    project.write("b.csv", "id,amount,ref\n4,2.5,ORD-000777\n5,3,ORD-001234\n")
    out = project.run("infer", "a.csv", "b.csv", "--name", "orders")
    assert out.code == 0, out.stderr
    assert "rows: {min: 2, max: 3}   # rows: the 2 files' smallest and largest row counts" in out.stdout
    assert "amount: {type: float, min: 1.0, max: 3.0}   # type: int in a.csv, float in b.csv" in out.stdout
    assert 'ref: {type: str, unique: true, pattern: "^ORD-[0-9]{6}$"}' in out.stdout

    project.write("c.csv", "id,amount,ref\nx7,2.5,ORD-000777\n")   # id is text here: never coerced to str
    out = project.run("infer", "a.csv", "c.csv")
    assert out.code == 2 and out.stdout == ""
    assert "column 'id': int in a.csv, str in c.csv (no one type reads every file)" in out.stderr
    project.write("d.csv", "id,ref\n9,ORD-000001\n")
    out = project.run("infer", "a.csv", "d.csv")
    assert out.code == 2 and "column 'amount' is in a.csv but not in d.csv" in out.stderr


def test_the_guessed_rows_and_pattern_hold_the_sample_and_reject_a_broken_copy(project) -> None:
    sample = "ref,n\n" + "".join(f"ORD-{i:06d},{i}\n" for i in (17, 4242, 999999, 123))
    project.write("orders.csv", sample)
    inferred = project.run("infer", "orders.csv")
    assert inferred.code == 0, inferred.stderr
    assert "rows: {min: 4, max: 4}" in inferred.stdout and '"^ORD-[0-9]{6}$"' in inferred.stdout
    spec_with(project, inferred.stdout, sample)
    assert project.run("check", "spec.yaml").code == 0
    assert project.run("spec.yaml").code == 0
    spec_with(project, inferred.stdout, sample.replace("ORD-004242", "ORD-4242"))
    outcome = project.run("spec.yaml")
    assert outcome.code == 4 and "ref" in outcome.stdout, outcome.stdout
    spec_with(project, inferred.stdout, sample + "ORD-000001,1\n")     # a fifth row: over rows.max
    assert project.run("spec.yaml").code == 4


# -- guessed patterns ----------------------------------------------------------------

@st.composite
def shaped_values(draw: st.DrawFn) -> list[str]:
    """Values of one fixed shape: literal parts and fixed-width runs of one character class."""
    classes = {"9": "0123456789", "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "a": "abcdefghijklmnopqrstuvwxyz"}
    parts = draw(st.lists(st.one_of(st.tuples(st.sampled_from(sorted(classes)), st.integers(1, 6)),
                                    st.sampled_from(["-", "_", "/", ".", "ORD", "x"])), min_size=1, max_size=5))
    count = draw(st.integers(2, 25))
    values = []
    for _ in range(count):
        text = ""
        for part in parts:
            text += part if isinstance(part, str) else "".join(
                draw(st.sampled_from(classes[part[0]])) for _ in range(part[1]))
        values.append(text)
    return values


@settings(max_examples=60, deadline=None)
@given(shaped_values())
def test_a_guessed_pattern_matches_the_sample_and_its_generated_values(values) -> None:
    import re

    import numpy as np

    from specrun.analysis.infer_schema import guess_pattern
    from specrun.contract.patterns import pattern_sampler

    pattern = guess_pattern(values)
    if pattern is None:    # no pattern is an honest answer (e.g. neighbouring runs merged into one)
        return
    assert all(re.fullmatch(pattern, v) for v in values)
    generated = pattern_sampler(pattern).sample(50, np.random.default_rng(0))
    assert all(re.fullmatch(pattern, str(v)) for v in generated)
    column = ColumnSpec("ref", "str", pattern=pattern)
    schema = SchemaSpec("s", {"ref": column})
    ok, _ = validate_frame(pd.DataFrame({"ref": pd.Series(values, dtype="string")}), to_pandera(schema, TYPES))
    assert ok
    broken = pd.DataFrame({"ref": pd.Series(values[:-1] + [values[-1] + "!"], dtype="string")})
    ok, failures = validate_frame(broken, to_pandera(schema, TYPES))
    assert not ok, failures


@pytest.mark.parametrize(("values", "pattern"), [
    (["EUR", "USD", "GBP"], "^[A-Z]{3}$"), (["ORD-000001", "ORD-123456"], "^ORD-[0-9]{6}$"),
    (["user_7", "user_42"], "^user_[0-9]{1,2}$"),
    (["Alice", "Bob"], None), (["a b", "c"], None), (["é1", "é2"], None), (["ab", "AB"], None)])
def test_patterns_only_for_fixed_shapes(values, pattern) -> None:
    from specrun.analysis.infer_schema import guess_pattern

    assert guess_pattern(values) == pattern

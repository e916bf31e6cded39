"""Static compatibility of producer output contracts with consumer input contracts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_builders import col, pipeline, port, schema, step

from specrun.analysis.compat import Edge, check_edge, check_pipeline, effective_consumer_port
from specrun.spec.model import ColumnSpec, SpecError

EDGE = Edge("clean", "table", "train", "data")


def findings(made_columns, read_columns, strict=True, made_options=None, read_options=None):
    made = port("table", schema=schema("out", *made_columns, **(made_options or {})))
    read = port("data", schema=schema("in", *read_columns, **(read_options or {})))
    return check_edge(made, read, strict, edge=EDGE)


def kinds(found):
    return sorted((f.kind, f.severity, f.column) for f in found)


def test_column_the_consumer_needs_but_the_producer_drops_is_an_error_naming_both_ends():
    for strict in (True, False):
        [finding] = findings([col("id")], [col("id"), col("amount", "float")], strict=strict)
        assert (finding.kind, finding.severity, finding.column, finding.side) == (
            "missing_column", "error", "amount", "producer")
        assert (finding.producer, finding.consumer, finding.edge) == (
            "clean.table", "train.data", "clean.table -> train.data")
        assert "clean.table" in finding.message and "train.data" in finding.message
        assert "producer's contract" in finding.message


def test_optional_consumer_column_may_be_missing():
    assert findings([col("id")], [col("id"), col("note", "str", required=False)]) == []


@pytest.mark.parametrize(("made", "read"), [("int", "float"), ("category", "str"), ("str", "category"),
                                            ("datetime", "datetime"), ("bool", "bool")])
def test_widening_dtypes_are_compatible(made, read):
    assert findings([col("x", made)], [col("x", read)]) == []


@pytest.mark.parametrize(("made", "read"), [("float", "int"), ("bool", "int"), ("bool", "float"),
                                            ("int", "bool"), ("int", "str"), ("datetime", "str")])
def test_narrowing_or_foreign_dtypes_are_errors_even_when_lenient(made, read):
    [finding] = findings([col("x", made)], [col("x", read)], strict=False)
    assert (finding.kind, finding.severity, finding.side) == ("dtype", "error", "both")
    assert f"producer writes {made}, consumer expects {read}" in finding.message


def test_plugin_type_that_cannot_be_compared_is_a_warning():
    [finding] = findings([col("x", "money")], [col("x", "float")])
    assert (finding.kind, finding.severity) == ("dtype", "warning")
    assert findings([col("x", "money")], [col("x", "money")]) == []


def test_category_superset_is_an_error_in_both_modes():
    made = [col("kind", "category", isin=["a", "b", "c"])]
    read = [col("kind", "category", isin=["a", "b"])]
    for strict in (True, False):
        [finding] = findings(made, read, strict=strict)
        assert (finding.kind, finding.severity, finding.side) == ("categories", "error", "producer")
        assert "['c']" in finding.message
    assert findings(read, made) == []


def test_str_read_as_category_fits_only_when_its_values_fit():
    read = [col("kind", "category", isin=["a", "b"])]
    assert findings([col("kind", "str", isin=["a"])], read) == []
    assert kinds(findings([col("kind", "str", isin=["a", "z"])], read, strict=False)) == [
        ("categories", "error", "kind")]
    assert kinds(findings([col("kind", "str")], read, strict=False)) == [("categories", "warning", "kind")]
    assert kinds(findings([col("kind", "str")], read, strict=True)) == [("categories", "error", "kind")]


def test_value_constraints_are_errors_when_strict_and_warnings_when_lenient():
    made = [col("amount", "float", min=-5, max=10, nullable=True), col("id"), col("cur", "str", isin=["USD", "EUR"])]
    read = [col("amount", "float", min=0, max=100), col("id", unique=True), col("cur", "str", isin=["USD"])]
    expected = [("isin", "cur"), ("nullable", "amount"), ("range", "amount"), ("unique", "id")]
    strict = findings(made, read, strict=True)
    lenient = findings(made, read, strict=False)
    assert sorted((f.kind, f.column) for f in strict) == expected
    assert {f.severity for f in strict} == {"error"}
    assert sorted((f.kind, f.column) for f in lenient) == expected
    assert {f.severity for f in lenient} == {"warning"}
    [range_finding] = [f for f in strict if f.kind == "range"]
    assert "producer min -5 does not fit consumer min 0" in range_finding.message


def test_unbounded_producer_does_not_guarantee_the_consumer_range():
    found = findings([col("x", "float")], [col("x", "float", min=0)])
    assert kinds(found) == [("range", "error", "x")]
    assert "producer states no min" in found[0].message


def test_producer_value_set_bounds_the_range():
    assert findings([col("x", "int", isin=[1, 2, 3])], [col("x", "int", min=1, max=3)]) == []
    assert kinds(findings([col("x", "int", isin=[0, 2])], [col("x", "int", min=1)])) == [("range", "error", "x")]


def test_datetime_ranges_compare_as_timestamps():
    assert findings([col("ts", "datetime", min="2024-02-01", max="2024-03-01")],
                    [col("ts", "datetime", min="2024-01-01", max="2024-12-31")]) == []
    assert kinds(findings([col("ts", "datetime", min="2023-06-01", max="2024-03-01")],
                          [col("ts", "datetime", min="2024-01-01")])) == [("range", "error", "ts")]


def test_patterns_the_producer_cannot_be_shown_to_match():
    assert findings([col("c", "str", pattern="^[A-Z]{3}$")], [col("c", "str", pattern="^[A-Z]{3}$")]) == []
    assert findings([col("c", "str", isin=["ABC"])], [col("c", "str", pattern="^[A-Z]{3}$")]) == []
    assert kinds(findings([col("c", "str", pattern="^[A-Z]+$")], [col("c", "str", pattern="^[A-Z]{3}$")])) == [
        ("pattern", "warning", "c")]
    assert kinds(findings([col("c", "str")], [col("c", "str", pattern="^x")], strict=False)) == [
        ("pattern", "warning", "c")]


def test_producer_column_that_may_be_absent():
    assert kinds(findings([col("x", required=False)], [col("x")], strict=False)) == [
        ("optional_column", "warning", "x")]


def test_strict_consumer_schema_rejects_undeclared_producer_columns():
    found = findings([col("id"), col("debug", "str"), col("maybe", required=False)], [col("id")], strict=False,
                     read_options={"strict": True})
    assert kinds(found) == [("extra_column", "error", "debug"), ("extra_column", "warning", "maybe")]
    assert all(f.side == "consumer" and "consumer's contract" in f.message for f in found)


def test_row_bounds():
    found = findings([col("id")], [col("id")], made_options={"rows_min": 0}, read_options={"rows_min": 10,
                                                                                            "rows_max": 50})
    assert kinds(found) == [("rows", "error", None), ("rows", "error", None)]
    assert findings([col("id")], [col("id")], made_options={"rows_min": 20, "rows_max": 40},
                    read_options={"rows_min": 10, "rows_max": 50}) == []


def test_formats_compression_and_layouts():
    data = schema("d", col("id"))

    def one(made, read, strict=True):
        return kinds(check_edge(made, read, strict, edge=EDGE))

    assert one(port("t", "parquet", data), port("d", "csv", data)) == [("format", "error", None)]
    assert one(port("t", "csv", data, compression="gzip"), port("d", "csv", data)) == [("compression", "error", None)]
    assert one(port("t", "csv", data), port("d", "text")) == []
    sharded = port("t", "csv", data, layout="part-{shard:05d}.csv", shards=3)
    split = port("d", "csv", data, layout="{split}/{split}.csv", split=["train", "test"])
    assert one(sharded, split) == [("layout", "error", None)]
    assert one(port("t", "csv", data, layout="{split}/{split}.csv", split=["train"]), split) == [
        ("split", "error", None)]
    assert one(port("t", "csv", data, layout="{split}/data.csv", split=["train", "test", "val"]), split,
               strict=False) == [("layout", "warning", None)]
    assert one(sharded, port("d", "csv", data, layout="part-{shard:05d}.csv", shards=2), strict=False) == [
        ("shards", "warning", None)]


def test_missing_schema_cannot_be_checked_but_a_from_input_borrows_the_producers():
    data = schema("d", col("id"))
    [finding] = check_edge(port("t"), port("d", schema=data), True, edge=EDGE)
    assert (finding.kind, finding.severity, finding.side) == ("no_schema", "warning", "producer")
    assert "cannot check" in finding.message
    [finding] = check_edge(port("t", schema=data), port("d"), True, edge=EDGE)
    assert finding.side == "consumer"
    assert check_edge(port("t", schema=data), port("d", from_="clean.table"), True, edge=EDGE) == []
    assert check_edge(port("t", "json"), port("d", "json"), True, edge=EDGE) == []


def test_check_pipeline_reports_each_edge_at_its_location():
    wide = schema("wide", col("id"), col("amount", "float"), col("kind", "category", isin=["a", "b"]))
    narrow = schema("narrow", col("id"), col("kind", "category", isin=["a", "b"]))
    spec = pipeline(step("clean", [port("raw", schema=wide)], [port("table", "parquet", narrow)]),
                    step("train", [port("data", "parquet", wide, from_="clean.table")], [port("model", "file")]),
                    step("score", [port("data", from_="clean.table")]))
    [finding] = check_pipeline(spec, strict=True)
    assert (finding.edge, finding.column, finding.kind) == ("clean.table -> train.data", "amount", "missing_column")
    assert finding.location == spec.where("steps.train.inputs.data.from")


def test_check_pipeline_raises_for_a_dangling_reference():
    spec = pipeline(step("a", [], [port("out")]), step("b", [port("in", from_="a.gone")]))
    with pytest.raises(SpecError, match="no output 'gone'"):
        check_pipeline(spec, strict=False)


def test_from_input_inherits_only_what_it_does_not_declare():
    spec = pipeline(step("a", [], [port("out", "parquet", compression="gzip")]),
                    step("b", [port("in", "csv", from_="a.out")]),
                    declared=["steps.b.inputs.in.format"])
    edge = Edge("a", "out", "b", "in")
    effective = effective_consumer_port(spec, edge)
    assert (effective.format, effective.compression) == ("csv", "gzip")


# -- properties ----------------------------------------------------------------------

names = st.text("abcdefgh", min_size=1, max_size=4)


@st.composite
def columns(draw):
    kind = draw(st.sampled_from(["int", "float", "str", "bool", "datetime", "category"]))
    options = {"nullable": draw(st.booleans()), "unique": draw(st.booleans()), "required": draw(st.booleans())}
    if kind in ("int", "float"):
        low = draw(st.none() | st.integers(-100, 100))
        options["min"], options["max"] = low, draw(st.none() | st.integers(low or 0, 200))
    if kind in ("str", "category"):
        options["isin"] = draw(st.none() | st.lists(names, min_size=1, max_size=4, unique=True))
    return kind, options


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(names, columns(), min_size=1, max_size=6), st.booleans(), st.booleans())
def test_a_contract_is_compatible_with_itself_and_with_any_subset_of_it(spec, strict, schema_strict):
    cols = [ColumnSpec(name, kind, **options) for name, (kind, options) in spec.items()]
    made = port("t", schema=schema("s", *cols, rows_min=1, rows_max=10))
    assert check_edge(made, port("d", schema=schema("s", *cols, rows_min=1, rows_max=10,
                                                     strict=schema_strict)), strict, edge=EDGE) == []
    subset = port("d", schema=schema("s", *cols[: len(cols) // 2 + 1]))
    assert check_edge(made, subset, strict, edge=EDGE) == []


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names, columns(), min_size=1, max_size=6), names.map(lambda n: n + "_new"))
def test_a_required_column_added_on_the_consumer_side_is_exactly_one_missing_column_error(spec, extra):
    cols = [ColumnSpec(name, kind, **options) for name, (kind, options) in spec.items()]
    made = port("t", schema=schema("s", *cols))
    read = port("d", schema=schema("s", *cols, col(extra, "float")))
    for strict in (True, False):
        assert kinds(check_edge(made, read, strict, edge=EDGE)) == [("missing_column", "error", extra)]


# -- on a spec file read by the loader -----------------------------------------------

SPEC_YAML = """\
version: 1
pipeline: shop
schemas:
  orders:
    columns:
      id:     {type: int, unique: true}
      amount: {type: float, min: 0}
  slim:
    columns:
      id: {type: int}
steps:
  clean:
    script: clean.py
    inputs:
      orders: {format: csv, schema: orders}
    outputs:
      table: {format: parquet, schema: slim}
  train:
    script: train.py
    inputs:
      data:
        from: clean.table
        schema: orders
    outputs:
      model: {format: file}
"""


def test_loaded_spec_reports_the_dropped_column_at_the_from_line(tmp_path):
    from specrun.analysis.dag import build_dag
    from specrun.spec.loader import load_spec

    for script in ("clean.py", "train.py"):
        (tmp_path / script).write_text("def main(*args):\n    pass\n")
    path = tmp_path / "shop.yaml"
    path.write_text(SPEC_YAML)
    spec = load_spec(path)
    build_dag(spec)
    found = check_pipeline(spec, strict=False)
    assert kinds(found) == [("missing_column", "error", "amount"), ("unique", "warning", "id")]
    finding = found[0]
    assert finding.side == "producer" and "clean.table -> train.data" in finding.message
    assert (finding.location.file, finding.location.line) == (path.absolute(), 22)   # the `from:` line

    declared_csv = "        from: clean.table\n        format: csv\n"
    path.write_text(SPEC_YAML.replace("        from: clean.table\n", declared_csv))
    with pytest.raises(SpecError, match="parquet output read as csv input") as info:
        build_dag(load_spec(path))
    assert str(info.value).startswith(f"{path.absolute()}:22: steps.train.inputs.data.from:")

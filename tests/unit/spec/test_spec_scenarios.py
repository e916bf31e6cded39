"""Built-in scenarios, extends merging, producer inheritance and spec discovery."""

from __future__ import annotations

import datetime as dt

import pytest
from spec_helpers import BASE, write

from specrun.spec.loader import discover_specs, load_spec
from specrun.spec.model import ExpectSpec, MutationSpec


def load(tmp_path, text, **kwargs):
    return load_spec(write(tmp_path, text), **kwargs)


def test_builtin_scenarios_are_injected(tmp_path):
    spec = load(tmp_path, BASE)
    assert list(spec.scenarios) == ["standard", "edge_cases", "performance", "negative"]
    standard, edge, performance, negative = spec.scenarios.values()
    assert (standard.rows, standard.builtin, standard.expect) == (1000, True, ExpectSpec("pass"))
    assert (edge.rows, edge.builtin, edge.edges) == (10, True, True)
    assert edge.mutate == {"*": [MutationSpec("boundary", {})]}
    assert (performance.rows, performance.builtin) == (100000, True)
    assert (negative.rows, negative.negative, negative.builtin) == (20, True, True)
    assert standard.location.line == 1  # no `scenarios:` key: the top of the file


def test_user_scenario_overrides_only_the_keys_it_sets(tmp_path):
    spec = load(tmp_path, BASE + "scenarios:\n  edge_cases:\n    rows: 3\n    seed: 9\n"
                "  mine: {rows: 5}\n  standard:\n    expect: {fail: true, exit_code: 2}\n")
    edge = spec.scenarios["edge_cases"]
    assert (edge.rows, edge.seed, edge.builtin) == (3, 9, False)
    assert edge.mutate == {"*": [MutationSpec("boundary", {})]}     # kept from the built-in
    assert edge.edges is True                                        # and so are its edges
    assert spec.scenarios["mine"].edges is False and spec.scenarios["standard"].edges is False
    assert edge.location.line == 20
    standard = spec.scenarios["standard"]
    assert (standard.rows, standard.expect.outcome, standard.expect.exit_code) == (1000, "fail", 2)
    assert list(spec.scenarios) == ["standard", "edge_cases", "performance", "negative", "mine"]
    assert spec.scenarios["performance"].builtin is True
    # the built-in template is not shared between loads
    edge.mutate["*"].append(MutationSpec("empty", True))
    assert load(tmp_path, BASE).scenarios["edge_cases"].mutate == {"*": [MutationSpec("boundary", {})]}


def test_negative_takes_true_false_or_a_share_of_property_examples(tmp_path):
    spec = load(tmp_path, BASE + "scenarios:\n  all_off: {examples: 5, negative: true}\n"
                "  some_off: {examples: 5, negative: 0.25}\n  none_off: {examples: 5, negative: false}\n"
                "  negative: {examples: 8}\n  cases: {negative: true}\n")
    shares = {name: (s.negative, s.negative_share) for name, s in spec.scenarios.items()}
    assert shares["all_off"] == (True, 1.0) and shares["some_off"] == (0.25, 0.25)
    assert shares["none_off"] == (False, 0.0) and shares["standard"] == (False, 0.0)
    assert shares["negative"] == (True, 1.0) and spec.scenarios["negative"].examples == 8   # the built-in, drawn
    assert shares["cases"] == (True, 1.0) and spec.scenarios["cases"].examples is None


def test_mutate_without_steps_applies_to_steps_with_the_port(tmp_path):
    text = BASE + "scenarios:\n  s:\n    columns: {a: {max: 3}}\n    mutate:\n      x: [empty]\n"
    # column 'a' is checked against the inputs of step one only (the only step with input x)
    spec = load(tmp_path, text)
    assert spec.scenarios["s"].columns == {"a": {"max": 3}}
    assert spec.scenarios["s"].mutate["x"] == [MutationSpec("empty", True, spec.scenarios["s"].mutate["x"][0].location)]


def test_extends_chain_merges_and_overrides(tmp_path):
    text = BASE.replace("schemas:\n", (
        "schemas:\n"
        "  root: {columns: {id: {type: int, min: 0, max: 10}, d: {type: datetime}}, rows: {min: 2}}\n"
        "  mid: {extends: root, columns: {id: {max: 5}}, strict: true}\n"
        "  leaf:\n    extends: mid\n    rows: {max: 9}\n    columns:\n"
        "      d: {type: str, isin: [\"2024-01-01\"]}\n      extra: {type: bool}\n"))
    spec = load(tmp_path, text)
    leaf = spec.schemas["leaf"]
    assert list(leaf.columns) == ["id", "d", "extra"]
    assert (leaf.columns["id"].min, leaf.columns["id"].max) == (0, 5)
    assert leaf.columns["d"].type == "str" and leaf.columns["d"].isin == ["2024-01-01"]
    assert (leaf.rows_min, leaf.rows_max, leaf.strict, leaf.extends) == (2, 9, True, "mid")
    assert spec.schemas["root"].columns["id"].max == 10     # parents are not modified
    assert spec.schemas["mid"].columns["d"].type == "datetime"


def test_extends_order_does_not_matter(tmp_path):
    text = BASE.replace("schemas:\n", "schemas:\n  child: {extends: parent, columns: {b: {type: int}}}\n"
                        "  parent: {columns: {a: {type: float}}}\n")
    assert list(load(tmp_path, text).schemas["child"].columns) == ["a", "b"]


def test_inline_schema_extends_named_schema(tmp_path):
    text = BASE.replace("y: {format: parquet, schema: t}",
                        "y: {format: parquet, schema: {extends: t, columns: {n: {type: float}}}}")
    spec = load(tmp_path, text)
    schema = spec.steps["one"].outputs["y"].schema
    assert (schema.name, list(schema.columns), schema.extends) == ("one.outputs.y", ["a", "s", "n"], "t")
    # the consumer inherits the inline schema through `from:`
    assert spec.steps["two"].inputs["z"].schema is schema
    assert spec.steps["two"].inputs["z"].format == "parquet"


def test_consumer_keeps_what_it_writes(tmp_path):
    text = BASE.replace("z: {from: one.y}", "z: {from: one.y, format: csv, compression: gzip}")
    port = load(tmp_path, text).steps["two"].inputs["z"]
    assert (port.format, port.compression, port.schema.name) == ("csv", "gzip", "t")


def test_column_values_are_typed_by_column_type(tmp_path):
    text = BASE.replace("a: {type: int, min: 0}", "a: {type: int, min: -5, isin: [1, 2]}").replace(
        "s: {type: str}", "s: {type: str, isin: [\"001\", 1, true]}\n"
        "      t: {type: datetime, min: 2024-01-01, max: \"2024-06-01 12:00:00\"}\n"
        "      f: {type: float, isin: [1, 2.5]}\n      b: {type: bool, isin: [true]}")
    columns = load(tmp_path, text).schemas["t"].columns
    assert columns["a"].isin == [1, 2] and columns["a"].min == -5
    assert columns["s"].isin == ["001", "1", "true"]
    assert columns["t"].min == dt.date(2024, 1, 1)
    assert columns["t"].max == dt.datetime(2024, 6, 1, 12)
    assert columns["f"].isin == [1.0, 2.5] and all(type(v) is float for v in columns["f"].isin)
    assert columns["b"].isin == [True]


def test_paths_are_absolute_and_relative_to_the_spec(tmp_path):
    nested = tmp_path / "specs"
    nested.mkdir()
    text = BASE.replace("script: one.py", "script: ../scripts/one.py").replace(
        "{format: csv, schema: t}", "{format: csv, schema: t, fixture: data/x.csv}")
    spec = load_spec(write(nested, text))
    assert spec.steps["one"].script == tmp_path / "scripts" / "one.py"
    assert spec.steps["one"].inputs["x"].fixture == nested / "data" / "x.csv"
    assert spec.path.is_absolute()


def test_discover_specs(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ["z.yaml", "a.yml", "notes.txt", "b/c.yaml", "b/deep/d.YAML", ".hidden/h.yaml",
                 ".dot.yaml"]:
        (tmp_path / name).write_text("x")
    single = tmp_path / "notes.txt"
    found = discover_specs([tmp_path, single])
    assert found == [tmp_path / "a.yml", tmp_path / "z.yaml", tmp_path / "b" / "c.yaml",
                     tmp_path / "b" / "deep" / "d.YAML", single]
    assert discover_specs([single, single]) == [single]
    with pytest.raises(FileNotFoundError, match="missing"):
        discover_specs([tmp_path / "missing"])

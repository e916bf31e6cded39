"""Declared types are contracts: every built-in type × every wrong storage fails, in
Parquet, CSV and JSON Lines, naming the column, the declared and the found type and
the file; the accepted widenings (docs/spec.md) read back in the declared dtype."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from contract_strategies import TYPES

from specrun.contract.io import read_port, read_port_frame, write_port
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import vectorised_frame
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec

COLUMNS = {
    "int": ColumnSpec("v", "int"),
    "float": ColumnSpec("v", "float"),
    "str": ColumnSpec("v", "str"),
    "bool": ColumnSpec("v", "bool"),
    "datetime": ColumnSpec("v", "datetime"),
    "category": ColumnSpec("v", "category", isin=["a", "b"]),
}
STAMPS = pd.to_datetime(["2024-01-01 00:00:00", "2024-06-30 12:00:00"])

# (declared type, label, the column as a script wrote it, the found type named)
WRONG_PARQUET: list[tuple[str, str, pd.Series, str]] = [
    ("int", "float", pd.Series([1.0, 2.0]), "double"),
    ("int", "strings", pd.Series(["1", "2"]), "large_string"),
    ("int", "bool", pd.Series([True, False]), "bool"),
    ("int", "uint64", pd.Series([1, 2], dtype="uint64"), "uint64"),
    ("int", "datetime", pd.Series(STAMPS), "timestamp"),
    ("float", "strings", pd.Series(["1.5", "2.5"]), "large_string"),
    ("float", "int", pd.Series([1, 2]), "int64"),
    ("float", "bool", pd.Series([True, False]), "bool"),
    ("float", "datetime", pd.Series(STAMPS), "timestamp"),
    ("str", "int", pd.Series([1, 2]), "int64"),
    ("str", "float", pd.Series([1.5, 2.5]), "double"),
    ("str", "bool", pd.Series([True, False]), "bool"),
    ("str", "categorical", pd.Series(pd.Categorical(["a", "b"])), "dictionary"),
    ("str", "datetime", pd.Series(STAMPS), "timestamp"),
    ("bool", "0/1 ints", pd.Series([0, 1]), "int64"),
    ("bool", "0/1 strings", pd.Series(["0", "1"]), "large_string"),
    ("bool", "True/False strings", pd.Series(["True", "False"]), "large_string"),
    ("bool", "float", pd.Series([0.0, 1.0]), "double"),
    ("datetime", "ISO strings", pd.Series(["2024-01-01", "2024-06-30"]), "large_string"),
    ("datetime", "epoch ints", pd.Series([1704067200, 1719748800]), "int64"),
    ("datetime", "tz-aware", pd.Series(STAMPS.tz_localize("UTC")), "tz=UTC"),
    ("datetime", "dates", pd.Series([dt.date(2024, 1, 1), dt.date(2024, 6, 30)]), "date32"),
    ("category", "ints", pd.Series([1, 2]), "int64"),
    ("category", "bool", pd.Series([True, False]), "bool"),
]
# values the declared type cannot hold although the storage is of its kind
UNHELD_PARQUET = [
    ("category", "unknown category", pd.Series(pd.Categorical(["a", "z"])), ["z"]),
    ("category", "unknown text", pd.Series(["a", "z"]), ["z"]),
]
# (declared type, label, the text a script wrote, the values that do not parse)
WRONG_TEXT: list[tuple[str, str, list[str], list[str]]] = [
    ("int", "float text", ["1.0", "2"], ["1.0"]),
    ("int", "exponent", ["1e3", "2"], ["1e3"]),
    ("int", "words", ["abc", "2"], ["abc"]),
    ("int", "bool text", ["True", "2"], ["True"]),
    ("int", "too big", ["99999999999999999999", "2"], ["99999999999999999999"]),
    ("float", "words", ["abc", "1.5"], ["abc"]),
    ("float", "decimal comma", ["1,5", "1.5"], ["1,5"]),
    ("float", "n/a", ["n/a", "1.5"], ["n/a"]),
    ("float", "bool text", ["True", "1.5"], ["True"]),
    ("bool", "0/1", ["0", "1"], ["0", "1"]),
    ("bool", "yes/no", ["yes", "true"], ["yes"]),
    ("bool", "float text", ["1.0", "false"], ["1.0"]),
    ("datetime", "words", ["not-a-date", "2024-01-01"], ["not-a-date"]),
    ("datetime", "impossible date", ["2024-13-45", "2024-01-01"], ["2024-13-45"]),
    ("datetime", "epoch", ["1704067200", "2024-01-01"], ["1704067200"]),
    ("datetime", "US date", ["01/02/2024", "2024-01-01"], ["01/02/2024"]),
    ("datetime", "with offset", ["2024-01-01T00:00:00+02:00", "2024-01-01"], ["2024-01-01T00:00:00+02:00"]),
    ("category", "unknown", ["a", "z"], ["z"]),
]


def schema_of(type_name: str, **changes: Any) -> SchemaSpec:
    column = COLUMNS[type_name]
    column = ColumnSpec(**{**column.__dict__, **changes})
    return SchemaSpec("s", {"v": column})


def read_and_validate(port: PortSpec, path: Path, schema: SchemaSpec) -> tuple[pd.DataFrame, bool, list]:
    frame = read_port_frame(port, path, schema, types=TYPES)
    ok, failures = validate_frame(frame, to_pandera(schema, TYPES))
    return frame, ok, failures


def only_type_failure(failures: list, declared: str) -> Any:
    typed = [f for f in failures if f.check.startswith("declared type")]
    assert len(typed) == 1, failures
    assert typed[0].column == "v" and typed[0].check.startswith(f"declared type {declared}, found ")
    return typed[0]


@pytest.mark.parametrize("declared, label, series, found", WRONG_PARQUET,
                         ids=[f"{d}-as-{label}" for d, label, _, _ in WRONG_PARQUET])
def test_parquet_storage_of_another_type_fails(tmp_path: Path, declared: str, label: str,
                                               series: pd.Series, found: str) -> None:
    path = tmp_path / "out.parquet"
    pd.DataFrame({"v": series}).to_parquet(path, index=False)
    _, ok, failures = read_and_validate(PortSpec("out", "parquet"), path, schema_of(declared))
    assert not ok
    failure = only_type_failure(failures, declared)
    assert found in failure.check and failure.check.endswith(" in out.parquet")
    assert failure.count == 2 and failure.examples
    assert not [f for f in failures if f.column == "v" and f is not failure]   # no restated pandera noise


@pytest.mark.parametrize("declared, label, series, bad", UNHELD_PARQUET,
                         ids=[label for _, label, _, _ in UNHELD_PARQUET])
def test_parquet_values_the_type_cannot_hold_fail(tmp_path: Path, declared: str, label: str,
                                                  series: pd.Series, bad: list) -> None:
    path = tmp_path / "out.parquet"
    pd.DataFrame({"v": series}).to_parquet(path, index=False)
    _, ok, failures = read_and_validate(PortSpec("out", "parquet"), path, schema_of(declared))
    assert not ok
    failure = only_type_failure(failures, declared)
    assert "values it cannot hold in out.parquet" in failure.check
    assert failure.count == len(bad) and failure.examples == bad


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("declared, label, texts, bad", WRONG_TEXT,
                         ids=[f"{d}-{label}" for d, label, _, _ in WRONG_TEXT])
def test_text_that_does_not_parse_as_the_type_fails(tmp_path: Path, fmt: str, declared: str, label: str,
                                                    texts: list[str], bad: list[str]) -> None:
    path = tmp_path / f"out.{fmt}"
    separator = "," if fmt == "csv" else "\t"
    path.write_text("v\n" + "\n".join(f'"{t}"' if separator in t else t for t in texts) + "\n")
    _, ok, failures = read_and_validate(PortSpec("out", fmt), path, schema_of(declared))
    assert not ok
    failure = only_type_failure(failures, declared)
    assert failure.check == f"declared type {declared}, found text that does not parse as {declared} in out.{fmt}"
    assert failure.count == len(bad) and failure.examples == bad


# JSON values a script wrote (one JSON object per line), and the JSON kind named
WRONG_JSON: list[tuple[str, list[Any], str]] = [
    ("int", [1.5, 2.0], "JSON number"),
    ("int", ["1", "2"], "JSON string"),
    ("int", [True, False], "JSON boolean"),
    ("float", ["1.5", "2.5"], "JSON string"),
    ("float", [True, 1.5], "JSON boolean/number"),
    ("str", [1, 2], "JSON integer"),
    ("bool", [0, 1], "JSON integer"),
    ("bool", ["true", "false"], "JSON string"),
]


@pytest.mark.parametrize("declared, values, found", WRONG_JSON,
                         ids=[f"{d}-as-{found.split()[-1]}" for d, _, found in WRONG_JSON])
def test_jsonl_values_of_another_kind_fail(tmp_path: Path, declared: str, values: list, found: str) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps({"v": v}) + "\n" for v in values))
    _, ok, failures = read_and_validate(PortSpec("out", "jsonl"), path, schema_of(declared))
    assert not ok
    assert only_type_failure(failures, declared).check == f"declared type {declared}, found {found} in out.jsonl"


def test_jsonl_datetimes_are_iso_text_and_numbers_are_not(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text('{"v": "2024-01-01T10:00:00"}\n{"v": 1704067200}\n{"v": null}\n')
    frame, ok, failures = read_and_validate(PortSpec("out", "jsonl"), path, schema_of("datetime", nullable=True))
    assert not ok and only_type_failure(failures, "datetime").examples == ["1704067200"]
    assert frame["v"].dtype == "datetime64[ns]" and frame["v"][0] == pd.Timestamp("2024-01-01 10:00")


# accepted widenings (the table in docs/spec.md): read back in the declared dtype, valid
WIDENINGS: list[tuple[str, pd.Series, str]] = [
    ("int", pd.Series([1, 2], dtype="int32"), "int64"),
    ("int", pd.Series([1, 2], dtype="int16"), "int64"),
    ("int", pd.Series([1, 2], dtype="uint8"), "int64"),
    ("int", pd.Series([1, 2], dtype="uint32"), "int64"),
    ("int", pd.Series([1, 2], dtype="Int64"), "int64"),
    ("float", pd.Series([1.5, 2.5], dtype="float32"), "float64"),
    ("datetime", pd.Series(STAMPS).astype("datetime64[us]"), "datetime64[ns]"),
    ("datetime", pd.Series(STAMPS).astype("datetime64[ms]"), "datetime64[ns]"),
    ("category", pd.Series(["a", "b"]), "category"),
]


@pytest.mark.parametrize("declared, series, dtype", WIDENINGS, ids=[f"{d}-{s.dtype}" for d, s, _ in WIDENINGS])
def test_accepted_widenings_read_in_the_declared_dtype(tmp_path: Path, declared: str, series: pd.Series,
                                                       dtype: str) -> None:
    path = tmp_path / "out.parquet"
    pd.DataFrame({"v": series}).to_parquet(path, index=False)
    frame, ok, failures = read_and_validate(PortSpec("out", "parquet"), path, schema_of(declared))
    assert ok, failures
    assert str(frame["v"].dtype) == dtype


def test_nullable_int_with_nulls_reads_as_nullable_int(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    pd.DataFrame({"v": pd.Series([1, None], dtype="Int32")}).to_parquet(path, index=False)
    frame, ok, failures = read_and_validate(PortSpec("out", "parquet"), path, schema_of("int", nullable=True))
    assert ok, failures
    assert str(frame["v"].dtype) == "Int64" and frame["v"][0] == 1


@pytest.mark.parametrize("declared, texts", [
    ("int", ["-3", "+4", "0"]), ("float", ["1", "-2.5", "1e-3", ".5", "inf"]),
    ("bool", ["True", "false", "TRUE"]), ("datetime", ["2024-01-01", "2024-01-01 10:00", "2024-01-01T10:00:00.123"]),
    ("category", ["a", "b"]), ("str", ["1.5", "True", "2024-01-01"]),
])
def test_text_of_the_type_parses(tmp_path: Path, declared: str, texts: list[str]) -> None:
    path = tmp_path / "out.csv"
    path.write_text("v\n" + "\n".join(texts) + "\n")
    frame, ok, failures = read_and_validate(PortSpec("out", "csv"), path, schema_of(declared))
    assert ok, failures
    assert frame["v"].dtype == to_pandera(schema_of(declared), TYPES).columns["v"].dtype.type


@pytest.mark.parametrize("fmt", ["parquet", "csv", "tsv", "jsonl"])
def test_generated_inputs_of_every_type_read_back_valid(tmp_path: Path, fmt: str) -> None:
    columns = {f"{name}_{nullable}": ColumnSpec(f"{name}_{nullable}", name, isin=c.isin, nullable=nullable)
               for name, c in COLUMNS.items() for nullable in (False, True)}
    schema = SchemaSpec("s", columns)
    frame = vectorised_frame(schema, 40, 3, TYPES)
    port = PortSpec("in", fmt, schema=schema)
    write_port(port, frame, tmp_path / f"in.{fmt}")
    parts = read_port(port, tmp_path / f"in.{fmt}", types=TYPES)
    ok, failures = validate_frame(parts[""], to_pandera(schema, TYPES))
    assert ok, failures


def test_a_plugin_type_without_storage_methods_gets_strict_defaults(tmp_path: Path) -> None:
    class Even:
        name = "even"

        def dtype(self, column: ColumnSpec) -> str:
            return "int64"

        def checks(self, column: ColumnSpec) -> list:
            return []

    types = type(TYPES)([*[TYPES.get(n) for n in TYPES.names()], Even()])
    schema = SchemaSpec("s", {"v": ColumnSpec("v", "even")})
    path = tmp_path / "out.parquet"
    pd.DataFrame({"v": np.array([2.0, 4.0])}).to_parquet(path, index=False)
    frame = read_port_frame(PortSpec("out", "parquet"), path, schema, types=types)
    ok, failures = validate_frame(frame, to_pandera(schema, types))
    assert not ok and failures[0].check == "declared type even, found double in out.parquet"
    (tmp_path / "out.csv").write_text("v\n2\nx\n")
    frame = read_port_frame(PortSpec("out", "csv"), tmp_path / "out.csv", schema, types=types)
    ok, failures = validate_frame(frame, to_pandera(schema, types))
    assert not ok and failures[0].examples == ["x"]

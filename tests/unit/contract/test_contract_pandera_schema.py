"""to_pandera and pandera references (DataFrameModel, DataFrameSchema, YAML)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from contract_strategies import TYPES

from specrun.contract.compiler import ContractCompiler
from specrun.contract.pandera_schema import load_pandera_reference, to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import vectorised_frame
from specrun.spec.model import ColumnSpec, Location, SchemaSpec, SpecError

MODULE = textwrap.dedent('''
    import pandas as pd
    import pandera.pandas as pa
    from pandera.typing import Series

    class Transactions(pa.DataFrameModel):
        txn_id: Series[int] = pa.Field(unique=True, ge=0)
        amount: Series[float] = pa.Field(in_range={"min_value": 0, "max_value": 100})
        currency: Series[str] = pa.Field(isin=["USD", "EUR"])
        merchant: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}-\\d{2}$")
        qty: Series[int] = pa.Field(gt=0, lt=10)
        ts: Series[pd.Timestamp]
        flag: Series[bool]

    SCHEMA = pa.DataFrameSchema({"n": pa.Column(int, pa.Check.le(5))})
    NOT_A_SCHEMA = 42
''')


@pytest.fixture()
def schema_module(tmp_path: Path) -> Path:
    package = tmp_path / f"schemas_{tmp_path.name.replace('-', '_')}"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(MODULE)
    return package


def _location(tmp_path: Path) -> Location:
    return Location(tmp_path / "spec.yaml", 7, "schemas.external.pandera")


def test_model_reference_derives_columns_that_generate_valid_data(tmp_path: Path, schema_module: Path) -> None:
    schema, columns = load_pandera_reference(f"{schema_module.name}.models:Transactions", tmp_path)
    assert set(columns) == {"txn_id", "amount", "currency", "merchant", "qty", "ts", "flag"}
    assert columns["txn_id"].type == "int" and columns["txn_id"].unique and columns["txn_id"].min == 0
    assert (columns["amount"].min, columns["amount"].max) == (0, 100)
    assert columns["currency"].isin == ["USD", "EUR"]
    assert columns["merchant"].nullable and columns["merchant"].pattern == r"^[A-Z]{3}-\d{2}$"
    assert (columns["qty"].min, columns["qty"].max) == (1, 9)
    assert columns["ts"].type == "datetime" and columns["flag"].type == "bool"
    spec = SchemaSpec("external", columns)
    frame = vectorised_frame(spec, 2_000, 3, TYPES)
    assert validate_frame(frame, schema) == (True, [])


def test_schema_instance_reference(tmp_path: Path, schema_module: Path) -> None:
    schema, columns = load_pandera_reference(f"{schema_module.name}.models:SCHEMA", tmp_path)
    assert isinstance(schema, pa.DataFrameSchema) and columns["n"].max == 5


def test_yaml_reference(tmp_path: Path) -> None:
    source = pa.DataFrameSchema({"a": pa.Column(int, pa.Check.in_range(1, 3)),
                                 "b": pa.Column(str, nullable=True)})
    (tmp_path / "schema.yaml").write_text(source.to_yaml())
    schema, columns = load_pandera_reference("schema.yaml", tmp_path)
    assert (columns["a"].min, columns["a"].max) == (1, 3)
    assert columns["b"].type == "str" and columns["b"].nullable
    assert validate_frame(vectorised_frame(SchemaSpec("y", columns), 50, 1, TYPES), schema)[0]


@pytest.mark.parametrize("ref, message", [
    ("no_such_module_xyz:Model", "cannot import"),
    ("{pkg}.models:Missing", "has no attribute 'Missing'"),
    ("{pkg}.models:NOT_A_SCHEMA", "not a pandera"),
    ("missing.yaml", "not found"),
    ("justaname", "must be 'module:Name'"),
])
def test_reference_errors_are_spec_errors_at_the_schema(tmp_path: Path, schema_module: Path,
                                                        ref: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        load_pandera_reference(ref.format(pkg=schema_module.name), tmp_path, location=_location(tmp_path))
    assert caught.value.line == 7 and caught.value.key == "schemas.external.pandera"


def test_compiled_reference_errors_are_spec_errors_at_the_schema(tmp_path: Path) -> None:
    spec = SchemaSpec("external", pandera="no_such_module_xyz:Model", location=_location(tmp_path))
    with pytest.raises(SpecError, match="cannot import") as caught:
        ContractCompiler(TYPES, {}).resolve(spec, tmp_path)
    assert caught.value.line == 7 and caught.value.key == "schemas.external.pandera"


def test_to_pandera_follows_a_reference(tmp_path: Path, schema_module: Path) -> None:
    spec = SchemaSpec("external", pandera=f"{schema_module.name}.models:SCHEMA", location=_location(tmp_path))
    schema = to_pandera(spec, TYPES)
    assert list(schema.columns) == ["n"]


def test_to_pandera_columns_rows_and_strict() -> None:
    spec = SchemaSpec("s", {"a": ColumnSpec("a", "int", min=0, unique=True),
                            "b": ColumnSpec("b", "str", required=False, nullable=True)},
                      rows_min=2, rows_max=3, strict=True)
    schema = to_pandera(spec, TYPES)
    assert schema.strict and not schema.coerce
    assert schema.columns["a"].unique and not schema.columns["b"].required
    assert validate_frame(pd.DataFrame({"a": [1, 2]}), schema)[0]
    ok, failures = validate_frame(pd.DataFrame({"a": [1, 1, 2, 3], "z": [0, 0, 0, 0]}), schema)
    checks = {(f.column, f.check) for f in failures}
    assert (None, "at most 3 rows") in checks and ("z", "column_in_schema") in checks
    assert any(column == "a" and "unique" in check for column, check in checks)
    assert not validate_frame(pd.DataFrame({"a": [1]}), schema)[0]


def test_plugin_checks_are_looked_up_by_name() -> None:
    column = ColumnSpec("a", "int", checks=[{"even": None}], location=Location(Path("s.yaml"), 4, "c.a"))
    spec = SchemaSpec("s", {"a": column})
    factories = {"even": lambda args: pa.Check(lambda s: s % 2 == 0, name="even")}
    schema = to_pandera(spec, TYPES, factories)
    ok, failures = validate_frame(pd.DataFrame({"a": [2, 3]}), schema)
    assert not ok and failures[0].check == "even" and failures[0].examples == [3]
    with pytest.raises(SpecError, match="unknown check 'even'") as caught:
        to_pandera(spec, TYPES, {})
    assert caught.value.line == 4


def test_unknown_type_is_a_spec_error() -> None:
    spec = SchemaSpec("s", {"a": ColumnSpec("a", "money", location=Location(Path("s.yaml"), 9, "a"))})
    with pytest.raises(SpecError, match="unknown type 'money'"):
        to_pandera(spec, TYPES)

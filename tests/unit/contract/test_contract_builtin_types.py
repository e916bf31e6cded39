"""Built-in column types: strategies, boundary values and dtypes agree with the pandera checks."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from contract_strategies import COLUMN_STRATEGIES, TYPES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.builtin_types import BUILTIN_TYPES
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.hooks import make_plugin_manager
from specrun.spec.model import ColumnSpec, SchemaSpec, SpecError


def _frame(column: ColumnSpec, values: list) -> pd.DataFrame:
    dtype = TYPES.get(column.type).dtype(column)
    if column.type == "datetime":
        values = [pd.Timestamp(v) for v in values]
    return pd.DataFrame({column.name: pd.Series(values, dtype=dtype)})


def _valid(column: ColumnSpec, values: list) -> tuple[bool, list]:
    schema = SchemaSpec("s", {column.name: column})
    return validate_frame(_frame(column, values), to_pandera(schema, TYPES))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(sorted(COLUMN_STRATEGIES)))
def test_strategy_values_satisfy_the_checks(data: st.DataObject, kind: str) -> None:
    column = data.draw(COLUMN_STRATEGIES[kind]("c", 1))
    column.unique = False
    value = data.draw(TYPES.get(kind).strategy(column))
    ok, failures = _valid(column, [value])
    assert ok, (value, failures)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), kind=st.sampled_from(sorted(COLUMN_STRATEGIES)))
def test_boundary_values_are_valid(data: st.DataObject, kind: str) -> None:
    column = data.draw(COLUMN_STRATEGIES[kind]("c", 1))
    column.unique = False
    values = TYPES.get(kind).boundary_values(column)
    assert values
    ok, failures = _valid(column, values)
    assert ok, (values, failures)


def test_boundary_values_are_the_declared_bounds() -> None:
    types = {t.name: t for t in BUILTIN_TYPES}
    assert types["int"].boundary_values(ColumnSpec("a", "int", min=1, max=9)) == [1, 9]
    assert types["int"].boundary_values(ColumnSpec("a", "int", min=-5)) == [-5, 0]
    assert types["float"].boundary_values(ColumnSpec("a", "float", min=0.5, max=2)) == [0.5, 2.0]
    assert types["datetime"].boundary_values(
        ColumnSpec("a", "datetime", min=dt.date(2024, 1, 1), max="2024-12-31")) == \
        [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")]
    assert types["str"].boundary_values(ColumnSpec("a", "str", pattern=r"[A-Z]{2,4}")) == ["AA", "AAAA"]
    assert types["category"].boundary_values(ColumnSpec("a", "category", isin=["x", "y", "z"])) == ["x", "z"]


@pytest.mark.parametrize("column, dtype", [
    (ColumnSpec("a", "int"), "int64"), (ColumnSpec("a", "int", nullable=True), "Int64"),
    (ColumnSpec("a", "float"), "float64"), (ColumnSpec("a", "bool"), "bool"),
    (ColumnSpec("a", "bool", nullable=True), "boolean"), (ColumnSpec("a", "str"), "str"),
    (ColumnSpec("a", "datetime"), "datetime64[ns]"),
    (ColumnSpec("a", "category", isin=["x", "y"]), "category"),
])
def test_dtypes(column: ColumnSpec, dtype: str) -> None:
    assert str(TYPES.get(column.type).dtype(column)) == dtype


def test_str_dtype_is_the_pandas_default_string() -> None:
    assert TYPES.get("str").dtype(ColumnSpec("a", "str")) == pd.Series(["x"]).dtype


def test_category_requires_isin() -> None:
    with pytest.raises(SpecError, match="category needs isin"):
        TYPES.get("category").dtype(ColumnSpec("k", "category"))


def test_wrong_and_extreme_values_break_or_stress_the_contract() -> None:
    column = ColumnSpec("a", "int", min=0, max=10)
    ok, _ = _valid(column, [TYPES.get("int").extreme_values(column)[0]])
    assert not ok
    for name in ("int", "float", "datetime", "bool"):
        wrong = TYPES.get(name).wrong_dtype_values(ColumnSpec("a", name))
        assert all(isinstance(v, str) for v in wrong)
    assert all(not isinstance(v, str) for v in TYPES.get("str").wrong_dtype_values(ColumnSpec("a", "str")))


def test_registered_through_the_plugin_hook() -> None:
    pm = make_plugin_manager()
    import specrun.contract.builtin_types as builtin
    pm.register(builtin)
    registry = TypeRegistry.from_plugins(pm)
    assert registry.names() == ["bool", "category", "datetime", "float", "int", "str"]

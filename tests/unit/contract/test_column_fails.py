"""A negative case's input is proven off-contract by validating only the column it broke
(``column_fails``), and by the whole frame only when that column passes.  The shortcut must
never call a frame broken that whole-frame validation passes: a negative case whose input
honours its contract tests nothing and is a spec error (``check_breaks``)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pandera.pandas as pa
import pytest
from contract_strategies import TYPES
from hypothesis import HealthCheck, given, settings
from test_validate_chunked import cases

from specrun.contract.negative import NegativeConstraint, NegativeInput
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import column_fails, validate_frame
from specrun.modes.isolation.negative import check_breaks
from specrun.spec.model import ColumnSpec, SchemaSpec, SpecError


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_column_that_fails_alone_fails_the_whole_frame(case: tuple[pd.DataFrame, pa.DataFrameSchema, int]) -> None:
    frame, schema, _ = case
    if frame.columns.has_duplicates:
        return
    whole_ok, _ = validate_frame(frame, schema)
    for column in [*frame.columns, *schema.columns, None]:
        if column_fails(frame, schema, column):
            assert not whole_ok, column


def _column_alone_fails(frame: pd.DataFrame, schema: pa.DataFrameSchema, column: object) -> bool:
    """What ``column_fails`` answers, by pandera's lazy validation of that column (every failure)."""
    try:
        schema.columns[column].validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors:
        return True
    except Exception:  # noqa: BLE001 - as column_fails: not judged alone
        return False
    return False


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_first_failure_answers_as_every_failure_would(case: tuple[pd.DataFrame, pa.DataFrameSchema, int]) -> None:
    """``column_fails`` stops at the column's first failure; that answers exactly as the
    column's lazy validation, which collects them all."""
    frame, schema, _ = case
    if frame.columns.has_duplicates or schema.coerce:
        return
    for column in schema.columns:
        if column in frame.columns:
            assert column_fails(frame, schema, column) == _column_alone_fails(frame, schema, column), column


def _spec(**kwargs: object) -> SchemaSpec:
    return SchemaSpec("s", {"a": ColumnSpec("a", "int", min=0, max=9), "b": ColumnSpec("b", "str")}, **kwargs)


def test_the_broken_column_alone_is_judged() -> None:
    schema = to_pandera(_spec(), TYPES)
    assert column_fails(pd.DataFrame({"a": [1, 12], "b": ["x", "y"]}), schema, "a")
    assert not column_fails(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), schema, "a")


def test_a_frame_level_failure_is_left_to_the_whole_frame() -> None:
    schema = to_pandera(_spec(rows_max=1), TYPES)
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert not column_fails(frame, schema, "a")          # the column is fine on its own ...
    assert not validate_frame(frame, schema)[0]         # ... the frame is not


def test_a_check_grouped_by_another_column_is_not_judged_alone() -> None:
    """Alone, the grouping column is missing: pandera raises rather than fail the check, so the
    column is not judged (a failure here would prove nothing about the frame)."""
    schema = pa.DataFrameSchema({"a": pa.Column(int, pa.Check(lambda groups: True, groupby="b")),
                                 "b": pa.Column(str)})
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert validate_frame(frame, schema)[0]
    assert not column_fails(frame, schema, "a")


def test_coercion_and_dropped_rows_are_left_to_the_whole_frame() -> None:
    frame = pd.DataFrame({"a": ["1", "2"]})
    coercing = pa.DataFrameSchema({"a": pa.Column(int)}, coerce=True)
    assert validate_frame(frame, coercing)[0] and not column_fails(frame, coercing, "a")
    dropping = pa.DataFrameSchema({"a": pa.Column(int, pa.Check.le(1))}, drop_invalid_rows=True)
    assert not column_fails(pd.DataFrame({"a": [1, 2]}), dropping, "a")


def test_a_frame_parser_is_left_to_the_whole_frame() -> None:
    """A frame-level parser changes the values before the checks see them."""
    schema = pa.DataFrameSchema({"a": pa.Column(int, pa.Check.le(1))},
                                parsers=pa.Parser(lambda frame: frame.clip(upper=1)))
    frame = pd.DataFrame({"a": [1, 2]})
    assert validate_frame(frame, schema)[0] and not column_fails(frame, schema, "a")


def _broken(frame: pd.DataFrame, column: str | None) -> NegativeInput:
    return NegativeInput(NegativeConstraint("rows", column, "max"), frame, [1], [], "none", "a value over max")


def _session(spec: SchemaSpec) -> SimpleNamespace:
    compiled = to_pandera(spec, TYPES)
    return SimpleNamespace(contracts=SimpleNamespace(pandera=lambda schema: compiled))


@pytest.mark.parametrize("column", ["a", None])
def test_an_input_that_honours_its_contract_is_a_spec_error(column: str | None) -> None:
    spec = _spec()
    with pytest.raises(SpecError, match="does not break the contract"):
        check_breaks(_session(spec), spec, _broken(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), column))


@pytest.mark.parametrize("frame, column", [
    (pd.DataFrame({"a": [1, 12], "b": ["x", "y"]}), "a"),      # found by the column alone
    (pd.DataFrame({"a": [1, 2], "b": ["x", None]}), "a"),      # the column passes, the frame does not
    (pd.DataFrame({"a": [1, 12], "b": ["x", "y"]}), None),     # a frame constraint: the whole frame
])
def test_an_input_that_breaks_its_contract_is_run(frame: pd.DataFrame, column: str | None) -> None:
    spec = _spec()
    check_breaks(_session(spec), spec, _broken(frame, column))

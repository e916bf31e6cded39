"""Built-in step properties."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from specrun.contract import properties
from specrun.contract.properties import BUILTIN_PROPERTIES, PropertyContext
from specrun.hooks import make_plugin_manager
from specrun.spec.model import Location, PortSpec, SpecError, StepSpec

STEP = StepSpec("convert", Path("convert.py"),
                inputs={"transactions": PortSpec("transactions")},
                outputs={"converted": PortSpec("converted"), "model": PortSpec("model", "file")})
INPUT = pd.DataFrame({"id": [1, 2, 3, 4], "amount": [1.0, 2.0, 3.0, 4.0], "merchant": ["a", "b", None, "d"]})
HERE = Location(Path("spec.yaml"), 21, "steps.convert.properties.0")


def _context(output: pd.DataFrame, base_dir: Path = Path(".")) -> PropertyContext:
    return PropertyContext(STEP, {"transactions": INPUT}, {"converted": output}, base_dir, HERE)


def _check(kind: str, params: object, output: pd.DataFrame, base_dir: Path = Path(".")):
    return BUILTIN_PROPERTIES[kind](params, _context(output, base_dir))


def test_registered_through_the_plugin_hook() -> None:
    pm = make_plugin_manager()
    pm.register(properties)
    registered = pm.hook.specrun_properties()
    assert sorted(registered[0]) == ["class_balance", "columns_added", "columns_removed", "disjoint", "no_nulls",
                                     "part_rows", "python", "relation", "row_count", "unchanged",
                                     "unique"]


@pytest.mark.parametrize("params, rows, ok", [
    ({"output": "converted", "equals": "transactions"}, 4, True),
    ({"output": "converted", "equals": "transactions"}, 3, False),
    ({"output": "converted", "le": "transactions"}, 3, True),
    ({"output": "converted", "ge": "transactions"}, 3, False),
    ({"output": "converted", "equals": 2}, 2, True),
    ({"output": "converted", "ratio": {"input": "transactions", "min": 0.5, "max": 1.0}}, 2, True),
    ({"output": "converted", "ratio": {"input": "transactions", "min": 0.5, "max": 1.0}}, 1, False),
])
def test_row_count(params: dict, rows: int, ok: bool) -> None:
    result = _check("row_count", params, INPUT.head(rows))
    assert result.ok is ok and result.name == "row_count"
    assert str(rows) in result.message


def test_row_count_message_says_expected_and_actual() -> None:
    result = _check("row_count", {"output": "converted", "equals": "transactions"}, INPUT.head(3))
    assert result.message == "output 'converted' has 3 rows; expected == 4 (rows of input 'transactions')"


@pytest.mark.parametrize("params, message", [
    ({"output": "converted"}, "one of equals, le, ge or ratio"),
    ({"equals": 3}, "needs 'output'"),
    ({"output": "nope", "equals": 3}, "no output 'nope'"),
    ({"output": "converted", "equals": "nope"}, "no input 'nope'"),
    ({"output": "converted", "equals": 1.5}, "input name or an integer"),
    ("converted", "needs a mapping"),
])
def test_row_count_param_mistakes_are_spec_errors(params: object, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        _check("row_count", params, INPUT)
    assert caught.value.line == 21


def test_output_without_tabular_data_fails_the_property() -> None:
    result = BUILTIN_PROPERTIES["no_nulls"]({"output": "model"}, _context(INPUT))
    assert not result.ok and "no tabular data" in result.message


def test_no_nulls() -> None:
    assert _check("no_nulls", {"output": "converted", "columns": ["id", "amount"]}, INPUT).ok
    result = _check("no_nulls", {"output": "converted"}, INPUT)
    assert not result.ok and "1 in 'merchant'" in result.message
    missing = _check("no_nulls", {"output": "converted", "columns": ["zzz"]}, INPUT)
    assert not missing.ok and "zzz" in missing.message


def test_unique() -> None:
    assert _check("unique", {"output": "converted", "columns": ["id"]}, INPUT).ok
    doubled = pd.concat([INPUT, INPUT.head(1)], ignore_index=True)
    result = _check("unique", {"output": "converted", "columns": ["id"]}, doubled)
    assert not result.ok and "1 duplicate" in result.message
    assert not _check("unique", {"output": "converted"}, doubled).ok
    assert _check("unique", {"output": "converted", "columns": ["id", "amount"]}, INPUT).ok


def test_columns_added_and_removed() -> None:
    output = INPUT.drop(columns=["merchant"]).assign(amount_usd=1.0)
    added = _check("columns_added", {"output": "converted", "input": "transactions",
                                     "columns": ["amount_usd"]}, output)
    assert added.ok and "amount_usd" in added.message
    not_added = _check("columns_added", {"output": "converted", "input": "transactions",
                                         "columns": ["fx_rate"]}, output)
    assert not not_added.ok and "expected ['fx_rate'] added" in not_added.message
    assert _check("columns_removed", {"output": "converted", "input": "transactions",
                                      "columns": ["merchant"]}, output).ok
    report = _check("columns_removed", {"output": "converted", "input": "transactions"}, output)
    assert report.ok and "['merchant']" in report.message
    with pytest.raises(SpecError, match="needs 'input'"):
        _check("columns_added", {"output": "converted"}, output)


CHECKS = '''
def positive(inputs, outputs, step):
    assert step.name == "convert"
    return bool((outputs["converted"]["amount"] > 0).all())

def explain(inputs, outputs, step):
    return None if len(outputs["converted"]) == len(inputs["transactions"]) else "row count changed"

def crash(inputs, outputs, step):
    raise ValueError("boom")

def weird(inputs, outputs, step):
    return 42
'''


@pytest.fixture()
def checks_module(tmp_path: Path) -> str:
    name = f"checks_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(CHECKS)
    return name


def test_python_property(tmp_path: Path, checks_module: str) -> None:
    def run(function: str, output: pd.DataFrame):
        return _check("python", f"{checks_module}:{function}", output, tmp_path)
    assert run("positive", INPUT).ok
    assert not run("positive", INPUT.assign(amount=-1.0)).ok
    assert run("explain", INPUT).ok
    assert run("explain", INPUT.head(1)).message.endswith("row count changed")
    crashed = run("crash", INPUT)
    assert not crashed.ok and "ValueError: boom" in crashed.message
    assert not run("weird", INPUT).ok


def test_python_property_reference_errors(tmp_path: Path, checks_module: str) -> None:
    with pytest.raises(SpecError, match="has no function 'nope'"):
        _check("python", f"{checks_module}:nope", INPUT, tmp_path)
    with pytest.raises(SpecError, match="cannot import"):
        _check("python", "no_such_module_abc:f", INPUT, tmp_path)
    with pytest.raises(SpecError, match="module:function"):
        _check("python", "nofunction", INPUT, tmp_path)

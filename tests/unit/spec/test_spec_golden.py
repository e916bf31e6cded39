"""Golden inputs and outputs in the spec: values typed by the port's schema, never coerced;
every misfit an error at its line (spec/build_golden.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spec_helpers import BASE, write

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

GOLDEN = """\
scenarios:
  fixed:
    inputs:
      x:
        rows:
          - {a: 1, s: "007"}
          - {a: 2, s: b}
    expect:
      pass: true
      outputs:
        y: {rows: [{a: 1, s: "007"}], key: a, tolerance: 0.001, columns: [a, s]}
"""


def load(tmp_path, text):
    return load_spec(write(tmp_path, BASE + text))


def error(tmp_path, text) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load(tmp_path, text)
    return caught.value


def test_golden_rows_are_typed_by_the_port_schema(tmp_path) -> None:
    scenario = load(tmp_path, GOLDEN).scenarios["fixed"]
    assert scenario.steps == ["one"]          # the only step with input x and output y
    assert scenario.inputs["x"].rows == [{"a": 1, "s": "007"}, {"a": 2, "s": "b"}]
    golden = scenario.expect.outputs["y"]
    assert (golden.key, golden.tolerance, golden.columns) == (["a"], 0.001, ["a", "s"])


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("{a: 2, s: b}", "{a: 2.0, s: b}", 7, "expected an integer for an int column, found '2.0'"),
    ("{a: 2, s: b}", "{a: ~, s: b}", 7, "null in column 'a', which is not nullable"),
    ("{a: 2, s: b}", "{a: 2}", 7, "every row needs the same columns"),
    ("key: a", "key: nope", 11, "every 'key' column must be among 'columns'"),
    ("pass: true", "fail: true", 10, "'outputs' (golden outputs) applies only with 'pass: true'"),
    ("      x:\n", "      q:\n", 2, "no step has input 'q' and output 'y'"),
    ("y: {rows: [{a: 1, s: \"007\"}]", "y: {file: missing.csv", 11, "file not found"),
])
def test_a_golden_misfit_is_an_error_at_its_line(tmp_path, old, new, line, message) -> None:
    found = error(tmp_path, GOLDEN.replace(old, new))
    assert message in found.message
    assert found.line == BASE.count("\n") + line


def test_a_strict_schema_rejects_undeclared_columns(tmp_path) -> None:
    strict = BASE.replace("      s: {type: str}\n", "      s: {type: str}\n    strict: true\n", 1)
    text = GOLDEN.replace("{a: 2, s: b}", "{a: 2, s: b, extra: 1}").replace('{a: 1, s: "007"}\n',
                                                                          '{a: 1, s: "007", extra: 2}\n', 1)
    with pytest.raises(SpecError, match="column 'extra' is not declared"):
        load_spec(write(tmp_path, strict + text))
    assert load(tmp_path, text).scenarios["fixed"].inputs["x"].rows[1]["extra"] == 1


@settings(max_examples=40, deadline=None)
@given(st.integers(-10**12, 10**12),
       st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1).filter(lambda t: t != "null"))
def test_any_int_and_text_round_trip_exactly(tmp_path_factory, number, text) -> None:
    """Text stays text ("007", "1e3", "true" in a str column), except the null words."""
    folder = tmp_path_factory.mktemp("g")
    spec = load(folder, GOLDEN.replace("{a: 2, s: b}", f'{{a: {number}, s: "{text}"}}'))
    assert spec.scenarios["fixed"].inputs["x"].rows[1] == {"a": number, "s": text}

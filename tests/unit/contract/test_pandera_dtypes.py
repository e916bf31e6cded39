"""The ``str`` dtype specrun gives pandera answers exactly as pandera's own ``STRING``."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pandera.pandas as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pandera.engines import pandas_engine

from specrun.contract.builtin_types import str_dtype
from specrun.contract.pandera_dtypes import pandera_dtype
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.types import TypeRegistry
from specrun.spec.model import ColumnSpec, SchemaSpec

VALUES = st.one_of(st.text(max_size=3), st.none(), st.integers(-3, 3), st.floats(allow_nan=True),
                   st.booleans())
STORAGES = {
    "str (specrun's)": str_dtype,
    "string[python]": lambda: pd.StringDtype("python", na_value=np.nan),
    "string[pyarrow] with pd.NA": lambda: pd.StringDtype("pyarrow"),
    "object": lambda: object,
    "category": lambda: "category",
}


@st.composite
def series(draw: st.DrawFn) -> pd.Series:
    """A column as a script may write it: strings in any storage, or not strings at all."""
    rows = draw(st.integers(0, 6))
    kind = draw(st.sampled_from(["text", "int64", "float64", "bool", "datetime64[ns]"]))
    if kind == "int64":
        return pd.Series(draw(st.lists(st.integers(-5, 5), min_size=rows, max_size=rows)), dtype="int64")
    if kind == "float64":
        return pd.Series(draw(st.lists(st.floats(), min_size=rows, max_size=rows)), dtype="float64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype="bool")
    if kind == "datetime64[ns]":
        return pd.Series(pd.date_range("2024-01-01", periods=rows), dtype="datetime64[ns]")
    storage = STORAGES[draw(st.sampled_from(sorted(STORAGES)))]()
    texts = draw(st.booleans())
    values = draw(st.lists(st.text(max_size=3) | st.none() if texts else VALUES, min_size=rows, max_size=rows))
    try:
        return pd.Series(values, dtype=storage)
    except (TypeError, ValueError):
        return pd.Series(values, dtype=object)


def _outcome(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> tuple[bool, str]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.drop(columns=["schema_context"])
        return False, cases.to_json(orient="records", default_handler=str, date_format="iso")
    return True, ""


# five kinds of column, five storages, nullable or not: 150 examples cover them many times over
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series(), st.booleans())
@example(pd.Series(["a", "b"], dtype=str_dtype()), False)             # the fast path: passes
@example(pd.Series([1, 2], dtype="int64"), False)                     # a str column written as ints
@example(pd.Series(["a", 3], dtype=object), True)                     # one value not a string
@example(pd.Series(["a", None], dtype=pd.StringDtype("python", na_value=np.nan)), True)
def test_the_str_dtype_gives_pandera_verdicts_and_failure_cases(column: pd.Series, nullable: bool) -> None:
    frame = pd.DataFrame({"s": column})
    ours = pa.DataFrameSchema({"s": pa.Column(pandera_dtype(str_dtype()), nullable=nullable, coerce=False)})
    theirs = pa.DataFrameSchema({"s": pa.Column(str_dtype(), nullable=nullable, coerce=False)})
    assert _outcome(ours, frame) == _outcome(theirs, frame)


def test_a_str_column_written_as_another_type_fails() -> None:
    """What the dtype check exists for: a script that writes ``str`` as numbers or mixed values."""
    schema = to_pandera(SchemaSpec("s", {"s": ColumnSpec("s", "str")}), TypeRegistry.builtin())
    assert _outcome(schema, pd.DataFrame({"s": pd.Series(["a", "b"], dtype=str_dtype())}))[0]
    for wrong in (pd.Series([1, 2]), pd.Series([1.5, 2.0]), pd.Series(["a", 3], dtype=object),
                  pd.Series(pd.Categorical(["a", "b"]))):
        ok, cases = _outcome(schema, pd.DataFrame({"s": wrong}))
        assert not ok and "dtype" in cases, wrong


def test_the_compiled_str_column_answers_its_own_dtype_at_once() -> None:
    """The point of the dtype: pandera's one-per-value answer (and the message it renders from
    it) is skipped for a column of exactly the contract's dtype."""
    schema = to_pandera(SchemaSpec("s", {"s": ColumnSpec("s", "str")}), TypeRegistry.builtin())
    column = pd.Series(["a", "b", "c"], dtype=str_dtype())
    dtype = schema.columns["s"].dtype
    assert dtype.check(pandas_engine.Engine.dtype(column.dtype), column) is True
    assert str(dtype) == str(pandas_engine.Engine.dtype(str_dtype())) == "string[pyarrow]"
    assert isinstance(dtype, pandas_engine.STRING) and type(dtype).__name__ == "STRING"


def test_other_dtypes_are_handed_over_as_they_are() -> None:
    for dtype in ("int64", "Int64", "float64", "bool", "boolean", "datetime64[ns]",
                  pd.CategoricalDtype(["a"]), pd.StringDtype("python")):
        assert pandera_dtype(dtype) is dtype


def test_a_compiled_schema_with_a_str_column_pickles_and_checks_the_same() -> None:
    schema = to_pandera(SchemaSpec("s", {"s": ColumnSpec("s", "str")}), TypeRegistry.builtin())
    again = pickle.loads(pickle.dumps(schema))
    assert type(again.columns["s"].dtype) is type(schema.columns["s"].dtype)
    for column in (pd.Series(["a"], dtype=str_dtype()), pd.Series([1, 2])):
        frame = pd.DataFrame({"s": column})
        assert _outcome(again, frame) == _outcome(schema, frame)

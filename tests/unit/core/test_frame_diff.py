"""The golden-output frame diff (analysis/frame_diff.py): properties over generated frames,
and the cases a golden comparison exists to catch."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.analysis.frame_diff import DiffOptions, column_kind, diff_frames


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """A frame with a unique int key and int, float, str and nullable columns."""
    n = draw(st.integers(0, 25))
    keys = draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n, unique=True))
    ints = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    floats = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=n, max_size=n))
    texts = draw(st.lists(st.sampled_from(["a", "b", "", "é"]), min_size=n, max_size=n))
    return pd.DataFrame({"id": pd.Series(keys, dtype="int64"), "n": pd.Series(ints, dtype="int64"),
                         "x": pd.Series(floats, dtype="float64"), "s": pd.Series(texts, dtype=object)})


@settings(max_examples=60, deadline=None)
@given(frames(), st.randoms(use_true_random=False))
def test_a_frame_equals_itself_shuffled_under_ignore_order_and_under_a_key(frame, rnd) -> None:
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    assert diff_frames(frame, shuffled, DiffOptions(ignore_order=True)).equal
    assert diff_frames(frame, shuffled, DiffOptions(key=("id",))).equal
    assert diff_frames(frame, frame.copy()).equal


@settings(max_examples=60, deadline=None)
@given(frames().filter(lambda f: len(f) > 0), st.data())
def test_any_single_changed_cell_is_reported_at_its_key(frame, data) -> None:
    row = data.draw(st.integers(0, len(frame) - 1))
    column = data.draw(st.sampled_from(["n", "x", "s"]))
    changed = frame.copy()
    old = frame[column].astype(object).tolist()[row]
    new = old + "!" if column == "s" else old + (1 if column == "n" else 1.5)
    changed.loc[row, column] = new
    key = int(frame["id"].iloc[row])
    diff = diff_frames(frame, changed.iloc[::-1].reset_index(drop=True), DiffOptions(key=("id",)))
    assert not diff.equal
    assert not diff.missing_rows and not diff.extra_rows
    (change,) = diff.changed_rows
    assert change.where == f"id={key!r}"
    (cell,) = change.cells
    assert (cell.column, cell.expected, cell.actual) == (column, old, new)
    assert f"id={key!r}: {column}: {old!r} → {new!r}" in "\n".join(diff.lines())


def test_rows_in_another_order_differ_unless_order_is_ignored() -> None:
    expected = pd.DataFrame({"id": [1, 2, 3], "v": [10, 20, 30]})
    actual = expected.iloc[[2, 0, 1]].reset_index(drop=True)
    assert not diff_frames(expected, actual).equal
    assert diff_frames(expected, actual, DiffOptions(ignore_order=True)).equal
    assert diff_frames(expected, actual, DiffOptions(key=("id",))).equal


def test_an_int_column_found_as_float_differs_even_with_equal_values() -> None:
    expected = pd.DataFrame({"id": [1, 2], "v": [10, 20]})
    actual = pd.DataFrame({"id": [1, 2], "v": [10.0, 20.0]})
    diff = diff_frames(expected, actual)
    assert diff.kinds == [("v", "int", "float")]
    assert "column v: int expected, float found" in diff.summary()


def test_missing_extra_and_changed_rows_are_counted_and_shown() -> None:
    expected = pd.DataFrame({"id": [1, 2, 3], "v": [1.0, 2.0, 3.0]})
    actual = pd.DataFrame({"id": [2, 3, 4], "v": [2.0, 3.5, 4.0]})
    diff = diff_frames(expected, actual, DiffOptions(key=("id",)))
    text = "\n".join(diff.lines())
    assert "1 missing row; 1 extra row; 1 changed row (3 rows expected, 3 found)" in text
    assert "  - {id: 1, v: 1.0}" in text and "  + {id: 4, v: 4.0}" in text
    assert "  ~ id=3: v: 3.0 → 3.5" in text


def test_only_the_first_rows_are_shown_but_all_are_counted() -> None:
    expected = pd.DataFrame({"id": range(30), "v": range(30)})
    actual = pd.DataFrame({"id": range(30), "v": [v + 1 for v in range(30)]})
    lines = diff_frames(expected, actual, DiffOptions(key=("id",))).lines(shown=5)
    assert lines[0].startswith("30 changed rows")
    assert sum(line.startswith("  ~ ") for line in lines) == 5
    assert lines[-1] == "  … and 25 more changed rows"


@pytest.mark.parametrize(("found", "tolerance", "equal"), [
    (1.0 + 1e-12, 1e-9, True),        # absolute near zero
    (1e9 + 0.5, 1e-9, True),          # relative for large values
    (1.0 + 1e-6, 1e-9, False),
    (1.0 + 1e-12, 0.0, False),        # no tolerance: exact
])
def test_tolerance_is_absolute_and_relative(found, tolerance, equal) -> None:
    base = 1e9 if found > 1e8 else 1.0
    expected = pd.DataFrame({"x": [base]})
    actual = pd.DataFrame({"x": [found]})
    assert diff_frames(expected, actual, DiffOptions(tolerance=tolerance)).equal is equal


def test_tolerance_does_not_apply_to_int_columns() -> None:
    expected = pd.DataFrame({"n": [1_000_000_000]})
    actual = pd.DataFrame({"n": [1_000_000_001]})
    assert not diff_frames(expected, actual, DiffOptions(tolerance=1e-6)).equal


def test_a_column_subset_ignores_the_other_columns_and_extra_ones() -> None:
    expected = pd.DataFrame({"id": [1, 2]})
    actual = pd.DataFrame({"id": [1, 2], "noise": [0.1, 0.7]})
    assert not diff_frames(expected, actual).equal           # an extra column
    assert diff_frames(expected, actual, DiffOptions(columns=("id",))).equal
    missing = diff_frames(pd.DataFrame({"id": [1], "v": [2]}), pd.DataFrame({"id": [1]}))
    assert missing.missing_columns == ["v"]


def test_nulls_equal_nulls_only() -> None:
    expected = pd.DataFrame({"s": ["a", None]})
    assert diff_frames(expected, pd.DataFrame({"s": ["a", float("nan")]})).equal
    assert not diff_frames(expected, pd.DataFrame({"s": ["a", ""]})).equal


def test_column_kinds() -> None:
    assert column_kind(pd.Series([1, None], dtype="Int64")) == "int"
    assert column_kind(pd.Series(["a"], dtype="str")) == "str"
    assert column_kind(pd.Series([None, None], dtype=object)) == "null"
    assert column_kind(pd.Series([True])) == "bool"

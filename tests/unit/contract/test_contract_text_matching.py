"""The text parse of int, float, bool and datetime columns (a CSV's every value) keeps exactly the
values pandas' ``str.fullmatch`` keeps: the matcher calls the same Arrow kernel directly, so
any difference (an anchor, a flag, a null) would let a value through or drop one."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.contract import builtin_types
from specrun.contract.builtin_types import _DATETIME_TEXT, _FLOAT_TEXT, _INT_TEXT, _matching, str_dtype

PATTERNS = [_INT_TEXT, _FLOAT_TEXT, _DATETIME_TEXT]

# pieces that come close to every pattern: signs, digits, exponents, inf spellings (with
# case-folding traps), separators, whitespace, newlines, non-ASCII digits and letters
PIECES = ["", "+", "-", "0", "7", "42", ".", "e", "E", "5", "inf", "INF", "Infinity", "ınf", "İnf", "nan",
          "2024", "-", "01", "T", " ", ":", "30", ".123456789", "1234567890", "\n", "٣", "x", "$", "^"]

values = st.one_of(st.none(), st.lists(st.sampled_from(PIECES), max_size=6).map("".join), st.text(max_size=8))


def reference(text: pd.Series, pattern: re.Pattern[str] | str) -> pd.Series:
    """What the matcher did before, through the pandas accessor."""
    text = text.astype(str_dtype())
    return text.where(text.str.fullmatch(pattern).fillna(False).astype(bool))


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=12), st.sampled_from(PATTERNS), st.booleans())
def test_the_direct_kernel_keeps_exactly_what_fullmatch_keeps(items, pattern, as_object):
    text = pd.Series(items, dtype=object if as_object else str_dtype(), index=range(3, 3 + len(items)))
    got, expected = _matching(text, pattern), reference(text, pattern)
    pd.testing.assert_series_equal(got, expected)


def test_case_folding_and_anchors_are_the_accessors():
    text = pd.Series(["INF", "Infinity", "inf\\n", "1e5", " 1", "1 ", "+-1", None], dtype=object)
    assert list(_matching(text, _FLOAT_TEXT).notna()) == [True, True, False, True, False, False, False, False]
    assert builtin_types.FloatType().parse_text(None, pd.Series(["1e5", "x"])).isna().tolist() == [False, True]


INT_PIECES = ["+", "-", "0", "007", "42", "9223372036854775807", "9223372036854775808", "9223372036854775806",
              "00000000000000000000001", "1.0", "1e3", " ", "x", "٣"]
int_texts = st.one_of(st.none(), st.lists(st.sampled_from(INT_PIECES), max_size=3).map("".join),
                      st.integers(-2**70, 2**70).map(str), st.text(max_size=4))


def int_reference(column, text: pd.Series) -> pd.Series:
    """The int parse value by value: Python's ``int`` of a full match of ``[+-]?[0-9]+``,
    null where int64 cannot hold it."""
    held = []
    for value in text:
        number = int(value) if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value) else None
        held.append(number if number is not None and -2**63 <= number < 2**63 else None)
    return builtin_types.IntType().from_storage(column, pd.Series(pd.array(held, dtype="Int64"), index=text.index))


@settings(max_examples=300, deadline=None)
@given(st.lists(int_texts, max_size=12), st.booleans(), st.booleans())
def test_the_int_parse_in_one_pass_is_the_value_by_value_parse(items, as_object, nullable):
    from specrun.spec.model import ColumnSpec

    column = ColumnSpec("n", "int", nullable=nullable)
    text = pd.Series(items, dtype=object if as_object else str_dtype(), index=range(5, 5 + len(items)))
    pd.testing.assert_series_equal(builtin_types.IntType().parse_text(column, text), int_reference(column, text))


float_texts = st.one_of(values, st.floats(allow_nan=False).map(repr), st.floats(allow_nan=False).map(str),
                        st.builds(lambda m, e: f"{m}e{e}", st.integers(-10**20, 10**20), st.integers(-400, 400)))


@settings(max_examples=300, deadline=None)
@given(st.lists(float_texts, max_size=12), st.booleans())
def test_the_float_parse_in_one_pass_is_pandas_parse(items, as_object):
    text = pd.Series(items, dtype=object if as_object else str_dtype(), index=range(2, 2 + len(items)))
    with np.errstate(over="ignore"):       # what it was: pandas parses each value (1e400 is inf)
        expected = _matching(text, _FLOAT_TEXT).astype("float64")
    pd.testing.assert_series_equal(builtin_types.FloatType().parse_text(None, text), expected)


# case-folding traps: letters whose lower case differs between Python and Arrow (İ), or that
# fold to ASCII letters (the Kelvin sign), or look like them (long s, dotless i)
BOOL_PIECES = ["true", "TRUE", "True", "false", "FALSE", "fAlSe", "t", "f", "1", "0", "yes", " ", "İ", "K", "ſ",
               "ı", "ß", "Ǆ", "\n"]
bool_texts = st.one_of(st.none(), st.lists(st.sampled_from(BOOL_PIECES), max_size=3).map("".join), st.text(max_size=5))


@settings(max_examples=300, deadline=None)
@given(st.lists(bool_texts, max_size=12), st.booleans(), st.booleans())
def test_the_bool_parse_in_one_pass_is_the_value_by_value_parse(items, as_object, nullable):
    from specrun.spec.model import ColumnSpec

    column = ColumnSpec("b", "bool", nullable=nullable)
    text = pd.Series(items, dtype=object if as_object else str_dtype(), index=range(4, 4 + len(items)))
    words = text.astype(str_dtype()).str.lower()                  # what it was: Python's lower case, a dict
    expected = builtin_types.BoolType().from_storage(column, pd.Series(
        pd.array(words.map({"true": True, "false": False}).tolist(), dtype="boolean"), index=text.index))
    pd.testing.assert_series_equal(builtin_types.BoolType().parse_text(column, text), expected)


# dates and times near every edge the two parsers could disagree on: pandas' nanosecond limits
# (int64's minimum is NaT; Arrow refuses a whole second beyond them), years pandas holds only
# in coarser units, impossible days and times, fractions of 1 to 9 digits
DATE_PIECES = ["2024-01-01", "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "0001-01-01", "1600-05-01",
               "1677-09-21", "1677-09-22", "2262-04-11", "2262-04-12", "9999-12-31", "1970-01-01", "1969-12-31"]
TIME_PIECES = ["", "T00:00", " 23:59", "T23:59:59", "T23:59:60", "T24:00", "T10:30:15.1", " 10:30:15.123456",
               "T00:12:43.145224192", "T00:12:43.145224193", "T23:47:16.854775807", "T23:47:16.854775808",
               "T12:00:00.999999999", "T1:00", "Z", "+01:00"]
datetime_texts = st.one_of(st.none(), st.builds(str.__add__, st.sampled_from(DATE_PIECES),
                                                st.sampled_from(TIME_PIECES)),
                           st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(datetime_texts, max_size=8), st.booleans(), st.booleans())
def test_the_datetime_parse_in_one_pass_is_pandas_parse(items, as_object, nullable):
    from specrun.spec.model import ColumnSpec

    column = ColumnSpec("t", "datetime", nullable=nullable)
    text = pd.Series(items, dtype=object if as_object else str_dtype(), index=range(6, 6 + len(items)))
    iso = _matching(text, _DATETIME_TEXT)                          # what it was: pandas parses the column
    expected = builtin_types.DatetimeType().from_storage(
        column, pd.Series(pd.to_datetime(iso, format="ISO8601", errors="coerce"), index=text.index))
    pd.testing.assert_series_equal(builtin_types.DatetimeType().parse_text(column, text), expected)

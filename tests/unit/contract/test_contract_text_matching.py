"""The text parse of int, float and datetime columns (a CSV's every value) keeps exactly the
values pandas' ``str.fullmatch`` keeps: the matcher calls the same Arrow kernel directly, so
any difference (an anchor, a flag, a null) would let a value through or drop one."""

from __future__ import annotations

import re

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

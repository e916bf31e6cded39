import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.keywords import KeywordError, KeywordExpression

IDS = [
    "fraud::currency_conversion[standard]",
    "fraud::currency_conversion[performance]",
    "fraud::train[standard]",
    "fraud::train[edge_cases]",
]


def selected(expr):
    k = KeywordExpression.compile(expr)
    return [i for i in IDS if k.matches(i)]


@pytest.mark.parametrize("expr, expected", [
    ("train", IDS[2:]),
    ("train and not edge", [IDS[2]]),
    ("standard or performance", IDS[:3]),
    ("not (train or performance)", [IDS[0]]),
    ("currency_conversion[standard]", [IDS[0]]),
    ("TRAIN", IDS[2:]),
    ("", IDS),
])
def test_selection(expr, expected):
    assert selected(expr) == expected


@pytest.mark.parametrize("expr", ["and", "train and", "(train", "train)", "not", "a or or b"])
def test_malformed_expressions_are_usage_errors(expr):
    with pytest.raises(KeywordError):
        KeywordExpression.compile(expr)


words = st.text(alphabet="abcdefgh_[]", min_size=1, max_size=6)


@given(words, words, st.text(alphabet="abcdefgh_[]:", max_size=30))
def test_boolean_algebra_holds(a, b, case_id):
    def m(expr):
        return KeywordExpression.compile(expr).matches(case_id)
    assert m(f"{a} and {b}") == (m(a) and m(b))
    assert m(f"{a} or {b}") == (m(a) or m(b))
    assert m(f"not {a}") == (not m(a))
    assert m(f"not ({a} or {b})") == (not m(a) and not m(b))

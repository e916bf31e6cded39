"""``-W``'s argument check agrees with Python's own parser of ``-W`` options."""

from __future__ import annotations

import argparse
import warnings

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from specrun.arg_types import warning_filter

ACTIONS = ["", "d", "default", "always", "all", "ignore", "i", "module", "once", "error", "e", "x", "bogus"]
CATEGORIES = ["", "Warning", "UserWarning", "DeprecationWarning", "FutureWarning", "ValueError",
              "NoSuchWarning", "print"]
FIELD = st.text(alphabet="abc _.-", max_size=6)


@given(st.sampled_from(ACTIONS), FIELD, st.sampled_from(CATEGORIES), FIELD,
       st.sampled_from(["", "0", "12", "x", "-1"]), st.integers(1, 5))
@example("error", "", "DeprecationWarning", "", "", 3)
@example("ignore", "", "ValueError", "", "", 3)
def test_accepted_exactly_when_python_accepts(action: str, message: str, category: str, module: str,
                                              lineno: str, fields: int) -> None:
    text = ":".join([action, message, category, module, lineno][:fields])
    try:
        warnings._setoption(text)  # type: ignore[attr-defined]  # what python -W runs
        python_accepts = True
    except (warnings._OptionError, TypeError):  # type: ignore[attr-defined]  # TypeError: a non-class builtin
        python_accepts = False
    finally:
        warnings.resetwarnings()
    try:
        warning_filter(text)
        ours = True
    except argparse.ArgumentTypeError:
        ours = False
    assert ours == python_accepts, text


def test_a_dotted_category_is_left_to_the_child() -> None:
    assert warning_filter("error::pandas.errors.PerformanceWarning") == "error::pandas.errors.PerformanceWarning"


def test_commas_are_refused() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="one filter per -W"):
        warning_filter("error:a, b")

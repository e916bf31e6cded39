"""Typing of the spec's context-dependent scalars.

strictyaml hands every permissively-validated scalar over as a string.  Where the
DSL needs real values (``job_args``, ``set:`` values, ``parametrize`` lists, column
``min``/``max``/``isin``) the loader types them here, either generically
(int → float → bool → date → datetime → str) or for a given column type, so that
``"001"`` stays a string in a ``str`` column.  No pandas: dates are
:class:`datetime.date` / :class:`datetime.datetime`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
# numbers with a leading zero ("007") are identifiers, not numbers
_FLOAT = re.compile(r"^[-+]?((0|[1-9][\d_]*)(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_TRUE = {"true"}
_FALSE = {"false"}
NULL_WORDS = {"null", "~"}

# Column types whose values are strings whatever they look like.
STRING_TYPES = ("str", "category")


def as_int(text: str) -> int | None:
    """The integer written in ``text`` (``1_000``, ``-3``), or None."""
    text = text.strip()
    return int(text.replace("_", "")) if _INT.match(text) else None


def as_float(text: str) -> float | None:
    """The finite number written in ``text`` (``1.5``, ``1e6``, ``3``), or None."""
    text = text.strip()
    if not _FLOAT.match(text):
        return None
    value = float(text.replace("_", ""))
    return value if math.isfinite(value) else None


def as_bool(text: str) -> bool | None:
    """``true`` / ``false`` (any case) as a bool, else None (``yes``/``no`` stay strings)."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def as_temporal(text: str) -> dt.date | dt.datetime | None:
    """An ISO date (``2024-01-31``) or datetime (``2024-01-31T10:00:00``), else None."""
    text = text.strip()
    try:
        if _DATE.match(text):
            return dt.date.fromisoformat(text)
        if _DATETIME.match(text):
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None


def generic(text: str) -> Any:
    """int → float → bool → date/datetime → None for ``null``/``~`` → the string itself."""
    for convert in (as_int, as_float, as_bool, as_temporal):
        value = convert(text)
        if value is not None:
            return value
    if text.strip() in NULL_WORDS:
        return None
    return text


def generic_data(data: Any) -> Any:
    """:func:`generic` applied to every scalar of nested dicts / lists of strings."""
    if isinstance(data, dict):
        return {key: generic_data(value) for key, value in data.items()}
    if isinstance(data, list):
        return [generic_data(item) for item in data]
    if isinstance(data, str):
        return generic(data)
    return data


def for_column(text: str, column_type: str) -> Any:
    """``text`` typed for a column of ``column_type``; raises ValueError if it does not fit.

    Unknown (plugin) column types get :func:`generic` typing.
    """
    if column_type in STRING_TYPES:
        return text
    if column_type == "int":
        value: Any = as_int(text)
        expected = "an integer"
    elif column_type == "float":
        value = as_float(text)
        expected = "a number"
    elif column_type == "bool":
        value = as_bool(text)
        expected = "true or false"
    elif column_type == "datetime":
        value = as_temporal(text)
        expected = "a date (2024-01-31) or datetime (2024-01-31T10:00:00)"
    else:
        return generic(text)
    if value is None:
        article = "an" if column_type[0] in "aeiou" else "a"
        raise ValueError(f"expected {expected} for {article} {column_type} column, found {text!r}")
    return value

"""Input checks shared by the fraud pipeline's steps: refuse data that breaks the contract.

A step that gets an unknown channel, a negative amount, a duplicate transaction id or
a column of the wrong type must fail naming the problem, not pass the bad rows on to
the next step (specrun's negative cases feed each step exactly such inputs).
:func:`check_frame` returns the frame with every declared column in its proper dtype,
or raises ``ValueError`` listing what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Rule:
    """What one column must hold: ``kind`` is int, float, str, bool or datetime."""

    kind: str
    min: Any = None
    max: Any = None
    isin: tuple[Any, ...] | None = None
    pattern: str | None = None
    nullable: bool = False
    unique: bool = False


def check_frame(frame: pd.DataFrame, rules: dict[str, Rule], where: str) -> pd.DataFrame:
    """``frame`` with each ruled column typed; ``ValueError`` for any broken rule."""
    missing = [name for name in rules if name not in frame.columns]
    if missing:
        raise ValueError(f"{where}: missing required column(s): {', '.join(missing)}")
    checked = frame.copy()
    problems: list[str] = []
    for name, rule in rules.items():
        series = typed(frame[name], rule, where)
        nulls = series.isna()
        if nulls.any() and not rule.nullable:
            problems.append(f"{name} is null in {int(nulls.sum())} row(s)")
        present = series[~nulls]
        bad = pd.Series(False, index=present.index)
        if rule.min is not None:
            bad |= present < rule.min
        if rule.max is not None:
            bad |= present > rule.max
        if rule.isin is not None:
            bad |= ~present.isin(list(rule.isin))
        if rule.pattern is not None:
            bad |= ~present.astype(str).str.match(rule.pattern)
        if bad.any():
            shown = ", ".join(map(str, present[bad].unique()[:3]))
            problems.append(f"{name} has {int(bad.sum())} value(s) outside its contract: {shown}")
        if rule.unique and present.duplicated().any():
            shown = ", ".join(map(str, present[present.duplicated()].unique()[:3]))
            problems.append(f"{name} has duplicate value(s): {shown}")
        checked[name] = series
    if problems:
        raise ValueError(f"{where}: input breaks its contract: {'; '.join(problems)}")
    return checked


def typed(series: pd.Series, rule: Rule, where: str) -> pd.Series:
    """``series`` in the dtype of ``rule.kind``; text that does not parse is an error."""
    dtype = series.dtype
    kind = rule.kind
    if not series.notna().any():
        return series      # no values (an empty or all-null column): nothing to parse
    if kind == "int":
        if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return series
        if pd.api.types.is_float_dtype(dtype) and bool((series.dropna() % 1 == 0).all()):
            return series.astype("Int64")
    elif kind == "float":
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return series.astype("float64")
    elif kind == "str":
        if isinstance(dtype, pd.CategoricalDtype):
            return series.astype("str").where(series.notna())
        if (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)) and \
                bool(series.dropna().map(lambda v: isinstance(v, str)).all()):
            return series
    elif kind == "bool":
        if pd.api.types.is_bool_dtype(dtype):
            return series
        text = series.astype("str").str.strip().str.lower().where(series.notna())
        mapped = text.map({"true": True, "false": False, "1": True, "0": False})
        if bool((mapped.notna() | series.isna()).all()):
            return mapped.astype("boolean")
    elif kind == "datetime":
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return series
        if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
            try:
                return pd.to_datetime(series, format="ISO8601")
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{where}: column {series.name!r} is not a datetime: {exc}") from None
    raise ValueError(f"{where}: column {series.name!r} holds {dtype}, expected {kind}")

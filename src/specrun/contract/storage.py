"""Declared types as contracts: each column read from a file is checked against its type.

A column of a typed format (Parquet, or a JSON Lines column of one JSON kind) is held
in some storage dtype; its :class:`~specrun.contract.types.ColumnType` says whether that
storage holds the type (``accepts_storage``) and converts accepted storage to the
declared dtype (``from_storage``).  A column of a text format (CSV, TSV, and JSON Lines
for a type JSON has no value for, like datetime) is text: the type parses every value
(``parse_text``).  Nothing is coerced: storage a type rejects is left as read and
reported, and values that do not parse are reported with examples.

The findings travel with the frame (``frame.attrs``) from the reader to
:func:`specrun.contract.validate.validate_frame`, which reports them first.
A plugin type that does not implement the storage methods gets strict defaults:
its storage must be exactly its ``dtype``, and text is converted value by value.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..results import ColumnFailure, to_jsonable
from ..spec.model import ColumnSpec
from .types import ColumnType

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

MAX_EXAMPLES = 5
_ATTRS_KEY = "specrun.type_failures"


@dataclass
class TypeFailure:
    """A column that does not hold its declared type.

    ``rejected`` means the storage is wrong, so no value of the column was checked
    against its constraints; otherwise some values did not parse (the rest did).
    """

    failure: ColumnFailure
    rejected: bool
    nulls: int = 0          # nulls in the column as read (its unparsable values became nulls too)


def _nulls(series: pd.Series) -> np.ndarray:
    """``series.isna()`` as a NumPy mask, asked of its array (a tenth of the Series' cost)."""
    return np.asarray(series.array.isna(), dtype=bool)


def accepts_storage(column_type: ColumnType, column: ColumnSpec, series: pd.Series) -> bool:
    """Whether ``series``' storage holds ``column``'s declared type."""
    method = getattr(column_type, "accepts_storage", None)
    if method is not None:
        return bool(method(column, series))
    return bool(series.dtype == pd.api.types.pandas_dtype(column_type.dtype(column)))


def from_storage(column_type: ColumnType, column: ColumnSpec, series: pd.Series) -> pd.Series:
    """Accepted storage in the declared dtype (NA where a value cannot be held)."""
    method = getattr(column_type, "from_storage", None)
    return method(column, series) if method is not None else series


def parse_text(column_type: ColumnType, column: ColumnSpec, text: pd.Series) -> pd.Series:
    """Text values parsed as the declared type (NA where a value does not parse)."""
    method = getattr(column_type, "parse_text", None)
    if method is not None:
        return method(column, text)
    dtype = column_type.dtype(column)

    def one(value: Any) -> Any:
        try:
            return pd.Series([value]).astype(dtype).iloc[0]
        except (TypeError, ValueError, OverflowError):
            return None
    parsed = pd.Series([one(v) if isinstance(v, str) else None for v in text], index=text.index, dtype=object)
    try:
        return parsed.astype(dtype) if bool(parsed.notna().all()) else parsed
    except (TypeError, ValueError, OverflowError):
        return parsed


def json_as_text(column_type: ColumnType) -> bool:
    """Whether JSON holds this type as text (JSON has no value of the type, e.g. datetime)."""
    return bool(getattr(column_type, "json_text", False))


def _examples(values: pd.Series) -> list[Any]:
    found: list[Any] = []
    for value in values.drop_duplicates().head(MAX_EXAMPLES):
        found.append(to_jsonable(value))
    return found


def check_typed(column_type: ColumnType, column: ColumnSpec, series: pd.Series, found: str,
                file: str) -> tuple[pd.Series, TypeFailure | None]:
    """A typed column in its declared dtype, or as read with the failure saying why not."""
    where = f" in {file}" if file else ""
    if not accepts_storage(column_type, column, series):
        values = series.dropna()
        failure = ColumnFailure(column=column.name, check=f"declared type {column.type}, found {found}{where}",
                                count=len(values), examples=_examples(values))
        return series, TypeFailure(failure, rejected=True)
    try:
        converted = from_storage(column_type, column, series)
    except (TypeError, ValueError, OverflowError) as exc:
        failure = ColumnFailure(column=column.name, check=f"declared type {column.type}, found {found}{where}",
                                count=int(series.notna().sum()), examples=[f"{type(exc).__name__}: {exc}"])
        return series, TypeFailure(failure, rejected=True)
    lost = _nulls(converted) & ~_nulls(series)
    if lost.any():
        bad = series[lost]
        failure = ColumnFailure(column=column.name,
                                check=f"declared type {column.type}, found {found} values it cannot hold{where}",
                                count=int(lost.sum()), examples=_examples(bad))
        return converted, TypeFailure(failure, rejected=False, nulls=int(series.isna().sum()))
    return converted, None


def check_text(column_type: ColumnType, column: ColumnSpec, text: pd.Series,
               file: str) -> tuple[pd.Series, TypeFailure | None]:
    """A text column parsed as its declared type; values that do not parse are reported."""
    where = f" in {file}" if file else ""
    parsed = parse_text(column_type, column, text)
    bad = _nulls(parsed) & ~_nulls(text)
    if not bad.any():
        return parsed, None
    failure = ColumnFailure(column=column.name, check=f"declared type {column.type}, found text that does not "
                            f"parse as {column.type}{where}", count=int(bad.sum()), examples=_examples(text[bad]))
    return parsed, TypeFailure(failure, rejected=False, nulls=int(text.isna().sum()))


def mark(frame: pd.DataFrame, failures: list[TypeFailure]) -> pd.DataFrame:
    """``frame`` carrying ``failures`` to validation (replacing any it carried)."""
    frame.attrs[_ATTRS_KEY] = list(failures)
    return frame


def type_failures(frame: pd.DataFrame) -> list[TypeFailure]:
    """The type failures the reader found in ``frame`` (copies: callers may edit them)."""
    attrs = getattr(frame, "attrs", None)
    return copy.deepcopy(list(attrs.get(_ATTRS_KEY, []))) if isinstance(attrs, dict) else []


def restate(failure: ColumnFailure, found: list[TypeFailure]) -> ColumnFailure | None:
    """A pandera finding as it stands next to the type failures: None when it only
    restates one (any finding on a column whose storage was rejected, since its values
    were never typed; the dtype finding on a column with unparsable values), and a null
    finding counted without the unparsable values that became nulls."""
    for item in found:
        if item.failure.column != failure.column:
            continue
        if item.rejected or failure.check.startswith("dtype("):
            return None
        if failure.check == "not_nullable":
            return dataclasses.replace(failure, count=item.nulls) if item.nulls else None
    return failure


__all__ = ["TypeFailure", "accepts_storage", "check_text", "check_typed", "from_storage",
           "json_as_text", "mark", "parse_text", "restate", "type_failures"]

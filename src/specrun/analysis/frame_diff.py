"""Comparing an output frame with its golden (expected) frame: what is missing, extra, changed.

Pure: two pandas frames and :class:`DiffOptions` in, a :class:`FrameDiff` out, rendered
as a few readable lines by :meth:`FrameDiff.lines`.  Rows are matched by position, by a
``key`` (the k-th row of a key value with the k-th row of the same value on the other
side), or as a multiset (``ignore_order``).  A cell is equal when both are null, when the
values are equal, or, in a float column with a ``tolerance``, when
``math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance)`` holds (an absolute
tolerance near zero, a relative one for large values).  A column whose kind differs
(int expected, float found) is a difference even when every value is equal.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

_FLOAT = "float"     # a column kind (pandas dtypes), not a specrun column type
#: how many rows of each kind :meth:`FrameDiff.lines` shows (the counts are always given)
SHOWN = 10


@dataclass(frozen=True)
class DiffOptions:
    """How two frames are compared (the ``expect.outputs`` options of a scenario)."""

    ignore_order: bool = False
    key: tuple[str, ...] = ()
    tolerance: float = 0.0
    columns: tuple[str, ...] | None = None     # compare only these (None: all)


@dataclass(frozen=True)
class CellChange:
    column: str
    expected: Any
    actual: Any


@dataclass(frozen=True)
class RowChange:
    """A row present on both sides whose cells differ; ``where`` names it (key or position)."""

    where: str
    cells: tuple[CellChange, ...]


@dataclass
class FrameDiff:
    """Every difference between an expected and an actual frame."""

    missing_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    kinds: list[tuple[str, str, str]] = field(default_factory=list)    # (column, expected, actual)
    missing_rows: list[dict[str, Any]] = field(default_factory=list)
    extra_rows: list[dict[str, Any]] = field(default_factory=list)
    changed_rows: list[RowChange] = field(default_factory=list)
    expected_rows: int = 0
    actual_rows: int = 0

    @property
    def equal(self) -> bool:
        return not (self.missing_columns or self.extra_columns or self.kinds or self.missing_rows
                    or self.extra_rows or self.changed_rows)

    def summary(self) -> str:
        """One line: what differs, with counts."""
        parts = []
        if self.missing_columns:
            parts.append(f"missing column{_s(self.missing_columns)} {', '.join(self.missing_columns)}")
        if self.extra_columns:
            parts.append(f"extra column{_s(self.extra_columns)} {', '.join(self.extra_columns)}")
        for column, expected, actual in self.kinds:
            parts.append(f"column {column}: {expected} expected, {actual} found")
        if self.missing_rows:
            parts.append(f"{len(self.missing_rows)} missing row{_s(self.missing_rows)}")
        if self.extra_rows:
            parts.append(f"{len(self.extra_rows)} extra row{_s(self.extra_rows)}")
        if self.changed_rows:
            parts.append(f"{len(self.changed_rows)} changed row{_s(self.changed_rows)}")
        return "; ".join(parts) + f" ({self.expected_rows} rows expected, {self.actual_rows} found)"

    def lines(self, shown: int = SHOWN) -> list[str]:
        """The diff a user reads: the summary, then the first ``shown`` rows of each kind."""
        out = [self.summary()]
        for sign, rows, what in (("-", self.missing_rows, "missing"), ("+", self.extra_rows, "extra")):
            for row in rows[:shown]:
                out.append(f"  {sign} {_row_text(row)}")
            if len(rows) > shown:
                out.append(f"  … and {len(rows) - shown} more {what} rows")
        for change in self.changed_rows[:shown]:
            cells = ", ".join(f"{c.column}: {_value(c.expected)} → {_value(c.actual)}" for c in change.cells)
            out.append(f"  ~ {change.where}: {cells}")
        if len(self.changed_rows) > shown:
            out.append(f"  … and {len(self.changed_rows) - shown} more changed rows")
        return out


def column_kind(series: pd.Series) -> str:
    """The kind of a column that a golden comparison holds to: int, float, bool, datetime,
    str, category, or ``null`` for a column with no values (whose kind nothing tells)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return "str"
    if bool(series.isna().all()):
        return "null"
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    return {"string": "str", "integer": "int", "floating": "float", "boolean": "bool",
            "datetime": "datetime", "datetime64": "datetime", "date": "datetime",
            "mixed-integer-float": "float"}.get(inferred, inferred)


def diff_frames(expected: pd.DataFrame, actual: pd.DataFrame, options: DiffOptions = DiffOptions()) -> FrameDiff:
    """Every difference between ``expected`` and ``actual`` under ``options``."""
    diff = FrameDiff(expected_rows=len(expected), actual_rows=len(actual))
    wanted = list(options.columns) if options.columns is not None else [str(c) for c in expected.columns]
    found = [str(c) for c in actual.columns]
    diff.missing_columns = [c for c in wanted if c not in found]
    if options.columns is None:
        diff.extra_columns = [c for c in found if c not in wanted]
    columns = [c for c in wanted if c in found and c in expected.columns]
    for column in columns:
        kinds = column_kind(expected[column]), column_kind(actual[column])
        if "null" not in kinds and kinds[0] != kinds[1]:
            diff.kinds.append((column, kinds[0], kinds[1]))
    floats = {c for c in columns if _FLOAT in (column_kind(expected[c]), column_kind(actual[c]))}
    cells = _CellRule(floats, options.tolerance)
    left, right = _records(expected, columns), _records(actual, columns)
    if options.key:
        _by_key(diff, left, right, list(options.key), columns, cells)
    elif options.ignore_order:
        _as_multiset(diff, left, right, columns, cells)
    else:
        _by_position(diff, left, right, columns, cells)
    return diff


@dataclass(frozen=True)
class _CellRule:
    floats: set[str]
    tolerance: float

    def equal(self, column: str, expected: Any, actual: Any) -> bool:
        if _null(expected) or _null(actual):
            return _null(expected) and _null(actual)
        if column in self.floats and self.tolerance > 0 and _number(expected) and _number(actual):
            return math.isclose(float(actual), float(expected), rel_tol=self.tolerance, abs_tol=self.tolerance)
        try:
            return bool(expected == actual)
        except (TypeError, ValueError):
            return False

    def changes(self, columns: Sequence[str], expected: dict[str, Any],
                actual: dict[str, Any]) -> tuple[CellChange, ...]:
        return tuple(CellChange(c, expected[c], actual[c]) for c in columns
                     if not self.equal(c, expected[c], actual[c]))


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    if not columns:
        return [{} for _ in range(len(frame))]
    return [dict(zip(columns, row, strict=True)) for row in
            zip(*(frame[c].astype(object).tolist() for c in columns), strict=True)]


def _by_position(diff: FrameDiff, left: list[dict[str, Any]], right: list[dict[str, Any]],
                 columns: Sequence[str], cells: _CellRule) -> None:
    for number, (expected, actual) in enumerate(zip(left, right, strict=False)):
        changed = cells.changes(columns, expected, actual)
        if changed:
            diff.changed_rows.append(RowChange(f"row {number}", changed))
    diff.missing_rows = left[len(right):]
    diff.extra_rows = right[len(left):]


def _by_key(diff: FrameDiff, left: list[dict[str, Any]], right: list[dict[str, Any]], key: list[str],
            columns: Sequence[str], cells: _CellRule) -> None:
    if any(k not in columns for k in key):
        return      # a key column missing on one side is already a missing column
    found: dict[Hashable, list[dict[str, Any]]] = defaultdict(list)
    for row in right:
        found[_key_of(row, key)].append(row)
    used: dict[Hashable, int] = defaultdict(int)
    for row in left:
        value = _key_of(row, key)
        candidates = found.get(value, [])
        if used[value] >= len(candidates):
            diff.missing_rows.append(row)
            continue
        actual = candidates[used[value]]
        used[value] += 1
        changed = cells.changes([c for c in columns if c not in key], row, actual)
        if changed:
            where = ", ".join(f"{k}={_value(row[k])}" for k in key)
            diff.changed_rows.append(RowChange(where, changed))
    for value, rows in found.items():
        diff.extra_rows.extend(rows[used.get(value, 0):])


def _as_multiset(diff: FrameDiff, left: list[dict[str, Any]], right: list[dict[str, Any]],
                 columns: Sequence[str], cells: _CellRule) -> None:
    """Rows matched exactly first (by value), then within the tolerance; the rest missing/extra."""
    pool: dict[Hashable, list[int]] = defaultdict(list)
    for index, row in enumerate(right):
        pool[_key_of(row, columns)].append(index)
    taken: set[int] = set()
    unmatched = []
    for row in left:
        indices = pool.get(_key_of(row, columns))
        if indices:
            taken.add(indices.pop())
        else:
            unmatched.append(row)
    rest = [index for index in range(len(right)) if index not in taken]
    for row in unmatched:
        match = next((i for i in rest if not cells.changes(columns, row, right[i])), None)
        if match is None:
            diff.missing_rows.append(row)
        else:
            rest.remove(match)
    diff.extra_rows = [right[i] for i in rest]


def _key_of(row: dict[str, Any], columns: Sequence[str]) -> Hashable:
    return tuple(_hashable(row[c]) for c in columns)


def _hashable(value: Any) -> Hashable:
    if _null(value):
        return ("<null>",)
    if isinstance(value, float) and value.is_integer():
        return ("<number>", int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return ("<number>", value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value(value: Any) -> str:
    if _null(value):
        return "null"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return repr(value)


def _row_text(row: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{c}: {_value(v)}" for c, v in row.items()) + "}"


def _s(items: Sequence[Any]) -> str:
    return "" if len(items) == 1 else "s"

"""pandera's lazy validation of a large frame, one row slice at a time, with the very
``SchemaErrors`` whole-frame validation raises.

pandera copies the frame it validates and builds masks over every row, so validating a
2M-row frame costs more transient memory than anything else specrun does with it.
:func:`validate_lazily` splits the schema in two:

* the *row part*: each column's nullability and pandera's own row-wise built-in checks
  (ranges, comparisons, ``isin`` / ``notin``, the ``str_*`` checks), whose verdict on a row
  depends on that row alone.  It runs on row slices (views that keep the frame's index);
  a column's failure cases from every slice, concatenated in slice order, are the failure
  cases pandera finds in the whole column.
* the *frame part*: everything whose verdict depends on other rows or on the frame as a
  whole (column presence, ``strict`` / ``ordered``, dtypes, ``unique`` columns and column
  combinations, frame-level checks such as the row-count bounds, and every other check:
  plugin and custom checks, groupby checks, hypotheses, ``n_failure_cases``), run once by
  pandera on the whole frame, without pandera's copy of it (a shallow, copy-on-write view).
  A numeric ``unique`` column that a sort of its values proves distinct is left out of it
  (it cannot fail; pandera's hash table of 2M values is ~90 MiB); a column with duplicates
  gets pandera's own check, so its failure cases are pandera's.

Each part keeps the other's checks as checks that always pass, so every error keeps its
check number; the errors are put back in the order whole-frame validation collects them
(frame checks on columns, then each column: nulls, duplicates, dtype, checks in order,
then the frame-level checks) and pandera itself consolidates them into failure cases.
Whatever the split cannot reproduce exactly (a schema with coercion, parsers, defaults,
an index schema, regex columns …; a row check raising or answering a scalar on some
slice; any other surprise) is validated as a whole frame instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")

CHUNK_ROWS = 250_000

# pandera's built-in checks whose result for a row depends on that row's value alone
ROW_CHECKS = frozenset({
    "equal_to", "not_equal_to", "greater_than", "greater_than_or_equal_to", "less_than",
    "less_than_or_equal_to", "in_range", "isin", "notin", "str_matches", "str_contains",
    "str_startswith", "str_endswith", "str_length",
})


class WholeFrame(Exception):
    """The split cannot reproduce whole-frame validation here: validate the whole frame."""


def _always_passes(data: Any) -> bool:
    return True


def _placeholder() -> pa.Check:
    """Stands in for a check the other part runs (keeps check numbers; ignore_na=False: no copy)."""
    return pa.Check(_always_passes, ignore_na=False, name="specrun_checked_elsewhere")


def is_row_check(check: Any) -> bool:
    """Whether ``check`` is one of pandera's row-wise built-ins, used as built."""
    function = getattr(check, "_check_fn", None)
    name = getattr(function, "__name__", None)
    if type(check) is not pa.Check or name not in ROW_CHECKS:
        return False
    builtin = getattr(pa.Check, "CHECK_FUNCTION_REGISTRY", {}).get(name)
    return (function is not None and function is builtin and check.groupby is None and check.n_failure_cases is None
            and not check.raise_warning and not check.element_wise)


def splittable(frame: Any, schema: Any) -> bool:
    """Whether the row / frame split of ``schema`` validates ``frame`` exactly as a whole."""
    if not isinstance(frame, pd.DataFrame) or type(schema) is not pa.DataFrameSchema:
        return False
    if isinstance(frame.columns, pd.MultiIndex) or frame.columns.has_duplicates:
        return False
    if (schema.index is not None or schema.dtype is not None or schema.coerce or schema.parsers
            or schema.add_missing_columns or schema.drop_invalid_rows or schema.strict not in (True, False)):
        return False
    for name, column in schema.columns.items():
        if (type(column) is not pa.Column or column.regex or column.coerce or column.parsers
                or column.default is not None or column.drop_invalid_rows or column.name != name):
            return False
    return True


def without_duplicates(series: pd.Series) -> bool:
    """True only if ``series`` holds no two equal values as pandas compares them (NaN equals
    NaN, -0.0 equals 0.0), found by sorting a copy of a numeric column (8 bytes a row; the
    hash table of pandas' ``is_unique`` took ~46 on 2M int64); False when duplicated or not numeric."""
    dtype = series.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iufmM":
        return False
    values = series.to_numpy()
    ordered = np.sort(values.view("i8") if dtype.kind in "mM" else values)   # NaT: the smallest i8
    if dtype.kind == "f":
        nans = int(np.count_nonzero(np.isnan(ordered[-2:])))   # sorted NaNs come last
        if nans > 1:
            return False
        ordered = ordered[:len(ordered) - nans]
    return not bool(np.any(ordered[1:] == ordered[:-1]))


def _kept(source: Any, name: str) -> dict[str, Any]:
    """``{name: value}`` of an option that newer pandera releases have (pandera 0.32 has not)."""
    return {name: getattr(source, name)} if hasattr(source, name) else {}


def _frame_part(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pa.DataFrameSchema:
    def unique(name: Any, column: pa.Column) -> bool:   # a column proven distinct cannot fail it
        return bool(column.unique) and not (name in frame.columns and without_duplicates(frame[name]))

    columns = {
        name: pa.Column(column.dtype,
                        checks=[_placeholder() if is_row_check(c) else c for c in column.checks],
                        nullable=True, unique=unique(name, column), report_duplicates=column.report_duplicates,
                        required=column.required, name=name, **_kept(column, "on_missing"))
        for name, column in schema.columns.items()}
    return pa.DataFrameSchema(columns, checks=schema.checks, strict=schema.strict, name=schema.name,
                              ordered=schema.ordered, unique=schema.unique,
                              report_duplicates=schema.report_duplicates,
                              unique_column_names=schema.unique_column_names,
                              **_kept(schema, "on_missing_columns"))


def _row_part(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(None, checks=[c if is_row_check(c) else _placeholder() for c in column.checks],
                        nullable=column.nullable, name=name)
        for name, column in schema.columns.items() if name in frame.columns}
    return pa.DataFrameSchema(columns, name=schema.name)


def lazy_errors(schema: pa.DataFrameSchema, data: pd.DataFrame) -> list[Any]:
    """The errors pandera collects validating ``data`` (a view: validated in place,
    copy-on-write); :class:`WholeFrame` when validation itself fails (a check raising outside
    pandera's collection …), which whole-frame validation then reports."""
    try:
        schema.validate(data, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return list(errors.schema_errors)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the whole frame says it
        raise WholeFrame from exc
    return []


def _slices(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), rows):
        yield frame.iloc[start:start + rows]


def _order(error: Any, positions: dict[Any, int], seen: int) -> tuple[Any, ...]:
    """Where whole-frame validation collects ``error``: checks on the frame's columns first,
    then each column (nulls, duplicates, dtype, its checks in order), then frame-level checks."""
    reason = pa.errors.SchemaErrorReason
    if isinstance(error.schema, pa.Column):
        stage = {reason.WRONG_FIELD_NAME: 0, reason.SERIES_CONTAINS_NULLS: 1,
                 reason.SERIES_CONTAINS_DUPLICATES: 2, reason.WRONG_DATATYPE: 3,
                 reason.DATAFRAME_CHECK: 4, reason.CHECK_ERROR: 4}.get(error.reason_code)
        if stage is None or error.column_name not in positions:
            raise WholeFrame(f"unexpected column error {error.reason_code}")
        number = error.check_index if stage == 4 else -1
        return (1, positions[error.column_name], stage, number)
    if error.reason_code in (reason.DATAFRAME_CHECK, reason.CHECK_ERROR):
        return (2, seen)
    return (0, seen)


def split_errors(frame: pd.DataFrame, schema: pa.DataFrameSchema, rows: int) -> list[Any] | None:
    """The errors whole-frame lazy validation of ``frame`` collects, in its order, found by the
    frame part once and the row part slice by slice; None where the split is not exact."""
    if not splittable(frame, schema):
        return None
    try:
        return _collected(frame, schema, rows)
    except Exception:  # noqa: BLE001 - WholeFrame or a surprise: the whole frame is the reference
        return None


def _collected(frame: pd.DataFrame, schema: pa.DataFrameSchema, rows: int) -> list[Any]:
    positions = {name: i for i, name in enumerate(schema.columns)}
    slots: dict[tuple[Any, ...], list[Any]] = {}
    for seen, error in enumerate(lazy_errors(_frame_part(schema, frame), frame.copy(deep=False))):
        slot = _order(error, positions, seen)
        if slot in slots:
            raise WholeFrame(f"two errors at {slot}")
        slots[slot] = [error]
    row_part = _row_part(schema, frame)
    for piece in _slices(frame, rows):
        for error in lazy_errors(row_part, piece):
            if (error.reason_code not in (pa.errors.SchemaErrorReason.SERIES_CONTAINS_NULLS,
                                          pa.errors.SchemaErrorReason.DATAFRAME_CHECK)
                    or not isinstance(error.failure_cases, pd.DataFrame)):
                raise WholeFrame(f"row check {error.check} gave {error.reason_code} on a slice")
            error.check_output = None   # a mask over the slice: not needed, not kept
            slot = _order(error, positions, 0)
            if slot in slots and not isinstance(slots[slot][0].schema, pa.Column):
                raise WholeFrame(f"two errors at {slot}")
            slots.setdefault(slot, []).append(error)
    merged = []
    for slot in sorted(slots):
        first, *rest = slots[slot]
        if rest:
            first.failure_cases = pd.concat([e.failure_cases for e in slots[slot]], ignore_index=True)
        merged.append(first)
    return merged


def validate_lazily(frame: pd.DataFrame, schema: pa.DataFrameSchema, rows: int = CHUNK_ROWS) -> None:
    """``schema.validate(frame, lazy=True)``, in slices of ``rows`` rows where the schema
    splits exactly: raises the ``SchemaErrors`` (same failure cases, same order) whole-frame
    validation raises, or returns when the frame passes."""
    if rows < 1:
        raise ValueError(f"rows must be positive, got {rows}")
    errors = split_errors(frame, schema, rows) if len(frame) > rows else None
    if errors is None:
        schema.validate(frame, lazy=True)
    elif errors:
        raise pa.errors.SchemaErrors(schema=schema, schema_errors=errors, data=frame.iloc[:0])


__all__ = ["CHUNK_ROWS", "ROW_CHECKS", "WholeFrame", "is_row_check", "lazy_errors", "split_errors", "splittable",
           "validate_lazily", "without_duplicates"]

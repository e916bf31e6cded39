"""A large parquet file checked one column at a time, with the very result of reading it whole.

Reading a 2M-row file whole holds the frame, then validation and profiling add their
copies of it on top.  A column's verdict under a DSL contract depends on that column alone,
except for what only the frame as a whole knows: which columns there are (missing, extra,
order) and how many rows.  So when the file is large and its contract splits that way,
:func:`check_columnwise` reads, types and validates one column at a time and hands each typed
column to the caller (the pipeline profiles it), then lets the column go.  Only one column and
its checks' buffers exist at once, never the frame.

The result is the whole-frame result, built the way whole-frame validation builds it:

* the columns' type failures, in the schema's column order (what :func:`typed_frame` finds);
* pandera's errors, in the order lazy validation collects them: the frame's column checks
  (presence, ``strict``, ``ordered``), found on a frame of the file's column names and no
  rows; then each column's own errors (nulls, duplicates, dtype, its checks in order), found on
  that column alone, in row slices as :mod:`.chunked_validation` validates a large column; then
  the row bounds, found on a frame of the file's length and no columns (they read nothing else);
* consolidated by pandera into failure cases, and grouped and restated as
  :func:`~specrun.contract.validate.validate_frame` does.

Anything else (a pandera schema written by hand, frame-level checks other than the row
bounds, ``unique`` column combinations, groupby checks, coercion or parsers, a file whose
index or column names need the whole read, a column that does not read or validate as
expected) answers None: the caller reads the file whole, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..results import ColumnFailure
from ..spec.model import PortSpec, SchemaSpec
from .arrow_pool import release_unused
from .chunked_validation import CHUNK_ROWS, WholeFrame, lazy_errors, split_errors
from .io import parquet_types, typed_frame
from .pandera_schema import RowCount
from .parquet_read import COLUMNWISE_BYTES, data_columns, decoded_bytes
from .storage import TypeFailure, type_failures
from .types import TypeRegistry
from .validate import judged

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa
    import pyarrow.parquet as pq
else:
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")
    pq = lazy_module("pyarrow.parquet")


def _column_splits(column: Any, name: Any) -> bool:
    if (type(column) is not pa.Column or column.regex or column.coerce or column.parsers
            or column.default is not None or column.drop_invalid_rows or column.name != name):
        return False
    return all(type(check) is pa.Check and check.groupby is None for check in column.checks)


def splits_by_column(schema: Any) -> bool:
    """Whether each column of ``schema`` is judged on that column alone and the frame only by
    its column names and its length (the DSL's contracts; see the module's docstring)."""
    if type(schema) is not pa.DataFrameSchema:
        return False
    if (schema.index is not None or schema.dtype is not None or schema.coerce or schema.parsers
            or schema.add_missing_columns or schema.drop_invalid_rows or schema.unique
            or schema.strict not in (True, False)):
        return False
    if not all(type(check) is pa.Check and isinstance(check._check_fn, RowCount) and check.groupby is None
               for check in schema.checks):
        return False
    return all(_column_splits(column, name) for name, column in schema.columns.items())


def large_file_columns(path: Path, columnwise_bytes: int | None = None) -> tuple[list[str], int] | None:
    """The data columns and rows of a parquet file that decodes to ``columnwise_bytes`` or
    more (default :data:`~.parquet_read.COLUMNWISE_BYTES`) and reads back column by column
    as the frame a whole read gives (its pandas metadata, if any, says which columns are the
    index; the names are distinct); None otherwise."""
    limit = COLUMNWISE_BYTES if columnwise_bytes is None else columnwise_bytes
    try:
        file = pq.ParquetFile(path)
    except Exception:  # noqa: BLE001 - not readable: the whole read reports it
        return None
    try:
        metadata = file.metadata
        if decoded_bytes(metadata) < limit:
            return None
        if file.schema_arrow.metadata and b"pandas" in file.schema_arrow.metadata:
            names = data_columns(file)
        else:   # written without pandas (Spark, pyarrow): no index to rebuild, every column is data
            everything = list(file.schema_arrow.names)
            names = everything if len(set(everything)) == len(everything) else None
        return (names, metadata.num_rows) if names else None
    finally:
        file.close()


def _column_errors(frame: pd.DataFrame, schema: pa.DataFrameSchema, chunk_rows: int) -> list[Any]:
    """The errors lazy validation of one column's frame collects, in row slices when long;
    without their masks over the column's rows (kept until every column is read, they are
    not needed to report the failures)."""
    errors = split_errors(frame, schema, chunk_rows) if len(frame) > chunk_rows else None
    if errors is None:
        errors = lazy_errors(schema, frame)
    for error in errors:
        error.check_output = None
    return errors


def _frame_errors(schema: pa.DataFrameSchema, names: list[str], rows: int) -> tuple[list[Any], list[Any]]:
    """The frame's own errors: (column presence, strict and order: on the names alone; the row
    bounds: on the length alone)."""
    shape = pa.DataFrameSchema(
        {name: pa.Column(None, nullable=True, required=column.required, name=name)
         for name, column in schema.columns.items()},
        strict=schema.strict, ordered=schema.ordered, name=schema.name,
        unique_column_names=schema.unique_column_names)
    named = lazy_errors(shape, pd.DataFrame({name: pd.Series([], dtype=object) for name in names}))
    counted: list[Any] = []
    if schema.checks:
        length = pa.DataFrameSchema(checks=schema.checks, name=schema.name)
        counted = lazy_errors(length, pd.DataFrame(index=pd.RangeIndex(rows)))
    reason = pa.errors.SchemaErrorReason
    if any(e.reason_code not in (reason.COLUMN_NOT_IN_DATAFRAME, reason.COLUMN_NOT_IN_SCHEMA,
                                 reason.COLUMN_NOT_ORDERED) for e in named):
        raise WholeFrame("an unexpected frame error")
    if any(e.reason_code != reason.DATAFRAME_CHECK for e in counted):
        raise WholeFrame("an unexpected row-count error")
    return named, counted


def check_columnwise(port: PortSpec, path: Path, schema: SchemaSpec | None, compiled: pa.DataFrameSchema | None,
                     types: TypeRegistry, visit: Callable[[str, pd.Series], None] | None = None, *,
                     columnwise_bytes: int | None = None,
                     chunk_rows: int = CHUNK_ROWS) -> tuple[int, tuple[bool, list[ColumnFailure]] | None] | None:
    """``(rows, (ok, failures))`` of a single-file parquet port validated against ``compiled``
    (``schema`` types its columns; ``compiled`` None: typed and visited, not validated), one
    column at a time; ``visit(name, typed column)`` sees every column of the file in file
    order.  None where the file is checked whole (small, or see the module's docstring): then
    ``visit`` may have seen some columns, which the caller discards."""
    if port.format != "parquet" or port.is_dir or not Path(path).is_file():
        return None
    if compiled is not None and not splits_by_column(compiled):
        return None
    shape = large_file_columns(Path(path), columnwise_bytes)
    if shape is None:
        return None
    names, rows = shape
    try:
        return rows, _checked(Path(path), names, rows, schema, compiled, types, visit, chunk_rows)
    except WholeFrame:
        return None
    finally:
        release_unused()


def _checked(path: Path, names: list[str], rows: int, schema: SchemaSpec | None, compiled: pa.DataFrameSchema | None,
             types: TypeRegistry, visit: Callable[[str, pd.Series], None] | None,
             chunk_rows: int) -> tuple[bool, list[ColumnFailure]] | None:
    storage = parquet_types(path)
    found: dict[str, list[TypeFailure]] = {}
    column_errors: dict[str, list[Any]] = {}
    for name in names:
        try:
            read = pd.read_parquet(path, columns=[name])
        except Exception as exc:  # noqa: BLE001 - the whole read reports what is wrong
            raise WholeFrame from exc
        release_unused()
        if len(read) != rows or list(read.columns) != [name]:
            raise WholeFrame(f"column {name!r} read as {list(read.columns)}, {len(read)} rows")
        typed = typed_frame(read, schema, types, found=storage, file=path.name)
        del read
        found[name] = type_failures(typed)
        if compiled is not None and name in compiled.columns:
            alone = pa.DataFrameSchema({name: compiled.columns[name]}, name=compiled.name)
            column_errors[name] = _column_errors(typed, alone, chunk_rows)
        if visit is not None:
            visit(name, typed[name])
        del typed
        release_unused()
    if compiled is None:
        return None
    named, counted = _frame_errors(compiled, names, rows)
    errors = named + [e for name in compiled.columns if name in column_errors for e in column_errors[name]] + counted
    declared = schema.columns if schema is not None else {}
    in_order = [f for name in declared if name in found for f in found[name]]
    empty = pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    return judged(in_order, errors, compiled, empty)


__all__ = ["check_columnwise", "large_file_columns", "splits_by_column"]

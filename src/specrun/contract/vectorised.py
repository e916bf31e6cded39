"""Fast, seeded synthetic frames for volume scenarios: numpy per column, no row loops.

Each column draws from its own random stream, derived from the seed and the column
name, so the same seed gives the same frame and adding a column leaves the others
unchanged.  Nullable columns get about :data:`NULL_RATE` nulls; unique columns are
truly unique: verified here, unless the type draws them distinct by construction
(``unique_by_construction``), which its property tests prove instead.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from ..lazy import lazy_module
from ..spec.model import ColumnSpec, SchemaSpec, SpecError
from .types import TypeRegistry

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")

NULL_RATE = 0.05


def clip_rows(schema: SchemaSpec, rows: int) -> int:
    """``rows`` clipped to the schema's ``rows: {min, max}``."""
    low, high = schema.rows_min, schema.rows_max
    if low is not None and high is not None and low > high:
        raise SpecError(f"schema {schema.name!r}: rows.min {low} is greater than rows.max {high}",
                        schema.location)
    if low is not None:
        rows = max(rows, low)
    if high is not None:
        rows = min(rows, high)
    return max(rows, 0)


def column_rng(seed: int, column: str) -> np.random.Generator:
    """The random stream of one column: depends only on the seed and the column name."""
    return np.random.default_rng([seed & 0xFFFFFFFFFFFFFFFF, zlib.crc32(column.encode("utf-8"))])


def vectorised_column(column: ColumnSpec, rows: int, seed: int, types: TypeRegistry) -> pd.Series:
    """``rows`` valid values of one column, with nulls mixed in when it is nullable."""
    column_type = types.for_column(column)
    rng = column_rng(seed, column.name)
    values = column_type.vectorised(column, rows, rng)
    if len(values) != rows:
        raise SpecError(f"column {column.name!r}: type {column.type!r} produced {len(values)} "
                        f"values instead of {rows}", column.location)
    values = values.reset_index(drop=True)
    dtype = column_type.dtype(column)
    if values.dtype != dtype:
        values = values.astype(dtype)
    if column.unique:
        if not column_type.unique_by_construction(column) and not values.is_unique:
            raise SpecError(f"column {column.name!r}: type {column.type!r} cannot generate "
                            f"{rows} unique values", column.location)
    elif column.nullable and rows:
        values = with_nulls(values, rng.random(rows) < NULL_RATE)
    return values.rename(column.name)


def with_nulls(values: pd.Series, nulls: np.ndarray) -> pd.Series:
    """``values.mask(nulls)``; a pyarrow string column without nulls gets the mask as its
    validity bitmap (the same values, without copying the strings)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        text = pa.array(values.array)     # the column's own buffers (one array, no copy)
        if text.null_count == 0 and text.offset == 0 and (pa.types.is_string(text.type)
                                                          or pa.types.is_large_string(text.type)):
            bitmap = pa.py_buffer(np.packbits(~nulls, bitorder="little"))
            masked = pa.Array.from_buffers(text.type, len(text), [bitmap, *text.buffers()[1:]])
            return pd.Series(masked, index=values.index, dtype=values.dtype, name=values.name)
    return values.mask(nulls)


def vectorised_frame(schema: SchemaSpec, rows: int, seed: int, types: TypeRegistry) -> pd.DataFrame:
    """A frame of ``rows`` rows (clipped to the schema's row bounds) valid for ``schema``."""
    rows = clip_rows(schema, rows)
    columns = {name: vectorised_column(column, rows, seed, types)
               for name, column in schema.columns.items()}
    # copy=False: each column stays its own block (the Series are fresh; copy-on-write guards
    # them), instead of consolidating same-dtype columns into one copied block
    return pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)

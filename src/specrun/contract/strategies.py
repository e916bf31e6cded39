"""Hypothesis strategies of whole frames, composed from the column types' own strategies.

One strategy per schema: the row count is drawn first, then each column's values,
with every constraint merged into the drawing itself (bounds, ``isin`` as
``sampled_from``, ``unique`` as unique lists, patterns as ``from_regex``) instead of
filtering afterwards.  Each column also draws a *shape* that reaches the edge cases
data scripts trip over: plain values (boundary values mixed in), a few repeated
values (duplicate keys where the column is not unique), nulls mixed in or every
value null (where nullable).  The row count shrinks towards an empty frame and the
shape towards plain values, so a shrunk failure is as small and plain as it can be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..spec.model import ColumnSpec, SchemaSpec, SpecError
from .types import ColumnType, TypeRegistry

if TYPE_CHECKING:
    import pandas as pd
    from hypothesis import strategies as st
else:
    pd = lazy_module("pandas")
    st = lazy_module("hypothesis.strategies")

DEFAULT_MAX_ROWS = 20
REPEATED_POOL = 3          # how many distinct values a "repeated" column draws from

# Column shapes, in shrink order (the first is the simplest).
PLAIN, REPEATED, SOME_NULLS, ALL_NULL = "plain", "repeated", "some_nulls", "all_null"


def value_strategy(column: ColumnSpec, column_type: ColumnType) -> st.SearchStrategy[Any]:
    """Single valid values of ``column``: the type's strategy with its boundary values mixed in."""
    base = column_type.strategy(column)
    if column.isin is not None:
        return base
    try:
        edges = [v for v in column_type.boundary_values(column) if column_type.in_bounds(column, v)]
    except (SpecError, ValueError, TypeError):
        edges = []
    return st.one_of(base, st.sampled_from(edges)) if edges else base


def unique_capacity(column: ColumnSpec, column_type: ColumnType) -> float:
    """How many distinct non-null values ``column`` can hold; ``inf`` when unbounded."""
    if column.isin is not None:
        return len({repr(v) for v in column.isin})
    return column_type.unique_capacity(column)


def column_shapes(column: ColumnSpec, rows: int) -> list[str]:
    """The shapes ``column`` may take in a frame of ``rows`` rows, simplest first."""
    shapes = [PLAIN]
    if not column.unique:
        shapes.append(REPEATED)
    if column.nullable:
        shapes.append(SOME_NULLS)
        if not column.unique or rows <= 1:
            shapes.append(ALL_NULL)
    return shapes


@st.composite
def column_elements(draw: st.DrawFn, column: ColumnSpec, values: st.SearchStrategy[Any], max_rows: int
                    ) -> st.SearchStrategy[Any]:
    """Draw the column's shape (and its pool of repeated ``values``); the strategy of one cell."""
    shapes = column_shapes(column, max_rows)
    shape = draw(st.sampled_from(shapes)) if len(shapes) > 1 else PLAIN
    if shape == ALL_NULL:
        return st.none()
    if shape == REPEATED:
        return st.sampled_from(draw(st.lists(values, min_size=1, max_size=REPEATED_POOL)))
    if shape == SOME_NULLS:
        return st.one_of(values, st.none())
    return values


def row_bounds(schema: SchemaSpec, max_rows: int, types: TypeRegistry) -> tuple[int, int]:
    """(fewest, most) rows to draw: ``max_rows`` within the schema's ``rows:`` and what
    its unique columns can hold."""
    high = max_rows
    if schema.rows_max is not None:
        high = min(high, schema.rows_max)
    for column in schema.columns.values():
        if column.unique:
            capacity = unique_capacity(column, types.for_column(column))
            if capacity < high:
                high = int(capacity)
    low = min(schema.rows_min or 0, high)
    return max(low, 0), max(high, 0)


def _key(index: int) -> Any:
    return lambda row: row[index]


@st.composite
def _frames(draw: st.DrawFn, columns: dict[str, tuple[ColumnSpec, ColumnType, st.SearchStrategy[Any]]],
            low: int, high: int) -> pd.DataFrame:
    # Column shapes first, then the rows one by one: shrinking drops whole rows and
    # keeps every column's shape, so a minimal failure keeps what made it fail.
    present = {name: entry for name, entry in columns.items()
               if entry[0].required or not draw(st.booleans())}   # optional columns may be left out
    cells = [draw(column_elements(column, values, high)) for column, _, values in present.values()]
    unique = tuple(_key(i) for i, (column, _, _) in enumerate(present.values()) if column.unique)
    rows = draw(st.lists(st.tuples(*cells), min_size=low, max_size=high, unique_by=unique or None))
    data = {name: pd.Series([row[i] for row in rows], dtype=column_type.dtype(column), name=name)
            for i, (name, (column, column_type, _)) in enumerate(present.items())}
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def frame_strategy(schema: SchemaSpec, types: TypeRegistry, max_rows: int = DEFAULT_MAX_ROWS,
                   *, text_format: bool = False, min_rows: int = 0) -> st.SearchStrategy[pd.DataFrame]:
    """Frames valid for ``schema`` with at most ``max_rows`` rows (fewer if the contract
    cannot hold more) and at least ``min_rows`` (where it can hold them: a frame to break
    needs rows).  ``text_format``: the frame will be written as CSV/TSV."""
    columns: dict[str, tuple[ColumnSpec, ColumnType, st.SearchStrategy[Any]]] = {}
    for name, column in schema.columns.items():
        column_type = types.for_column(column)
        column = column_type.text_safe(column) if text_format else column
        columns[name] = (column, column_type, value_strategy(column, column_type))
    low, high = row_bounds(schema, max_rows, types)
    return _frames(columns, max(low, min(min_rows, high)), high)


__all__ = ["DEFAULT_MAX_ROWS", "column_elements", "column_shapes", "frame_strategy", "row_bounds",
           "unique_capacity", "value_strategy"]

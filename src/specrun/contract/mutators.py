"""Edge-case mutators: transform a generated input frame before a script sees it.

``nulls``, ``empty``, ``boundary``, ``extreme``, ``duplicates``, ``set``,
``drop_columns`` and ``wrong_dtype`` (see the spec language).  Mutations apply in
order, are seeded, and may deliberately break the contract.  A column that the
schema and the frame do not know is a :class:`SpecError` at the mutation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..spec.model import ColumnSpec, Location, MutationSpec, SchemaSpec, SpecError
from .types import TypeRegistry

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

DEFAULT_DUPLICATE_RATE = 0.1


def _as_mapping(params: Any) -> dict[str, Any]:
    return dict(params) if isinstance(params, dict) else {}


def _columns(params: Any, frame: pd.DataFrame, schema: SchemaSpec, location: Location | None,
             default_all: bool = True) -> list[str]:
    """The columns a mutation names (checked), or every column of the frame."""
    names: Any = params if isinstance(params, list) else _as_mapping(params).get("columns")
    if names is None:
        return list(frame.columns) if default_all else []
    if isinstance(names, str):
        names = [names]
    for name in names:
        if name not in schema.columns and name not in frame.columns:
            raise SpecError(f"unknown column {name!r} (schema {schema.name!r} has: "
                            f"{', '.join(schema.columns) or 'no columns'})", location)
    return [name for name in names if name in frame.columns]


def nullable_dtype(series: pd.Series) -> pd.Series:
    """``series`` in a dtype that can hold nulls (``Int64`` for ints, ``boolean`` for bools)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean")
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.astype("Int64")
    return series


def _column_type(name: str, schema: SchemaSpec, types: TypeRegistry,
                 location: Location | None) -> tuple[Any, ColumnSpec]:
    column = schema.columns.get(name)
    if column is None or column.type not in types:
        raise SpecError(f"column {name!r} has no known type in schema {schema.name!r}", location)
    return types.get(column.type), column


def typed_like(values: Any, like: pd.Series) -> pd.Series:
    """``values`` as a Series in ``like``'s dtype when that changes no value, else as inferred."""
    raw = pd.Series(values, index=like.index)
    if isinstance(like.dtype, pd.CategoricalDtype) and not raw.dropna().isin(like.dtype.categories).all():
        return raw   # a value outside the categories: the column stops being categorical
    try:
        converted = raw.astype(like.dtype)
    except (ValueError, TypeError, OverflowError):
        return raw
    present = raw.notna()
    if not (converted.notna() == present).all():
        return raw   # e.g. a value outside a categorical's categories
    if pd.api.types.is_datetime64_dtype(like.dtype):
        return converted
    if isinstance(like.dtype, pd.CategoricalDtype) or not pd.api.types.is_string_dtype(like.dtype):
        same = converted[present].astype(object) == raw[present].astype(object)
        return converted if bool(same.all()) else raw
    return converted if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty") else raw


def _place(values: list[Any], series: pd.Series, unique: bool) -> pd.Series:
    """Rows take ``values`` in turn; a unique column keeps its other values and stays unique."""
    rows = len(series)
    if rows == 0 or not values:
        return series
    pool = np.empty(len(values), dtype=object)
    pool[:] = values
    if not unique:
        return typed_like(np.resize(pool, rows), series)
    placed = pool[:rows]
    original = series.to_numpy(dtype=object)
    result = original.copy()
    result[: len(placed)] = placed
    head = pd.Series(original[: len(placed)])
    displaced = head[~head.isin(placed)].to_numpy(dtype=object)
    colliding = np.nonzero(pd.Series(original[len(placed):]).isin(placed).to_numpy())[0] + len(placed)
    result[colliding] = displaced[: len(colliding)]
    return typed_like(result, series)


def _nulls(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
           types: TypeRegistry, location: Location | None) -> pd.DataFrame:
    rate = float(_as_mapping(params).get("rate", 1.0))
    for name in _columns(params, frame, schema, location):
        mask = rng.random(len(frame)) < rate
        frame[name] = nullable_dtype(frame[name]).mask(mask)
    return frame


def _empty(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
           types: TypeRegistry, location: Location | None) -> pd.DataFrame:
    return frame if params is False else frame.iloc[0:0].copy()


def _values_mutation(kind: str) -> Callable[..., pd.DataFrame]:
    def mutate(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
               types: TypeRegistry, location: Location | None) -> pd.DataFrame:
        for name in _columns(params, frame, schema, location):
            column_type, column = _column_type(name, schema, types, location)
            values = list(getattr(column_type, f"{kind}_values")(column))
            frame[name] = _place(values, frame[name], unique=column.unique)
        return frame
    mutate.__name__ = f"_{kind}"
    return mutate


def _duplicates(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
                types: TypeRegistry, location: Location | None) -> pd.DataFrame:
    rate = float(_as_mapping(params).get("rate", DEFAULT_DUPLICATE_RATE))
    rows = len(frame)
    if rows < 2 or rate <= 0:
        return frame
    count = min(rows - 1, max(1, int(round(rate * rows))))
    targets = rng.choice(rows, size=count, replace=False)
    sources_pool = np.setdiff1d(np.arange(rows), targets)
    sources = sources_pool[rng.integers(0, len(sources_pool), size=count)]
    for name in _columns(params, frame, schema, location):
        series = frame[name].copy()
        series.iloc[targets] = frame[name].iloc[sources].to_numpy()
        frame[name] = series
    return frame


def _set(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
         types: TypeRegistry, location: Location | None) -> pd.DataFrame:
    if not isinstance(params, dict):
        raise SpecError("set needs a mapping {column: value}", location)
    _columns({"columns": list(params)}, frame, schema, location)
    for name, value in params.items():
        if name in frame.columns:
            frame[name] = typed_like([value] * len(frame), frame[name])
        else:
            frame[name] = pd.Series([value] * len(frame), index=frame.index)
    return frame


def _drop_columns(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
                  types: TypeRegistry, location: Location | None) -> pd.DataFrame:
    names = _columns({"columns": params} if isinstance(params, (list, str)) else params,
                     frame, schema, location, default_all=False)
    return frame.drop(columns=names)


def _wrong_dtype(frame: pd.DataFrame, params: Any, schema: SchemaSpec, rng: np.random.Generator,
                 types: TypeRegistry, location: Location | None) -> pd.DataFrame:
    for name in _columns(params, frame, schema, location):
        column_type, column = _column_type(name, schema, types, location)
        values = list(column_type.wrong_dtype_values(column))
        frame[name] = pd.Series([values[i % len(values)] for i in range(len(frame))],
                                index=frame.index, dtype=object)
    return frame


MUTATORS: dict[str, Callable[..., pd.DataFrame]] = {
    "nulls": _nulls, "empty": _empty, "boundary": _values_mutation("boundary"),
    "extreme": _values_mutation("extreme"), "duplicates": _duplicates, "set": _set,
    "drop_columns": _drop_columns, "wrong_dtype": _wrong_dtype,
}


def mutation_columns(mutation: MutationSpec) -> list[str]:
    """The columns a built-in mutation names explicitly (none: it applies to every column)."""
    params = mutation.params
    if mutation.op == "set":
        return [str(c) for c in params] if isinstance(params, dict) else []
    if isinstance(params, (list, tuple)):
        return [str(c) for c in params]
    if mutation.op == "drop_columns" and isinstance(params, str):
        return [params]
    names = _as_mapping(params).get("columns")
    if names is None:
        return []
    return [names] if isinstance(names, str) else [str(c) for c in names]


def apply_mutations(frame: pd.DataFrame, schema: SchemaSpec, mutations: list[MutationSpec],
                    seed: int, types: TypeRegistry) -> pd.DataFrame:
    """A mutated copy of ``frame``: each mutation applied in order, seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    for mutation in mutations:
        mutator = MUTATORS.get(mutation.op)
        if mutator is None:
            raise SpecError(f"unknown mutation {mutation.op!r} (known: {', '.join(MUTATORS)})",
                            mutation.location)
        frame = mutator(frame, mutation.params, schema, rng, types, mutation.location)
    return frame

"""Data contracts as pandera schemas.

:func:`to_pandera` compiles a :class:`SchemaSpec` of the column DSL into a
``pandera.DataFrameSchema``; :func:`load_pandera_reference` loads a schema written
directly in pandera (``pandera: module:Name`` or a pandera YAML file) and derives
the :class:`ColumnSpec` s the generators need from it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..spec.model import ColumnSpec, Location, SchemaSpec, SpecError
from .pandera_dtypes import pandera_dtype
from .types import ColumnType, TypeRegistry

if TYPE_CHECKING:
    import pandera.pandas as pa
else:
    pa = lazy_module("pandera.pandas")


class RowCount:
    """A frame-level check on the number of rows alone (``rows_min`` / ``rows_max``): it reads
    nothing but ``len(frame)``, so a frame of the same length and no columns answers the same
    (``contract/columnwise.py`` relies on that)."""

    def __init__(self, bound: int, at_least: bool) -> None:
        self.bound, self.at_least = bound, at_least

    def __call__(self, frame: Any) -> bool:
        return len(frame) >= self.bound if self.at_least else len(frame) <= self.bound


def _rows_checks(schema: SchemaSpec) -> list[pa.Check]:
    checks = []
    if schema.rows_min is not None:
        checks.append(pa.Check(RowCount(schema.rows_min, at_least=True), name="rows_min",
                               error=f"at least {schema.rows_min} rows"))
    if schema.rows_max is not None:
        checks.append(pa.Check(RowCount(schema.rows_max, at_least=False), name="rows_max",
                               error=f"at most {schema.rows_max} rows"))
    return checks


def _plugin_checks(column: ColumnSpec, checks: Mapping[str, Callable[[Any], pa.Check]]) -> list[pa.Check]:
    built = []
    for entry in column.checks:
        for name, args in entry.items():
            if name not in checks:
                known = ", ".join(sorted(checks)) or "none registered"
                raise SpecError(f"column {column.name!r}: unknown check {name!r} (known: {known})",
                                column.location)
            built.append(checks[name](args))
    return built


def to_pandera(schema: SchemaSpec, types: TypeRegistry,
               checks: Mapping[str, Callable[[Any], pa.Check]] | None = None) -> pa.DataFrameSchema:
    """The pandera schema enforcing ``schema`` (no coercion: data must already be typed)."""
    if schema.pandera is not None:
        base_dir = schema.location.file.parent if schema.location is not None else Path.cwd()
        return _load_schema(schema.pandera, base_dir, schema.location)
    columns = {}
    for name, column in schema.columns.items():
        column_type = types.for_column(column)
        columns[name] = pa.Column(
            pandera_dtype(column_type.dtype(column)),
            checks=list(column_type.checks(column)) + _plugin_checks(column, checks or {}),
            nullable=column.nullable, unique=column.unique, required=column.required,
            coerce=False, name=name)
    return pa.DataFrameSchema(columns, checks=_rows_checks(schema), strict=schema.strict,
                              coerce=False, name=schema.name)


# -- pandera references ------------------------------------------------------

def _import_object(ref: str, base_dir: Path, location: Location | None) -> Any:
    module_name, _, attribute = ref.partition(":")
    if not module_name or not attribute:
        raise SpecError(f"pandera reference {ref!r} must be 'module:Name' or a YAML file path", location)
    added = str(base_dir) not in sys.path
    if added:
        sys.path.insert(0, str(base_dir))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SpecError(f"cannot import pandera module {module_name!r}: {exc}", location) from None
    except Exception as exc:  # noqa: BLE001 - the user's module failed while importing
        raise SpecError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}", location) from None
    finally:
        if added:
            sys.path.remove(str(base_dir))
    target: Any = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise SpecError(f"module {module_name!r} has no attribute {attribute!r}", location)
        target = getattr(target, part)
    return target


def _load_schema(ref: str, base_dir: Path, location: Location | None) -> pa.DataFrameSchema:
    path = Path(ref) if Path(ref).is_absolute() else base_dir / ref
    if ref.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            raise SpecError(f"pandera YAML file not found: {path}", location)
        try:
            return pa.DataFrameSchema.from_yaml(path)
        except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
            raise SpecError(f"invalid pandera YAML {path}: {type(exc).__name__}: {exc}", location) from None
    target = _import_object(ref, base_dir, location)
    if isinstance(target, type) and issubclass(target, pa.DataFrameModel):
        try:
            return target.to_schema()
        except Exception as exc:  # noqa: BLE001
            raise SpecError(f"{ref}: invalid DataFrameModel: {exc}", location) from None
    if isinstance(target, pa.DataFrameSchema):
        return target
    raise SpecError(f"{ref} is a {type(target).__name__}, not a pandera DataFrameModel or "
                    "DataFrameSchema", location)


def _column_type(dtype: Any, name: str, types: TypeRegistry, location: Location | None) -> ColumnType:
    """The registered column type that claims a pandera column's dtype."""
    text = str(dtype).lower()
    for type_name in types.names():
        column_type = types.get(type_name)
        if column_type.claims_pandera_dtype(text):
            return column_type
    raise SpecError(f"column {name!r}: pandera dtype {dtype} has no specrun column type", location)


def _apply_check(spec: ColumnSpec, column_type: ColumnType, check: pa.Check) -> None:
    """Fold one pandera check into the constraints of ``spec`` (unknown checks are left out)."""
    stats = check.statistics or {}
    name = check.name

    def bound(value: Any, above: bool, inclusive: bool = True) -> Any:
        return column_type.pandera_bound(value, above=above, inclusive=inclusive)

    if name == "in_range":
        spec.min = bound(stats["min_value"], True, stats.get("include_min", True))
        spec.max = bound(stats["max_value"], False, stats.get("include_max", True))
    elif name == "greater_than_or_equal_to":
        spec.min = bound(stats["min_value"], True)
    elif name == "greater_than":
        spec.min = bound(stats["min_value"], True, inclusive=False)
    elif name == "less_than_or_equal_to":
        spec.max = bound(stats["max_value"], False)
    elif name == "less_than":
        spec.max = bound(stats["max_value"], False, inclusive=False)
    elif name == "isin":
        spec.isin = list(stats["allowed_values"])
    elif name == "str_matches":
        pattern = stats["pattern"]
        spec.pattern = pattern if isinstance(pattern, str) else pattern.pattern


def columns_from_pandera(schema: pa.DataFrameSchema, types: TypeRegistry,
                         location: Location | None = None) -> dict[str, ColumnSpec]:
    """ColumnSpecs (type, min/max, isin, pattern, nullable, unique, required) for a pandera schema;
    each column's type is the registered type that claims its dtype."""
    columns: dict[str, ColumnSpec] = {}
    for name, column in schema.columns.items():
        column_type = _column_type(column.dtype, str(name), types, location)
        spec = ColumnSpec(name=str(name), type=column_type.name, nullable=bool(column.nullable),
                          unique=bool(column.unique), required=bool(column.required),
                          location=location)
        for check in column.checks:
            _apply_check(spec, column_type, check)
        categories = getattr(column.dtype, "categories", None)   # a CategoricalDtype's own values
        if categories is not None:
            spec.isin = list(categories)
        if column_type.needs_categories() and not spec.isin:
            raise SpecError(f"column {name!r}: a {column_type.name} column needs its categories "
                            "(CategoricalDtype(categories) or an isin check)", location)
        columns[str(name)] = spec
    return columns


def load_pandera_reference(ref: str, base_dir: Path, types: TypeRegistry | None = None, *,
                           location: Location | None = None) -> tuple[pa.DataFrameSchema, dict[str, ColumnSpec]]:
    """Load ``module:Name`` (a DataFrameModel or DataFrameSchema) or a pandera YAML file.

    ``base_dir`` (the spec's folder) is searched before ``sys.path``.  Any problem is
    a :class:`SpecError` at ``location``.  Column types come from ``types`` (default: the built-ins).
    """
    schema = _load_schema(ref, Path(base_dir), location)
    return schema, columns_from_pandera(schema, types or TypeRegistry.builtin(), location)

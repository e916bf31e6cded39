"""Data contracts: ``schemas:`` and inline port schemas → :class:`SchemaSpec`.

``extends:`` is merged here (chains allowed, a cycle is an error): the child
inherits the parent's columns, row bounds, strictness and pandera reference, then
adds columns or overrides keys of inherited ones.  Re-declaring a column with a
different ``type`` replaces it entirely.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from .model import COLUMN_TYPES, ColumnSpec, SchemaSpec
from .options import LoadOptions
from .schema import COLUMN_KEYS
from .values import for_column, generic_data
from .yamlnodes import Node

_MODULE_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_ORDERED_TYPES = ("int", "float", "datetime")
_PATTERN_TYPES = ("str", "category")


def build_named_schemas(node: Node | None, options: LoadOptions) -> dict[str, SchemaSpec]:
    """Every schema of ``schemas:``, with ``extends`` chains merged."""
    raw = dict(node.items()) if node is not None else {}
    built: dict[str, SchemaSpec] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> SchemaSpec:
        if name in built:
            return built[name]
        schema_node = raw[name]
        parent = None
        extends = schema_node.get("extends")
        if extends is not None:
            target = str(extends.data)
            if target in chain + (name,):
                loop = (chain + (name,))[(chain + (name,)).index(target):] + (target,)
                raise extends.error(f"extends cycle: {' -> '.join(loop)}")
            if target not in raw:
                raise extends.error(f"unknown schema {target!r}{_known(raw)}")
            parent = resolve(target, chain + (name,))
        built[name] = build_schema(name, schema_node, parent, options)
        return built[name]

    for name in raw:
        resolve(name, ())
    return {name: built[name] for name in raw}


def build_inline_schema(name: str, node: Node, named: dict[str, SchemaSpec],
                        options: LoadOptions) -> SchemaSpec:
    """An inline ``schema: {…}`` of a port, which may extend a named schema."""
    parent = None
    extends = node.get("extends")
    if extends is not None:
        target = str(extends.data)
        if target not in named:
            raise extends.error(f"unknown schema {target!r}{_known(named)}")
        parent = named[target]
    return build_schema(name, node, parent, options)


def build_schema(name: str, node: Node, parent: SchemaSpec | None,
                 options: LoadOptions) -> SchemaSpec:
    """One schema from its node, merged over ``parent`` if it extends one."""
    if not any(key in node for key in ("columns", "extends", "pandera")):
        raise node.error("a schema needs 'columns', 'extends' or 'pandera'")
    columns = dict(parent.columns) if parent else {}
    columns_node = node.get("columns")
    for column_name, column_node in columns_node.items() if columns_node else []:
        columns[column_name] = build_column(column_name, column_node, columns.get(column_name),
                                            options)
    rows = node.get("rows")
    rows_min = _rows(rows, "min", parent.rows_min if parent else None)
    rows_max = _rows(rows, "max", parent.rows_max if parent else None)
    if rows_min is not None and rows_max is not None and rows_min > rows_max:
        raise node.error(f"rows min ({rows_min}) is greater than max ({rows_max})", "rows")
    pandera = node.get("pandera")
    return SchemaSpec(
        name=name,
        columns=columns,
        rows_min=rows_min,
        rows_max=rows_max,
        strict=bool(node["strict"].data) if "strict" in node else bool(parent and parent.strict),
        pandera=_pandera(str(pandera.data), options) if pandera is not None
        else (parent.pandera if parent else None),
        extends=parent.name if parent else None,
        location=node.location,
    )


def _rows(rows: Node | None, key: str, inherited: int | None) -> int | None:
    return int(rows[key].data) if rows is not None and key in rows else inherited


def _pandera(value: str, options: LoadOptions) -> str:
    """``module:Name`` as written; anything else is a path to a pandera YAML file."""
    return value.strip() if _MODULE_REF.match(value.strip()) else str(options.resolve(value))


def build_column(name: str, node: Node, base: ColumnSpec | None,
                 options: LoadOptions) -> ColumnSpec:
    """A column; keys it sets override those of ``base`` (an inherited column)."""
    type_node = node.get("type")
    if type_node is not None:
        column_type = str(type_node.data)
        if column_type not in options.column_types:
            raise type_node.error(
                f"unknown column type {column_type!r} (known: {', '.join(sorted(options.column_types))})")
    elif base is not None:
        column_type = base.type     # checked when the inherited column was built
    else:
        raise node.error("missing required key 'type'", "type")
    if base is not None and base.type != column_type:
        base = None
    column = dataclasses.replace(base, location=node.location) if base is not None \
        else ColumnSpec(name=name, type=column_type, location=node.location)
    changes: dict[str, Any] = {}
    for key in ("min", "max"):
        if key in node:
            changes[key] = _bound(node[key], column_type)
    if "isin" in node:
        changes["isin"] = typed_isin(node["isin"], column_type)
    if "pattern" in node:
        if column_type in COLUMN_TYPES and column_type not in _PATTERN_TYPES:
            raise node.error(f"'pattern' applies to str columns, not {column_type}", "pattern")
        changes["pattern"] = str(node["pattern"].data)
    for key in ("nullable", "unique", "required"):
        if key in node:
            changes[key] = bool(node[key].data)
    if "checks" in node:
        changes["checks"] = [_check(element, options) for element in node["checks"].elements()]
    options_found = {key: child for key, child in node.items() if key not in COLUMN_KEYS}
    if options_found and column_type in COLUMN_TYPES:
        key = next(iter(options_found))
        raise node.error(f"unknown key {key!r} for a {column_type} column", key)
    if options_found:
        changes["options"] = {**column.options,
                              **{k: generic_data(v.data) for k, v in options_found.items()}}
    column = dataclasses.replace(column, **changes)
    _check_bounds(column, node)
    return column


def _bound(node: Node, column_type: str) -> Any:
    if column_type == "bool":
        raise node.error("min/max do not apply to bool columns")
    return typed_scalar(node, column_type)


def typed_scalar(node: Node, column_type: str) -> Any:
    """A scalar node typed for ``column_type``; a misfit is an error at the node."""
    if node.is_mapping() or node.is_sequence():
        raise node.error(f"expected a single value for a {column_type} column")
    try:
        return for_column(str(node.data), column_type)
    except ValueError as error:
        raise node.error(str(error)) from None


def typed_isin(node: Node, column_type: str) -> list[Any]:
    """An ``isin`` list typed for ``column_type`` (strings stay strings in str columns)."""
    if not node.is_sequence():
        raise node.error("'isin' must be a list of values")
    values = [typed_scalar(element, column_type) for element in node.elements()]
    if not values:
        raise node.error("'isin' must not be empty")
    return values


def _check(node: Node, options: LoadOptions) -> dict[str, Any]:
    (check_name, args), = node.items()
    if options.checks is not None and check_name not in options.checks:
        known = ", ".join(sorted(options.checks)) or "none"
        raise node.error(f"unknown column check {check_name!r} (known: {known})", check_name)
    return {check_name: generic_data(args.data)}


def _check_bounds(column: ColumnSpec, node: Node) -> None:
    if column.min is None or column.max is None:
        return
    try:
        inverted = _comparable(column.min) > _comparable(column.max)
    except TypeError:
        raise node.error(f"min {column.min!r} and max {column.max!r} are not comparable") from None
    if inverted:
        raise node.error(f"min ({column.min}) is greater than max ({column.max})",
                         "min" if "min" in node else "max")


def _comparable(value: Any) -> Any:
    """Dates compare with datetimes as midnight of that day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def _known(names: Any) -> str:
    return f" (known: {', '.join(sorted(names))})" if names else " (no schemas are declared)"

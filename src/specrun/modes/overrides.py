"""Scenario column overrides: a scenario's ``columns:`` and ``columns.C.KEY`` parameters
applied to a port's schema.  Shared by the isolation case, the property run and the
pipeline step; imports only the spec model."""

from __future__ import annotations

from typing import Any

from ..spec.model import ScenarioSpec, SchemaSpec


def column_overrides(scenario: ScenarioSpec, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Scenario ``columns:`` merged with ``columns.C.KEY`` parameters."""
    merged = {name: dict(values) for name, values in scenario.columns.items()}
    for key, value in params.items():
        if key.startswith("columns."):
            _, column, attr = key.split(".", 2)
            merged.setdefault(column, {})[attr] = value
    return merged


def with_overrides(schema: SchemaSpec, overrides: dict[str, dict[str, Any]]) -> SchemaSpec:
    """``schema`` with the overridden columns replaced (itself when nothing applies)."""
    if not overrides or not any(c in schema.columns for c in overrides):
        return schema
    columns = {name: (col.overridden(**overrides[name]) if name in overrides else col)
               for name, col in schema.columns.items()}
    return SchemaSpec(name=schema.name, columns=columns, rows_min=schema.rows_min, rows_max=schema.rows_max,
                      strict=schema.strict, pandera=None, extends=schema.extends, location=schema.location)

"""Compiled contracts, cached: ``SchemaSpec`` → ``pandera.DataFrameSchema``.

A schema that references pandera (``pandera: module:Name`` or a YAML file) is
loaded once; its derived columns are written back into the ``SchemaSpec`` so the
generators can use them like DSL columns.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..spec.model import SchemaSpec
from .pandera_schema import load_pandera_reference, to_pandera
from .types import TypeRegistry

if TYPE_CHECKING:
    import pandera.pandas as pa
else:
    pa = lazy_module("pandera.pandas")


class ContractCompiler:
    def __init__(self, types: TypeRegistry, checks: Mapping[str, Any]) -> None:
        self.types = types
        self.checks = checks
        self._compiled: dict[int, tuple[SchemaSpec, pa.DataFrameSchema]] = {}
        self._lock = threading.Lock()

    def resolve(self, schema: SchemaSpec, base_dir: Path) -> None:
        """Load a pandera reference (once) and fill ``schema.columns`` from it."""
        if schema.pandera is None or id(schema) in self._compiled:
            return
        compiled, columns = load_pandera_reference(schema.pandera, base_dir, self.types,
                                                    location=schema.location)
        schema.columns = {**columns, **schema.columns}
        with self._lock:
            self._compiled[id(schema)] = (schema, compiled)

    def pandera(self, schema: SchemaSpec) -> pa.DataFrameSchema:
        """The pandera schema that validates data of ``schema``."""
        with self._lock:
            hit = self._compiled.get(id(schema))
            if hit is not None and hit[0] is schema:
                return hit[1]
        if schema.pandera is not None:
            base = schema.location.file.parent if schema.location else Path.cwd()
            self.resolve(schema, base)
            return self._compiled[id(schema)][1]
        compiled = to_pandera(schema, self.types, self.checks)
        with self._lock:
            self._compiled[id(schema)] = (schema, compiled)  # keeps schema alive: ids stay unique
        return compiled

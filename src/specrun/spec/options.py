"""What a load may accept beyond the built-ins: plugin types, mutators, properties, checks."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .model import COLUMN_TYPES
from .schema import BUILTIN_MUTATORS, BUILTIN_PROPERTIES


@dataclass(frozen=True)
class LoadOptions:
    """Names the loader accepts, and the folder relative paths are resolved against."""

    base_dir: Path
    column_types: frozenset[str] = frozenset(COLUMN_TYPES)
    mutators: frozenset[str] = frozenset(BUILTIN_MUTATORS)
    properties: frozenset[str] = frozenset(BUILTIN_PROPERTIES)
    checks: frozenset[str] | None = None       # None: any column check name is accepted

    @classmethod
    def create(cls, base_dir: Path, *, known_types: Iterable[str] | None = None,
               known_mutators: Iterable[str] | None = None,
               known_properties: Iterable[str] | None = None,
               known_checks: Iterable[str] | None = None) -> LoadOptions:
        """Built-in names plus the given plugin names."""
        return cls(
            base_dir=base_dir,
            column_types=frozenset(COLUMN_TYPES) | frozenset(known_types or ()),
            mutators=frozenset(BUILTIN_MUTATORS) | frozenset(known_mutators or ()),
            properties=frozenset(BUILTIN_PROPERTIES) | frozenset(known_properties or ()),
            checks=None if known_checks is None else frozenset(known_checks),
        )

    def resolve(self, value: str) -> Path:
        """An absolute, normalised path for ``value`` written relative to the spec file."""
        path = Path(value).expanduser()
        return Path(os.path.normpath(path if path.is_absolute() else self.base_dir / path))

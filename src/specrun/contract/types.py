"""Column types: the unit of extension for data contracts.

A column type knows, for one ``type:`` name of the column DSL, its pandas dtype,
the pandera checks its constraints compile to, how to generate values fast with
numpy (volume data), how to draw them with Hypothesis (property runs), and which
values are boundary / extreme / wrong-typed (edge-case mutators) or break one
constraint each (negative cases), and, optionally
(:class:`StorageAware`), which storage holds it and how its text parses, so that a
column read from a file is checked against its declared type.  Built-in types
live in :mod:`specrun.contract.builtin_types`; plugins add more through the
``specrun_column_types`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..plugin_types import PluginError
from ..spec.model import SpecError
from .column_type import ColumnType, ColumnTypeBase, WithDefaults

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec.model import ColumnSpec


class StorageAware(Protocol):
    """What a column type may add so that its declared type is enforced on files.

    Every method is optional (see :mod:`specrun.contract.storage` for the strict
    defaults a type without them gets).  Nothing may be coerced: a storage that could
    hold other values, or text that merely resembles the type, is not accepted.
    """

    json_text: bool
    """JSON has no value of this type: JSON Lines hold it as text, parsed with :meth:`parse_text`."""

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """Whether a column read from a typed format (Parquet, JSON Lines) in this storage
        holds the type: the declared dtype and its lossless widenings."""

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        """Accepted storage converted to the declared dtype; NA where a value cannot be held."""

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """Text values (CSV, TSV; NA = an empty field) in the declared dtype; NA where a
        value does not parse as the type."""


class TypeRegistry:
    """Column types by name, built from every plugin's ``specrun_column_types``.

    A name is registered once: a second type of the same name (built-in or plugin) is
    a :class:`~specrun.plugin_types.PluginError` naming both providers.
    """

    def __init__(self, types: Iterable[ColumnType] = ()) -> None:
        self._types: dict[str, ColumnType] = {}
        self._providers: dict[str, str] = {}
        for column_type in types:
            self.add(column_type)

    def add(self, column_type: Any, plugin: str | None = None) -> None:
        """Register ``column_type`` (provided by ``plugin``, when known); a name registered
        twice is a :class:`PluginError` naming both providers, never a silent replacement.
        A type that does not inherit :class:`ColumnTypeBase` is completed with its defaults."""
        name = column_type.name
        if name in self._types:
            by = f"plugin {plugin!r}: " if plugin else ""
            first = self._providers.get(name)
            raise PluginError(f"{by}column type {name!r} is already registered"
                              + (f" by plugin {first!r}" if first else ""))
        completed = column_type if isinstance(column_type, ColumnTypeBase) else WithDefaults(column_type)
        self._types[name] = cast(ColumnType, completed)
        if plugin:
            self._providers[name] = plugin

    def get(self, name: str) -> ColumnType:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types))
            raise KeyError(f"unknown column type {name!r} (known: {known})") from None

    def for_column(self, column: ColumnSpec) -> ColumnType:
        """The type of ``column``; an unknown type is a SpecError at the column."""
        if column.type not in self._types:
            raise SpecError(f"column {column.name!r}: unknown type {column.type!r} "
                            f"(known: {', '.join(self.names())})", column.location)
        return self._types[column.type]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return sorted(self._types)

    @classmethod
    def from_plugins(cls, pm: Any) -> TypeRegistry:
        """Every plugin's ``specrun_column_types``, in registration order, each type
        attributed to the plugin that provided it."""
        registry = cls()
        for impl in pm.hook.specrun_column_types.get_hookimpls():   # registration order
            if impl.wrapper or impl.hookwrapper:
                continue
            for column_type in impl.function() or ():
                registry.add(column_type, impl.plugin_name)
        return registry

    @classmethod
    def builtin(cls) -> TypeRegistry:
        from . import builtin_types
        return cls(builtin_types.BUILTIN_TYPES)


__all__ = ["ColumnType", "ColumnTypeBase", "StorageAware", "TypeRegistry"]

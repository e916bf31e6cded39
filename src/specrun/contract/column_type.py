"""The column-type protocol and the defaults a type may inherit.

:class:`ColumnType` is what specrun asks of a column type; :class:`ColumnTypeBase`
gives the optional behaviours their defaults (built-in and plugin types inherit it);
:class:`WithDefaults` completes a registered type that does not inherit it.  Kept
apart from the registry (:mod:`specrun.contract.types`) so the built-in types can
inherit the base without an import cycle.
"""

from __future__ import annotations

import math
import types
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa
    from hypothesis.strategies import SearchStrategy

    from ..spec.model import ColumnSpec


class ColumnType(Protocol):
    """What specrun asks of a column type; :class:`ColumnTypeBase` gives defaults for the
    behaviours below ``wrong_dtype_values``, so a plugin type only writes what it needs."""

    name: str
    ordered: bool        # min/max bound the values themselves (compatibility compares ranges)
    categorical: bool    # isin is part of the dtype (a consumer's set is structural)
    value_bytes: int     # memory one generated value takes (the size check of specrun check)

    def dtype(self, column: ColumnSpec) -> Any:
        """The pandas / pandera dtype of the column."""

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        """pandera checks for the column's type-specific constraints (min/max/isin/pattern …)."""

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        """``rows`` valid values (no nulls; nulls are mixed in by the caller), fast."""

    def strategy(self, column: ColumnSpec) -> SearchStrategy[Any]:
        """A Hypothesis strategy of single valid values (constraints merged in)."""

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        """Valid values at the edges of the contract (min, max, shortest string …)."""

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        """Values a real system may send that sit far from typical data (may be invalid)."""

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        """Values of another type, to test that a script rejects them cleanly."""

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        """Optional. Per constraint of the column (``min``, ``max``, ``isin``, ``pattern``, ``type``),
        values that break that constraint alone (negative cases).  ``textual``: the values will be
        written to a text format (CSV, JSONL), where only what reads back wrong counts."""

    def in_bounds(self, column: ColumnSpec, value: Any) -> bool:
        """Whether one non-null value of this type respects the column's ``min``/``max``
        as this type reads them (a boundary value that does not is never generated)."""

    def unique_capacity(self, column: ColumnSpec) -> float:
        """How many distinct non-null values the column can hold (``isin`` aside); ``inf``."""

    def text_safe(self, column: ColumnSpec) -> ColumnSpec:
        """The column as generated for a text format (CSV/TSV), where an empty field
        reads back as null."""

    def comparable(self, column: ColumnSpec, value: Any) -> Any:
        """A ``min``/``max``/``isin`` value of the column in a form that orders correctly."""

    def widens_to(self, consumer: ColumnType) -> bool | None:
        """Whether a column this type writes may be read as ``consumer``'s type: True,
        False, or None when this type cannot tell."""

    def widens_from(self, producer: ColumnType) -> bool | None:
        """Whether a column of ``producer``'s type may be read as this type (asked when
        the producer's type cannot tell): True, False, or None."""

    def describe(self, column: ColumnSpec) -> str:
        """How the column's type is named in messages and reports."""

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        """Whether a pandera column of this dtype is of this type (default: never)."""

    def pandera_bound(self, value: Any, *, above: bool, inclusive: bool) -> Any:
        """A pandera range check's bound as this type's ``min``/``max``."""

    def unique_by_construction(self, column: ColumnSpec) -> bool:
        """Whether :meth:`vectorised` draws a ``unique`` column's values distinct by
        construction, so the generator need not check them (default: no, it checks)."""

    def needs_categories(self) -> bool:
        """Whether a column of this type needs its ``isin`` values (default: if categorical)."""


class ColumnTypeBase:
    """Defaults for the behaviours a column type may leave out: unordered values, no
    categories, unbounded uniqueness, no text-format adjustment, no known widening.

    Plugin types may inherit from it; a registered type that does not is completed
    with these defaults by :class:`TypeRegistry`.
    """

    name: str
    ordered: bool = False
    categorical: bool = False
    #: bytes one generated value takes in specrun's memory (a Python str object by default);
    #: ``specrun check`` refuses a scenario whose inputs cannot fit (see preflight.py)
    value_bytes: int = 64

    def in_bounds(self, column: ColumnSpec, value: Any) -> bool:
        return True

    def unique_capacity(self, column: ColumnSpec) -> float:
        return math.inf

    def text_safe(self, column: ColumnSpec) -> ColumnSpec:
        return column

    def comparable(self, column: ColumnSpec, value: Any) -> Any:
        return value

    def widens_to(self, consumer: ColumnType) -> bool | None:
        return None

    def widens_from(self, producer: ColumnType) -> bool | None:
        return None

    def describe(self, column: ColumnSpec) -> str:
        return self.name

    # -- schemas written in pandera (``pandera: module:Name``) -----------------------

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        """Whether a pandera column of this dtype (``str(dtype).lower()``) is of this type."""
        return False

    def pandera_bound(self, value: Any, *, above: bool, inclusive: bool) -> Any:
        """A pandera range check's bound as this type's ``min`` (``above``) or ``max``;
        an exclusive bound becomes the next representable value inside the range."""
        if inclusive:
            return value
        return math.nextafter(float(value), math.inf if above else -math.inf)

    def unique_by_construction(self, column: ColumnSpec) -> bool:
        """Whether :meth:`vectorised` draws a ``unique`` column's values distinct by
        construction, so the generator need not check them (False: it checks)."""
        return False

    def needs_categories(self) -> bool:
        """Whether a column of this type is incomplete without its ``isin`` values."""
        return self.categorical


class WithDefaults:
    """A registered type that does not inherit :class:`ColumnTypeBase`: its own
    attributes first, the base's defaults for what it leaves out."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, attr: str) -> Any:
        try:
            return getattr(self._inner, attr)
        except AttributeError:
            default = getattr(ColumnTypeBase, attr)     # AttributeError when not a behaviour
        return types.MethodType(default, self) if callable(default) else default

    def __repr__(self) -> str:
        return repr(self._inner)

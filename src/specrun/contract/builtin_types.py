"""The built-in column types of the DSL: int, float, str, bool, datetime, category.

Each type implements the :class:`~specrun.contract.types.ColumnType` protocol; the
module is also the built-in plugin that registers them (``specrun_column_types``).
For ``str``, ``min`` / ``max`` bound the string length; for ``datetime`` they are
dates or datetimes.  ``unique: true`` is honoured by :meth:`vectorised` itself.
Each type also says which storage holds it (``accepts_storage``: the accepted
widenings, listed in docs/spec.md) and how its text is written (``parse_text``).
Each type also names the values that break one of its constraints
(:meth:`violating_values`, negative cases).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from ..hooks import hookimpl
from ..lazy import lazy_module
from ..spec.model import ColumnSpec, SpecError
from .column_type import ColumnType, ColumnTypeBase
from .patterns import UnsupportedPattern, pattern_sampler

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa
    import pyarrow
    import pyarrow.compute as pc
    from hypothesis import strategies as st
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")
    pyarrow = lazy_module("pyarrow")
    pc = lazy_module("pyarrow.compute")
    st = lazy_module("hypothesis.strategies")

class _Bounds(NamedTuple):
    min: int
    max: int


INT64 = _Bounds(-2**63, 2**63 - 1)                        # np.iinfo(np.int64), without numpy
DEFAULT_INT_SPAN = 1_000_000
# A numeric column with neither min nor max is generated in [-OPEN_RANGE, OPEN_RANGE]:
# negatives, zero and large magnitudes, where production data goes.
OPEN_RANGE = 1_000_000_000


INT_STORAGE = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                         "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32"})
FLOAT_STORAGE = frozenset({"float32", "float64", "Float32", "Float64"})
BOOL_STORAGE = frozenset({"bool", "boolean"})
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity)",
                         re.IGNORECASE)
_DATETIME_TEXT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?"


# What needs pandas or numpy to build is built on first use (specrun.lazy: planning and
# ``specrun check`` import this module but generate nothing).
@functools.cache
def str_dtype() -> pd.StringDtype:
    """pandas 3's default ``str`` dtype (``STR_DTYPE``)."""
    return pd.StringDtype("pyarrow", na_value=np.nan)


class _DatetimeDefaults(NamedTuple):
    span: pd.Timedelta            # an unbounded datetime column spans 5 years ...
    minimum: pd.Timestamp         # ... from 2020-01-01
    limits: tuple[pd.Timestamp, pd.Timestamp]      # the datetimes a nanosecond column holds, rounded in
    ns_limits: tuple[pd.Timestamp, pd.Timestamp]   # pandas' own nanosecond limits


@functools.cache
def _datetimes() -> _DatetimeDefaults:
    return _DatetimeDefaults(pd.Timedelta(days=5 * 365), pd.Timestamp("2020-01-01"),
                             (pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")),
                             (pd.Timestamp.min, pd.Timestamp.max))


@functools.cache
def _alnum() -> np.ndarray:
    return np.array([ord(c) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"],
                    dtype=np.uint32)


def __getattr__(name: str) -> Any:
    """``STR_DTYPE`` for the modules and plugins that import it by name."""
    if name == "STR_DTYPE":
        return str_dtype()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BUILTIN_NAMES = frozenset({"int", "float", "str", "bool", "datetime", "category"})
# (producer, consumer) pairs of different built-in types that a consumer reads
WIDENINGS = frozenset({("int", "float"), ("category", "str"), ("str", "category")})


class BuiltinType(ColumnTypeBase):
    """What the built-in types share: they know how they widen into each other (and
    cannot tell for a plugin type)."""

    def widens_to(self, consumer: ColumnType) -> bool | None:
        if consumer.name not in BUILTIN_NAMES:
            return None
        return consumer.name == self.name or (self.name, consumer.name) in WIDENINGS


def _error(column: ColumnSpec, message: str) -> SpecError:
    return SpecError(f"column {column.name!r}: {message}", column.location)


def unique_integers(low: int, high: int, rows: int, rng: np.random.Generator,
                    column: ColumnSpec) -> np.ndarray:
    """``rows`` distinct int64 values in [low, high], in random order (no Python loop)."""
    span = high - low + 1
    if span < rows:
        raise _error(column, f"cannot draw {rows} unique values from [{low}, {high}] "
                             f"({span} possible); widen min/max or lower the row count")
    span = min(span, 2**62)
    step = span // max(rows, 1)
    # low + slot * step + an offset inside the slot: numpy draws the offset in [0, step) and
    # adds low, so drawing in [low, low + step) is the same draw with one pass less
    values = rng.integers(low, low + step - 1, size=rows, endpoint=True)
    values += np.arange(0, rows * step, step, dtype=np.int64)
    rng.shuffle(values)                         # what rng.permutation does, without its copy
    return values


def _range_checks(low: Any, high: Any) -> list[pa.Check]:
    if low is not None and high is not None:
        return [pa.Check.in_range(low, high)]
    if low is not None:
        return [pa.Check.ge(low)]
    if high is not None:
        return [pa.Check.le(high)]
    return []


def _isin_check(column: ColumnSpec) -> list[pa.Check]:
    return [pa.Check.isin(list(column.isin))] if column.isin is not None else []


def _has_nulls(series: pd.Series) -> bool:
    return bool(series.isna().any())


def _is_text(series: pd.Series) -> bool:
    """A column of strings: a string dtype, or objects that are all ``str``."""
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _matched(text: pd.Series, pattern: re.Pattern[str] | str) -> pyarrow.ChunkedArray:
    """``text``'s values that fully match ``pattern``, null elsewhere (nulls stay null), as
    an Arrow string column.

    The very kernel ``text.str.fullmatch(pattern)`` runs on an Arrow string column (RE2, the
    pattern anchored as ``^(…)$``, ``re.IGNORECASE`` as ``ignore_case``), called directly,
    and the values are kept in Arrow: on a small column, pandas' accessor and ``where`` cost
    more than the match, and every CSV column of a property example is parsed this way."""
    values = text.astype(str_dtype()).array.__arrow_array__()
    regex, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, 0)
    hits = pc.match_substring_regex(values, f"^({regex})$", ignore_case=bool(flags & re.IGNORECASE))
    return pc.if_else(hits, values, pyarrow.scalar(None, values.type))


def _matching(text: pd.Series, pattern: re.Pattern[str] | str) -> pd.Series:
    """``text`` where it fully matches ``pattern``, NA elsewhere (nulls stay null): what
    ``text.where(text.str.fullmatch(pattern))`` gives, in specrun's ``str`` dtype."""
    return pd.Series(pd.array(_matched(text, pattern), dtype=str_dtype()), index=text.index, name=text.name)


def _pick(values: list[Any], rows: int, rng: np.random.Generator, column: ColumnSpec) -> np.ndarray:
    """Indices into ``values``: uniform, or a permutation prefix when the column is unique."""
    if not values:
        raise _error(column, "isin is empty")
    if column.unique:
        if len(values) < rows:
            raise _error(column, f"cannot draw {rows} unique values from isin of {len(values)}")
        return rng.permutation(len(values))[:rows]
    return rng.integers(0, len(values), size=rows)


def _outside(candidates: list[Any], allowed: list[Any]) -> list[Any]:
    """The first candidate that is not one of ``allowed`` (as a one-element list), or none."""
    taken = set(allowed)
    return next(([c] for c in candidates if c not in taken), [])


def _range_violations(low: Any, high: Any, below: Any, above: Any) -> dict[str, list[Any]]:
    """``min`` / ``max`` violations: ``below`` under a set ``min``, ``above`` over a set ``max``."""
    found: dict[str, list[Any]] = {}
    if low is not None and below is not None:
        found["min"] = [below]
    if high is not None and above is not None:
        found["max"] = [above]
    return found


class IntType(BuiltinType):
    """Integers: ``int64``, or nullable ``Int64``."""

    name = "int"
    value_bytes = 8

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        return dtype_text.startswith(("int", "uint"))

    def pandera_bound(self, value: Any, *, above: bool, inclusive: bool) -> Any:
        return value if inclusive else value + 1 if above else value - 1
    ordered = True

    def unique_capacity(self, column: ColumnSpec) -> float:
        if column.min is not None and column.max is not None:
            return max(0, math.floor(column.max) - math.ceil(column.min) + 1)
        return math.inf

    def dtype(self, column: ColumnSpec) -> Any:
        return "Int64" if column.nullable else "int64"

    def bounds(self, column: ColumnSpec, rows: int = 0) -> tuple[int, int]:
        low = math.ceil(column.min) if column.min is not None else None
        high = math.floor(column.max) if column.max is not None else None
        span = max(DEFAULT_INT_SPAN, 10 * rows)
        if low is None:
            low = -max(OPEN_RANGE, span) if high is None else max(INT64.min, high - span)
        if high is None:
            high = max(OPEN_RANGE, span) if column.min is None else min(INT64.max, low + span)
        if low > high:
            raise _error(column, f"min {column.min} is greater than max {column.max}")
        return low, high

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        return _range_checks(column.min, column.max) + _isin_check(column)

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        if column.isin is not None:
            values = np.asarray(column.isin, dtype=np.int64)
            return pd.Series(values[_pick(list(values), rows, rng, column)], dtype="int64", copy=False)
        low, high = self.bounds(column, rows)
        if column.unique:
            return pd.Series(unique_integers(low, high, rows, rng, column), dtype="int64", copy=False)
        return pd.Series(rng.integers(low, high, size=rows, endpoint=True), dtype="int64", copy=False)

    def unique_by_construction(self, column: ColumnSpec) -> bool:
        """Disjoint slots (:func:`unique_integers`), or a permutation prefix of distinct ``isin``."""
        return column.isin is None or len(set(column.isin)) == len(column.isin)

    def strategy(self, column: ColumnSpec) -> st.SearchStrategy[Any]:
        if column.isin is not None:
            return st.sampled_from([int(v) for v in column.isin])
        low = math.ceil(column.min) if column.min is not None else int(INT64.min)
        high = math.floor(column.max) if column.max is not None else int(INT64.max)
        return st.integers(min_value=low, max_value=high)

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        if column.isin is not None:
            return sorted({int(min(column.isin)), int(max(column.isin))})
        low = math.ceil(column.min) if column.min is not None else None
        high = math.floor(column.max) if column.max is not None else None
        values = [v for v in (low, high) if v is not None]
        if (low is None or high is None) and (low is None or low <= 0) and (high is None or high >= 0):
            values.append(0)
        return sorted(set(values))

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        return [int(INT64.min), int(INT64.max), 0, -1]

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        return ["abc", "1.5", "n/a"]

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """Any integer dtype int64 holds exactly (not uint64, not floats, not bools)."""
        return str(series.dtype) in INT_STORAGE

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        return series.astype("Int64" if column.nullable or _has_nulls(series) else "int64")

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """Decimal digits with an optional sign (``1.0`` and ``1e3`` are not ints); a value
        int64 cannot hold is null."""
        matched = _matched(text, _INT_TEXT)
        digits = pc.utf8_ltrim(matched, characters="+")   # Arrow's parser refuses a "+"; one at most here
        try:
            parsed = pc.cast(digits, pyarrow.int64())     # every matched value in one pass
        except pyarrow.ArrowInvalid:                      # some value beyond int64: value by value
            values = [int(v) if v is not None else None for v in matched.to_pylist()]
            held = [v if v is not None and INT64.min <= v <= INT64.max else None for v in values]
            return self.from_storage(column, pd.Series(pd.array(held, dtype="Int64"), index=text.index))
        if column.nullable or parsed.null_count:          # from_storage's rule, without its copy
            ints = pd.arrays.IntegerArray(parsed.fill_null(0).to_numpy(),
                                          parsed.is_null().to_numpy(zero_copy_only=False))
            return pd.Series(ints, index=text.index)
        return pd.Series(parsed.to_numpy(), index=text.index, dtype="int64")

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        low = math.ceil(column.min) if column.min is not None else None
        high = math.floor(column.max) if column.max is not None else None
        found = _range_violations(low, high, low - 1 if low is not None and low > INT64.min else None,
                                  high + 1 if high is not None and high < INT64.max else None)
        if column.isin is not None:
            allowed = [int(v) for v in column.isin]
            found["isin"] = _outside([max(allowed) + 1, min(allowed) - 1, 0], allowed) if allowed else []
        found["type"] = ["abc", "12x", "n/a"]
        return {key: values for key, values in found.items() if values}


def _single_value_capacity(column: ColumnSpec) -> float:
    """1 when ``min`` equals ``max`` (one value fits), else unbounded."""
    return 1 if column.min is not None and column.min == column.max else math.inf


class FloatType(BuiltinType):
    """64-bit floats (NaN is null)."""

    name = "float"
    value_bytes = 8

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        return dtype_text.startswith("float")
    ordered = True

    def unique_capacity(self, column: ColumnSpec) -> float:
        return _single_value_capacity(column)

    def dtype(self, column: ColumnSpec) -> Any:
        return "float64"

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        return _range_checks(column.min, column.max) + _isin_check(column)

    def bounds(self, column: ColumnSpec) -> tuple[float, float]:
        low = float(column.min) if column.min is not None else None
        high = float(column.max) if column.max is not None else None
        biggest = float(np.finfo(np.float64).max)
        # an open side spans at least the bound's own magnitude; both open: [-OPEN_RANGE, OPEN_RANGE]
        if low is None:
            low = -float(OPEN_RANGE) if high is None else max(-biggest, high - max(DEFAULT_INT_SPAN, abs(high)))
        if high is None:
            high = float(OPEN_RANGE) if column.min is None else min(biggest, low + max(DEFAULT_INT_SPAN, abs(low)))
        if low > high:
            raise _error(column, f"min {column.min} is greater than max {column.max}")
        return low, high

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        if column.isin is not None:
            values = np.asarray(column.isin, dtype=np.float64)
            return pd.Series(values[_pick(list(values), rows, rng, column)], dtype="float64", copy=False)
        low, high = self.bounds(column)
        if column.unique:   # one value per equal-width slot: distinct unless the range is tiny
            fraction = (np.arange(rows) + rng.random(rows)) / max(rows, 1)
        else:
            fraction = rng.random(rows)
        # (1 - t) * low + t * high never overflows, even for bounds near the float64 limits
        # (computed in place: the same operations, two arrays instead of five)
        values = np.subtract(1.0, fraction)
        values *= low
        fraction *= high
        values += fraction
        np.clip(values, low, high, out=values)
        if column.unique:
            values = rng.permutation(values)
            if rows and len(np.unique(values)) < rows:
                raise _error(column, f"cannot draw {rows} unique floats in [{low}, {high}]")
        return pd.Series(values, dtype="float64", copy=False)

    def strategy(self, column: ColumnSpec) -> st.SearchStrategy[Any]:
        if column.isin is not None:
            return st.sampled_from([float(v) for v in column.isin])
        return st.floats(min_value=column.min, max_value=column.max,
                         allow_nan=False, allow_infinity=False)

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        if column.isin is not None:
            return sorted({float(min(column.isin)), float(max(column.isin))})
        values = [float(v) for v in (column.min, column.max) if v is not None]
        if ((column.min is None or column.max is None)
                and (column.min is None or column.min <= 0) and (column.max is None or column.max >= 0)):
            values.append(0.0)
        return sorted(set(values))

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        big = float(np.finfo(np.float64).max)
        return [big, -big, 5e-324, -0.0, float("inf"), float("-inf")]

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        return ["abc", "1,5", "n/a"]

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """float64 or float32 (exact in float64); never ints or text."""
        return str(series.dtype) in FLOAT_STORAGE

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index,
                         name=series.name)

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """Decimal or scientific notation, or ``inf``; an empty field is null."""
        matched = _matched(text, _FLOAT_TEXT)
        try:             # one Arrow pass (correctly rounded, as Python's float() and pandas are)
            parsed = pc.cast(matched, pyarrow.float64())
        except pyarrow.ArrowInvalid:                      # a spelling Arrow refuses: pandas parses it
            return _matching(text, _FLOAT_TEXT).astype("float64")
        return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        low = float(column.min) if column.min is not None else None
        high = float(column.max) if column.max is not None else None
        below = low - max(1.0, abs(low)) if low is not None else None
        above = high + max(1.0, abs(high)) if high is not None else None
        found = _range_violations(low, high, below if below is not None and math.isfinite(below) else None,
                                  above if above is not None and math.isfinite(above) else None)
        if column.isin is not None:
            allowed = [float(v) for v in column.isin]
            found["isin"] = _outside([max(allowed) + 1.0, min(allowed) - 1.0, 0.5], allowed) if allowed else []
        found["type"] = ["abc", "1,5", "not-a-number"]
        return {key: values for key, values in found.items() if values}


class StrType(BuiltinType):
    """Strings (pandas ``str``); ``min``/``max`` bound the length, ``pattern`` is a regex."""

    name = "str"

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        # a pandera column without a dtype holds anything: text is the loosest reading
        return dtype_text in ("none", "str", "string", "object") or dtype_text.startswith("string")
    default_max_length = 12

    def in_bounds(self, column: ColumnSpec, value: Any) -> bool:
        if not isinstance(value, str):
            return True
        if column.min is not None and len(value) < int(column.min):
            return False
        return column.max is None or len(value) <= int(column.max)

    def text_safe(self, column: ColumnSpec) -> ColumnSpec:
        """An empty string reads back as null: a nullable column without a pattern or
        value set draws strings of at least one character."""
        if column.nullable and column.pattern is None and column.isin is None and not column.min:
            return column.overridden(min=1)
        return column

    def dtype(self, column: ColumnSpec) -> Any:
        return str_dtype()

    def lengths(self, column: ColumnSpec) -> tuple[int, int]:
        low = int(column.min) if column.min is not None else 1
        high = int(column.max) if column.max is not None else max(low, self.default_max_length)
        if low > high:
            raise _error(column, f"min length {column.min} is greater than max length {column.max}")
        return low, high

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        checks = _isin_check(column)
        if column.pattern is not None:
            checks.append(pa.Check.str_matches(column.pattern))
        if column.min is not None or column.max is not None:
            checks.append(pa.Check.str_length(column.min, column.max))
        return checks

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        if column.isin is not None:
            values = pyarrow.array([str(v) for v in column.isin], type=pyarrow.large_string())  # str's own
            picked = values.take(pyarrow.array(_pick(list(column.isin), rows, rng, column)))
            return pd.Series(picked, dtype=str_dtype())
        if column.pattern is not None:
            try:
                sampler = pattern_sampler(column.pattern)
                if column.unique:
                    return sampler.sample_unique(rows, rng)
                return pd.Series(sampler.sample_arrow(rows, rng), dtype=str_dtype())
            except (UnsupportedPattern, ValueError) as exc:
                raise _error(column, str(exc)) from None
        low, high = self.lengths(column)
        if column.unique:
            return pd.Series(pyarrow.array(self._unique_words(column, rows, low, high, rng)),
                             dtype=str_dtype())
        codes = _alnum()[rng.integers(0, len(_alnum()), size=(rows, high))]
        lengths = rng.integers(low, high + 1, size=rows)
        codes[np.arange(high)[None, :] >= lengths[:, None]] = 0
        words = np.ascontiguousarray(codes).view(f"<U{max(high, 1)}").reshape(rows) if high else \
            np.full(rows, "", dtype="<U1")
        return pd.Series(pyarrow.array(words), dtype=str_dtype())

    def _unique_words(self, column: ColumnSpec, rows: int, low: int, high: int,
                      rng: np.random.Generator) -> np.ndarray:
        """Distinct fixed-length words: distinct integers written in base 62."""
        base = len(_alnum())
        length = max(low, 1)
        while base ** length < rows and length < 10:
            length += 1
        if base ** length < rows or length > high:
            raise _error(column, f"cannot draw {rows} unique strings of length {low}..{high}")
        numbers = unique_integers(0, min(base ** length, 2**62) - 1, rows, rng, column)
        digits = min(length, 10)
        powers = np.array([base ** k for k in range(digits - 1, -1, -1)], dtype=np.int64)
        codes = _alnum()[(numbers[:, None] // powers[None, :]) % base]
        if length > digits:
            codes = np.hstack([np.full((rows, length - digits), _alnum()[0]), codes])
        return np.ascontiguousarray(codes, dtype=np.uint32).view(f"<U{length}").reshape(rows)

    def strategy(self, column: ColumnSpec) -> st.SearchStrategy[Any]:
        if column.isin is not None:
            return st.sampled_from([str(v) for v in column.isin])
        if column.pattern is not None:
            texts = st.from_regex(column.pattern, fullmatch=True)
            if column.min is None and column.max is None:
                return texts
            return texts.filter(lambda text: self.in_bounds(column, text))   # from_regex knows no lengths
        alphabet = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
        return st.text(alphabet=alphabet, min_size=int(column.min or 0),
                       max_size=int(column.max) if column.max is not None else None)

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        if column.isin is not None:
            texts = [str(v) for v in column.isin]
            return list(dict.fromkeys([min(texts, key=len), max(texts, key=len)]))
        if column.pattern is not None:
            sampler = pattern_sampler(column.pattern)
            return list(dict.fromkeys([sampler.shortest(), sampler.longest()]))
        low = int(column.min) if column.min is not None else 0
        high = int(column.max) if column.max is not None else 256
        return list(dict.fromkeys(["a" * low, "z" * high]))

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        return ["", " ", "x" * 10_000, "NULL", "None", "nan", "Ünïcødé ✓ 日本語 🚀",
                "line\nbreak", 'quote"comma,']

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        return [123, -1, 0]

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """A string dtype, or Python strings (not categoricals, not numbers)."""
        return _is_text(series)

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        return series.astype(str_dtype())

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """Text as it is; an empty field is null only in a nullable column."""
        text = text.astype(str_dtype())
        return text if column.nullable else text.fillna("")

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        shortest = int(column.min) if column.min is not None else 0
        # an empty field in a text file reads back as null, not as a short string
        if shortest > (1 if textual else 0):
            found["min"] = ["a" * (shortest - 1)]
        if column.max is not None:
            found["max"] = ["z" * (int(column.max) + 1)]
        if column.isin is not None:
            found["isin"] = _outside(["XXX", "UNKNOWN", "not-in-isin"], [str(v) for v in column.isin])
        if column.pattern is not None:
            compiled = re.compile(column.pattern)
            found["pattern"] = [next((c for c in ("✗ no match", "!!", "0", "a", "Z", " ")
                                      if compiled.match(c) is None), None)]
        # every value reads back from a text file as a string: only a typed file holds another type
        found["type"] = [] if textual else self.wrong_dtype_values(column)
        return {key: [v for v in values if v is not None] for key, values in found.items()
                if [v for v in values if v is not None]}


class BoolType(BuiltinType):
    """Booleans: ``bool``, or nullable ``boolean``."""

    name = "bool"
    value_bytes = 1

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        return dtype_text in ("bool", "boolean")

    def unique_capacity(self, column: ColumnSpec) -> float:
        return 2

    def dtype(self, column: ColumnSpec) -> Any:
        return "boolean" if column.nullable else "bool"

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        return _isin_check(column)

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        choices = [bool(v) for v in column.isin] if column.isin is not None else [False, True]
        return pd.Series(np.asarray(choices, dtype=bool)[_pick(choices, rows, rng, column)], dtype=bool, copy=False)

    def strategy(self, column: ColumnSpec) -> st.SearchStrategy[Any]:
        return st.sampled_from([bool(v) for v in column.isin]) if column.isin else st.booleans()

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        return [bool(v) for v in column.isin] if column.isin else [False, True]

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        return [True, False]

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        return ["maybe", "yes", "2"]

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """``bool`` or nullable ``boolean`` (not 0/1 ints, not text)."""
        return str(series.dtype) in BOOL_STORAGE

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        return series.astype("boolean" if column.nullable or _has_nulls(series) else "bool")

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """``true`` / ``false`` in any case (``1``, ``0``, ``yes`` are not booleans)."""
        words = pc.utf8_lower(text.astype(str_dtype()).array.__arrow_array__())
        true, false = pc.equal(words, "true").fill_null(False), pc.equal(words, "false").fill_null(False)
        unknown = pc.invert(pc.or_(true, false))
        flags = true.to_numpy(zero_copy_only=False)
        if column.nullable or pc.any(unknown).as_py():   # from_storage's rule, without its copy
            parsed = pd.arrays.BooleanArray(flags, unknown.to_numpy(zero_copy_only=False))
            return pd.Series(parsed, index=text.index)
        return pd.Series(flags, index=text.index, dtype="bool")

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {"type": ["maybe", "2"]}
        if column.isin is not None:
            found["isin"] = _outside([False, True], [bool(v) for v in column.isin])
        return {key: values for key, values in found.items() if values}


# _datetimes().limits without pandas (DatetimeType.violated_constraints, at planning)
_STDLIB_LIMITS = (dt.datetime(1678, 1, 1), dt.datetime(2261, 12, 31))


def _naive_stdlib(value: Any) -> bool:
    """A ``datetime.date`` or naive ``datetime.datetime`` (what a spec's bounds hold)."""
    if isinstance(value, dt.datetime):
        return value.tzinfo is None and type(value) is dt.datetime
    return type(value) is dt.date


def _as_datetime(value: dt.date) -> dt.datetime:
    """A date as midnight of that day (pandas reads it so)."""
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def _timestamp(value: Any, column: ColumnSpec) -> pd.Timestamp:
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise _error(column, f"not a date/datetime: {value!r} ({exc})") from None


class DatetimeType(BuiltinType):
    """Naive timestamps, ``datetime64[ns]``; ``min``/``max`` are dates or datetimes."""

    name = "datetime"
    value_bytes = 8

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        return dtype_text.startswith(("datetime64", "timestamp"))

    def pandera_bound(self, value: Any, *, above: bool, inclusive: bool) -> Any:
        bound = pd.Timestamp(value)
        return bound if inclusive else bound + pd.Timedelta(1, "ns") if above else bound - pd.Timedelta(1, "ns")
    json_text = True      # JSON has no datetime value: JSON Lines hold ISO 8601 text
    ordered = True

    def unique_capacity(self, column: ColumnSpec) -> float:
        return _single_value_capacity(column)

    def comparable(self, column: ColumnSpec, value: Any) -> Any:
        """A spec's naive date / datetime as a stdlib datetime (orders as ``pd.Timestamp`` does,
        without importing pandas at planning); anything else as a ``pd.Timestamp``."""
        return _as_datetime(value) if _naive_stdlib(value) else pd.Timestamp(value)

    def dtype(self, column: ColumnSpec) -> Any:
        return "datetime64[ns]"

    def bounds(self, column: ColumnSpec) -> tuple[pd.Timestamp, pd.Timestamp]:
        low = _timestamp(column.min, column) if column.min is not None else None
        high = _timestamp(column.max, column) if column.max is not None else None
        if low is None:
            low = high - _datetimes().span if high is not None else _datetimes().minimum
        if high is None:
            high = low + _datetimes().span
        if low > high:
            raise _error(column, f"min {column.min} is later than max {column.max}")
        return low, high

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        low = _timestamp(column.min, column) if column.min is not None else None
        high = _timestamp(column.max, column) if column.max is not None else None
        checks = _range_checks(low, high)
        if column.isin is not None:
            checks.append(pa.Check.isin([_timestamp(v, column) for v in column.isin]))
        return checks

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        if column.isin is not None:
            values = pd.DatetimeIndex([_timestamp(v, column) for v in column.isin]).as_unit("ns")
            return pd.Series(values.take(_pick(list(values), rows, rng, column)))
        low, high = self.bounds(column)
        low_ns, high_ns = low.as_unit("ns").value, high.as_unit("ns").value
        second = 1_000_000_000
        unit = second if high_ns - low_ns >= second * max(rows, 1) else 1  # whole seconds if room
        low_unit, high_unit = -(-low_ns // unit), high_ns // unit
        if column.unique:
            ticks = unique_integers(low_unit, high_unit, rows, rng, column)
        else:
            ticks = rng.integers(low_unit, high_unit, size=rows, endpoint=True)
        ticks *= unit
        return pd.Series(ticks.view("datetime64[ns]"), copy=False)

    def strategy(self, column: ColumnSpec) -> st.SearchStrategy[Any]:
        if column.isin is not None:
            return st.sampled_from([_timestamp(v, column).to_pydatetime() for v in column.isin])
        low = _timestamp(column.min, column) if column.min is not None else _datetimes().limits[0]
        high = _timestamp(column.max, column) if column.max is not None else _datetimes().limits[1]
        return st.datetimes(min_value=low.to_pydatetime(), max_value=high.to_pydatetime())

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        if column.isin is not None:
            stamps = [_timestamp(v, column) for v in column.isin]
            return sorted({min(stamps), max(stamps)})
        values = [_timestamp(v, column) for v in (column.min, column.max) if v is not None]
        return sorted(set(values)) or [pd.Timestamp("1970-01-01")]

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        return [pd.Timestamp("1677-09-22"), pd.Timestamp("2262-04-11"), pd.Timestamp("1970-01-01")]

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        return ["not-a-date", "2024-13-45", "yesterday"]

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """Naive ``datetime64`` of any unit (not tz-aware, not dates, epochs or text)."""
        return pd.api.types.is_datetime64_dtype(series.dtype)

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        held = series.where((series >= _datetimes().ns_limits[0]) & (series <= _datetimes().ns_limits[1]))
        return held.astype("datetime64[ns]")

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """ISO 8601 dates or naive datetimes (``2024-01-31``, ``2024-01-31T12:00:00.5``)."""
        matched = _matched(text, _DATETIME_TEXT)
        try:     # one Arrow pass; it refuses what pandas would not read as nanoseconds (out of range, 02-30)
            stamps = pc.cast(matched, pyarrow.timestamp("ns"))
        except pyarrow.ArrowInvalid:                      # pandas parses the column (and nulls those)
            iso = _matching(text, _DATETIME_TEXT)
            parsed = pd.to_datetime(iso, format="ISO8601", errors="coerce")
            return self.from_storage(column, pd.Series(parsed, index=text.index))
        # what Arrow reads is within pandas' nanosecond limits (it refuses a whole second outside
        # them, so never reaches int64's minimum, NaT): from_storage would keep every value
        return pd.Series(stamps.to_numpy(zero_copy_only=False), index=text.index)

    def violated_constraints(self, column: ColumnSpec, textual: bool) -> frozenset[str]:
        """The keys :meth:`violating_values` gives, computed with :mod:`datetime` when the
        bounds are the naive dates / datetimes a spec holds (planning imports no pandas)."""
        bounds = [v for v in (column.min, column.max, *(column.isin or ())) if v is not None]
        if not all(_naive_stdlib(v) for v in bounds):
            return frozenset(key for key, values in self.violating_values(column, textual).items() if values)
        first, last = _STDLIB_LIMITS
        found = {"type"}
        if column.min is not None and _as_datetime(column.min) > first + dt.timedelta(days=1):
            found.add("min")
        if column.max is not None and _as_datetime(column.max) < last - dt.timedelta(days=1):
            found.add("max")
        if column.isin:
            found.add("isin")
        return frozenset(found)

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        day = pd.Timedelta(days=1)
        low = _timestamp(column.min, column) if column.min is not None else None
        high = _timestamp(column.max, column) if column.max is not None else None
        first, last = _datetimes().limits
        found = _range_violations(low, high, low - day if low is not None and low - day > first else None,
                                  high + day if high is not None and high + day < last else None)
        if column.isin is not None:
            stamps = [_timestamp(v, column) for v in column.isin]
            found["isin"] = _outside([max(stamps) + day, min(stamps) - day], stamps) if stamps else []
        found["type"] = self.wrong_dtype_values(column)
        return {key: values for key, values in found.items() if values}


class CategoryType(BuiltinType):
    """pandas categoricals over ``isin`` (required)."""

    name = "category"
    value_bytes = 8

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        return dtype_text.startswith("category")
    json_text = True      # JSON holds a category as its value, read like text
    categorical = True

    def categories(self, column: ColumnSpec) -> list[Any]:
        if not column.isin:
            raise _error(column, "type category needs isin: [its categories]")
        return list(column.isin)

    def dtype(self, column: ColumnSpec) -> Any:
        return pd.CategoricalDtype(self.categories(column))

    def checks(self, column: ColumnSpec) -> list[pa.Check]:
        return [pa.Check.isin(self.categories(column))]

    def vectorised(self, column: ColumnSpec, rows: int, rng: np.random.Generator) -> pd.Series:
        categories = self.categories(column)
        codes = _pick(categories, rows, rng, column)
        return pd.Series(pd.Categorical.from_codes(codes, dtype=self.dtype(column)))

    def strategy(self, column: ColumnSpec) -> st.SearchStrategy[Any]:
        return st.sampled_from(self.categories(column))

    def boundary_values(self, column: ColumnSpec) -> list[Any]:
        categories = self.categories(column)
        return list(dict.fromkeys([categories[0], categories[-1]]))

    def extreme_values(self, column: ColumnSpec) -> list[Any]:
        return self.categories(column)

    def wrong_dtype_values(self, column: ColumnSpec) -> list[Any]:
        return [12345, -1, 0] if all(isinstance(v, str) for v in self.categories(column)) \
            else ["not-a-category", "?", "n/a"]

    def accepts_storage(self, column: ColumnSpec, series: pd.Series) -> bool:
        """A categorical, or plain values of the categories' kind: text for text
        categories, numbers for numeric ones (pandas itself writes integer categories
        to Parquet as int64, or float64 when there are nulls; other writers have no
        categoricals).  Either way each value must then equal one of the categories."""
        if isinstance(series.dtype, pd.CategoricalDtype):
            return True
        categories = pd.Series(self.categories(column))
        if StrType().accepts_storage(column, categories):
            return StrType().accepts_storage(column, series)
        if str(categories.dtype) in INT_STORAGE | FLOAT_STORAGE:
            return str(series.dtype) in INT_STORAGE | FLOAT_STORAGE
        return BoolType().accepts_storage(column, categories) and BoolType().accepts_storage(column, series)

    def from_storage(self, column: ColumnSpec, series: pd.Series) -> pd.Series:
        """In the declared categories; a value outside them cannot be held (NA)."""
        values = series.astype(object)
        values = values.where(values.isin(self.categories(column)))
        return pd.Series(pd.Categorical(values, dtype=self.dtype(column)), index=series.index, name=series.name)

    def parse_text(self, column: ColumnSpec, text: pd.Series) -> pd.Series:
        """A category by its text (``str(category)``); other text does not parse."""
        by_text = {str(c): c for c in self.categories(column)}
        values = text.astype(object).map(lambda v: by_text.get(v) if isinstance(v, str) else None)
        return self.from_storage(column, values)

    def violating_values(self, column: ColumnSpec, textual: bool) -> dict[str, list[Any]]:
        categories = self.categories(column)
        textual_categories = all(isinstance(v, str) for v in categories)
        found = {"isin": _outside(["not-a-category", "XXX", "?"] if textual_categories else [-1, 12345],
                                  categories)}
        # in a text file a value of another type reads back as an unknown category: isin covers it
        found["type"] = [] if textual else self.wrong_dtype_values(column)
        return {key: values for key, values in found.items() if values}


BUILTIN_TYPES: tuple[Any, ...] = (IntType(), FloatType(), StrType(), BoolType(), DatetimeType(),
                                  CategoryType())


@hookimpl
def specrun_column_types() -> tuple[Any, ...]:
    """Register the built-in column types."""
    return BUILTIN_TYPES


__all__ = ["BUILTIN_TYPES", "str_dtype", "IntType", "FloatType", "StrType", "BoolType",
           "DatetimeType", "CategoryType", "unique_integers", "specrun_column_types",
           "BUILTIN_NAMES", "WIDENINGS", "BuiltinType"]

#: the types ``specrun infer`` tries for a sample column, narrowest first (str reads any text)
INFER_ORDER = ("int", "float", "bool", "datetime", "str")

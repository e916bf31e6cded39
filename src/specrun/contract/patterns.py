"""Vectorised sampling of strings that fully match a simple regular expression.

The pattern is parsed with the standard library's regex parser (``re._parser``)
and compiled into a small tree of samplers.  Each sampler draws a whole column at
once as a matrix of code points (rows x width) plus a "used" mask, so a million
strings cost a handful of numpy operations, not a Python loop per row.  A pattern of
ASCII characters is drawn straight into a byte matrix whose used bytes become a pyarrow
string array's data buffer (:meth:`PatternSampler.sample_arrow`): no per-row object and
no UCS-4 copy.  Both paths make the same draws, so a seed gives the same strings.

Supported: literals, ``.``, character classes and ranges (also negated),
``\\d \\w \\s`` and their negations, groups, alternation, anchors ``^ $ \\A \\Z``,
repeats ``{n}``, ``{m,n}``, ``?``, ``*``, ``+`` (unbounded repeats are capped at
``min + UNBOUNDED_REPEAT_CAP``).  Lookarounds, back-references, word boundaries,
atomic groups and possessive repeats raise :class:`UnsupportedPattern`.
"""

from __future__ import annotations

import functools
import re

# The regex parser's private modules have no typeshed stubs (only the deprecated
# sre_parse/sre_constants aliases do, and importing those warns).
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")

# One parsed regex item: an opcode and an argument whose shape depends on the opcode
# (a code point, a (low, high) range, a (min, max, items) repeat, ...), hence Any.
_ParsedItem = tuple[Any, Any]

UNBOUNDED_REPEAT_CAP = 5
# Characters drawn for ".", negated classes and \W / \D / \S: printable ASCII.


@functools.cache
def _printable() -> np.ndarray:
    """The printable ASCII code points (built on first use: numpy is imported lazily)."""
    return np.arange(32, 127, dtype=np.uint32)


@functools.cache
def _category_codes() -> dict[object, np.ndarray]:
    """The code points of \\d, \\w and \\s (ASCII)."""
    return {
        sre.CATEGORY_DIGIT: np.arange(48, 58, dtype=np.uint32),
        sre.CATEGORY_WORD: np.array([ord(c) for c in
                                     "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"],
                                    dtype=np.uint32),
        sre.CATEGORY_SPACE: np.array([32], dtype=np.uint32),
    }


_NEGATED_CATEGORY = {
    sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT,
    sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD,
    sre.CATEGORY_NOT_SPACE: sre.CATEGORY_SPACE,
}
_IGNORED_ANCHORS = {sre.AT_BEGINNING, sre.AT_END, sre.AT_BEGINNING_STRING, sre.AT_END_STRING}


class UnsupportedPattern(ValueError):
    """The pattern uses a construct the vectorised sampler cannot generate."""


Block = tuple["np.ndarray", "np.ndarray"]  # (codes uint32[rows, width], used bool[rows, width])


class _Node:
    width: int
    fixed: bool = True     # every row uses all ``width`` characters (no optional part)

    def sample(self, rows: int, rng: np.random.Generator) -> Block:
        raise NotImplementedError

    def fill(self, codes: np.ndarray, used: np.ndarray | None, rng: np.random.Generator) -> None:
        """Draw ``len(codes)`` rows into ``codes`` (rows x width, any integer dtype wide
        enough) and ``used`` (None for a fixed node), with the draws :meth:`sample` makes."""
        block, block_used = self.sample(len(codes), rng)
        codes[...] = block
        if used is not None:
            used[...] = block_used

    def max_code(self) -> int:
        raise NotImplementedError

    def cardinality(self) -> int:
        raise NotImplementedError

    def extremal(self, longest: bool) -> str:
        raise NotImplementedError


def _indices(rng: np.random.Generator, count: int, size: int | tuple[int, int]) -> np.ndarray:
    """Uniform indices into ``count`` items, drawn as uint16 when they fit (2 bytes each
    instead of int64's 8, no wide temporary to narrow afterwards).  Not uint8: numpy's
    bounded uint8 draw measured slower than uint16 here (bench/generator.py, merchant).
    """
    dtype = np.uint16 if count <= 2**16 else np.int64
    return rng.integers(0, count, size=size, dtype=dtype)


def _write_codes(table: np.ndarray, draws: np.ndarray, out: np.ndarray) -> None:
    """``out[...] = table[draws]``, as one addition when ``table`` is a run of code points."""
    first = int(table[0])
    if int(table[-1]) - first == len(table) - 1 and bool((np.diff(table) == 1).all()):
        np.add(draws, np.asarray(first, dtype=out.dtype), out=out, casting="unsafe")
    else:
        np.take(table.astype(out.dtype), draws, out=out, mode="clip")


@dataclass
class _Chars(_Node):
    """One character out of a set."""

    codes: np.ndarray
    width: int = 1

    def sample(self, rows: int, rng: np.random.Generator) -> Block:
        picked = self.codes[_indices(rng, len(self.codes), rows)]
        return picked.reshape(rows, 1), np.ones((rows, 1), dtype=bool)

    def fill(self, codes: np.ndarray, used: np.ndarray | None, rng: np.random.Generator) -> None:
        if len(self.codes) == 1:   # a literal: numpy draws nothing from a range of one either
            codes[:, 0] = self.codes[0]
        else:
            _write_codes(self.codes, _indices(rng, len(self.codes), len(codes)), codes[:, 0])
        if used is not None:
            used[:, 0] = True

    def max_code(self) -> int:
        return int(self.codes.max())

    def cardinality(self) -> int:
        return len(self.codes)

    def extremal(self, longest: bool) -> str:
        return chr(int(self.codes[0]))


@dataclass
class _Sequence(_Node):
    parts: list[_Node]

    def __post_init__(self) -> None:
        self.width = sum(part.width for part in self.parts)
        self.fixed = all(part.fixed for part in self.parts)

    def sample(self, rows: int, rng: np.random.Generator) -> Block:
        if not self.parts:
            return np.zeros((rows, 0), dtype=np.uint32), np.zeros((rows, 0), dtype=bool)
        blocks = [part.sample(rows, rng) for part in self.parts]
        return np.hstack([b[0] for b in blocks]), np.hstack([b[1] for b in blocks])

    def fill(self, codes: np.ndarray, used: np.ndarray | None, rng: np.random.Generator) -> None:
        start = 0
        for part in self.parts:
            end = start + part.width
            part_used = None if used is None else used[:, start:end]
            if part_used is not None and part.fixed:
                part_used[...] = True
                part_used = None
            part.fill(codes[:, start:end], part_used, rng)
            start = end

    def max_code(self) -> int:
        return max((part.max_code() for part in self.parts), default=0)

    def cardinality(self) -> int:
        total = 1
        for part in self.parts:
            total *= part.cardinality()
        return total

    def extremal(self, longest: bool) -> str:
        return "".join(part.extremal(longest) for part in self.parts)


@dataclass
class _Repeat(_Node):
    child: _Node
    low: int
    high: int

    def __post_init__(self) -> None:
        self.width = self.child.width * self.high
        self.fixed = self.low == self.high and self.child.fixed

    def fill(self, codes: np.ndarray, used: np.ndarray | None, rng: np.random.Generator) -> None:
        if self.high == 0 or not isinstance(self.child, _Chars):
            super().fill(codes, used, rng)
            return
        child = self.child.codes
        rows = len(codes)
        _write_codes(child, _indices(rng, len(child), (rows, self.high)), codes)
        if used is None:
            return
        if self.low == self.high:
            used[...] = True
        else:
            counts = rng.integers(self.low, self.high + 1, size=rows)
            np.less(np.arange(self.high)[None, :], counts[:, None], out=used)

    def max_code(self) -> int:
        return self.child.max_code() if self.high else 0

    def sample(self, rows: int, rng: np.random.Generator) -> Block:
        if self.high == 0:
            return np.zeros((rows, 0), dtype=np.uint32), np.zeros((rows, 0), dtype=bool)
        if isinstance(self.child, _Chars):   # common case: one draw for the whole block
            child = self.child.codes
            codes = child[_indices(rng, len(child), (rows, self.high))]
            child_used = np.ones((rows, self.high), dtype=bool)
            blocks = [(codes, child_used)]
            per_repeat = 1
        else:
            blocks = [self.child.sample(rows, rng) for _ in range(self.high)]
            per_repeat = self.child.width
            codes = np.hstack([b[0] for b in blocks])
            child_used = np.hstack([b[1] for b in blocks])
        if self.low == self.high:
            return codes, child_used
        counts = rng.integers(self.low, self.high + 1, size=rows)
        repeat_index = np.repeat(np.arange(self.high), per_repeat)
        return codes, child_used & (repeat_index[None, :] < counts[:, None])

    def cardinality(self) -> int:
        base = self.child.cardinality()
        return sum(base ** k for k in range(self.low, self.high + 1))

    def extremal(self, longest: bool) -> str:
        return self.child.extremal(longest) * (self.high if longest else self.low)


@dataclass
class _Branch(_Node):
    options: list[_Node]

    def __post_init__(self) -> None:
        self.width = max(option.width for option in self.options)
        self.fixed = all(option.fixed and option.width == self.width for option in self.options)

    def max_code(self) -> int:
        return max(option.max_code() for option in self.options)

    def sample(self, rows: int, rng: np.random.Generator) -> Block:
        choice = rng.integers(0, len(self.options), size=rows)
        codes = np.zeros((rows, self.width), dtype=np.uint32)
        used = np.zeros((rows, self.width), dtype=bool)
        for index, option in enumerate(self.options):
            chosen = choice == index
            count = int(chosen.sum())
            if count == 0 or option.width == 0:
                continue
            option_codes, option_used = option.sample(count, rng)
            codes[chosen, : option.width] = option_codes
            used[chosen, : option.width] = option_used
        return codes, used

    def cardinality(self) -> int:
        return sum(option.cardinality() for option in self.options)

    def extremal(self, longest: bool) -> str:
        texts = [option.extremal(longest) for option in self.options]
        return max(texts, key=len) if longest else min(texts, key=len)


def _class_codes(items: Sequence[_ParsedItem]) -> np.ndarray:
    """Code points of a character class ``[...]``."""
    negate = False
    chosen: set[int] = set()
    for op, arg in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            chosen.add(int(arg))
        elif op is sre.RANGE:
            low, high = arg
            chosen.update(range(int(low), int(high) + 1))
        elif op is sre.CATEGORY:
            if arg in _category_codes():
                chosen.update(int(c) for c in _category_codes()[arg])
            elif arg in _NEGATED_CATEGORY:
                excluded = set(int(c) for c in _class_codes([(sre.CATEGORY, _NEGATED_CATEGORY[arg])]))
                chosen.update(int(c) for c in _printable() if int(c) not in excluded)
            else:
                raise UnsupportedPattern(f"unsupported character category {arg}")
        else:
            raise UnsupportedPattern(f"unsupported construct {op} in a character class")
    if negate:
        codes = np.array([c for c in _printable() if int(c) not in chosen], dtype=np.uint32)
    else:
        codes = np.array(sorted(chosen), dtype=np.uint32)
    if len(codes) == 0:
        raise UnsupportedPattern("character class matches no printable character")
    return codes


def _compile(items: Sequence[_ParsedItem]) -> _Node:
    parts: list[_Node] = []
    for op, arg in items:
        if op is sre.LITERAL:
            parts.append(_Chars(np.array([arg], dtype=np.uint32)))
        elif op is sre.NOT_LITERAL:
            parts.append(_Chars(_printable()[_printable() != int(arg)]))
        elif op is sre.ANY:
            parts.append(_Chars(_printable()))
        elif op is sre.IN:
            parts.append(_Chars(_class_codes(arg)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, sub = arg
            if high is sre.MAXREPEAT:
                high = low + UNBOUNDED_REPEAT_CAP
            parts.append(_Repeat(_compile(sub), int(low), int(high)))
        elif op is sre.SUBPATTERN:
            parts.append(_compile(arg[3]))
        elif op is sre.BRANCH:
            parts.append(_Branch([_compile(option) for option in arg[1]]))
        elif op is sre.AT:
            if arg not in _IGNORED_ANCHORS:
                raise UnsupportedPattern(f"unsupported anchor {arg} (word boundaries cannot be sampled)")
        else:
            raise UnsupportedPattern(f"unsupported regex construct {op} "
                                     "(lookarounds, back-references, atomic groups)")
    return parts[0] if len(parts) == 1 else _Sequence(parts)


def _to_strings(codes: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Pack each row's used code points to the left and view the matrix as strings."""
    rows, width = codes.shape
    if width == 0:
        return np.full(rows, "", dtype="<U1")
    if not used.all():
        position = np.cumsum(used, axis=1) - 1
        row_index, column_index = np.nonzero(used)
        packed = np.zeros_like(codes, dtype=np.uint32)
        packed[row_index, position[row_index, column_index]] = codes[row_index, column_index]
        codes = packed
    return np.ascontiguousarray(codes, dtype=np.uint32).view(f"<U{width}").reshape(rows)


def _row_hashes(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A 64-bit hash per string; equal strings hash equal (collisions only cost a redraw)."""
    width = values.dtype.itemsize // 4
    if width == 0:
        return np.zeros(len(values), dtype=np.uint64)
    codes = np.ascontiguousarray(values).view(np.uint32).reshape(len(values), width)
    return (codes.astype(np.uint64) * weights[:width]).sum(axis=1, dtype=np.uint64)


class PatternSampler:
    """Draws columns of strings that fully match ``pattern``."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        try:
            parsed = sre_parse.parse(pattern)
        except re.error as exc:
            raise UnsupportedPattern(f"invalid regular expression {pattern!r}: {exc}") from None
        self._root = _compile(list(parsed))

    def cardinality(self) -> int:
        """How many distinct strings the sampler can produce (an upper bound with alternation)."""
        return self._root.cardinality()

    def shortest(self) -> str:
        return self._root.extremal(longest=False)

    def longest(self) -> str:
        return self._root.extremal(longest=True)

    def sample(self, rows: int, rng: np.random.Generator) -> np.ndarray:
        """``rows`` matching strings as a numpy unicode array."""
        codes, used = self._root.sample(rows, rng)
        return _to_strings(codes, used)

    def sample_arrow(self, rows: int, rng: np.random.Generator) -> pa.Array:
        """``rows`` matching strings as a pyarrow ``large_string`` array (the same strings
        :meth:`sample` draws from the same ``rng``)."""
        if self._root.max_code() >= 128:   # UTF-8 of non-ASCII characters: through numpy text
            return pa.array(self.sample(rows, rng), type=pa.large_string())
        width = self._root.width
        codes = np.empty((rows, width), dtype=np.uint8)
        used = None if self._root.fixed else np.empty((rows, width), dtype=bool)
        if width:
            self._root.fill(codes, used, rng)
        if used is None:
            data = codes
            offsets = np.arange(0, rows * width + 1, width, dtype=np.int64) if width else \
                np.zeros(rows + 1, dtype=np.int64)
        else:
            data = codes[used]     # row-major: each row's used characters, in order
            offsets = np.zeros(rows + 1, dtype=np.int64)
            np.cumsum(used.sum(axis=1), out=offsets[1:])
        # large_string: 64-bit offsets, what pandas' pyarrow ``str`` holds (no cast on the way in)
        return pa.LargeStringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(data))

    def sample_unique(self, rows: int, rng: np.random.Generator, max_rounds: int = 50) -> pd.Series:
        """``rows`` distinct matching strings as a ``str`` Series (redraws duplicates).

        Raises ValueError when the pattern cannot produce that many distinct strings.
        """
        domain = self.cardinality()
        if domain < rows:
            raise ValueError(f"pattern {self.pattern!r} matches at most {domain} distinct strings, "
                             f"{rows} unique values requested")
        weights = rng.integers(1, 2**63, size=max(self._root.width, 1), dtype=np.uint64) | np.uint64(1)
        values = self.sample(rows, rng)
        hashes = _row_hashes(values, weights)
        first = ~pd.Series(hashes).duplicated().to_numpy()
        values, hashes = values[first], hashes[first]
        batch = max(64, 4 * (rows - len(values)))
        for _ in range(max_rounds):   # top up with fresh values from ever larger batches
            missing = rows - len(values)
            if missing == 0:
                break
            candidates = self.sample(batch, rng)
            candidate_hashes = _row_hashes(candidates, weights)
            fresh = ~pd.Series(candidate_hashes).duplicated().to_numpy() & ~np.isin(candidate_hashes, hashes)
            take = np.nonzero(fresh)[0][:missing]
            values = np.concatenate([values, candidates[take]])
            hashes = np.concatenate([hashes, candidate_hashes[take]])
            batch = min(batch * 2, 4_000_000)
        if len(values) < rows:
            raise ValueError(f"could not draw {rows} unique strings matching {self.pattern!r} "
                             f"(about {domain} possible); lower the row count or widen the pattern")
        return pd.Series(pa.array(values), dtype=pd.StringDtype("pyarrow", np.nan))


@functools.lru_cache(maxsize=256)
def pattern_sampler(pattern: str) -> PatternSampler:
    """A cached :class:`PatternSampler` for ``pattern``."""
    return PatternSampler(pattern)

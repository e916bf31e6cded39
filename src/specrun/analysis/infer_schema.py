"""A contract guessed from sample data, for ``specrun infer``: each column's type, nullability,
uniqueness, numeric bounds and, for text with few distinct values, its ``isin`` list.

A column's type is the first of :data:`CANDIDATES` under which specrun's own strict reader
(:func:`specrun.contract.io.typed_frame`) reads every value of the sample, so a spec using
the inferred schema reads the sample back without a type failure.  Bounds are the
sample's, rounded outward (floats to three significant digits), so they hold for the
sample; they and ``isin`` say what the sample held, not what real data may hold.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from ..contract.builtin_types import INFER_ORDER
from ..contract.io import typed_frame
from ..contract.patterns import UnsupportedPattern, pattern_sampler
from ..contract.storage import type_failures
from ..contract.types import TypeRegistry
from ..lazy import lazy_module
from ..spec.model import ColumnSpec, SchemaSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

#: the types tried, narrowest first
CANDIDATES = INFER_ORDER
#: text columns with at most this many distinct values (each seen twice or more on average) get ``isin``
MAX_ISIN = 20
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLAIN_TEXT = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


@dataclass
class InferredColumn:
    """One column as the sample shows it, and why each key was guessed."""

    name: str
    type: str
    nullable: bool = False
    unique: bool = False
    min: Any = None
    max: Any = None
    isin: list[str] | None = None
    pattern: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class SampleFile:
    """One sample file as :func:`specrun.contract.io.read_untyped` reads it."""

    name: str
    frame: pd.DataFrame
    text: set[str]
    found: dict[str, str]
    whole: bool = True          # False: only the file's first rows were read (an S3 sample)


class TypeConflict(ValueError):
    """Columns whose values fit no one type across the files (or that some files lack)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def infer_files(files: list[SampleFile], types: TypeRegistry) -> list[InferredColumn]:
    """The columns of several files read as one sample: each column's type fits every file.

    A column one file lacks, or whose narrowest types in two files do not widen into one
    type (``int`` and ``float`` do; ``int`` and ``str`` do not), is a :class:`TypeConflict`:
    never coerced to the loosest type.
    """
    names = list(dict.fromkeys(str(c) for f in files for c in f.frame.columns))
    problems = [f"column {n!r} is in {_listed([f.name for f in files if n in f.frame.columns])} "
                f"but not in {_listed([f.name for f in files if n not in f.frame.columns])}"
                for n in names if any(n not in f.frame.columns for f in files)]
    columns = []
    for name in names:
        if any(name not in f.frame.columns for f in files):
            continue
        try:
            columns.append(_infer_across(name, files, types))
        except TypeConflict as exc:
            problems += exc.problems
    if problems:
        raise TypeConflict(problems)
    return columns


def _listed(names: list[str]) -> str:
    return ", ".join(names)


def _typed(name: str, file: SampleFile, candidate: str, types: TypeRegistry) -> pd.Series | None:
    """The file's column read as ``candidate``, or None when some value does not read."""
    column = ColumnSpec(name=name, type=candidate, nullable=True)
    schema = SchemaSpec(name="sample", columns={name: column})
    raw = file.frame[name]
    typed = typed_frame(raw.to_frame(), schema, types, text={name} if name in file.text else set(),
                        found=file.found)
    return None if type_failures(typed) else typed[name]


def _infer_across(name: str, files: list[SampleFile], types: TypeRegistry) -> InferredColumn:
    candidates = [c for c in CANDIDATES if c in types]
    # each file with a value votes for its narrowest type
    votes = {f.name: next(c for c in candidates if _typed(name, f, c, types) is not None)
             for f in files if f.frame[name].notna().any()}
    for candidate in candidates:
        target = types.get(candidate)
        if any(vote != candidate and types.get(vote).widens_to(target) is not True for vote in votes.values()):
            continue
        typed = [_typed(name, f, candidate, types) for f in files]
        if any(t is None for t in typed):
            continue
        values = pd.concat([t for t in typed if t is not None], ignore_index=True)
        inferred = _describe(name, candidate, values)
        if len(set(votes.values())) > 1:
            inferred.notes.insert(0, "type: " + ", ".join(f"{v} in {f}" for f, v in votes.items()))
        elif candidate != candidates[-1]:
            inferred.notes.insert(0, f"type: every value reads as {candidate}")
        return inferred
    if len(files) == 1:
        raise ValueError(f"column {name!r}: no type reads every value")
    raise TypeConflict([f"column {name!r}: " + ", ".join(f"{v} in {f}" for f, v in votes.items())
                        + " (no one type reads every file)"])


def infer_columns(frame: pd.DataFrame, text: set[str], found: dict[str, str],
                  types: TypeRegistry) -> list[InferredColumn]:
    """The columns of one untyped sample (as :func:`specrun.contract.io.read_untyped` reads it)."""
    return infer_files([SampleFile("sample", frame, text, found)], types)


def _describe(name: str, column_type: str, values: pd.Series) -> InferredColumn:
    present = values.dropna()
    inferred = InferredColumn(name, column_type, nullable=bool(values.isna().any()))
    if inferred.nullable:
        inferred.notes.append(f"{int(values.isna().sum())} nulls in the sample")
    distinct = present.nunique()
    dtype = values.dtype
    integer, text = pd.api.types.is_integer_dtype(dtype), pd.api.types.is_string_dtype(dtype)
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    # pandera counts repeated nulls as duplicates: unique only for a column without nulls
    if (integer or text) and len(present) > 1 and distinct == len(values):
        inferred.unique = True
    if numeric and len(present):
        low, high = present.min(), present.max()
        if integer:
            inferred.min, inferred.max = int(low), int(high)
        else:
            inferred.min, inferred.max = _round(float(low), down=True), _round(float(high), down=False)
        inferred.notes.append("min/max: the sample's, rounded outward")
    if text and 0 < distinct <= MAX_ISIN and distinct * 2 <= len(present):
        inferred.isin = sorted(str(v) for v in present.unique())
        inferred.notes.append(f"isin: the {distinct} values of the sample")
    elif text and len(present) > 1 and distinct > 1:
        inferred.pattern = guess_pattern([str(v) for v in present.unique()])
        if inferred.pattern is not None:
            inferred.notes.append("pattern: the one shape of the sample's values")
    return inferred


# a run of characters of one class: the class's regex and the characters it holds
_CLASSES = (("[0-9]", str.isdigit), ("[A-Z]", str.isupper), ("[a-z]", str.islower))
_TOKEN = re.compile(r"[0-9]+|[A-Z]+|[a-z]+|[^0-9A-Za-z]")


def _shape(value: str) -> list[tuple[str, str]]:
    """``value`` cut into runs of digits / capitals / small letters and single other characters."""
    tokens = []
    for token in _TOKEN.findall(value):
        kind = next((cls for cls, test in _CLASSES if test(token[0]) and token[0].isascii()), "=" + token)
        tokens.append((kind, token))
    return tokens


def guess_pattern(values: list[str]) -> str | None:
    """An anchored regex every value fully matches, when all values have one shape.

    The shape: the same sequence of runs (digits, capitals, small letters) and the same
    other characters between them (``ORD-004211`` → ``^ORD-[0-9]{6}$``); a run with the same
    text in every value stays literal.  Only printable ASCII values; a shape with no literal
    part must have runs of fixed length (so names and free text get no pattern); the pattern
    must be one specrun's generator can draw from.
    """
    if not values or not all(v.isascii() and v.isprintable() and v for v in values):
        return None
    shapes = [_shape(v) for v in values]
    kinds = [k for k, _ in shapes[0]]
    if any([k for k, _ in shape] != kinds for shape in shapes):
        return None
    parts, literal, fixed = [], False, True
    for position, kind in enumerate(kinds):
        texts = {shape[position][1] for shape in shapes}
        if len(texts) == 1:
            parts.append(re.escape(texts.pop()).replace("\\-", "-"))
            literal = True
            continue
        lengths = {len(t) for t in texts}
        low, high = min(lengths), max(lengths)
        fixed = fixed and low == high
        parts.append(kind + (f"{{{low}}}" if low == high else f"{{{low},{high}}}"))
    if not fixed and not literal:
        return None
    pattern = "^" + "".join(parts) + "$"
    try:
        pattern_sampler(pattern)
    except UnsupportedPattern:
        return None
    compiled = re.compile(pattern)
    return pattern if all(compiled.fullmatch(v) for v in values) else None


def guess_rows(files: list[SampleFile]) -> tuple[int, int | None, str]:
    """``rows: {min, max}`` from the files' row counts, and the comment saying so.

    Each whole file's count is exact; a file read only in part (an S3 sample) holds at
    least what was read, so the minimum still holds and the maximum is unknown.
    """
    counts = [len(f.frame) for f in files]
    low = min(counts)
    if all(f.whole for f in files):
        high = max(counts)
        where = "the file's" if len(files) == 1 else f"the {len(files)} files' smallest and largest"
        return low, high, f"rows: {where} row count{'' if len(files) == 1 else 's'}"
    return low, None, "rows: min from the rows read; no max, the objects were read in part"


def _round(value: float, *, down: bool) -> Decimal:
    """``value`` rounded to three significant digits, down (toward -inf) or up."""
    if value == 0 or not math.isfinite(value):
        return Decimal(repr(value))
    exact = Decimal(repr(value))    # the shortest text that reads back as value; float() is monotonic
    exponent = math.floor(math.log10(abs(value))) - 2
    quantum = Decimal(1).scaleb(exponent)
    return exact.quantize(quantum, rounding=ROUND_FLOOR if down else ROUND_CEILING).normalize()


def render_schema(name: str, columns: list[InferredColumn], source: str, rows: int,
                  row_bounds: tuple[int, int | None, str] | None = None) -> str:
    """A ``schemas:`` block that ``specrun check`` accepts, one commented line per column."""
    lines = [f"# inferred by specrun infer from {source} ({rows} rows); bounds, isin, unique,",
             "# pattern, rows and nullable come from the sample: widen them to what real data may hold",
             "schemas:", f"  {_key(name)}:"]
    if row_bounds is not None:
        low, high, note = row_bounds
        bounds = f"min: {low}" + (f", max: {high}" if high is not None else "")
        lines.append(f"    rows: {{{bounds}}}   # {note}")
    lines.append("    columns:")
    for column in columns:
        keys = [f"type: {column.type}"]
        if column.nullable:
            keys.append("nullable: true")
        if column.unique:
            keys.append("unique: true")
        if column.min is not None:
            keys.append(f"min: {_number(column.min)}")
            keys.append(f"max: {_number(column.max)}")
        if column.isin is not None:
            keys.append("isin: [" + ", ".join(_text(v) for v in column.isin) + "]")
        if column.pattern is not None:
            keys.append(f"pattern: {json.dumps(column.pattern)}")
        note = f"   # {'; '.join(column.notes)}" if column.notes else ""
        lines.append(f"      {_key(column.name)}: {{{', '.join(keys)}}}{note}")
    return "\n".join(lines) + "\n"


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if "." in text or "e" in text.lower() else text + ".0"
    return str(value)


def _key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else json.dumps(name)


def _text(value: str) -> str:
    return value if _PLAIN_TEXT.match(value) and value.lower() not in ("true", "false", "null") else json.dumps(value)

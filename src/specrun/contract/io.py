"""Reading and writing a port's data in its format, compression and layout.

A port is either one file (``root/<direction>/<port>.<ext>[.gz]``) or a directory
whose files follow ``layout`` (``part-{shard:05d}.csv``, ``{split}/{split}.csv`` …).
Writes are atomic (:func:`specrun.atomic.write_atomic`: temp file, fsync, rename).
Reads check every declared column against its type without coercion
(:mod:`specrun.contract.storage`): text formats are read as text and each value parsed
by its type, typed formats must store the type; a frame written by :func:`write_port`
reads back equal and valid, and what is not of its type is left as read, its failure
carried to validation.  Unreadable output raises :class:`PortReadError`.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_atomic
from ..lazy import lazy_module
from ..spec.model import TABULAR_FORMATS, PortSpec, SchemaSpec
from ..spec.placeholders import layout_fields, layout_pattern
from .arrow_pool import release_unused
from .builtin_types import INT64, str_dtype
from .parquet_read import read_parquet
from .split_files import file_schema
from .storage import TypeFailure, check_text, check_typed, json_as_text, mark, type_failures
from .types import TypeRegistry

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pq = lazy_module("pyarrow.parquet")

EXTENSIONS = {"csv": "csv", "tsv": "tsv", "parquet": "parquet", "jsonl": "jsonl",
              "json": "json", "pickle": "pkl", "text": "txt", "file": ""}
SEPARATORS = {"csv": ",", "tsv": "\t"}


@dataclass(eq=False)
class LayoutPart:
    """The rows of one file of a port: its path relative to the port, its split and shard."""

    relative: str
    split: str | None
    shard: int | None
    frame: pd.DataFrame


class PortReadError(Exception):
    """A port's data could not be read (missing file, unparsable content)."""

    def __init__(self, port: str, path: Path | str, message: str) -> None:
        self.port = port
        self.path = Path(path)
        self.message = message
        super().__init__(f"port {port!r}: {path}: {message}")


# -- paths and layouts --------------------------------------------------------

def port_target(root: Path, port: PortSpec, direction: str) -> Path:
    """Where a port lives in a sandbox: a file, or a directory for a layout port."""
    base = Path(root) / direction
    if port.is_dir:
        return base / port.name
    ext = EXTENSIONS.get(port.format, port.format)
    name = f"{port.name}.{ext}" if ext else port.name
    if port.compression == "gzip" and port.format != "parquet":
        name += ".gz"
    return base / name


def layout_files(port: PortSpec) -> list[tuple[str, str | None, int | None]]:
    """The relative file names ``write_port`` produces: (path, split, shard)."""
    layout = port.layout or ""
    fields = layout_fields(layout)
    splits: list[str | None] = list(port.split or []) if "split" in fields else [None]
    if "split" in fields and not splits:
        raise ValueError(f"port {port.name!r}: layout {layout!r} uses {{split}} but no split names")
    shards: list[int | None] = list(range(port.shards or 1)) if "shard" in fields else [None]
    return [(layout.format(split=split, shard=shard), split, shard) for split in splits for shard in shards]


def port_files(port: PortSpec, path: Path) -> list[Path]:
    """The files a port holds: the file itself, every split file, or every file matching the layout."""
    path = Path(path)
    if not port.is_dir:
        return [path]
    if "shard" not in layout_fields(port.layout or ""):
        return [path / relative for relative, _, _ in layout_files(port)]
    pattern = layout_pattern(port.layout or "", port.split)
    if not path.is_dir():
        return []
    found = [p for p in path.rglob("*") if p.is_file() and pattern.fullmatch(p.relative_to(path).as_posix())]
    return sorted(found)


def copy_fixture(src: Path, dest: Path) -> None:
    """Copy a fixture file or directory to ``dest`` as-is."""
    src, dest = Path(src), Path(dest)
    if not src.exists():
        raise FileNotFoundError(f"fixture not found: {src}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dest)


# -- writing ---------------------------------------------------------------------

@contextlib.contextmanager
def _binary_writer(path: Path, gz: bool) -> Iterator[Any]:
    """A binary handle on ``path``; gzip with no name and no time in the header (same bytes each run)."""
    with open(path, "wb") as raw:
        if not gz:
            yield raw
            return
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
            yield zipped


def _json_values(series: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values: None for nulls, ISO text for datetimes."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        text = series.map(lambda v: v.isoformat(), na_action="ignore")
        return text.astype(object).where(series.notna(), None).tolist()
    return series.astype(object).where(series.notna(), None).tolist()


def _write_jsonl(frame: pd.DataFrame, handle: Any) -> None:
    """One JSON object per row; floats keep every digit (``repr``), unlike ``DataFrame.to_json``."""
    names = [str(c) for c in frame.columns]
    columns = [_json_values(frame[c]) for c in frame.columns]
    lines = (json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str) + "\n"
             for row in zip(*columns, strict=True))
    handle.write("".join(lines).encode("utf-8"))


def _line_end(frame: pd.DataFrame) -> str:
    """``\n``, or ``\r\n`` when a text value holds a carriage return: the csv writer quotes
    only the characters of its line terminator, and an unquoted CR reads back as a line break."""
    for name in frame.columns:
        column = frame[name]
        if not (pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)):
            continue
        if column.map(lambda value: isinstance(value, str) and "\r" in value).any():
            return "\r\n"
    return "\n"


def _write_file(port: PortSpec, frame: pd.DataFrame, path: Path) -> None:
    gz = port.compression == "gzip"
    fmt = port.format

    def write(temp: Path) -> None:
        if fmt in SEPARATORS:
            with _binary_writer(temp, gz) as handle:
                frame.to_csv(handle, sep=SEPARATORS[fmt], index=False, header=port.header,
                             lineterminator=_line_end(frame))
        elif fmt == "parquet":
            frame.to_parquet(temp, index=False, compression="gzip" if gz else "snappy")
        elif fmt == "jsonl":
            with _binary_writer(temp, gz) as handle:
                _write_jsonl(frame, handle)
        else:
            raise ValueError(f"port {port.name!r}: format {fmt!r} is not tabular "
                             f"(tabular: {', '.join(TABULAR_FORMATS)})")
    write_atomic(path, write, durable=False)      # a case's data: atomic, no fsync (see atomic.py)


def write_port(port: PortSpec, frame: pd.DataFrame, path: Path, seed: int = 0) -> list[Path]:
    """Write ``frame`` as the port's data at ``path``; return the files written.

    A ``{split}`` layout assigns rows to splits by a seeded shuffle (like a real
    random split); shards get contiguous, even chunks.  Each file is written atomically
    but not fsynced: it is a case's sandbox data, not a file to keep.
    """
    path = Path(path)
    if not port.is_dir:
        _write_file(port, frame, path)
        return [path]
    return write_parts(port, layout_parts(port, frame, seed), path)


def layout_parts(port: PortSpec, frame: pd.DataFrame, seed: int = 0) -> list[LayoutPart]:
    """``frame`` divided among the files of a layout port, as :func:`write_port` divides it
    (one part, ``""``, for a single-file port)."""
    if not port.is_dir:
        return [LayoutPart("", None, None, frame)]
    files = layout_files(port)
    splits = list(dict.fromkeys(split for _, split, _ in files))
    order = np.random.default_rng(seed).permutation(len(frame)) if splits != [None] else np.arange(len(frame))
    split_rows = dict(zip(splits, (np.sort(chunk) for chunk in np.array_split(order, len(splits))),
                          strict=True))
    parts = []
    for split in splits:
        targets = [(relative, shard) for relative, s, shard in files if s == split]
        for (relative, shard), chunk in zip(targets, np.array_split(split_rows[split], len(targets)), strict=True):
            parts.append(LayoutPart(relative, split, shard, frame.iloc[chunk].reset_index(drop=True)))
    return parts


def write_parts(port: PortSpec, parts: list[LayoutPart], path: Path) -> list[Path]:
    """Write each part as its file under ``path`` (``path`` itself for a single-file port)."""
    written = []
    for part in parts:
        target = Path(path) / part.relative if part.relative else Path(path)
        _write_file(port, part.frame, target)
        written.append(target)
    return written


# -- reading ---------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _builtin_types() -> TypeRegistry:
    return TypeRegistry.builtin()


def _read_csv(port: PortSpec, path: Path, schema: SchemaSpec | None, nrows: int | None) -> pd.DataFrame:
    """Declared columns as text (typed afterwards by their types); only an empty field is null."""
    if not port.header:
        return _read_headerless(port, path, schema, nrows)
    text = {name: str_dtype() for name in schema.columns} if schema is not None else {}
    return pd.read_csv(path, sep=SEPARATORS[port.format], nrows=nrows, keep_default_na=False,
                       na_values=[""], dtype=text,
                       compression="gzip" if port.compression == "gzip" else "infer")


def _read_headerless(port: PortSpec, path: Path, schema: SchemaSpec | None, nrows: int | None) -> pd.DataFrame:
    """A ``header: false`` file: every field text, columns named in the schema's declared order.

    A file with a different number of fields than declared columns is unreadable; so is a
    file whose first row is the column names (a header the port says it does not have,
    caught even when every column is a string and the names would parse as values)."""
    names = list(schema.columns) if schema is not None else []
    try:
        frame = pd.read_csv(path, sep=SEPARATORS[port.format], header=None, nrows=nrows,
                            keep_default_na=False, na_values=[""], dtype=str_dtype(),
                            compression="gzip" if port.compression == "gzip" else "infer")
    except pd.errors.EmptyDataError:
        return pd.DataFrame({name: pd.Series([], dtype=str_dtype()) for name in names})
    if len(frame.columns) != len(names):
        raise PortReadError(port.name, path, f"a header: false file with {len(frame.columns)} column(s); "
                            f"the schema declares {len(names)} ({', '.join(names)})")
    if len(frame) and [str(v) for v in frame.iloc[0].tolist()] == names:
        raise PortReadError(port.name, path, f"the first row is a header ({', '.join(names)}) but the port "
                            "is header: false: that row would be read as data")
    frame.columns = pd.Index(names)
    return frame


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _json_column(values: list[Any]) -> tuple[pd.Series, str]:
    """A column of JSON values in the storage their JSON kinds make, and those kinds."""
    kinds = sorted({_json_kind(v) for v in values if v is not None})
    nulls = any(v is None for v in values)
    found = "JSON " + ("/".join(kinds) if kinds else "null")
    if kinds == ["integer"] and all(INT64.min <= v <= INT64.max for v in values if v is not None):
        return pd.Series(pd.array(values, dtype="Int64" if nulls else "int64")), found
    if kinds in (["number"], ["integer", "number"]):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64"), found
    if kinds == ["boolean"]:
        return pd.Series(pd.array(values, dtype="boolean" if nulls else "bool")), found
    if kinds == ["string"]:
        return pd.Series(values, dtype=str_dtype()), found
    return pd.Series(values, dtype=object), found


def _read_jsonl(port: PortSpec, path: Path, schema: SchemaSpec | None, types: TypeRegistry,
                nrows: int | None) -> tuple[pd.DataFrame, dict[str, str], set[str]]:
    """One JSON object per line, each column in the storage of its JSON kinds.

    A declared column of a type JSON has no value for (datetime, category) is text:
    strings as they are, other values as their JSON text.
    """
    opener: Any = gzip.open if port.compression == "gzip" else open
    rows: list[dict[str, Any]] = []
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if nrows is not None and len(rows) >= nrows:
                break
            if line.strip():
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"line {len(rows) + 1} is a JSON {_json_kind(row)}, not an object")
                rows.append(row)
    names = list(dict.fromkeys(key for row in rows for key in row))
    declared = schema.columns if schema is not None else {}
    columns: dict[str, pd.Series] = {}
    found: dict[str, str] = {}
    text: set[str] = set()
    for name in names:
        values = [row.get(name) for row in rows]
        column = declared.get(name)
        if column is not None and column.type in types and json_as_text(types.get(column.type)):
            columns[name] = pd.Series([v if v is None or isinstance(v, str) else json.dumps(v) for v in values],
                                      dtype=str_dtype())
            text.add(name)
        else:
            columns[name], found[name] = _json_column(values)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows))), found, text


def parquet_types(path: Path) -> dict[str, str]:
    """Each column's Arrow storage type, as a parquet file's schema gives it (for the messages)."""
    return {field.name: str(field.type) for field in pq.read_schema(path)}


def _read_file(port: PortSpec, path: Path, schema: SchemaSpec | None, nrows: int | None,
               types: TypeRegistry | None) -> pd.DataFrame:
    types = types if types is not None else _builtin_types()
    frame, text, found = read_untyped(port, path, schema, nrows, types)
    return typed_frame(frame, schema, types, text=text, found=found, file=path.name)


def read_untyped(port: PortSpec, path: Path, schema: SchemaSpec | None = None, nrows: int | None = None,
                 types: TypeRegistry | None = None) -> tuple[pd.DataFrame, set[str], dict[str, str]]:
    """A file of the port as read before its columns are typed: the frame, the columns read as
    text (every column of a CSV with ``schema`` None) and each typed column's storage type."""
    types = types if types is not None else _builtin_types()
    if not path.is_file():
        raise PortReadError(port.name, path, "file not found")
    found: dict[str, str] = {}
    text: set[str] = set()
    try:
        if port.format in SEPARATORS:
            frame = _read_csv(port, path, schema, nrows)
            text = set(frame.columns)
        elif port.format == "parquet":
            frame = read_parquet(path) if nrows is None else pd.read_parquet(path).head(nrows)
            found = parquet_types(path)
        elif port.format == "jsonl":
            frame, found, text = _read_jsonl(port, path, schema, types, nrows)
        else:
            raise PortReadError(port.name, path, f"format {port.format!r} is not tabular")
    except PortReadError:
        raise
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except Exception as exc:  # noqa: BLE001 - any parser failure is the data's fault
        raise PortReadError(port.name, path, f"{type(exc).__name__}: {exc}") from None
    finally:
        release_unused()                # what the reader's Arrow buffers left in the pool
    if frame.empty and len(frame.columns) == 0 and schema is not None:   # an empty file: zero rows
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in schema.columns})
    return frame, text, found


def typed_frame(frame: pd.DataFrame, schema: SchemaSpec | None, types: TypeRegistry | None = None, *,
                text: set[str] | frozenset[str] = frozenset(), found: dict[str, str] | None = None,
                file: str = "") -> pd.DataFrame:
    """``frame`` with each declared column in its declared dtype, checked by its type.

    Columns in ``text`` are parsed from text; the others must already be stored as
    their type (or a widening it accepts).  What is not is left as read, and the
    failure travels with the frame to :func:`~specrun.contract.validate.validate_frame`.
    ``found`` names each column's storage for the messages (default: its pandas dtype).
    """
    if schema is None:
        return frame
    types = types if types is not None else _builtin_types()
    frame = frame.copy(deep=False)
    failures: list[TypeFailure] = []
    for name, column in schema.columns.items():
        if name not in frame.columns or column.type not in types:
            continue
        column_type = types.get(column.type)
        series = frame[name]
        if name in text:
            typed, failure = check_text(column_type, column, series, file)
        elif series.dtype == object and bool(series.isna().all()):   # no values, no storage to judge
            typed, failure = check_text(column_type, column, series.astype(str_dtype()), file)
        else:
            storage = (found or {}).get(name, str(series.dtype))
            typed, failure = check_typed(column_type, column, series, storage, file)
        frame[name] = typed
        if failure is not None:
            failures.append(failure)
    return mark(frame, failures)


def _iter_files(port: PortSpec, path: Path) -> Iterator[tuple[str, Path]]:
    if not port.is_dir:
        yield "", Path(path)
        return
    if not Path(path).is_dir():
        raise PortReadError(port.name, path, "directory not found")
    files = port_files(port, path)
    if not files:
        raise PortReadError(port.name, path, f"no files matching layout {port.layout!r}")
    for file in files:
        yield file.relative_to(path).as_posix(), file


def read_port(port: PortSpec, path: Path, schema: SchemaSpec | None = None,
              nrows: int | None = None, types: TypeRegistry | None = None) -> dict[str, pd.DataFrame]:
    """Each file of the port as a typed frame, keyed by path relative to the port ("" for a file).

    ``nrows`` caps the total rows read.  ``schema`` defaults to the port's schema (with
    ``split_schemas``, each file's split's schema); ``types`` (default: the built-in
    types) checks each declared column's type.
    """
    frames: dict[str, pd.DataFrame] = {}
    remaining = nrows
    for key, file in _iter_files(port, Path(path)):
        if remaining is not None and remaining <= 0:
            break
        declared = schema if schema is not None else file_schema(port, key)
        frames[key] = _read_file(port, file, declared, remaining, types)
        if remaining is not None:
            remaining -= len(frames[key])
    return frames


def read_port_frame(port: PortSpec, path: Path, schema: SchemaSpec | None = None,
                    nrows: int | None = None, types: TypeRegistry | None = None) -> pd.DataFrame:
    """All the port's files read and concatenated into one frame (with every file's type failures)."""
    frames = [f for f in read_port(port, path, schema, nrows, types).values()]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    return mark(pd.concat(frames, ignore_index=True), [f for frame in frames for f in type_failures(frame)])

"""Reading and writing a port's data in its format, compression and layout.

A port is either one file (``root/<direction>/<port>.<ext>[.gz]``) or a directory
whose files follow ``layout`` (``part-{shard:05d}.csv``, ``{split}/{split}.csv`` …).
Writes are atomic (:func:`specrun.atomic.write_atomic`: temp file, fsync, rename).
Reads parse every column by the schema's types (datetimes parsed, ints with nulls as ``Int64`` …) so a frame
written by :func:`write_port` reads back equal and valid; what cannot be parsed is
left as read, for validation to report.  Unreadable output raises :class:`PortReadError`.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from ..atomic import write_atomic
from ..spec.model import TABULAR_FORMATS, ColumnSpec, PortSpec, SchemaSpec
from ..spec.placeholders import layout_fields, layout_pattern
from .builtin_types import STR_DTYPE

EXTENSIONS = {"csv": "csv", "tsv": "tsv", "parquet": "parquet", "jsonl": "jsonl",
              "json": "json", "text": "txt", "file": ""}
SEPARATORS = {"csv": ",", "tsv": "\t"}


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
    lines = (json.dumps(dict(zip(names, row)), ensure_ascii=False, default=str) + "\n"
             for row in zip(*columns))
    handle.write("".join(lines).encode("utf-8"))


def _write_file(port: PortSpec, frame: pd.DataFrame, path: Path) -> None:
    gz = port.compression == "gzip"
    fmt = port.format

    def write(temp: Path) -> None:
        if fmt in SEPARATORS:
            with _binary_writer(temp, gz) as handle:
                frame.to_csv(handle, sep=SEPARATORS[fmt], index=False)
        elif fmt == "parquet":
            frame.to_parquet(temp, index=False, compression="gzip" if gz else "snappy")
        elif fmt == "jsonl":
            with _binary_writer(temp, gz) as handle:
                _write_jsonl(frame, handle)
        else:
            raise ValueError(f"port {port.name!r}: format {fmt!r} is not tabular "
                             f"(tabular: {', '.join(TABULAR_FORMATS)})")
    write_atomic(path, write)


def write_port(port: PortSpec, frame: pd.DataFrame, path: Path, seed: int = 0) -> list[Path]:
    """Write ``frame`` as the port's data at ``path``; return the files written.

    A ``{split}`` layout assigns rows to splits by a seeded shuffle (like a real
    random split); shards get contiguous, even chunks.
    """
    path = Path(path)
    if not port.is_dir:
        _write_file(port, frame, path)
        return [path]
    files = layout_files(port)
    splits = list(dict.fromkeys(split for _, split, _ in files))
    order = np.random.default_rng(seed).permutation(len(frame)) if splits != [None] else np.arange(len(frame))
    split_rows = dict(zip(splits, (np.sort(chunk) for chunk in np.array_split(order, len(splits)))))
    written = []
    for split in splits:
        targets = [relative for relative, s, _ in files if s == split]
        for relative, chunk in zip(targets, np.array_split(split_rows[split], len(targets))):
            target = path / relative
            _write_file(port, frame.iloc[chunk].reset_index(drop=True), target)
            written.append(target)
    return written


# -- reading ---------------------------------------------------------------------

def _csv_dtypes(schema: SchemaSpec | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """read_csv dtype hints and per-column NA markers.

    Only an empty field is null; for a non-nullable ``str`` column it is an empty string.
    """
    if schema is None:
        return {}, {}
    hints = {"int": "Int64", "float": "float64", "str": STR_DTYPE, "bool": "boolean",
             "category": STR_DTYPE, "datetime": STR_DTYPE}
    dtypes = {name: hints[c.type] for name, c in schema.columns.items() if c.type in hints}
    na = {name: [""] for name, c in schema.columns.items() if not (c.type == "str" and not c.nullable)}
    return dtypes, na


def _read_csv(port: PortSpec, path: Path, schema: SchemaSpec | None, nrows: int | None) -> pd.DataFrame:
    dtypes, na = _csv_dtypes(schema)
    options: dict[str, Any] = dict(sep=SEPARATORS[port.format], nrows=nrows, keep_default_na=False,
                                   na_values=na if schema is not None else [""],
                                   compression="infer")
    if port.compression == "gzip":
        options["compression"] = "gzip"
    try:
        return pd.read_csv(path, dtype=dtypes, **options)
    except (ValueError, TypeError):
        return pd.read_csv(path, dtype=STR_DTYPE, **options)  # unparsable typed: keep the text


def _read_jsonl(port: PortSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    opener: Any = gzip.open if port.compression == "gzip" else open
    with opener(path, "rb") as handle:
        content = handle.read()
    if not content.strip():
        return pd.DataFrame()
    try:
        table = pa_json.read_json(io.BytesIO(content))
        frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        return frame.head(nrows) if nrows is not None else frame
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.read_json(io.BytesIO(content), lines=True, dtype=False, nrows=nrows)


def _read_file(port: PortSpec, path: Path, schema: SchemaSpec | None, nrows: int | None) -> pd.DataFrame:
    if not path.is_file():
        raise PortReadError(port.name, path, "file not found")
    try:
        if port.format in SEPARATORS:
            frame = _read_csv(port, path, schema, nrows)
        elif port.format == "parquet":
            frame = pd.read_parquet(path)
            frame = frame.head(nrows) if nrows is not None else frame
        elif port.format == "jsonl":
            frame = _read_jsonl(port, path, nrows)
        else:
            raise PortReadError(port.name, path, f"format {port.format!r} is not tabular")
    except PortReadError:
        raise
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except Exception as exc:  # noqa: BLE001 - any parser failure is the data's fault
        raise PortReadError(port.name, path, f"{type(exc).__name__}: {exc}") from None
    if frame.empty and len(frame.columns) == 0 and schema is not None:   # an empty file: zero rows
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in schema.columns})
    return typed_frame(frame, schema)


def _declared_dtype(column: ColumnSpec, has_nulls: bool) -> Any:
    """The dtype a column of this type reads into (nullable variants when nulls are present)."""
    nullable = column.nullable or has_nulls
    return {"int": "Int64" if nullable else "int64", "float": "float64", "str": STR_DTYPE,
            "bool": "boolean" if nullable else "bool", "datetime": "datetime64[ns]",
            "category": pd.CategoricalDtype(list(column.isin or []))}.get(column.type)


def _convert(series: pd.Series, column: ColumnSpec) -> pd.Series:
    """``series`` in the column's declared dtype when that loses nothing, else unchanged."""
    kind = column.type
    nulls = series.isna()
    has_nulls = bool(nulls.any())
    if bool(nulls.all()) and _declared_dtype(column, has_nulls) is not None:
        return series.astype(_declared_dtype(column, has_nulls))   # empty or all null
    if kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(series.dtype):
            return series
        if not pd.api.types.is_numeric_dtype(series.dtype):
            series = pd.to_numeric(series)
        if kind == "float":
            return series.astype("float64")
        if pd.api.types.is_float_dtype(series.dtype) and not bool((series.dropna() % 1 == 0).all()):
            return series   # 2.5 in an int column stays a float for validation to report
        return series.astype("Int64" if (column.nullable or has_nulls) else "int64")
    if kind == "str":
        if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
            return series.astype(STR_DTYPE)
        return series
    if kind == "bool":
        if not pd.api.types.is_bool_dtype(series.dtype):
            mapped = series.astype(STR_DTYPE).str.lower().map({"true": True, "false": False})
            if mapped.isna().sum() != series.isna().sum():
                return series
            series = mapped
        target = "boolean" if (column.nullable or has_nulls) else "bool"
        return series.astype(target)
    if kind == "datetime":
        if not pd.api.types.is_datetime64_dtype(series.dtype):
            try:
                series = pd.to_datetime(series, format="ISO8601")
            except (ValueError, TypeError):
                series = pd.to_datetime(series, format="mixed")
        return series.astype("datetime64[ns]")
    if kind == "category":
        categories = list(column.isin or [])
        if not series.dropna().isin(categories).all():   # text files hold categories as text
            by_text = {str(c): c for c in categories}
            if not series.dropna().astype(str).isin(list(by_text)).all():
                return series
            series = series.map(lambda v: by_text.get(str(v), v) if v == v and v is not None else v)
        return series.astype(pd.CategoricalDtype(categories))
    return series


def typed_frame(frame: pd.DataFrame, schema: SchemaSpec | None) -> pd.DataFrame:
    """``frame`` with each declared column converted to its type where possible."""
    if schema is None:
        return frame
    frame = frame.copy(deep=False)
    for name, column in schema.columns.items():
        if name not in frame.columns:
            continue
        try:
            frame[name] = _convert(frame[name], column)
        except (ValueError, TypeError, OverflowError, AttributeError):
            pass   # left as read: validation reports the dtype and the failing values
    return frame


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
              nrows: int | None = None) -> dict[str, pd.DataFrame]:
    """Each file of the port as a typed frame, keyed by path relative to the port ("" for a file).

    ``nrows`` caps the total rows read.  ``schema`` defaults to the port's schema.
    """
    schema = schema if schema is not None else port.schema
    frames: dict[str, pd.DataFrame] = {}
    remaining = nrows
    for key, file in _iter_files(port, Path(path)):
        if remaining is not None and remaining <= 0:
            break
        frames[key] = _read_file(port, file, schema, remaining)
        if remaining is not None:
            remaining -= len(frames[key])
    return frames


def read_port_frame(port: PortSpec, path: Path, schema: SchemaSpec | None = None,
                    nrows: int | None = None) -> pd.DataFrame:
    """All the port's files read and concatenated into one frame."""
    frames = [f for f in read_port(port, path, schema, nrows).values()]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    return typed_frame(pd.concat(frames, ignore_index=True), schema if schema is not None else port.schema)

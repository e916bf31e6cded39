"""``specrun infer FILE [FILE ...] [--name N] [--format F]``: print a ``schemas:`` block guessed
from sample data (see :mod:`specrun.analysis.infer_schema`), ready to paste into a spec.

The files are read as specrun reads a port of that format; several files are one sample.
A file that does not exist is one line on stderr and exit 4, as a run's missing PATH; one
that cannot be read is a usage error (exit 2).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..results import ExitCode

#: file suffix → port format
SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}
INFER_FORMATS = ("csv", "tsv", "parquet", "jsonl")


def file_format(path: Path, given: str | None) -> tuple[str, str | None]:
    """(format, compression) of ``path``: ``--format`` or its suffix (``.csv.gz``: gzip)."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = "gzip" if suffixes[-1:] == [".gz"] else None
    if given is not None:
        return given, compression
    suffix = suffixes[-2] if compression and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if suffix not in SUFFIX_FORMATS:
        raise UsageError(f"{path}: cannot tell the format from the name; give --format "
                         f"({', '.join(INFER_FORMATS)})")
    return SUFFIX_FORMATS[suffix], compression


def infer_command(config: argparse.Namespace, pm: Any) -> int:
    import pandas as pd

    from ..analysis.infer_schema import infer_columns, render_schema
    from ..contract.io import PortReadError, read_untyped
    from ..contract.types import TypeRegistry
    from ..spec.model import ColumnSpec, PortSpec, SchemaSpec

    files = [Path(f) for f in config.infer_files]
    missing = [f for f in files if not f.is_file()]
    for file in missing:   # as a run's missing PATH: one line each, exit 4
        print(f"specrun: {file}: file not found", file=sys.stderr)
    if missing:
        return int(ExitCode.SPEC_ERROR)
    types = TypeRegistry.from_plugins(pm)
    frames, text, found = [], set(), {}
    for file in files:
        fmt, compression = file_format(file, config.infer_format)
        port = PortSpec(name=file.stem, format=fmt, compression=compression)
        # every column probed as text, so that a CSV's values are not guessed by pandas
        probe = SchemaSpec("probe", columns={str(name): ColumnSpec(str(name), "str")
                                             for name in _header(port, file)})
        try:
            frame, as_text, storage = read_untyped(port, file, probe, types=types)
        except PortReadError as exc:
            raise UsageError(f"{file}: {exc.message}") from None
        frames.append(frame)
        text |= as_text
        found.update(storage)
    sample = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    name = config.infer_name or _default_name(files[0])
    source = ", ".join(str(f) for f in files)
    try:
        columns = infer_columns(sample, text, found, types)
    except ValueError as exc:
        raise UsageError(f"{source}: {exc}") from None
    sys.stdout.write(render_schema(name, columns, source, len(sample)))
    return int(ExitCode.OK)


def _default_name(file: Path) -> str:
    """The file's name up to its first dot, made a schema name."""
    name = re.sub(r"[^A-Za-z0-9_\-]", "_", file.name.split(".")[0]) or "sample"
    return name if re.match(r"^[A-Za-z_]", name) else "_" + name


def _header(port: Any, file: Path) -> list[str]:
    """The column names of a CSV / TSV file (other formats store their types)."""
    if port.format not in ("csv", "tsv"):
        return []
    import pandas as pd

    try:
        return [str(c) for c in pd.read_csv(file, sep="," if port.format == "csv" else "\t", nrows=0,
                                            compression="gzip" if port.compression else "infer").columns]
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's
        raise UsageError(f"{file}: {type(exc).__name__}: {exc}") from None


COMMANDS = {"infer": infer_command}

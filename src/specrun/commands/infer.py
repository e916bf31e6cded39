"""``specrun infer FILE [FILE ...] [--name N] [--format F]``: print a ``schemas:`` block guessed
from sample data (see :mod:`specrun.analysis.infer_schema`), ready to paste into a spec.

The files are read as specrun reads a port of that format; several files are one sample.
An ``s3://bucket/prefix`` adds every object under it in a tabular format, sampled with
specrun's S3 client, settings and cache.  A file that does not exist is one line on stderr
and exit 4, as a run's missing PATH; one that cannot be read, or a column whose type differs
between files, is a usage error (exit 2).
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
    from ..analysis.infer_schema import SampleFile, TypeConflict, guess_rows, infer_files, render_schema
    from ..contract.types import TypeRegistry

    given = list(config.infer_files)
    missing = [f for f in given if not f.startswith("s3://") and not Path(f).is_file()]
    for file in missing:   # as a run's missing PATH: one line each, exit 4
        print(f"specrun: {file}: file not found", file=sys.stderr)
    if missing:
        return int(ExitCode.SPEC_ERROR)
    types = TypeRegistry.from_plugins(pm)
    samples: list[SampleFile] = []
    for item in given:
        if item.startswith("s3://"):
            samples += _s3_files(item, config, types)
        else:
            samples.append(_read_file(Path(item), item, config.infer_format, types, whole=True))
    name = config.infer_name or _default_name(Path(given[0].rstrip("/").rpartition("/")[2] or "sample"))
    source = ", ".join(given)
    try:
        columns = infer_files(samples, types)
    except TypeConflict as exc:
        for problem in exc.problems:
            print(f"specrun: {source}: {problem}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except ValueError as exc:
        raise UsageError(f"{source}: {exc}") from None
    rows = sum(len(s.frame) for s in samples)
    sys.stdout.write(render_schema(name, columns, source, rows, guess_rows(samples)))
    return int(ExitCode.OK)


def _read_file(file: Path, label: str, given: str | None, types: Any, *, whole: bool) -> Any:
    """One sample file, every column of a text file read as text (pandas guesses nothing)."""
    from ..analysis.infer_schema import SampleFile
    from ..contract.io import PortReadError, read_untyped
    from ..spec.model import ColumnSpec, PortSpec, SchemaSpec

    fmt, compression = file_format(file, given)
    port = PortSpec(name=file.stem, format=fmt, compression=compression)
    probe = SchemaSpec("probe", columns={str(name): ColumnSpec(str(name), "str") for name in _header(port, file)})
    try:
        frame, as_text, storage = read_untyped(port, file, probe, types=types)
    except PortReadError as exc:
        raise UsageError(f"{label}: {exc.message}") from None
    return SampleFile(label, frame, set(as_text), dict(storage), whole)


def _s3_files(uri: str, config: argparse.Namespace, types: Any) -> list[Any]:
    """Every object under ``uri`` in a tabular format, sampled through specrun's S3 sampler
    and cache (``--sample-size`` rows shared by the objects of each folder)."""
    from ..sources import S3Settings, S3Uri, SourceCache, SourceError, make_clients, sample_uri
    from ..sources.sampling import SAMPLED_FORMATS, list_objects

    settings = S3Settings(endpoint_url=config.endpoint_url, region=config.aws_region, profile=config.aws_profile)
    try:
        s3, _ = make_clients(settings)
        _, objects = list_objects(s3, S3Uri.parse(uri))
        sampled = sample_uri(s3, uri, config.infer_format or "auto", max(config.deep_sample_size or 10000,
                                                                        len(objects)),
                             0, cache=SourceCache(Path(config.workspace) / "cache" / "s3"),
                             refresh=config.refresh, max_shards=max(len(objects), 1))
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    files = [f for f in sampled.files if f.format in SAMPLED_FORMATS]
    if not files:
        raise UsageError(f"{uri}: no object in a tabular format ({', '.join(INFER_FORMATS)})")
    return [_read_file(sampled.root / f.path, f"s3://{S3Uri.parse(uri).bucket}/{f.key}", f.format, types,
                       whole=f.whole) for f in files]


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

"""A parquet file as ``pd.read_parquet`` reads it, one column at a time when it is large.

``pd.read_parquet`` decodes the whole table into Arrow buffers and converts it at once:
the read of a 2M-row, 65 MiB frame raises the process's peak by ~185 MiB.  Read column by
column (each with ``pd.read_parquet(path, columns=[name])``, Arrow's unused pool memory
returned after each), only one column's decode buffers exist beside the frame built so far:
the same read peaks ~45 MiB lower.  Each column is read by pandas itself, with the file's
pandas metadata (dtypes, index, ``attrs``), so the frame is the one ``pd.read_parquet``
returns; files that are small, have fewer than two data columns, repeat a column name or
have no pandas metadata to rebuild their index from are read whole.  A table of more than
:data:`MAX_READS` columns is read in that many groups of columns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from .arrow_pool import release_unused

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.parquet as pq
else:
    pd = lazy_module("pandas")
    pq = lazy_module("pyarrow.parquet")

# below this many decoded bytes (the row groups' uncompressed size) a file is read whole:
# its decode buffers are small, and one read is cheaper than one per column
COLUMNWISE_BYTES = 32 * 1024 * 1024
# files smaller than this on disk are read whole without a look at their metadata first
SMALL_FILE_BYTES = 1024 * 1024
# at most this many reads of one file: each parses its footer again, so a wide table's
# columns are read a group at a time (its decode buffers then a group's, at most)
MAX_READS = 16


def _index_columns(metadata: dict[bytes, bytes] | None) -> list[str] | None:
    """The names of the columns that hold the frame's index (pandas metadata), or None
    when the file has no pandas metadata."""
    if not metadata or b"pandas" not in metadata:
        return None
    try:
        described: Any = json.loads(metadata[b"pandas"])
    except ValueError:
        return None
    return [c for c in described.get("index_columns", []) if isinstance(c, str)]


def data_columns(file: pq.ParquetFile) -> list[str] | None:
    """The file's columns that are not its index, in file order, when a column-wise read
    rebuilds the frame exactly; None when it might not (read the file whole)."""
    schema = file.schema_arrow
    names = list(schema.names)
    index = _index_columns(schema.metadata)
    if index is None or len(set(names)) != len(names):
        return None
    return [name for name in names if name not in index]


def decoded_bytes(metadata: Any) -> int:
    """How many bytes a parquet file's row groups decode to (their uncompressed size)."""
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))


def read_parquet(path: Path, *, columnwise_bytes: int | None = None) -> pd.DataFrame:
    """``pd.read_parquet(path)``, column by column when the file decodes to
    ``columnwise_bytes`` (default :data:`COLUMNWISE_BYTES`) or more."""
    if columnwise_bytes is None:
        columnwise_bytes = COLUMNWISE_BYTES
    if Path(path).stat().st_size < min(SMALL_FILE_BYTES, columnwise_bytes):
        return pd.read_parquet(path)
    file = pq.ParquetFile(path)
    try:
        columns = data_columns(file) if decoded_bytes(file.metadata) >= columnwise_bytes else None
    finally:
        file.close()
    if columns is None or len(columns) < 2:
        return pd.read_parquet(path)
    size = -(-len(columns) // MAX_READS)
    pieces = []
    for start in range(0, len(columns), size):
        pieces.append(pd.read_parquet(path, columns=columns[start:start + size]))
        release_unused()
    first = pieces[0]
    if any(not piece.index.equals(first.index) for piece in pieces[1:]):
        return pd.read_parquet(path)             # never expected: one file, one index
    # the same index: side by side, nothing copied (and the pieces' equal attrs kept)
    return pd.concat(pieces, axis=1)

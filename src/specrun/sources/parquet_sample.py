"""Sample rows of a Parquet object by reading a seeded choice of its row groups.

pyarrow reads the footer and then the chosen row groups through a
:class:`~specrun.sources.ranged.RangedObject`, batch by batch with buffered (not
pre-buffered) column reads, and stops as soon as it has the rows asked for — so a
sample of a large object costs the footer plus a few pages, never the whole object.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

from ..lazy import lazy_module
from .errors import SourceError
from .ranged import RangedObject

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq
else:
    pa = lazy_module("pyarrow")
    pq = lazy_module("pyarrow.parquet")

READ_BUFFER = 256 * 1024


def choose_row_groups(row_counts: list[int], rows: int, seed: int) -> list[int]:
    """A seeded set of row groups holding at least ``rows`` rows (all if they hold fewer),
    in file order."""
    order = list(range(len(row_counts)))
    random.Random(seed).shuffle(order)
    chosen, total = [], 0
    for index in order:
        if total >= rows:
            break
        chosen.append(index)
        total += row_counts[index]
    return sorted(chosen)


def sample_parquet(obj: RangedObject, rows: int, seed: int, dest: Path) -> int:
    """Write up to ``rows`` rows of ``obj`` to ``dest`` as Parquet; the number written."""
    try:
        parquet = pq.ParquetFile(obj, buffer_size=READ_BUFFER, pre_buffer=False)
        meta = parquet.metadata
        counts = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        groups = choose_row_groups(counts, rows, seed)
        schema = parquet.schema_arrow
        batches: list[pa.RecordBatch] = []
        taken = 0
        if groups and rows > 0:
            for batch in parquet.iter_batches(batch_size=min(rows, 65536), row_groups=groups,
                                              use_threads=False):
                batches.append(batch.slice(0, rows - taken))
                taken += batches[-1].num_rows
                if taken >= rows:
                    break
        table = pa.Table.from_batches(batches, schema=schema)
    except (pa.ArrowInvalid, OSError) as exc:
        if isinstance(exc.__context__, SourceError):
            raise exc.__context__ from None
        raise SourceError(obj.uri, f"cannot read as Parquet: {exc}", permanent=True) from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, dest)
    return table.num_rows

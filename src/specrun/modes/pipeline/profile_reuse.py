"""Read a handed-over file once (issue 15 point 1): the consumer's "input" profile at a
hand-off is the producer's "output" profile when the consumer reads the very same files
(same relative paths, device, inode, size and mtime_ns: the kept outputs and the consumer's
sandbox are hard links to them) under an equal contract (the same port read options and the
same schema, so the frame it reads equals the producer's).  Anything else is profiled again.

Under the same condition the consumer's validation of a hand-off whose producer's output
validation *passed* is that pass: the same frame under the same schema, by the same
deterministic checks (the producer's check is a full read, never a sample, and may be
stricter: layout and stray-file checks).  A failed producer check is never reused: the
consumer's own findings are what the verdict's message quotes.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...analysis.profile import DataProfile
from ...results import PortValidation
from ...spec.model import PortSpec, SchemaSpec
from .state import files_in

# PortSpec fields that say nothing about how its files are read (where the data comes
# from, whether it must exist, negative-case and artifact settings, where it is declared).
_NOT_READ: dict[str, Any] = {"name": "", "fixture": None, "sample": None, "required": True, "source": None,
                             "from_": None, "rows": None, "checks": [], "on_invalid": None, "location": None}


@dataclass(frozen=True)
class PortRead:
    """What a read of a port's files depends on: the contract it is read under and the files."""

    contract: tuple[Any, Any]
    files: tuple[tuple[str, int, int, int, int], ...]


def read_contract(port: PortSpec, schema: SchemaSpec | None) -> tuple[Any, Any]:
    """The port's read options and the schema it is read with, comparable with ``==``."""
    return dataclasses.replace(port, **_NOT_READ), schema


def files_read(path: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    """Each file of the port at ``path``: relative path, device, inode, size, mtime_ns."""
    rows = []
    for file in files_in(path):
        stat = file.stat()
        relative = "" if file == path else file.relative_to(path).as_posix()
        rows.append((relative, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(rows))


def port_read(port: PortSpec, schema: SchemaSpec | None, path: Path) -> PortRead:
    return PortRead(read_contract(port, schema), files_read(path))


def reused_profile(produced: DataProfile | None, producer_read: PortRead | None, consumer_read: PortRead,
                   port: str, nbytes: int | None) -> DataProfile | None:
    """The producer's profile as the consumer's ``port`` profile when both read the same files
    under an equal contract, else None (profile the consumer's frame)."""
    if produced is None or producer_read is None or producer_read != consumer_read or not consumer_read.files:
        return None
    reused = copy.deepcopy(produced)
    reused.port, reused.nbytes = port, nbytes
    return reused


def reused_check(producer_check: PortValidation | None, producer_read: PortRead | None, consumer_read: PortRead,
                 schema: SchemaSpec | None, port: str) -> PortValidation | None:
    """The consumer's ``port`` validation when it reads exactly what the producer's passing
    output validation read (same files, equal contract, a schema to validate), else None
    (read and validate the consumer's data)."""
    if (producer_check is None or not producer_check.ok or producer_read is None or schema is None
            or producer_read != consumer_read or not consumer_read.files):
        return None
    return PortValidation(port, "input", True, rows=producer_check.rows)

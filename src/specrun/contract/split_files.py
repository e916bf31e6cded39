"""Which split a file of a layout port belongs to, and so which schema reads it
(``split_schemas``: a schema per split; see :mod:`.split_schemas`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..spec.placeholders import layout_pattern

if TYPE_CHECKING:
    from ..spec.model import PortSpec, SchemaSpec


def _patterns(port: PortSpec) -> dict[str, re.Pattern[str]]:
    return {split: layout_pattern(port.layout or "", [split]) for split in port.split or []}



def split_of(port: PortSpec, relative: str) -> str | None:
    """The split a file of the port belongs to (None: it matches no split's files)."""
    for split, pattern in _patterns(port).items():
        if pattern.fullmatch(relative):
            return split
    return None


def file_schema(port: PortSpec, relative: str) -> SchemaSpec | None:
    """The schema a file of the port is read and validated by: its split's, else the port's.
    A file of no split of a ``split_schemas`` port has none (the layout never lists one)."""
    if not port.split_schemas:
        return port.schema
    split = split_of(port, relative)
    return port.split_schemas.get(split) if split is not None else None

"""A port with ``split_schemas``: a schema per split (training splits carry the label, an
inference split does not).

Each file of such a port belongs to one split by its path (the layout's ``{split}``); it
is generated from, typed by and validated against that split's schema and no other.
Rows are divided among the splits as :func:`~specrun.contract.io.layout_parts` divides
them (as evenly as possible, the first splits first), then among each split's shards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..lazy import lazy_module
from ..plan import stable_seed
from .io import LayoutPart, layout_parts
from .split_files import file_schema, split_of
from .vectorised import vectorised_frame

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..spec.model import PortSpec, SchemaSpec
    from .types import TypeRegistry
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = ["file_schema", "generate_split_parts", "one_split", "split_of", "whole_frame"]


def one_split(port: PortSpec, split: str) -> PortSpec:
    """The port narrowed to one split, with that split's schema as its ``schema``."""
    schema = (port.split_schemas or {}).get(split, port.schema)
    return dataclasses.replace(port, split=[split], split_schemas=None, schema=schema)


def generate_split_parts(port: PortSpec, rows: int, seed: int, types: TypeRegistry,
                         adjust: Callable[[SchemaSpec], SchemaSpec] = lambda schema: schema,
                         ) -> list[LayoutPart]:
    """Every file of a ``split_schemas`` port: each split's rows generated from its own
    schema (``adjust``: the scenario's column overrides), divided among its shards."""
    splits = list(port.split or [])
    sizes = [len(chunk) for chunk in np.array_split(np.arange(rows), len(splits))]
    parts: list[LayoutPart] = []
    for split, size in zip(splits, sizes, strict=True):
        only = one_split(port, split)
        assert only.schema is not None
        frame = vectorised_frame(adjust(only.schema), size, stable_seed(seed, port.name, split), types)
        parts.extend(layout_parts(only, frame, seed))
    return parts


def whole_frame(parts: list[LayoutPart]) -> pd.DataFrame:
    """The port's rows as one frame (a column a split lacks is null in its rows)."""
    frames = [part.frame for part in parts]
    if not frames:
        return pd.DataFrame()
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

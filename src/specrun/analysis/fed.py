"""What a case was fed: per input port its rows and, per column, min / max / null count.

Recorded in ``CaseResult.details["fed"]`` by isolation cases and printed by the console
reporter at ``-v``, so a green case shows whether its data went to the edges at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..results import to_jsonable

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")


def column_summary(series: pd.Series) -> dict[str, Any]:
    """``{"min", "max", "nulls"}`` of one column (min/max None when nothing orders)."""
    present = series.dropna()
    low = high = None
    if len(present):
        try:
            low, high = present.min(), present.max()
        except (TypeError, ValueError):   # mixed types (a negative case's wrong-typed column)
            texts = present.astype(str)
            low, high = texts.min(), texts.max()
    return {"min": to_jsonable(low), "max": to_jsonable(high), "nulls": int(series.isna().sum())}


def fed_summary(frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Per port: ``{"rows": n, "columns": {name: column_summary}}``."""
    return {port: {"rows": len(frame),
                   "columns": {str(name): column_summary(frame[name]) for name in frame.columns}}
            for port, frame in frames.items()}


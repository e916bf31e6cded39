"""The pandera dtypes specrun compiles its column types to, where pandera's own costs
more than the check it makes.

pandera's ``STRING`` (a ``pd.StringDtype`` column) answers a column of exactly its dtype
with one ``True`` per value instead of ``True``.  pandera then takes its per-value path:
it selects the failing values (there are none) and renders them, an empty frame, into a
message nobody reads.  That costs ~0.35 ms per ``str`` column per validation: on small
frames, more than every other check of the column together.

:func:`pandera_dtype` gives pandera, for specrun's ``str`` dtype, a ``STRING`` that says
``True`` for a column of exactly its dtype, and asks pandera's own check for everything
else (object columns, other storages, other dtypes), so every verdict and failure case is
pandera's.  Every other dtype is handed over as it is.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")


@functools.cache
def _exact_string_class() -> type:
    from pandera.engines import pandas_engine

    class ExactSTRING(pandas_engine.STRING):
        """pandera's ``STRING``; a column of exactly this dtype is answered ``True`` at once."""

        def check(self, pandera_dtype: Any, data_container: Any = None) -> Any:
            if data_container is not None:
                try:
                    resolved = pandas_engine.Engine.dtype(pandera_dtype)
                except TypeError:
                    return False
                if resolved.type == self.type:     # pandera's answer: all True, one per value
                    return True
            return super().check(pandera_dtype, data_container)

    ExactSTRING.__name__ = ExactSTRING.__qualname__ = "STRING"   # reads as pandera's in messages
    return ExactSTRING


def __getattr__(name: str) -> Any:
    """``STRING``, made on first use (so importing this module imports no pandera): what
    pickle looks up to rebuild a compiled schema's ``str`` column."""
    if name == "STRING":
        return _exact_string_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pandera_dtype(dtype: Any) -> Any:
    """What to give ``pa.Column`` for a column type's ``dtype``: the same dtype, as pandera
    checks it, in a form whose passing check costs nothing beyond the comparison."""
    if isinstance(dtype, pd.StringDtype):
        exact = _exact_string_class()(dtype.storage)
        if exact.type == dtype:   # pandera's STRING stands for this very dtype (its na_value too)
            return exact
    return dtype

"""Heavy libraries imported on first use, so that planning never pays for running.

``specrun --help``, ``--version`` and ``specrun check`` load every built-in plugin (the
modes, the column types, the properties) but run no script and read no frame; pandas,
pandera, Hypothesis, NumPy and pyarrow cost about a second to import.  A module that needs
them only inside its functions binds the name to :func:`lazy_module` for the interpreter
and to the real import for the type checker::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy_module("pandas")

The first attribute read (``pd.DataFrame``) imports the module; the proxy keeps the
module and reads every attribute from it, so a test that patches ``pandas.read_csv`` still
patches what specrun calls.  Nothing of specrun is imported here.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name`` until an attribute is read, then imports it."""

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name
        self.__dict__["_lazy_module"] = None

    def __getattr__(self, attribute: str) -> Any:   # every name but the proxy's own two
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)   # copy, pickle and inspect probe dunders: no import for them
        return getattr(self._lazy_module or self.loaded(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        raise AttributeError(f"{self._lazy_name}: a lazily imported module is read-only here")

    def loaded(self) -> ModuleType:
        """The module itself (imported now if it was not)."""
        module = importlib.import_module(self._lazy_name)
        self.__dict__["_lazy_module"] = module
        return module

    def __repr__(self) -> str:
        return f"<lazy module {self._lazy_name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for ``import name`` that imports on first attribute access (typed ``Any``:
    bind it under ``if not TYPE_CHECKING`` so the checker sees the real module)."""
    return LazyModule(name)

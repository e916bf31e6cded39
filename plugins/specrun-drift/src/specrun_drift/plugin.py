"""The entry point of specrun-drift: registers the ``drift`` testing mode.

specrun imports every installed plugin's entry point on each start, ``--help`` and
``specrun check`` included, so this module stays light: the mode (and pandas with it)
is imported when specrun asks for the modes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specrun.plugin import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from .mode import DriftMode


@hookimpl
def specrun_modes() -> list[DriftMode]:
    from .mode import DriftMode

    return [DriftMode()]

"""The command-line options property runs add (``--max-examples``, ``--no-shrink``), in a module of their own.

``property_run.py`` re-exports :func:`specrun_addoption`, so the registered plugin
implements it; ``specrun --help`` registers this light module instead, so that listing
the options does not import pandas and Hypothesis (see ``config.OPTION_PLUGINS``).
"""

from __future__ import annotations

import argparse

from ...arg_types import positive_int
from ...hooks import hookimpl


@hookimpl
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("property-based testing")
    group.add_argument("--max-examples", type=positive_int, metavar="N",
                       help="examples per property scenario (overrides the spec's examples:)")
    group.add_argument("--no-shrink", action="store_true",
                       help="report the first failing example as found, without shrinking it")

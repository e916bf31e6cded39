"""The command-line option pipeline mode adds (``--from``), in a module of its own.

``mode.py`` re-exports :func:`specrun_addoption`, so the registered plugin implements
it; ``specrun --help`` registers this light module instead, so that listing the
options does not import what running a pipeline needs (see ``config.OPTION_PLUGINS``).
"""

from __future__ import annotations

import argparse

from ...hooks import hookimpl


@hookimpl
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pipeline")
    group.add_argument("--from", dest="from_step", metavar="STEP",
                       help="pipeline mode only: rerun STEP (or PIPELINE::STEP) and its descendants, "
                            "reusing the outputs the last run kept for the steps upstream of it")

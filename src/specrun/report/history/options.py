"""The run's history option (``--history-db``), kept light: ``specrun --help`` imports only this."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ...hooks import hookimpl
from ...run_options import NamespaceOptions


def add_history_db(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--history-db", dest="history_db", metavar="FILE",
                        help="the run history database (default <workspace>/history.sqlite; "
                             "runs with their own workspaces may share one)")


@hookimpl
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    add_history_db(parser.add_argument_group("history"))


@dataclass(frozen=True)
class HistoryOptions(NamespaceOptions):
    """The option this plugin adds to a run (see :func:`specrun_addoption`)."""

    history_db: str | None = None   # --history-db FILE

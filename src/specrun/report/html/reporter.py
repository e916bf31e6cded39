"""``--html FILE``: write the run's HTML report, rendered from the same record as ``--json``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ...atomic import write_text_atomic
from ...hooks import hookimpl
from ...results import SessionResult
from ...run_options import RunOptions
from .. import json_report
from ..history.options import HistoryOptions
from ..history.store import HistoryError, db_path, duration_trends
from . import render_html


class HtmlReporter:
    def __init__(self, path: str, history_db: str | None = None) -> None:
        self.path = Path(path)
        self.history_db = history_db

    @hookimpl
    def specrun_sessionfinish(self, session, result: SessionResult) -> None:
        if session.options.plans_only:
            return
        # the canonical record, as written to --json and last-run.json, then rendered; the
        # history plugin wrote this run first (tryfirst), so the trends end with it
        write_text_atomic(self.path, render_html(json.loads(json_report.render(result)),
                                                 history_trends(session.workspace, self.history_db)))


def history_trends(workspace: Path, history_db: str | None, until_started: str | None = None) -> dict[str, list[float]]:
    """Each case's recent durations from the run history; empty when there is none or it
    cannot be read (the page then has no trends; the history never breaks a report)."""
    try:
        return duration_trends(db_path(workspace, history_db), until_started)
    except HistoryError:
        return {}


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[HtmlReporter]:
    path = RunOptions.from_namespace(config).html_path
    return [HtmlReporter(path, HistoryOptions.from_namespace(config).history_db)] if path else []

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
from . import render_html


class HtmlReporter:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    @hookimpl
    def specrun_sessionfinish(self, session, result: SessionResult) -> None:
        if session.options.plans_only:
            return
        # the canonical record, as written to --json and last-run.json, then rendered
        write_text_atomic(self.path, render_html(json.loads(json_report.render(result))))


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[HtmlReporter]:
    path = RunOptions.from_namespace(config).html_path
    return [HtmlReporter(path)] if path else []

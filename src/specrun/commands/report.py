"""``specrun report RECORD --html FILE``: render any saved JSON record as the HTML report.

The record is the one a run writes to ``--json FILE`` and ``<workspace>/last-run.json``;
the page is the one ``--html`` writes at the end of a run.  A file that is missing, is
not JSON, or is not a specrun record is a usage error naming the file (and the line).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..errors import UsageError
from ..report.history.options import HistoryOptions
from ..report.html import render_html
from ..report.html.model import RecordError
from ..report.html.reporter import history_trends
from ..results import ExitCode
from ..run_options import RunOptions


def read_record(path: Path) -> dict[str, Any]:
    """The JSON record in ``path``, or a :class:`UsageError` saying what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file (a record is written by every run to "
                         f"<workspace>/last-run.json, or by --json FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the record: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not JSON: {exc.msg} (column {exc.colno})") from None


def report_command(config: argparse.Namespace, pm: Any) -> int:
    options = RunOptions.from_namespace(config)
    source = Path(options.paths[0])
    record = read_record(source)
    try:
        # the trends up to the record's own run (an old record does not show later runs)
        trends = history_trends(Path(options.workspace), HistoryOptions.from_namespace(config).history_db,
                                str(record.get("started") or "") or None)
        page = render_html(record, trends)
    except RecordError as exc:
        raise UsageError(f"{source}: {exc}") from None
    assert options.html_path is not None   # required by the parser
    write_text_atomic(Path(options.html_path), page)
    print(f"specrun: wrote {options.html_path} ({len(record.get('cases', []))} cases from {source})")
    return int(ExitCode.OK)


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"report": report_command}

"""The JSON result record: the canonical output of a run.

Written to ``--json FILE`` and always to ``<workspace>/last-run.json`` (which
``specrun replay`` and ``--from`` read).  Writes are atomic; an interrupted run
still writes what it finished.  ``--json -`` writes the record to stdout, and then
nothing else goes there: the console report moves to stderr (:func:`to_stdout`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..analysis.coverage import step_coverage
from ..atomic import write_text_atomic
from ..hooks import hookimpl
from ..results import SessionResult, to_jsonable
from ..run_options import RunOptions
from .failure_groups import group_failures
from .warning_groups import group_warnings

SCHEMA_VERSION = 1
STDOUT = "-"   #: ``--json -``


def to_stdout(path: str | None) -> bool:
    """True when ``--json`` names stdout: the console report must then go to stderr."""
    return path == STDOUT


def write_json_text(path: str | Path, text: str) -> None:
    """Write ``text`` to the file ``path`` atomically, or to stdout for ``-``."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text_atomic(Path(path), text)


def render(result: SessionResult) -> str:
    data: dict[str, Any] = {"format": "specrun-result", "format_version": SCHEMA_VERSION}
    data.update(to_jsonable(result))
    for entry, case in zip(data["cases"], result.cases, strict=True):
        entry["flaky"] = case.flaky       # passed only after a retry (see modes/retries.py)
    data["counts"] = result.counts()
    data["flaky"] = sum(case.flaky for case in result.cases)
    data["cached"] = sum(case.cached for case in result.cases)   # served from the result cache
    data["failure_groups"] = [group.to_json() for group in group_failures(result.cases)]
    data["warning_groups"] = [group.to_json() for group in group_warnings(result.cases)]
    # per step: the scenarios that ran, the constraints negative cases exercised, --cov's lines
    data["coverage"] = [step.to_json() for step in step_coverage(data["cases"])]
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


class JsonReporter:
    def __init__(self, path: str | None) -> None:
        self.path = path or None

    @hookimpl
    def specrun_sessionfinish(self, session, result: SessionResult) -> None:
        if session.options.plans_only:
            return
        text = render(result)
        if self.path is not None:
            write_json_text(self.path, text)
        # always this run's record, even when it was interrupted before any case finished
        write_text_atomic(session.workspace / "last-run.json", text)


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[JsonReporter]:
    return [JsonReporter(RunOptions.from_namespace(config).json_path)]

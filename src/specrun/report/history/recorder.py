"""The ``history`` plugin: every run's cases into the run history (``-p no:history`` stops it).

Each case is described as it finishes (``specrun_case_finish``, while the session still
knows the spec it belongs to: its file's hash, the step script's hash), and the run is
written on ``specrun_sessionfinish`` (``tryfirst``, so that the ``--html`` page rendered
after it can show this run in its trends).  The history never decides a run's verdict:
a corrupt, locked or unwritable database is one warning line on stderr, nothing more.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ...hooks import hookimpl
from ...results import CaseResult, SessionResult
from ..last_failed import spec_key
from .options import HistoryOptions
from .options import specrun_addoption as specrun_addoption
from .store import CaseRow, HistoryError, RunRow, db_path, write_run

if TYPE_CHECKING:  # pragma: no cover
    from ...spec.model import StepSpec


def file_hash(path: Path) -> str | None:
    """The first 16 hex digits of the file's SHA-256; None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


class HistoryRecorder:
    def __init__(self, db: str | None) -> None:
        self.db = db
        self._rows: list[CaseRow] = []
        self._hashes: dict[Path, str | None] = {}
        self._lock = threading.Lock()

    def _hash(self, path: Path) -> str | None:
        with self._lock:
            if path not in self._hashes:
                self._hashes[path] = file_hash(path)
            return self._hashes[path]

    def _script_hash(self, step: StepSpec) -> str | None:
        """The script's hash; for a ``command:`` step, of the files its command names (the
        program when it is a file, and the arguments that are files: e.g. ``clean.R``)."""
        if step.script is not None:
            return self._hash(Path(step.script))
        named = [Path(a) for a in step.command or () if Path(a).is_absolute() and Path(a).is_file()]
        hashes = [self._hash(path) or "" for path in named]
        return hashlib.sha256("\0".join(hashes).encode()).hexdigest()[:16] if named else None

    @hookimpl
    def specrun_case_finish(self, session, result: CaseResult) -> None:
        if result.cached or session.options.recheck:   # not a run of the script: its run is in the history
            return
        spec = session.result_spec(result)
        step = spec.steps.get(result.step) if spec is not None and result.step else None
        metrics = result.metrics
        row = CaseRow(
            run_id=0, case_id=result.id, spec=spec_key(spec.path if spec else None, session.workspace),
            pipeline=result.pipeline, step=result.step, scenario=result.scenario, mode=result.mode,
            kind=result.kind, outcome=result.outcome.value,
            classification=result.classification.value if result.classification else None,
            duration_s=float(result.duration_s), cpu_s=metrics.cpu_s if metrics else None,
            peak_rss_bytes=metrics.peak_rss_bytes if metrics else None, seed=result.seed,
            script_hash=self._script_hash(step) if step is not None else None,
            spec_hash=self._hash(Path(spec.path)) if spec is not None else None)
        with self._lock:
            self._rows.append(row)

    @hookimpl(tryfirst=True)
    def specrun_sessionfinish(self, session, result: SessionResult) -> None:
        if session.options.plans_only or not self._rows:
            return
        path = db_path(session.workspace, self.db)
        run = RunRow(run_id=0, started=result.started, finished=result.finished, seed=result.seed,
                     exit_code=result.exit_code, args=" ".join(result.args))
        try:
            write_run(path, run, self._rows)
        except HistoryError as exc:
            print(f"specrun: warning: run history not written: {exc}", file=sys.stderr, flush=True)


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[HistoryRecorder]:
    return [HistoryRecorder(HistoryOptions.from_namespace(config).history_db)]

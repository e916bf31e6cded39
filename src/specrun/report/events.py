"""``--events FILE``: every lifecycle event as one JSON object per line (NDJSON).

A stream for other tools (dashboards, CI annotations): written and flushed as the
events happen, so a reader can follow a run live.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..hooks import hookimpl
from ..results import to_jsonable
from ..run_options import NamespaceOptions


class EventStream:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: TextIO = path.open("w", encoding="utf-8")
        self._lock = threading.Lock()

    def emit(self, event: str, **data: Any) -> None:
        line = json.dumps({"event": event, "time": time.time(), **to_jsonable(data)}, default=str)
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()

    @hookimpl
    def specrun_sessionstart(self, session) -> None:
        self.emit("session_start", versions=session.result.versions, args=session.result.args)

    @hookimpl
    def specrun_spec_error(self, session, error) -> None:
        self.emit("spec_error", message=str(error))

    @hookimpl
    def specrun_collection_finish(self, session, cases) -> None:
        self.emit("collection_finish", cases=[c.id for c in cases])

    @hookimpl
    def specrun_case_start(self, session, case) -> None:
        self.emit("case_start", id=case.id, mode=case.mode, step=case.step, scenario=case.scenario)

    @hookimpl
    def specrun_case_finish(self, session, result) -> None:
        self.emit("case_finish", result=result)

    @hookimpl
    def specrun_transition_validated(self, session, result) -> None:
        self.emit("transition_validated", id=result.id, outcome=result.outcome)

    @hookimpl
    def specrun_record(self, session, name, record) -> None:
        self.emit("record", name=name)

    @hookimpl
    def specrun_sessionfinish(self, session, result) -> None:
        self.emit("session_finish", exit_code=result.exit_code, counts=result.counts())
        with self._lock:
            self._handle.close()


@hookimpl
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", dest="events_path", metavar="FILE",
                        help="write lifecycle events as NDJSON to FILE")


@dataclass(frozen=True)
class EventsOptions(NamespaceOptions):
    """The command-line option this plugin adds (see :func:`specrun_addoption`)."""

    events_path: str | None = None   # --events FILE


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[EventStream]:
    path = EventsOptions.from_namespace(config).events_path
    return [EventStream(Path(path))] if path else []

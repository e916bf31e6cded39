"""What ``--lf``, ``--ff`` and ``--sw`` remember between runs: the failed cases, per spec.

The state lives in ``<workspace>/cache/run-state.json`` and is built from the run's
own results (every :class:`CaseResult` as it finishes), not from ``last-run.json``:
a case that failed stays failed until a later run *runs* it and it passes, so a run
that was interrupted, or that ran only some cases (``-k``, ``--lf``, ``-x``), keeps
what it did not run.  A case killed because specrun was stopping yields no result,
so it counts as not run.  The file is rewritten atomically whenever the failed set
changes and at the end of the session, so even a run killed with SIGKILL keeps the
failures it had seen.

Two parts:

* ``failed``: ``{spec key: {case id: "failed" | "error"}}``, the spec key being the
  spec file's path relative to the workspace's parent folder (the project), so that
  two specs with the same pipeline name do not mix;
* ``stepwise``: ``{"spec": key, "case": id}``, the case a ``--sw`` run stopped at.

:func:`select` turns the state and the collected cases into what runs; the
:class:`RunStateRecorder` plugin (registered as ``lastfailed``; ``-p no:lastfailed``
stops the recording) keeps the state up to date.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..hooks import hookimpl
from ..plan import PlannedCase
from ..results import CaseResult, Outcome, SessionResult
from ..run_options import RunOptions

STATE_FILE = Path("cache") / "run-state.json"
FORMAT = "specrun-run-state"
FORMAT_VERSION = 1


def state_path(workspace: Path) -> Path:
    return workspace / STATE_FILE


def spec_key(spec_path: Path | None, workspace: Path) -> str:
    """The spec's path relative to the project (the workspace's parent), else absolute; ``""`` if unknown."""
    if spec_path is None:
        return ""
    path = Path(spec_path).resolve()
    try:
        return path.relative_to(workspace.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class RunState:
    """The failed cases per spec and the ``--sw`` position; see the module docstring."""

    failed: dict[str, dict[str, str]] = field(default_factory=dict)
    stepwise: dict[str, str] | None = None

    def is_failed(self, key: str, case_id: str) -> bool:
        return case_id in self.failed.get(key, {})

    def record(self, key: str, result: CaseResult) -> bool:
        """Remember ``result`` (failed: add it; passed or skipped: forget it); True if the state changed."""
        cases = self.failed.setdefault(key, {})
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            changed = cases.get(result.id) != result.outcome.value
            cases[result.id] = result.outcome.value
        else:
            changed = cases.pop(result.id, None) is not None
        if not cases:
            del self.failed[key]
        return changed

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION,
                "failed": {k: dict(sorted(v.items())) for k, v in sorted(self.failed.items())},
                "stepwise": self.stepwise}

    @classmethod
    def from_json(cls, data: Any) -> RunState:
        """The state in ``data``; an empty state for anything that is not a state file of this version."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            return cls()
        failed = {str(k): {str(i): str(o) for i, o in v.items()}
                  for k, v in (data.get("failed") or {}).items() if isinstance(v, dict)}
        stepwise = data.get("stepwise")
        if not (isinstance(stepwise, dict) and isinstance(stepwise.get("case"), str)):
            stepwise = None
        return cls(failed=failed, stepwise={"spec": str(stepwise.get("spec", "")), "case": stepwise["case"]}
                   if stepwise else None)


def load_state(workspace: Path) -> RunState:
    """The stored state (empty when there is none or it cannot be read: it is only a cache)."""
    try:
        return RunState.from_json(json.loads(state_path(workspace).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return RunState()


def save_state(workspace: Path, state: RunState) -> None:
    write_text_atomic(state_path(workspace), json.dumps(state.to_json(), indent=2) + "\n")


def clear_state(workspace: Path) -> None:
    """``--cache-clear``: forget the failed cases and the ``--sw`` position."""
    state_path(workspace).unlink(missing_ok=True)


@dataclass
class Selection:
    """What :func:`select` chose: the cases in run order, how many it left out and why."""

    cases: list[PlannedCase]
    deselected: int = 0
    notes: list[str] = field(default_factory=list)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def select(cases: Sequence[PlannedCase], state: RunState, options: RunOptions,
           key_of: Callable[[PlannedCase], str]) -> Selection:
    """Apply ``--sw``, then ``--lf`` or ``--ff``, to the collected ``cases`` (already filtered by ``-k`` …).

    As in pytest: ``--lf`` keeps the cases that failed or errored last time they ran
    (all of them, said so, when none of the collected cases did); ``--ff`` runs those
    first, then the rest; ``--sw`` starts from the case the last ``--sw`` run stopped at
    (from the start, said so, when that case is not collected).
    """
    chosen = list(cases)
    notes: list[str] = []
    deselected = 0
    if options.stepwise and state.stepwise is not None:
        target = (state.stepwise.get("spec", ""), state.stepwise["case"])
        at = next((i for i, c in enumerate(chosen) if (key_of(c), c.id) == target), None)
        if at is None:
            notes.append(f"stepwise: previously failed case {target[1]} not collected, starting from the first case")
        else:
            deselected += at
            notes.append(f"stepwise: skipping {_plural(at, 'case')} before the previously failed {target[1]}")
            chosen = chosen[at:]
    if options.last_failed or options.failed_first:
        failed = [c for c in chosen if state.is_failed(key_of(c), c.id)]
        flag = "--lf" if options.last_failed else "--ff"
        if not failed:
            notes.append(f"{flag}: no previously failed cases, running all {_plural(len(chosen), 'case')}")
        elif options.last_failed:
            deselected += len(chosen) - len(failed)
            notes.append(f"{flag}: rerunning {_plural(len(failed), 'previously failed case')}"
                         f" ({len(chosen) - len(failed)} deselected)")
            chosen = failed
        else:
            rest = [c for c in chosen if not state.is_failed(key_of(c), c.id)]
            notes.append(f"{flag}: running {_plural(len(failed), 'previously failed case')} first, "
                         f"then {len(rest)} more")
            chosen = failed + rest
    return Selection(chosen, deselected, notes)


class RunStateRecorder:
    """Keeps ``<workspace>/cache/run-state.json`` up to date with the results of this run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: RunState | None = None
        self._workspace: Path | None = None
        self._stepwise_failure: tuple[str, str] | None = None

    def _key(self, session: Any, result: CaseResult) -> str | None:
        """The spec key of ``result``; None when its spec is not known (a session that did not
        plan through ``session.run``, e.g. pytest's, which keeps its own --lf state)."""
        spec = session.result_spec(result) if hasattr(session, "result_spec") else None
        return spec_key(spec.path, session.workspace) if spec is not None else None

    @hookimpl
    def specrun_sessionstart(self, session: Any) -> None:
        if session.options.plans_only:
            return
        self._workspace = session.workspace
        self._state = load_state(session.workspace)

    @hookimpl
    def specrun_case_finish(self, session: Any, result: CaseResult) -> None:
        if self._state is None or self._workspace is None:
            return
        key = self._key(session, result)
        if key is None:
            return
        with self._lock:
            changed = self._state.record(key, result)
            if session.options.stepwise:
                if not result.passed and self._stepwise_failure is None:
                    self._stepwise_failure = (key, result.id)
                    self._state.stepwise = {"spec": key, "case": result.id}
                    changed = True
            if changed:   # written at once: a run killed hard still keeps the failures it saw
                save_state(self._workspace, self._state)

    @hookimpl
    def specrun_sessionfinish(self, session: Any, result: SessionResult) -> None:
        if self._state is None or self._workspace is None:
            return
        with self._lock:
            if session.options.stepwise and self._stepwise_failure is None and not result.interrupted \
                    and result.cases:
                self._state.stepwise = None   # a --sw run that got to the end: start from the top next time
            save_state(self._workspace, self._state)


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[RunStateRecorder]:
    return [RunStateRecorder()]

"""Serving and storing case results: what the isolation mode asks before and after a case.

:func:`result_cache` gives a session's :class:`ResultCache` (None when ``--no-cache``,
``--update-snapshots`` or nothing runs).  :meth:`ResultCache.lookup` turns a stored record
back into a :class:`CaseResult` marked ``cached`` (its sandbox is gone: ``workdir`` is
dropped); :meth:`ResultCache.save` stores a result only when it is the script's verdict on
these inputs — never an ``ERROR`` (specrun could not run the case), a flaky pass (the
script failed at least once on this input), a ``TIMEOUT`` or ``RESOURCE_ERROR`` (they
depend on the machine's load), or anything finished while the run was stopping.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...results import CaseResult, ErrorClass, Outcome, case_from_json, to_jsonable
from .case_key import KeyMaker, Uncacheable, tree_digest
from .store import DEFAULT_MAX_BYTES, ResultStore

if TYPE_CHECKING:  # pragma: no cover
    from ...plan import PlannedCase
    from ...plugin_types import SessionLike
    from ...spec.model import PipelineSpec

#: where the results live, under the workspace
CACHE_DIR = Path("cache") / "results"
#: failures that depend on the machine more than on the script: never served from the cache
MACHINE_DEPENDENT = frozenset({ErrorClass.TIMEOUT, ErrorClass.RESOURCE_ERROR})

_CACHES: weakref.WeakKeyDictionary[Any, ResultCache] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def cache_root(workspace: Path) -> Path:
    return Path(workspace) / CACHE_DIR


def clear_results(workspace: Path) -> None:
    """``--cache-clear``: forget every stored result of the workspace."""
    ResultStore(cache_root(workspace)).clear()


class ResultCache:
    """The result store of a session and the key maker of its cases."""

    def __init__(self, session: SessionLike) -> None:
        self.session = session
        size = session.options.cache_size
        self.store = ResultStore(cache_root(session.workspace), size if size is not None else DEFAULT_MAX_BYTES)
        self.keys = KeyMaker(session)

    def key(self, spec: PipelineSpec, case: PlannedCase) -> str | None:
        """The case's key, or None when it cannot be cached (it then simply runs)."""
        extra: dict[str, Any] = {}
        scenario = getattr(case.payload, "scenario", None)
        if scenario is not None and scenario.examples is not None:
            from ...execution.sandbox import safe_name

            # the failures Hypothesis replays first decide a property run too
            extra["hypothesis_db"] = tree_digest(self.session.workspace / "hypothesis" / safe_name(case.id))
        if scenario is not None and scenario.expect.outputs:
            extra["snapshots"] = self._snapshots(spec, case)
        try:
            return self.keys.key(spec, case, extra)
        except Uncacheable:
            return None

    def lookup(self, key: str, case: PlannedCase) -> CaseResult | None:
        entry = self.store.get(key)
        if entry is None or entry.get("case_id") != case.id:
            return None
        try:
            result = case_from_json(entry["result"])
        except (KeyError, TypeError, ValueError):
            return None   # written by another specrun version: run the case
        result.cached = True
        result.workdir = None   # the original sandbox was cleared when a later run started
        result.details["cache"] = {"key": key, "stored": entry.get("stored")}
        return result

    def save(self, key: str, result: CaseResult) -> None:
        if storable(result, self.session.shouldstop):
            self.store.put(key, {"case_id": result.id, "result": to_jsonable(result)})

    def _snapshots(self, spec: PipelineSpec, case: PlannedCase) -> dict[str, str]:
        from ..golden import snapshot_path

        step, scenario = case.payload.step, case.payload.scenario
        out = {}
        for port_name, golden in scenario.expect.outputs.items():
            port = step.outputs.get(port_name)
            if golden.snapshot is not None and port is not None:
                out[port_name] = tree_digest(snapshot_path(spec, case.id, golden, port))
        return out


def storable(result: CaseResult, stopping: str | None = None) -> bool:
    """Whether ``result`` is the script's own verdict on its inputs, fit to be served again."""
    if stopping == "interrupted" or result.outcome is Outcome.ERROR or result.flaky or result.cached:
        return False
    return not (result.outcome is Outcome.FAILED and result.classification in MACHINE_DEPENDENT)


def result_cache(session: SessionLike) -> ResultCache | None:
    """The session's cache, made on first use; None when the run must not use one."""
    options = session.options
    # --update-snapshots / --accept write snapshots and --cov measures lines: only a real run does
    if (options.no_cache or options.update_snapshots or options.accept or options.cov or options.recheck
            or options.plans_only):
        return None
    with _LOCK:
        cache = _CACHES.get(session)
        if cache is None:
            cache = _CACHES[session] = ResultCache(session)
        return cache

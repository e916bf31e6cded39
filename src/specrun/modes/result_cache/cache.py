"""Serving and storing case results: what isolation and pipeline mode ask before and after a case.

:func:`result_cache` gives a session's :class:`ResultCache` (None when ``--no-cache``,
``--update-snapshots`` or nothing runs).  :meth:`ResultCache.lookup` turns a stored record
back into a :class:`CaseResult` marked ``cached`` (its sandbox is gone: ``workdir`` is
dropped); :meth:`ResultCache.save` stores a result only when it is the script's verdict on
these inputs — never an ``ERROR`` (specrun could not run the case), a flaky pass (the
script failed at least once on this input), a ``TIMEOUT`` or ``RESOURCE_ERROR`` (they
depend on the machine's load), or anything finished while the run was stopping.

A pipeline step is served with the outputs it handed over (:meth:`ResultCache.lookup_outputs`,
:meth:`ResultCache.save_outputs`): its consumers need the files.  Its key holds the content
of the inputs it was fed (its producers' outputs, fixtures, generated data), so a producer
whose output changed reruns every consumer that reads it.  Outputs whose files no longer
match the digests stored with them (a consumer wrote through a hard link) are a miss.
"""

from __future__ import annotations

import os
import shutil
import threading
import weakref
from collections.abc import Mapping
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

    def key(self, spec: PipelineSpec, case: PlannedCase, given: Mapping[str, Any] | None = None) -> str | None:
        """The case's key, or None when it cannot be cached (it then simply runs); ``given``: more
        of what decides the result (a pipeline step's ``inputs``: the digests of what it is fed)."""
        extra: dict[str, Any] = dict(given or {})
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
        found = self.lookup_attached(key, case)
        return found[0] if found is not None else None

    def lookup_attached(self, key: str, case: PlannedCase) -> tuple[CaseResult, Any] | None:
        """The stored result and what was stored with it (:meth:`save`'s ``attachment``)."""
        entry = self.store.get(key)
        if entry is None or entry.get("case_id") != case.id:
            return None
        result = self._served(key, entry)
        return (result, entry.get("attachment")) if result is not None else None

    def lookup_outputs(self, key: str, case: PlannedCase, outputs: Mapping[str, Path]) -> CaseResult | None:
        """A pipeline step's stored result, with the outputs it handed over put back at
        ``outputs`` (hard links to the stored files, copies where a link is impossible)."""
        entry = self.store.get(key)
        if entry is None or entry.get("case_id") != case.id or not isinstance(entry.get("outputs"), dict):
            return None
        tree, stored = self.store.tree_path(key), entry["outputs"]
        if set(stored) - set(outputs) or any(tree_digest(tree / name) != digest for name, digest in stored.items()):
            return None   # outputs the spec no longer declares, or files changed since they were stored
        result = self._served(key, entry)
        if result is None:
            return None
        result.details["cache"]["handed_over"] = bool(entry.get("handed_over"))
        try:
            for name in stored:
                _link_into(tree / name, outputs[name])
        except OSError:   # evicted by another run while being restored: run the step, on clean outputs
            for name in stored:
                target = outputs[name]
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.unlink(missing_ok=True)
            return None
        return result

    def save_outputs(self, key: str, result: CaseResult, outputs: Mapping[str, Path], handed_over: bool) -> None:
        """Store a pipeline step's result with the ``outputs`` it handed over (none when it handed nothing)."""
        if not storable(result, self.session.shouldstop):
            return
        present = {name: path for name, path in outputs.items() if handed_over and path.exists()}
        digests = {name: tree_digest(path) for name, path in present.items()}
        try:
            size = self.store.put_tree(key, present)
        except OSError:
            return        # a full disk: it is only a cache
        if size > self.store.max_bytes:
            shutil.rmtree(self.store.tree_path(key), ignore_errors=True)
            return
        self.store.put(key, {"case_id": result.id, "result": to_jsonable(result), "outputs": digests,
                             "handed_over": handed_over}, size)

    def _served(self, key: str, entry: dict[str, Any]) -> CaseResult | None:
        try:
            result = case_from_json(entry["result"])
        except (KeyError, TypeError, ValueError):
            return None   # written by another specrun version: run the case
        result.cached = True
        result.workdir = None   # the original sandbox was cleared when a later run started
        result.details["cache"] = {"key": key, "stored": entry.get("stored")}
        return result

    def save(self, key: str, result: CaseResult, attachment: Any = None) -> None:
        """Store ``result``; ``attachment``: more of the mode's own record, given back by
        :meth:`lookup_attached` (a deep-dive step's analysis)."""
        if storable(result, self.session.shouldstop):
            entry = {"case_id": result.id, "result": to_jsonable(result)}
            if attachment is not None:
                entry["attachment"] = to_jsonable(attachment)
            self.store.put(key, entry)

    def _snapshots(self, spec: PipelineSpec, case: PlannedCase) -> dict[str, str]:
        from ..golden import snapshot_path

        step, scenario = case.payload.step, case.payload.scenario
        out = {}
        for port_name, golden in scenario.expect.outputs.items():
            port = step.outputs.get(port_name)
            if golden.snapshot is not None and port is not None:
                out[port_name] = tree_digest(snapshot_path(spec, case.id, golden, port))
        return out


def _link_into(source: Path, dest: Path) -> None:
    """Make ``dest`` hold ``source``'s file or folder tree (hard links; copies across file systems)."""
    pairs = [(source, dest)] if source.is_file() else [
        (path, dest / path.relative_to(source)) for path in sorted(source.rglob("*")) if path.is_file()]
    if source.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
    for src, target in pairs:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        try:
            os.link(src, target)
        except OSError:
            shutil.copy2(src, target)


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

"""A session: collect specs → plan cases per mode → run them → report.

The session owns the plugin manager, the registries plugins fill (column types,
checks, properties, executors, modes) and the running :class:`SessionResult`.
Modes receive the session and yield :class:`CaseResult` records; the session
forwards each one to the reporters through ``specrun_case_finish``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from ._version import __version__
from .contract.compiler import ContractCompiler
from .contract.types import TypeRegistry
from .errors import UsageError
from .execution.namespace import Probe, probe
from .execution.request import Executor
from .hooks import hook_failures
from .keywords import KeywordExpression
from .modes.result_cache.cache import clear_results
from .plan import PlannedCase, stable_seed
from .plugin_types import Mode
from .report.last_failed import clear_state, load_state, spec_key
from .report.last_failed import select as select_rerun
from .results import CaseResult, ExitCode, Outcome, SessionResult
from .run_options import RunOptions
from .spec.model import PipelineSpec, SpecError
from .workspace_lock import WorkspaceBusy, WorkspaceLock


class Session:
    """State shared by the modes and reporters of one run.

    ``options`` are the run's typed options, read once from ``config`` (the argparse
    namespace, kept for third-party plugins, which read their own options from it).
    """

    def __init__(self, config: argparse.Namespace, pm: pluggy.PluginManager) -> None:
        self.config = config
        self.options = RunOptions.from_namespace(config)
        self.pm = pm
        self.workspace = Path(self.options.workspace).resolve()
        self.types = TypeRegistry.from_plugins(pm)
        self.checks = _merged(pm.hook.specrun_checks())
        self.properties = _merged(pm.hook.specrun_properties())
        self.executor_factories = _merged(pm.hook.specrun_executors())
        executor = self.options.executor
        if executor and executor not in self.executor_factories:
            known = ", ".join(sorted(self.executor_factories))
            raise UsageError(f"--executor {executor}: unknown executor (known: {known})")
        if "dask" in (self.options.dist, self.options.executor) and not self.options.plans_only:
            from .execution.dask.cluster import import_distributed

            import_distributed()   # without it: a one-line usage error before anything runs
        self.spec_keys = _merged(pm.hook.specrun_spec_keys())
        self.contracts = ContractCompiler(self.types, self.checks)
        self.modes: dict[str, Mode] = {m.name: m for provided in pm.hook.specrun_modes() for m in (provided or ())}
        # [tool.specrun.modes.NAME] of the project config, below each spec's modes: (see modes/options.py)
        self.project_modes: dict[str, Mapping[str, Any]] = dict(self.options.project_modes)
        self.specs: list[PipelineSpec] = []
        self.planned: list[PlannedCase] = []     # every planned case, before selection
        self.cases: list[PlannedCase] = []       # the selected cases, in run order
        self.selection_notes: list[str] = []     # what --lf / --ff / --sw did, for the reporters
        self.shouldstop: str | None = None
        self.started = time.monotonic()
        self.seed = self.options.seed
        # used when neither --seed nor the spec's defaults.seed fixes one; printed in the header
        self.fallback_seed = int.from_bytes(os.urandom(3), "big")
        self.result = SessionResult(started=datetime.now(UTC).isoformat(timespec="seconds"),
                                    versions=versions(), args=list(self.options.argv))
        self._executors: dict[str, Executor] = {}
        self._mode_choice: dict[int, list[str]] = {}   # id(spec) -> its modes (see _spec_modes)
        self._spec_of: dict[str, PipelineSpec] = {}
        self.running_spec: PipelineSpec | None = None   # the spec whose cases are running now
        self._lock = threading.Lock()
        self._closed = False   # set by close(): no executor is created after it
        self.isolation = self._choose_isolation()

    def _choose_isolation(self) -> Probe | None:
        """How scripts will run (the start-up probe, see execution/namespace.py); None when
        nothing runs.  ``--hermetic`` makes the process-sandbox fallback a usage error."""
        if self.options.plans_only:
            return None
        found = probe()
        if self.options.hermetic and not found.namespaced:
            raise UsageError(f"--hermetic: the namespace sandbox is not available here ({found.reason})")
        self.result.isolation, self.result.isolation_reason = found.isolation, found.reason
        return found

    # -- registries ----------------------------------------------------------

    def executor(self, name: str | None = None) -> Executor:
        """The executor called ``name`` (default: ``--executor`` or ``fresh``), created once."""
        name = self.options.dist or name or self.options.executor or "fresh"
        with self._lock:
            if self._closed:   # a worker thread still setting up after an interrupt: start nothing
                from .execution.runner import ExecutorClosed

                raise ExecutorClosed("specrun is stopping")
            if name not in self._executors:
                if name not in self.executor_factories:
                    known = ", ".join(sorted(self.executor_factories))
                    raise SpecError(f"unknown executor {name!r} (known: {known})", key="executor")
                self._executors[name] = self.executor_factories[name](self)
            return self._executors[name]

    def executor_name(self, spec: PipelineSpec, default: str = "fresh") -> str:
        """Which executor runs ``spec``'s steps: ``--dist``, ``--executor``, else ``defaults.executor``."""
        return self.options.dist or self.options.executor or spec.defaults.executor or default

    def close(self) -> None:
        """Close every executor (killing runs in flight); later requests for one raise
        ``ExecutorClosed`` instead of starting a new one."""
        with self._lock:
            self._closed = True
            executors = list(self._executors.values())
            self._executors.clear()
        for executor in executors:
            executor.close()

    def load_spec(self, path: Path) -> PipelineSpec:
        """Load the spec at ``path`` against this session's plugins (keys, types, properties, checks)."""
        from .spec.loader import load_spec

        return load_spec(path, extra_keys=self.spec_keys, known_types=self.types.names(),
                         known_properties=sorted(self.properties), known_checks=sorted(self.checks))

    # -- seeds ---------------------------------------------------------------

    def spec_seed(self, spec: PipelineSpec) -> int:
        if self.seed is not None:
            return self.seed
        seed = spec.defaults.seed
        return int(seed) if seed is not None else self.fallback_seed

    def case_seed(self, spec: PipelineSpec, case_id: str, explicit: int | None = None) -> int:
        """The seed of one case: explicit (scenario) or derived from the run seed and id."""
        if explicit is not None:
            return explicit
        return stable_seed(self.spec_seed(spec), case_id)

    # -- the lifecycle, called by modes ----------------------------------------

    def start_case(self, case: PlannedCase) -> None:
        self.pm.hook.specrun_case_start(session=self, case=case)

    def finish_case(self, result: CaseResult) -> None:
        with self._lock:
            self.result.cases.append(result)
        self.pm.hook.specrun_case_finish(session=self, result=result)
        if result.kind == "transition":
            self.pm.hook.specrun_transition_validated(session=self, result=result)
        if not result.passed and (self.options.exitfirst or self.options.stepwise) and not self.shouldstop:
            flag = "-x" if self.options.exitfirst else "--sw"
            self.shouldstop = f"stopping after first failure ({result.id}, {flag})"

    def result_spec(self, result: CaseResult) -> PipelineSpec | None:
        """The spec ``result`` belongs to: the one whose mode run produced it (two specs may
        share a pipeline name and so case ids), else the spec of the planned case of that id."""
        if self.running_spec is not None:
            return self.running_spec
        with self._lock:
            if len(self._spec_of) != len(self.planned):
                self._spec_of = {c.id: c.spec for c in self.planned if c.spec is not None}
            return self._spec_of.get(result.id)

    def publish(self, name: str, record: Any) -> None:
        """Keep a mode-level record in the JSON report and tell the reporters."""
        with self._lock:
            self.result.records[name] = record
        self.pm.hook.specrun_record(session=self, name=name, record=record)

    def replay_command(self, spec: PipelineSpec, case_id: str) -> str:
        seed = self.spec_seed(spec)
        return f"specrun {_shell_quote(str(_relative(spec.path)))} --seed {seed} --id {_shell_quote(case_id)}"

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def select_cases(cases: Iterable[PlannedCase], options: RunOptions) -> list[PlannedCase]:
    """Apply ``-k``, ``--id``, ``--scenario`` and ``--step`` to planned cases (``--mode`` is
    applied when modes are chosen: see ``modes/selection.py``)."""
    keyword = KeywordExpression.compile(options.keyword) if options.keyword else None
    ids = set(options.ids)
    scenarios = set(options.scenario)
    steps = set(options.step)
    chosen = []
    for case in cases:
        if ids and case.id not in ids:
            continue
        if scenarios and case.scenario is not None and case.scenario not in scenarios:
            continue
        if steps and case.step is not None and case.step not in steps:
            continue
        if keyword and not keyword.matches(case.id):
            continue
        chosen.append(case)
    return chosen


def exit_code_for(result: SessionResult) -> ExitCode:
    if result.interrupted:
        return ExitCode.INTERRUPTED
    if not result.cases:
        return ExitCode.NO_TESTS_COLLECTED
    if any(c.outcome in (Outcome.FAILED, Outcome.ERROR) for c in result.cases):
        return ExitCode.TESTS_FAILED
    return ExitCode.OK


def versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    out = {"specrun": __version__, "python": platform.python_version()}
    for dist in ("pandas", "pandera", "numpy", "pyarrow", "hypothesis"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def _merged(provided: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # pluggy returns results last-registered first; let later plugins override earlier ones
    for mapping in reversed(list(provided)):
        out.update(mapping or {})
    return out


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _shell_quote(text: str) -> str:
    import shlex
    return shlex.quote(text)


def warm_executors(session: Session, names: Iterable[str]) -> None:
    """Let the executors the run will use start what they need ahead: those whose factory
    says ``warm_ahead = True`` (cheap to create; the fork executor, whose warm parent then
    imports on another core while the first cases are prepared) are created now and their
    ``warm()`` called.  Others (a Dask cluster) are still created by the first case that
    needs one, so a run whose cases are all served from the cache starts none."""
    for name in dict.fromkeys(session.options.dist or name for name in names):
        if not getattr(session.executor_factories.get(name), "warm_ahead", False):
            continue
        try:
            executor = session.executor(name)
        except (SpecError, UsageError, OSError, RuntimeError):
            continue           # the first case that asks for it reports the same error
        warm = getattr(executor, "warm", None)
        if callable(warm):
            warm()


def run(config: argparse.Namespace, pm: pluggy.PluginManager) -> ExitCode:
    """Collect, plan, run and report; the exit code follows pytest's conventions."""
    from .preflight import preflight
    from .spec.loader import discover_specs

    session = Session(config, pm)
    options = session.options
    if options.cache_clear:   # before the reporters read it (sessionstart)
        clear_state(session.workspace)
        clear_results(session.workspace)
    lock = WorkspaceLock(session.workspace)
    pm.hook.specrun_sessionstart(session=session)
    interrupted = False
    try:
        errors: list[SpecError] = []
        plugin_errors = options.spec_plugin_errors
        missing = [SpecError("file or directory not found", file=p) for p in options.paths if not Path(p).exists()]
        if missing:   # as pytest does: one line per path, nothing runs, exit 4
            for exc in missing:
                pm.hook.specrun_spec_error(session=session, error=exc)
            return _finish(session, ExitCode.SPEC_ERROR)
        for path in discover_specs([Path(p) for p in options.paths]):
            if path.absolute() in plugin_errors:   # a plugin it names is missing: see config.load_spec_plugins
                errors.append(plugin_errors[path.absolute()])
                continue
            try:
                spec = session.load_spec(path)
                preflight(spec, session)
            except SpecError as exc:
                errors.append(exc)
                continue
            session.specs.append(spec)
        if errors:
            for spec_error in errors:
                pm.hook.specrun_spec_error(session=session, error=spec_error)
            return _finish(session, ExitCode.SPEC_ERROR)
        try:
            planned = _plan(session)
        except SpecError as exc:
            pm.hook.specrun_spec_error(session=session, error=exc)
            return _finish(session, ExitCode.SPEC_ERROR)
        session.planned = planned
        session.cases = _rerun_selection(session, select_cases(planned, options))
        session.result.collected = len(session.cases)
        session.result.deselected = len(planned) - len(session.cases)
        if options.check_only:
            try:   # static findings of plugins (e.g. pipeline edge compatibility), published as "check"
                session.publish("check", [f for spec in session.specs
                                          for found in pm.hook.specrun_static_check(session=session, spec=spec)
                                          for f in (found or ())])
            except SpecError as exc:
                pm.hook.specrun_spec_error(session=session, error=exc)
                return _finish(session, ExitCode.SPEC_ERROR)
        pm.hook.specrun_collection_finish(session=session, cases=session.cases)
        if options.plans_only:
            code = ExitCode.OK if session.cases or options.check_only else ExitCode.NO_TESTS_COLLECTED
            if any(getattr(f, "severity", None) == "error" for f in session.result.records.get("check", ())):
                code = ExitCode.TESTS_FAILED
            return _finish(session, code)
        if not session.cases:
            return _finish(session, ExitCode.NO_TESTS_COLLECTED)
        claim_workspace(session, lock)
        groups = list(_run_groups(session))
        warm_executors(session, [session.executor_name(spec) for spec, _, _ in groups])
        for spec, mode_name, chosen in groups:
            if session.shouldstop:
                break
            session.running_spec = spec
            for result in session.modes[mode_name].run(session, spec, chosen):
                session.finish_case(result)
                if session.shouldstop:
                    break
    except KeyboardInterrupt as exc:   # Ctrl-C, or SIGTERM / SIGHUP (see interrupts.py)
        interrupted = True
        session.result.stop_signal = str(exc.args[0]) if exc.args else "SIGINT"
    finally:
        session.close()
        lock.release()
    session.result.interrupted = interrupted
    return _finish(session, exit_code_for(session.result))


def claim_workspace(session: Session, lock: WorkspaceLock | None = None) -> WorkspaceLock:
    """Take the workspace before any script runs (:class:`UsageError` when another run
    holds it) and clear the previous run's kept sandboxes; the caller releases the lock."""
    lock = lock or WorkspaceLock(session.workspace)
    try:
        lock.acquire()   # before touching the workspace: another run may be using it
    except WorkspaceBusy as exc:
        raise UsageError(str(exc)) from None
    # failed cases' sandboxes are kept for inspection until the next run starts (a --recheck
    # run reads them, so they stay)
    if not session.options.recheck:
        shutil.rmtree(session.workspace / "sandboxes", ignore_errors=True)
    return lock


def _rerun_selection(session: Session, cases: list[PlannedCase]) -> list[PlannedCase]:
    """``--lf``, ``--ff``, ``--sw`` from the state the last runs left (see report/last_failed.py)."""
    options = session.options
    if not (options.last_failed or options.failed_first or options.stepwise):
        return cases
    state = load_state(session.workspace)
    chosen = select_rerun(cases, state, options,
                          lambda case: spec_key(case.spec.path if case.spec else None, session.workspace))
    session.selection_notes = chosen.notes
    return chosen.cases


def _run_groups(session: Session) -> list[tuple[PipelineSpec, str, list[PlannedCase]]]:
    """The selected cases as (spec, mode, cases) groups, each mode run once per spec, the groups
    in the order of their first case (the planned order, unless ``--ff`` moved failed cases first)."""
    groups: dict[tuple[int, str], tuple[PipelineSpec, str, list[PlannedCase]]] = {}
    for case in session.cases:
        if case.spec is None:
            continue
        group = groups.setdefault((id(case.spec), case.mode), (case.spec, case.mode, []))
        group[2].append(case)
    return list(groups.values())


def _plan(session: Session) -> list[PlannedCase]:
    planned: list[PlannedCase] = []
    for spec in session.specs:
        planned.extend(plan_spec(session, spec))
    return planned


def plan_spec(session: Session, spec: PipelineSpec) -> list[PlannedCase]:
    """Every case the spec's modes plan for ``spec``, before selection."""
    return [case for mode_name in _spec_modes(session, spec) for case in session.modes[mode_name].plan(session, spec)]


def spec_modes(session: Session, spec: PipelineSpec) -> list[str]:
    """The modes that run ``spec`` (its ``modes:``, ``--mode``, plugins' choice)."""
    return _spec_modes(session, spec)


def _spec_modes(session: Session, spec: PipelineSpec) -> list[str]:
    cache = session._mode_choice
    if id(spec) not in cache:
        chosen = session.pm.hook.specrun_select_modes(
            spec=spec, config=session.config, available=sorted(session.modes)) or []
        # a mode whose plugin the user blocked (-p no:NAME) is left out, not an error
        chosen = [m for m in chosen if m in session.modes or not session.pm.is_blocked(m)]
        unknown = [m for m in chosen if m not in session.modes]
        if unknown:
            raise SpecError(f"unknown mode(s) {', '.join(unknown)} (known: {', '.join(sorted(session.modes))})",
                            spec.where("modes"))
        cache[id(spec)] = chosen
    return cache[id(spec)]


def finish_session(session: Session, code: ExitCode) -> ExitCode:
    """End the run: hook failures make ``code`` 3; the record is completed and handed to
    the reporters (``specrun_sessionfinish``: the JSON record, ``last-run.json``)."""
    return _finish(session, code)


def _finish(session: Session, code: ExitCode) -> ExitCode:
    failures = hook_failures(session.pm)
    if failures:   # a plugin hook raised: the run went on, but it is an internal error
        code = ExitCode.INTERNAL_ERROR
        session.result.records["hook_errors"] = [
            {"plugin": f.plugin, "hook": f.hook, "error": f.error, "count": f.count} for f in failures]
    session.result.exit_code = int(code)
    if not session.options.plans_only:
        finished = {c.id for c in session.result.cases}
        session.result.not_run = sum(c.id not in finished for c in session.cases)
        session.result.stopped = session.shouldstop if session.shouldstop != "interrupted" else None
    session.result.finished = datetime.now(UTC).isoformat(timespec="seconds")
    session.result.seed = session.seed
    session.pm.hook.specrun_sessionfinish(session=session, result=session.result)
    return code


if TYPE_CHECKING:  # pragma: no cover
    from .plugin_types import SessionLike

    def _session_is_session_like(session: Session) -> SessionLike:
        """Never called: mypy checks here that a Session is what the modes are typed to take."""
        return session

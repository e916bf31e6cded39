"""One specrun session per pytest session: the plugins, the loaded specs, the workspace.

:class:`SpecrunState` is what the pytest nodes share.  It builds the plugin manager and
:class:`~specrun.session.Session` the way ``specrun`` does (project config, entry points,
``-p``, the plugins the spec files name, ``specrun_configure``, the reporters), but with
the terminal and JUnit reporters blocked — pytest reports — so what stays is the run
record (``<workspace>/last-run.json``) and third-party reporters.  Cases run through the
modes' own ``run`` (see :mod:`.runner`); the workspace lock is taken before the first
script runs and released when pytest's session ends.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .options import owned_by_pytest, quoted, specrun_argv

if TYPE_CHECKING:  # pragma: no cover
    import pluggy

    from ..plan import PlannedCase
    from ..session import Session
    from ..spec.model import PipelineSpec, SpecError
    from ..workspace_lock import WorkspaceLock
    from .runner import CaseRunner

#: specrun's reporters that pytest stands in for in a pytest run
PYTEST_REPORTS = ("console", "pipeline_console", "deep_dive_console", "junit")

_STATE = pytest.StashKey["SpecrunState"]()


def specrun_state(config: pytest.Config) -> SpecrunState:
    """This pytest session's specrun state, made at the first spec file collected."""
    state = config.stash.get(_STATE, None)
    if state is None:
        state = config.stash[_STATE] = SpecrunState(config)
    return state


def current_state(config: pytest.Config) -> SpecrunState | None:
    """The specrun state if a spec file was collected in this pytest session, else None."""
    return config.stash.get(_STATE, None)


class SpecrunState:
    """The specrun side of one pytest session, created at the first spec file collected."""

    def __init__(self, config: pytest.Config) -> None:
        from ..cli import register_reporters
        from ..config import build_parser, check_hooks, load_plugins
        from ..errors import UsageError
        from ..project_config import load_project_config
        from ..session import Session

        self.pytest_config = config
        argv = specrun_argv(config)
        blocked = [arg for name in PYTEST_REPORTS for arg in ("-p", f"no:{name}")]
        self.argv = argv
        try:
            project = load_project_config(config.rootpath)
            self.pm: pluggy.PluginManager = load_plugins([*blocked, *argv], project=project)
            parser = build_parser(self.pm)
            namespace = _parse(parser, argv)
            owned = owned_by_pytest(vars(namespace), vars(parser.parse_args([])))
            if owned:
                raise UsageError(f"specrun options {quoted(argv)}: " + "; ".join(owned))
            namespace.argv = ["pytest", *config.invocation_params.args]
            namespace.command = "run"
            namespace.check_only = False
            namespace.project = project
            namespace.project_modes = project.modes
            if namespace.cache_size is None:
                namespace.cache_size = project.cache_size
            self.spec_plugin_errors: dict[Path, SpecError] = {}
            namespace.spec_plugin_errors = self.spec_plugin_errors
            check_hooks(self.pm)
            self.pm.hook.specrun_configure(config=namespace, pm=self.pm)
            register_reporters(self.pm, namespace)
            check_hooks(self.pm)
            self.namespace = namespace
            self.session: Session = Session(namespace, self.pm)
        except UsageError as exc:
            raise pytest.UsageError(f"specrun: {exc}") from None
        self.pm.hook.specrun_sessionstart(session=self.session)
        self.lock: WorkspaceLock | None = None
        self._runner: CaseRunner | None = None
        self.finished = False

    # -- collection ------------------------------------------------------------

    def load(self, path: Path) -> PipelineSpec:
        """The spec at ``path``, loaded and preflighted against this session's plugins
        (a :class:`SpecError` is the file's collection error)."""
        from ..preflight import preflight

        self._spec_plugins(path)
        if path.absolute() in self.spec_plugin_errors:
            raise self.spec_plugin_errors[path.absolute()]
        spec = self.session.load_spec(path)
        preflight(spec, self.session)
        self.session.specs.append(spec)
        return spec

    def _spec_plugins(self, path: Path) -> None:
        """Load the plugins the spec names before it is validated, as the CLI does.  pytest
        collects file by file, so a plugin named by a later file arrives after the session
        was made: the session's registries (keys, types, checks, modes) are then rebuilt
        and the new plugins configured; the specs loaded so far stay."""
        from ..cli import register_reporters
        from ..config import check_hooks, load_spec_plugins
        from ..session import Session

        before = self.pm.get_plugins()
        self.spec_plugin_errors.update(load_spec_plugins(self.pm, [path]))
        if self.pm.get_plugins() == before:
            return
        check_hooks(self.pm)
        self.pm.subset_hook_caller("specrun_configure", remove_plugins=before)(config=self.namespace, pm=self.pm)
        register_reporters(self.pm, self.namespace)
        check_hooks(self.pm)
        specs, result = self.session.specs, self.session.result
        self.session = Session(self.namespace, self.pm)
        self.session.specs, self.session.result = specs, result

    def plan(self, spec: PipelineSpec) -> list[PlannedCase]:
        """The cases of ``spec``: every mode's plan, then specrun's own selection
        (``--specrun-scenario``; pytest does the rest)."""
        from ..session import plan_spec, select_cases

        return select_cases(plan_spec(self.session, spec), self.session.options)

    def collected(self, cases: list[PlannedCase]) -> None:
        """pytest's collection is final (``-k``, ``--lf`` applied): tell specrun's plugins."""
        self.session.cases = cases
        self.session.result.collected = len(cases)
        self.pm.hook.specrun_collection_finish(session=self.session, cases=cases)

    # -- running ---------------------------------------------------------------

    @property
    def runner(self) -> CaseRunner:
        """The case runner; the first call takes the workspace (lock, stale sandboxes cleared):
        ``pytest_runtestloop`` makes it before the first item runs."""
        if self._runner is None:
            from ..errors import UsageError
            from ..session import claim_workspace
            from .runner import CaseRunner

            try:
                self.lock = claim_workspace(self.session)
            except UsageError as exc:
                raise pytest.UsageError(f"specrun: {exc}") from None
            self._runner = CaseRunner(self.session)
        return self._runner

    def finish(self, interrupted: bool) -> None:
        """pytest's session ends: stop what still runs, write the run record, release the lock."""
        from ..session import exit_code_for, finish_session

        if self.finished:
            return
        self.finished = True
        try:
            if self._runner is not None:
                self._runner.close()
        finally:
            self.session.close()
            if self.lock is not None:
                self.lock.release()
        self.session.result.interrupted = interrupted
        if self._runner is not None:   # nothing ran (collect-only, errors): no run record, as with specrun
            finish_session(self.session, exit_code_for(self.session.result))
        self.pm.hook.specrun_unconfigure(config=self.namespace)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    from ..errors import UsageError

    try:
        return parser.parse_args(argv)
    except SystemExit:   # argparse printed its message on stderr
        raise UsageError(f"cannot parse the specrun options {quoted(argv)} (see the message above)") from None

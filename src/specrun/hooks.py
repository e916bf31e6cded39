"""Hook specifications and the plugin manager.

Everything specrun does beyond parsing goes through these hooks, as in pytest:
the built-in modes (isolation, pipeline, deep dive) and reporters (console, JSON,
JUnit) are plugins registered exactly like a third-party package that declares
an entry point in the ``specrun`` group.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    import strictyaml as sy

    from .contract.types import ColumnType
    from .hook_guard import HookFailure
    from .plan import PlannedCase
    from .plugin_types import CheckFactory, ExecutorFactory, Mode, PropertyChecker, StaticFinding
    from .results import CaseResult, ChildError, ErrorClass, ExecutionMetrics, SessionResult
    from .session import Session
    from .spec.model import PipelineSpec

PROJECT = "specrun"
HOOK_PREFIX = "specrun_"   #: every hook's name starts with it
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# Built-in plugins, registered in this order at start-up: (registered name, module).
# The name is what ``-p no:NAME`` blocks; those in ESSENTIAL_PLUGINS cannot be blocked.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("isolation", "specrun.modes.isolation.mode"),
    ("property_run", "specrun.modes.isolation.property_run"),
    ("pipeline", "specrun.modes.pipeline.mode"),
    ("deep_dive", "specrun.modes.deep_dive.mode"),
    ("selection", "specrun.modes.selection"),
    ("builtin_types", "specrun.contract.builtin_types"),
    ("properties", "specrun.contract.properties"),
    ("classify", "specrun.execution.classify"),
    ("executors", "specrun.execution.executors"),
    ("console", "specrun.report.console"),
    ("pipeline_console", "specrun.report.pipeline_console"),
    ("deep_dive_console", "specrun.report.deep_dive_console"),
    ("json", "specrun.report.json_report"),
    ("junit", "specrun.report.junit"),
    ("html", "specrun.report.html.reporter"),
    ("events", "specrun.report.events"),
    ("lastfailed", "specrun.report.last_failed"),
    ("history", "specrun.report.history.recorder"),
)
ESSENTIAL_PLUGINS: frozenset[str] = frozenset({"selection", "builtin_types", "classify"})


# -- configuration -----------------------------------------------------------

@hookspec(historic=True)
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    """Add command-line options (use ``parser.add_argument_group(NAME)``)."""


@hookspec
def specrun_spec_keys() -> Mapping[str, sy.Validator] | None:
    """Return ``{top_level_key: strictyaml_validator}`` for spec keys this plugin owns.

    The loader validates the key with the validator (line-numbered errors like the
    rest of the spec) and stores the parsed value in ``PipelineSpec.extensions``.
    """


@hookspec
def specrun_configure(config: argparse.Namespace, pm: pluggy.PluginManager) -> None:
    """Called once after options are parsed and plugins are loaded."""


@hookspec
def specrun_unconfigure(config: argparse.Namespace) -> None:
    """Called once before the process exits."""


# -- registries --------------------------------------------------------------

@hookspec
def specrun_modes() -> Iterable[Mode] | None:
    """Return testing-mode objects (see :class:`specrun.plugin_types.Mode`).

    A mode has ``name: str``, ``plan(session, spec) -> list[PlannedCase]`` and
    ``run(session, spec, cases) -> Iterator[CaseResult]``.  It never prints.
    """


@hookspec
def specrun_reporters(config: argparse.Namespace) -> Iterable[object] | object | None:
    """Return reporter objects (one, or a list) to register as plugins for this run
    (they implement the lifecycle hooks below)."""


@hookspec
def specrun_column_types() -> Iterable[ColumnType] | None:
    """Return column types (see ``specrun.contract.types.ColumnType``)."""


@hookspec
def specrun_checks() -> Mapping[str, CheckFactory] | None:
    """Return ``{name: factory}``; ``factory(args) -> pandera.Check`` usable as
    ``checks: [{name: args}]`` on a column."""


@hookspec
def specrun_properties() -> Mapping[str, PropertyChecker] | None:
    """Return ``{kind: checker}``; ``checker(params, context) -> PropertyResult``
    for ``properties:`` entries of a step."""


@hookspec
def specrun_executors() -> Mapping[str, ExecutorFactory] | None:
    """Return ``{name: factory}``; ``factory(session) -> Executor`` (see ``execution/request.py``)."""


@hookspec(firstresult=True)
def specrun_classify_error(error: ChildError | None, metrics: ExecutionMetrics,
                           stderr: str, inputs_valid: bool | None) -> ErrorClass | None:
    """Return an ``ErrorClass`` for a failed run, or None to let others decide.

    ``inputs_valid``: whether the run's inputs satisfied their contracts (None when not
    known), so an exception can blame the script (valid input) or the data (invalid
    input).  An implementation may leave out arguments it does not use."""


@hookspec(firstresult=True)
def specrun_select_modes(spec: PipelineSpec, config: argparse.Namespace,
                         available: Sequence[str]) -> list[str] | None:
    """Return the names of the modes to run for ``spec``, in order."""


@hookspec
def specrun_static_check(session: Session, spec: PipelineSpec) -> Iterable[StaticFinding] | None:
    """Return static findings for ``spec``, found without running anything (``specrun check``).

    A finding has ``severity`` (``error`` or ``warning``) and a one-line ``message``
    (and may have a ``location``).  Any error makes ``specrun check`` exit 1; a
    ``SpecError`` raised here is a spec error (exit 4).
    """


# -- lifecycle events (reporters consume these as a stream) ------------------

@hookspec
def specrun_sessionstart(session: Session) -> None:
    """The session is about to collect."""


@hookspec
def specrun_spec_error(session: Session, error: Exception) -> None:
    """A spec (or a plugin it names) is invalid; ``str(error)`` is ``file:line: key: message``."""


@hookspec
def specrun_collection_finish(session: Session, cases: Sequence[PlannedCase]) -> None:
    """All specs are planned; ``cases`` are the selected cases."""


@hookspec
def specrun_case_start(session: Session, case: PlannedCase) -> None:
    """A case starts running."""


@hookspec
def specrun_case_finish(session: Session, result: CaseResult) -> None:
    """A case has a result (steps, transitions, analyses alike)."""


@hookspec
def specrun_transition_validated(session: Session, result: CaseResult) -> None:
    """Pipeline mode validated one edge (also reported through case_finish)."""


@hookspec
def specrun_record(session: Session, name: str, record: object) -> None:
    """A mode publishes a mode-level record (e.g. the pipeline's data evolution)."""


@hookspec
def specrun_sessionfinish(session: Session, result: SessionResult) -> None:
    """Everything ran; ``result.exit_code`` is set.  Reporters write files here."""


class PluginManager(pluggy.PluginManager):
    """pluggy's manager for the ``specrun`` hooks, with a :class:`HookGuard`
    recording lifecycle-hook failures (``hook_guard.failures``) instead of raising."""

    def __init__(self) -> None:
        import sys

        from .hook_guard import HookGuard

        super().__init__(PROJECT)
        self.add_hookspecs(sys.modules[__name__])
        self.hook_guard = HookGuard()
        self.hook_guard.install(self)


def make_plugin_manager() -> PluginManager:
    return PluginManager()


def hook_failures(pm: pluggy.PluginManager) -> list[HookFailure]:
    """The lifecycle-hook failures recorded so far (``HookFailure`` records)."""
    guard = getattr(pm, "hook_guard", None)
    return list(guard.failures) if guard is not None else []

"""The run's options, typed: what the command line and the project config say, read once.

:class:`RunOptions` holds every option of the ``specrun`` command itself (selection,
running, reporting) and the project config's ``[modes.NAME]`` tables.  The options a
built-in plugin adds through ``specrun_addoption`` belong to that plugin: each keeps a
small frozen dataclass of its own (``PropertyRunOptions``, ``PipelineRunOptions``,
``DeepDiveRunOptions``, ``EventsOptions``) built by :meth:`NamespaceOptions.from_namespace`.
The spec's own layer (``modes: {NAME: ...}``) is applied per spec by
``modes.options.mode_options(spec, name, options.project_modes)``.

The argparse namespace stays as ``session.config`` for third-party plugins, which
read their own options from it.  This module imports nothing of specrun at run time.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:  # pragma: no cover
    from .spec.model import SpecError


class NamespaceOptions:
    """A frozen dataclass of options read from an argparse namespace, one field per option.

    A field reads the attribute named by its ``metadata["dest"]`` (default: the field's
    name).  An attribute that is absent (a plugin blocked with ``-p no:NAME``, a namespace
    built by hand) or None takes the field's default, which is argparse's default for an
    option not given.  Lists become tuples and mappings read-only, so the object is frozen
    all the way down to its first level; values are taken as argparse typed them.
    """

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace) -> Self:
        given = vars(namespace)
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):  # type: ignore[arg-type]  # subclasses are dataclasses
            if not spec.init:
                continue
            value = given.get(spec.metadata.get("dest", spec.name))
            if value is None:
                continue   # the field's default
            if isinstance(value, list):
                value = tuple(value)
            elif isinstance(value, dict):
                value = MappingProxyType(dict(value))
            values[spec.name] = value
        return cls(**values)


def _frozen_mapping() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class RunOptions(NamespaceOptions):
    """The options of one ``specrun`` invocation (see docs/cli.md for each)."""

    # what runs
    command: str = "run"                       # the sub-command, "run" for plain ``specrun PATHS``
    argv: tuple[str, ...] = ()                 # the arguments as given (the sub-command first)
    paths: tuple[str, ...] = ("specs",)
    # selection
    keyword: str | None = None                 # -k EXPR
    ids: tuple[str, ...] = ()                  # --id (repeatable)
    scenario: tuple[str, ...] = ()             # --scenario (repeatable)
    step: tuple[str, ...] = ()                 # --step (repeatable)
    mode: tuple[str, ...] = ()                 # --mode (repeatable)
    quick: bool = False
    collect_only: bool = False
    check_only: bool = False                   # ``specrun check``
    last_failed: bool = False                  # --lf: only the cases that failed last time they ran
    failed_first: bool = False                 # --ff: those first, then the rest
    stepwise: bool = False                     # --sw: stop at the first failure, start from it next time
    cache_clear: bool = False                  # --cache-clear: forget the stored run state and results first
    # running
    seed: int | None = None
    exitfirst: bool = False
    jobs: int | None = None                    # -n (None: not given; the mode's option applies)
    executor: str | None = None
    dist: str | None = None                    # --dist dask: every case on a Dask cluster (execution/dask/)
    scheduler: str | None = None               # --scheduler / [tool.specrun] scheduler (None: embedded cluster)
    dask_workers: int = 2                      # --dask-workers: the embedded cluster's worker processes
    dask_dashboard: bool = False               # --dask-dashboard
    dask_transfer_cap: int | None = None       # --dask-transfer-cap, bytes (None: execution/dask/task.py's)
    keep_sandboxes: bool = False
    cov: bool = False                          # --cov: line coverage of the scripts (coverage.py, in the child)
    update_snapshots: bool = False             # --update-snapshots: write golden snapshots from the outputs
    accept: bool = False                       # --accept: a rewritten (changed) snapshot passes
    recheck: bool = False                      # --recheck: judge the last run's kept outputs, run nothing
    warning_filters: tuple[str, ...] = ()      # -W FILTER (repeatable): passed to every script
    hermetic: bool = False                     # --hermetic: the namespace sandbox or a usage error
    no_cache: bool = False                     # --no-cache: run every case, store nothing (modes/result_cache)
    cache_size: int | None = None              # --cache-size / [tool.specrun] cache_size, bytes (None: default)
    workspace: str = ".specrun"
    # reporting
    json_path: str | None = None               # --json FILE
    junitxml: str | None = None
    html_path: str | None = None               # --html FILE (a run, and ``specrun report RECORD``)
    quiet: int = 0
    verbose: int = 0
    plugins: tuple[str, ...] = ()              # -p NAME
    schema_path: bool = False                  # ``specrun schema --path``
    # the project config's [modes.NAME] tables, below each spec's modes:
    project_modes: Mapping[str, Mapping[str, Any]] = field(default_factory=_frozen_mapping)
    # set by the CLI after loading the plugins the specs name: {spec path: its error}
    spec_plugin_errors: Mapping[Path, SpecError] = field(default_factory=_frozen_mapping)

    @property
    def verbosity(self) -> int:
        """How talkative the terminal reporters are: the ``-v`` count minus the ``-q`` count."""
        return self.verbose - self.quiet

    @property
    def plans_only(self) -> bool:
        """Nothing runs: ``--collect-only`` lists the cases, ``specrun check`` checks the specs."""
        return self.collect_only or self.check_only

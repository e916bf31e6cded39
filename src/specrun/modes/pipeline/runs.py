"""The runs of the DAG a spec asks for: one per scenario of ``modes.pipeline.scenarios``
(or the one ``scenario``) and per combination of that scenario's ``parametrize``.

Each :class:`ScenarioRun` has a label that makes its case ids, its record name and its
kept-outputs folder its own: ``PIPELINE::pipeline[LABEL]::STEP``, ``pipeline:PIPELINE[LABEL]``,
``<workspace>/pipeline/PIPELINE[LABEL]/`` (see :meth:`ScenarioRun.folder`).  The label is
the scenario's name (left out when only one scenario runs) and the parameters
``KEY=VALUE`` joined by ``-``, as in isolation ids; a spec whose pipeline runs once has
no label, and its ids are ``PIPELINE::pipeline::STEP``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...execution.sandbox import safe_name
from ...spec.model import PipelineSpec, ScenarioSpec, SpecError, StepSpec
from ..isolation.mode import expand

if TYPE_CHECKING:  # pragma: no cover
    from ...analysis.compat import Edge

NAME = "pipeline"
#: parametrize keys that only property runs read: no meaning for a pipeline run
PROPERTY_ONLY = ("examples", "max_rows")
_FILE_CHARS = "-_.=+,"
_MAX_LABEL = 80


@dataclass(frozen=True)
class ScenarioRun:
    """One run of the whole DAG: the scenario its source inputs follow and its parameters."""

    scenario: ScenarioSpec
    params: dict[str, Any] = field(default_factory=dict)
    label: str | None = None      # None: the spec's only pipeline run

    def prefix(self, pipeline: str) -> str:
        """The start of every case id of the run: ``PIPELINE::pipeline`` or ``PIPELINE::pipeline[LABEL]``."""
        return f"{pipeline}::{NAME}" + (f"[{self.label}]" if self.label else "")

    def run_name(self, pipeline: str) -> str:
        """``PIPELINE`` or ``PIPELINE[LABEL]``: the record's name after ``pipeline:``, the kept outputs' folder."""
        return pipeline + (f"[{self.label}]" if self.label else "")

    def folder(self, pipeline: str) -> str | None:
        """The kept outputs' folder name of a labelled run (None: the pipeline's own): ``PIPELINE[LABEL]``,
        with characters a file name should not hold replaced and a digest of the label added then."""
        if not self.label:
            return None
        text = "".join(ch if ch.isalnum() or ch in _FILE_CHARS else "_" for ch in self.label)
        if text != self.label or len(text) > _MAX_LABEL:
            text = f"{text[:_MAX_LABEL]}-{zlib.crc32(self.label.encode()):08x}"
        return f"{safe_name(pipeline)}[{text}]"

    @property
    def env(self) -> dict[str, str]:
        """The ``env.NAME`` parameters, added to every step's env in this run."""
        return {k[4:]: str(v) for k, v in self.params.items() if k.startswith("env.")}

    @property
    def job_args(self) -> dict[str, Any]:
        """The ``job_args.NAME`` parameters, added to every step's job_args in this run."""
        return {k[9:]: v for k, v in self.params.items() if k.startswith("job_args.")}


@dataclass(frozen=True)
class PipelineCase:
    """The payload of a planned pipeline case: its step (a transition's consumer), its run, its edge."""

    step: StepSpec
    run: ScenarioRun
    edge: Edge | None = None


def scenario_names(spec: PipelineSpec, options: dict[str, Any]) -> tuple[list[str], str]:
    """The scenario names pipeline mode runs and the options key they came from."""
    own = spec.modes.get(NAME) or {}
    if "scenario" in own and "scenarios" in own:
        raise SpecError("give modes.pipeline.scenario (one) or scenarios (a list), not both",
                        spec.where(f"modes.{NAME}.scenarios"), key=f"modes.{NAME}.scenarios")
    names = options.get("scenarios")
    if names is None:
        return [str(options["scenario"])], "scenario"
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise SpecError("expected a non-empty list of scenario names", spec.where(f"modes.{NAME}.scenarios"),
                        key=f"modes.{NAME}.scenarios")
    if len(set(names)) != len(names):
        raise SpecError(f"a scenario is named twice: {names}", spec.where(f"modes.{NAME}.scenarios"),
                        key=f"modes.{NAME}.scenarios")
    return list(names), "scenarios"


def checked_scenario(spec: PipelineSpec, name: str, key: str) -> ScenarioSpec:
    """The scenario ``name`` a pipeline run uses; a spec error at ``modes.pipeline.KEY`` when
    it is unknown or holds what only isolation mode checks."""
    where = spec.where(f"modes.{NAME}.{key}")
    if name not in spec.scenarios:
        raise SpecError(f"unknown scenario {name!r} (known: {', '.join(spec.scenarios)})", where,
                        key=f"modes.{NAME}.{key}")
    scenario = spec.scenarios[name]
    if scenario.inputs or scenario.expect.outputs:
        raise SpecError(f"scenario {name!r} has golden inputs or outputs, which isolation mode checks; "
                        "pipeline mode cannot use it", where, key=f"modes.{NAME}.{key}")
    for param in PROPERTY_ONLY:
        if param in scenario.parametrize:
            raise SpecError(f"parametrize key {param!r} applies to property runs only; pipeline mode "
                            f"runs scenario {name!r}", spec.where(f"scenarios.{name}.parametrize.{param}"),
                            key=f"scenarios.{name}.parametrize.{param}")
    return scenario


def pipeline_runs(spec: PipelineSpec, options: dict[str, Any]) -> list[ScenarioRun]:
    """Every run of the DAG, in the order the scenarios are named, then parameter combinations."""
    names, key = scenario_names(spec, options)
    combos = [(checked_scenario(spec, name, key), params) for name in names
              for params in expand(spec.scenarios[name].parametrize if name in spec.scenarios else {})]
    if len(combos) == 1 and not combos[0][1]:
        return [ScenarioRun(combos[0][0])]
    return [ScenarioRun(scenario, params, label(scenario.name if len(names) > 1 else None, params))
            for scenario, params in combos]


def label(scenario: str | None, params: dict[str, Any]) -> str:
    parts = ([scenario] if scenario else []) + [f"{k}={_text(v)}" for k, v in params.items()]
    return "-".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "+".join(_text(v) for v in value)
    return str(value)

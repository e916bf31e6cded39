"""``specrun check`` for ``{job_args.NAME}`` / ``{env.NAME}`` templates: every case's step is
resolved as it would run (its own values, then each scenario's ``parametrize``
combination) and what cannot run is reported at its file and line before anything runs:
a name the case gives no value, two columns resolving to one name, split names that
repeat, and an edge whose producer writes another layout or other splits than its
consumer reads in that combination."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..analysis.compat import effective_consumer_port, resolve_edges
from ..spec.case_templates import TemplateError, resolve_spec, resolve_step, step_uses_templates
from ..spec.model import Location, PipelineSpec, PortSpec


@dataclass
class TemplateFinding:
    """A combination of parameters in which a step's templates do not resolve to something runnable."""

    severity: str            # "error"
    kind: str                # "unresolved_template" | "edge_layout"
    message: str
    location: Location | None = None


def combinations(spec: PipelineSpec) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """``(scenario, params)``: no parameters, then every combination of each scenario's ``parametrize``."""
    yield None, {}
    for scenario in spec.scenarios.values():
        keys = list(scenario.parametrize)
        for values in itertools.product(*(scenario.parametrize[k] for k in keys)) if keys else ():
            yield scenario.name, dict(zip(keys, values, strict=True))


def _label(scenario: str | None, params: dict[str, Any]) -> str:
    if scenario is None:
        return "with the step's own job_args and env"
    return f"in scenario {scenario!r} with " + ", ".join(f"{k}={v}" for k, v in params.items())


def check_step_templates(spec: PipelineSpec) -> list[TemplateFinding]:
    """One error per step and reason its templates fail in some combination (the first one named)."""
    found: dict[tuple[str, str], TemplateFinding] = {}
    for step in spec.steps.values():
        if not step_uses_templates(step):
            continue
        for scenario, params in combinations(spec):
            only = spec.scenarios[scenario].steps if scenario is not None else None
            if only is not None and step.name not in only:
                continue
            try:
                resolve_step(spec, step, params)
            except TemplateError as error:
                key = (step.name, str(error))
                found.setdefault(key, TemplateFinding(
                    "error", "unresolved_template", f"step {step.name!r} {_label(scenario, params)}: {error}",
                    error.location or step.location))
    return list(found.values())


def check_edge_templates(spec: PipelineSpec) -> list[TemplateFinding]:
    """One error per edge whose two ends, resolved for a combination, disagree on layout or splits."""
    edges = [e for e in resolve_edges(spec)
             if step_uses_templates(spec.steps[e.producer]) or step_uses_templates(spec.steps[e.consumer])]
    found: dict[str, TemplateFinding] = {}
    for scenario, params in combinations(spec) if edges else ():
        resolved, unresolved = resolve_spec(spec, params)
        for edge in edges:
            if str(edge) in found or edge.producer in unresolved or edge.consumer in unresolved:
                continue
            producer = resolved.steps[edge.producer].outputs[edge.output]
            consumer = effective_consumer_port(resolved, edge)
            differs = _difference(producer, consumer)
            if differs:
                found[str(edge)] = TemplateFinding(
                    "error", "edge_layout", f"{edge} {_label(scenario, params)}: {differs}",
                    edge.location or consumer.location)
    return list(found.values())


def _difference(producer: PortSpec, consumer: PortSpec) -> str | None:
    if producer.layout != consumer.layout:
        return f"the producer writes layout {producer.layout!r}, the consumer reads {consumer.layout!r}"
    if consumer.split and producer.split != consumer.split:
        return f"the producer writes splits {producer.split}, the consumer reads {consumer.split}"
    return None

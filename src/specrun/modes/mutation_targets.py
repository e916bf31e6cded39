"""Where a scenario's mutations land, checked when cases are planned.

A mutation transforms data specrun generates from a port's contract.  On a port fed
by a fixture, a sample or a producer, on a non-tabular port, or on a port without a
schema there is no generated frame, and a column the port's contract does not have
cannot be mutated: the case would run on untouched data and pass having tested
nothing.  Each of these is a :class:`SpecError` at the mutation, raised while
planning, so ``specrun check`` reports it and nothing runs.
"""

from __future__ import annotations

from ..contract.mutators import MUTATORS, mutation_columns
from ..spec.model import (
    MutationSpec,
    PipelineSpec,
    PortSpec,
    ScenarioSpec,
    SpecError,
    StepSpec,
)
from .step_case import input_schema


def _not_generated(port: PortSpec, spec: PipelineSpec, fed: bool) -> str | None:
    """Why specrun generates no frame for ``port`` (None: it does)."""
    if port.fixture is not None:
        return f"a fixture ({port.fixture}) copied as it is"
    if port.sample is not None:
        return f"a sample ({port.sample}) copied as it is"
    if fed:
        return f"the output of step {port.from_ or 'upstream'} handed over as it is"
    if not port.tabular:
        return f"a {port.format} file, not a table"
    if input_schema(spec, port) is None:
        return "without a schema, so nothing is generated"
    return None


def _check_columns(mutation: MutationSpec, spec: PipelineSpec, step: StepSpec, name: str, port: PortSpec) -> None:
    schema = input_schema(spec, port)
    if schema is None or schema.pandera is not None or mutation.op not in MUTATORS:
        return   # a pandera model's columns are not known here; a plugin mutator checks its own
    unknown = [c for c in mutation_columns(mutation) if c not in schema.columns]
    if unknown:
        raise SpecError(f"mutation {mutation.op!r} names column(s) {', '.join(map(repr, unknown))} that input "
                        f"{name!r} of step {step.name!r} does not have (schema {schema.name!r} has: "
                        f"{', '.join(schema.columns) or 'no columns'}); the case would test nothing",
                        mutation.location)


def check_mutations(spec: PipelineSpec, step: StepSpec, scenario: ScenarioSpec,
                    fed: frozenset[str] = frozenset(), strict: bool = True) -> set[str]:
    """Check that the mutations of ``scenario`` apply to ``step``'s generated data; the
    ``mutate:`` keys (port, ``step.port`` or ``"*"``) that did apply.

    ``fed`` names the inputs a producer feeds (pipeline mode).  A column the port does
    not have is always a :class:`SpecError`.  ``strict`` (isolation mode): so is a
    mutation of a port with no generated data, and a user scenario's ``"*"`` mutations
    when the step has no generated input (a built-in scenario then just does not apply).
    """
    applied: set[str] = set()
    for key, mutations in scenario.mutate.items():
        owner, _, name = key.rpartition(".")
        if key == "*" or (owner and owner != step.name) or name not in step.inputs or not mutations:
            continue
        port = scenario.port_of(step, step.inputs[name])
        reason = _not_generated(port, spec, name in fed)
        if reason is not None:
            if strict:
                raise not_applicable(scenario, f"input {name!r} of step {step.name!r}, which is {reason}",
                                     mutations[0])
            continue
        for mutation in mutations:
            _check_columns(mutation, spec, step, name, port)
        applied.add(key)
    everywhere = scenario.mutate.get("*") or []
    if everywhere:
        targets = [n for n, p in step.inputs.items()
                   if _not_generated(scenario.port_of(step, p), spec, n in fed) is None]
        if strict and not targets and not scenario.builtin and not applied:
            raise not_applicable(scenario, f"every input ('*') of step {step.name!r}, but none is generated "
                                 "(fixtures, samples, hand-overs or files)", everywhere[0])
        for name in targets:
            for mutation in everywhere:
                _check_columns(mutation, spec, step, name, step.inputs[name])
        if targets:
            applied.add("*")
    return applied


def not_applicable(scenario: ScenarioSpec, what: str, mutation: MutationSpec) -> SpecError:
    """The error of a mutation with no generated data to land on."""
    return SpecError(f"scenario {scenario.name!r} mutates {what}: mutations apply only to generated data, "
                     "so the case would test nothing", mutation.location or scenario.location)


def check_pipeline_mutations(spec: PipelineSpec, scenario: ScenarioSpec,
                             fed: dict[str, frozenset[str]]) -> None:
    """Pipeline mode: the scenario's mutations land on source inputs; each must land somewhere."""
    applied: set[str] = set()
    for name, step in spec.steps.items():
        applied |= check_mutations(spec, step, scenario, fed.get(name, frozenset()), strict=False)
    for name, mutations in scenario.mutate.items():
        if mutations and name not in applied and not (name == "*" and scenario.builtin):
            what = "every input ('*')" if name == "*" else f"input {name!r}"
            raise not_applicable(scenario, f"{what}, but in the pipeline no such input is generated "
                                 "(a fixture, sample or hand-over, a file, or no schema)", mutations[0])

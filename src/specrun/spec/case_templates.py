"""``{job_args.NAME}`` / ``{env.NAME}`` in a port's ``layout`` and ``split`` names, a schema's
column names and property parameters, resolved per case.

A case (an isolation case, a pipeline run's step) has its step's ``env`` and
``job_args`` with the scenario's ``parametrize`` values over them; :func:`resolve_step`
makes the concrete copy of the step that case runs, before anything is generated,
written or read.  Pure: the spec is not changed.  An input with ``from:`` reads what its
producer wrote, so the keys it inherited (did not write) are resolved with the
producer's values, written ones with its own step's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Location, PipelineSpec, PortSpec, PropertySpec, SchemaSpec, SpecError, StepSpec
from .placeholders import TEMPLATE

_PORT_KEYS = ("layout", "split", "shards", "schema")


class TemplateError(ValueError):
    """A template name the case gives no value, or two columns resolving to one name."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.location = location


@dataclass(frozen=True)
class CaseContext:
    """The values a case's templates take: its step's env and job_args with its parameters over them."""

    env: Mapping[str, str]
    job_args: Mapping[str, Any]

    @classmethod
    def of(cls, step: StepSpec, params: Mapping[str, Any]) -> CaseContext:
        return cls(env={**step.env, **{k[4:]: str(v) for k, v in params.items() if k.startswith("env.")}},
                   job_args={**step.job_args, **{k[9:]: v for k, v in params.items() if k.startswith("job_args.")}})

    def value(self, kind: str, name: str) -> str | None:
        values: Mapping[str, Any] = self.env if kind == "env" else self.job_args
        return str(values[name]) if name in values else None


def check_templates(spec: PipelineSpec) -> None:
    """Every template names a job argument or env variable the step declares or some scenario's
    ``parametrize`` gives; a SpecError at the key otherwise (load time)."""
    given = {kind: {k.partition(".")[2] for s in spec.scenarios.values() for k in s.parametrize
                    if k.startswith(kind + ".")} for kind in ("job_args", "env")}
    for step in spec.steps.values():
        declared = {"job_args": set(step.job_args) | given["job_args"], "env": set(step.env) | given["env"]}
        for direction, ports in (("inputs", step.inputs), ("outputs", step.outputs)):
            for port in ports.values():
                base = f"steps.{step.name}.{direction}.{port.name}"
                for key, kind, name in port_uses(port):
                    if direction == "inputs" and port.from_ and f"{base}.{key}" not in spec.locations:
                        continue     # inherited from the producer: checked there
                    if name not in declared[kind]:
                        known = ", ".join(sorted(declared[kind])) or "none"
                        raise SpecError(f"{{{kind}.{name}}}: step {step.name!r} has no {kind} {name!r} and no "
                                        f"scenario parametrizes {kind}.{name} (known: {known})",
                                        _where(spec, f"{base}.{key}", port, f"{{{kind}.{name}}}"))
        for index, prop in enumerate(step.properties):
            for kind, name in _names_in_value(prop.params):
                if name not in declared[kind]:
                    raise SpecError(f"{{{kind}.{name}}}: step {step.name!r} has no {kind} {name!r} and no "
                                    f"scenario parametrizes {kind}.{name}",
                                    spec.where(f"steps.{step.name}.properties.{index}.{prop.kind}"))


def _where(spec: PipelineSpec, key: str, port: PortSpec, template: str) -> Location:
    """The key's place; for a column name, the column's own line (the schema may be declared elsewhere)."""
    if key.endswith(".schema") and port.schema is not None:
        for name, column in port.schema.columns.items():
            if template in name and column.location is not None:
                return column.location
    return spec.where(key)


def _names_in_value(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return names_in(value)
    if isinstance(value, dict):
        return [n for v in value.values() for n in _names_in_value(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _names_in_value(v)]
    return []


def names_in(text: str) -> list[tuple[str, str]]:
    """``(kind, NAME)`` of every template in ``text`` (kind ``job_args`` or ``env``)."""
    return [(m.group(1), m.group(2)) for m in TEMPLATE.finditer(text)]


def fill(text: str, ctx: CaseContext, location: Location | None = None) -> str:
    """``text`` with every template replaced by the case's value; TemplateError when it has none."""
    def one(match: re.Match[str]) -> str:
        found = ctx.value(match.group(1), match.group(2))
        if found is None:
            raise TemplateError(f"{match.group(0)} has no value in this case: the step declares no "
                                f"{match.group(1)} {match.group(2)!r} and no parametrize gives one", location)
        return found
    return TEMPLATE.sub(one, text)


def port_uses(port: PortSpec) -> list[tuple[str, str, str]]:
    """``(key, kind, NAME)`` of every template of a port: ``layout``, ``split``, ``schema``."""
    found = [("layout", *n) for n in names_in(port.layout or "")]
    found += [("split", *n) for name in port.split or [] for n in names_in(name)]
    if port.split_rule is not None:
        found += [("split", key.partition(".")[0], key.partition(".")[2]) for key, _ in port.split_rule.when]
    found += [("shards", *n) for n in names_in(port.shards_template or "")]
    if port.schema is not None:
        found += [("schema", *n) for column in port.schema.columns for n in names_in(column)]
    return found


def step_uses_templates(step: StepSpec) -> bool:
    return any(port_uses(p) for p in [*step.inputs.values(), *step.outputs.values()]) \
        or any(_has_template(prop.params) for prop in step.properties)


def resolve_schema(schema: SchemaSpec | None, ctx: CaseContext) -> SchemaSpec | None:
    """The schema with its column names resolved (itself when none is a template)."""
    if schema is None or not any(TEMPLATE.search(name) for name in schema.columns):
        return schema
    columns: dict[str, Any] = {}
    for name, column in schema.columns.items():
        where = column.location or schema.location
        resolved = fill(name, ctx, where)
        if resolved in columns:
            raise TemplateError(f"columns {name!r} and {columns[resolved].name!r} of schema {schema.name!r} "
                                f"are both named {resolved!r} in this case", where)
        columns[resolved] = dataclasses.replace(column, name=resolved)
    return dataclasses.replace(schema, columns={n: c for n, c in columns.items()})


def resolve_port(port: PortSpec, ctx: CaseContext, inherited: CaseContext | None = None,
                 written: frozenset[str] = frozenset(_PORT_KEYS)) -> PortSpec:
    """The port as this case reads or writes it; ``inherited`` resolves the keys it did not write."""
    def context(key: str) -> CaseContext:
        return ctx if inherited is None or key in written else inherited
    where = port.location
    split = port.split
    if port.split_rule is not None:
        rule, chosen = port.split_rule, context("split")
        matches = all(chosen.value(*key.split(".", 1)) == value for key, value in rule.when)
        split = list(rule.then if matches else rule.otherwise)
    if split is not None:
        split = [fill(name, context("split"), where) for name in split]
        if len(set(split)) != len(split):
            raise TemplateError(f"split names {split} of port {port.name!r} repeat a name in this case", where)
    shards = port.shards
    if port.shards_template is not None:
        text = fill(port.shards_template, context("shards"), where)
        if not text.isdigit() or int(text) < 1:
            raise TemplateError(f"shards {port.shards_template} of port {port.name!r} is {text!r} in this case, "
                                "not an integer >= 1", where)
        shards = int(text)
    return dataclasses.replace(
        port, layout=fill(port.layout, context("layout"), where) if port.layout is not None else None,
        split=split, split_rule=None, shards=shards, shards_template=None,
        schema=resolve_schema(port.schema, context("schema")))


def resolve_step(spec: PipelineSpec, step: StepSpec, params: Mapping[str, Any]) -> StepSpec:
    """The concrete step a case with these parameters runs (``step`` itself when it has no templates)."""
    if not step_uses_templates(step):
        return step
    ctx = CaseContext.of(step, params)
    inputs = {}
    for name, port in step.inputs.items():
        producer = spec.steps.get((port.from_ or "").partition(".")[0]) if port.from_ else None
        base = f"steps.{step.name}.inputs.{name}."
        written = frozenset(key for key in _PORT_KEYS if base + key in spec.locations)
        inputs[name] = resolve_port(port, ctx, CaseContext.of(producer, params) if producer else None, written)
    return dataclasses.replace(
        step, inputs=inputs, outputs={name: resolve_port(port, ctx) for name, port in step.outputs.items()},
        properties=[_resolve_property(prop, ctx) for prop in step.properties])


def resolve_spec(spec: PipelineSpec, params: Mapping[str, Any]) -> tuple[PipelineSpec, dict[str, str]]:
    """The spec with every step resolved for one pipeline run, and the steps that could not be
    (name → why; those stay as written, and their run is a setup error)."""
    steps, errors = {}, {}
    for name, step in spec.steps.items():
        try:
            steps[name] = resolve_step(spec, step, params)
        except TemplateError as error:
            steps[name], errors[name] = step, str(error)
    if not errors and all(steps[n] is spec.steps[n] for n in steps):
        return spec, {}
    return dataclasses.replace(spec, steps=steps), errors


def _resolve_property(prop: PropertySpec, ctx: CaseContext) -> PropertySpec:
    if not _has_template(prop.params):
        return prop
    return dataclasses.replace(prop, params=_fill_value(prop.params, ctx, prop.location))


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return TEMPLATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_template(v) for v in value)
    return False


def _fill_value(value: Any, ctx: CaseContext, where: Location | None) -> Any:
    if isinstance(value, str):
        return fill(value, ctx, where)
    if isinstance(value, dict):
        return {k: _fill_value(v, ctx, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_value(v, ctx, where) for v in value]
    return value

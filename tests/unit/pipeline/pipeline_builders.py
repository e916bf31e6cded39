"""Build spec-model objects for the pipeline tests, as the loader would (paths, lines, keys)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from specrun.spec.model import ColumnSpec, Location, PipelineSpec, PortSpec, SchemaSpec, StepSpec

SPEC_FILE = Path("/project/specs/pipeline.yaml")


def col(name: str, type: str = "int", **constraints: Any) -> ColumnSpec:
    return ColumnSpec(name=name, type=type, **constraints)


def schema(name: str, *columns: ColumnSpec, **options: Any) -> SchemaSpec:
    return SchemaSpec(name=name, columns={c.name: c for c in columns}, **options)


def port(name: str, format: str = "csv", schema: SchemaSpec | None = None, **options: Any) -> PortSpec:
    return PortSpec(name=name, format=format, schema=schema, **options)


def step(name: str, inputs: Iterable[PortSpec] = (), outputs: Iterable[PortSpec] = ()) -> StepSpec:
    return StepSpec(name=name, script=Path(f"/project/scripts/{name}.py"),
                    inputs={p.name: p for p in inputs}, outputs={p.name: p for p in outputs})


def pipeline(*steps: StepSpec, dag: Iterable[tuple[str, str]] = (),
             declared: Iterable[str] = ()) -> PipelineSpec:
    """A spec whose nodes get consecutive line numbers, recorded in ``locations``.

    Keys recorded: every step and port, each ``from`` key, the ``dag`` entries, and
    the extra dotted keys in ``declared`` (e.g. ``steps.b.inputs.x.format``), which
    stand for keys the user wrote explicitly.
    """
    spec = PipelineSpec(path=SPEC_FILE, pipeline="demo", steps={s.name: s for s in steps},
                        dag=list(dag))
    line = 1

    def record(key: str) -> Location:
        nonlocal line
        line += 1
        spec.locations[key] = Location(SPEC_FILE, line, key)
        return spec.locations[key]

    for s in steps:
        s.location = record(f"steps.{s.name}")
        for direction, ports in (("inputs", s.inputs), ("outputs", s.outputs)):
            for p in ports.values():
                p.location = record(f"steps.{s.name}.{direction}.{p.name}")
                if p.from_ is not None:
                    record(f"steps.{s.name}.{direction}.{p.name}.from")
    if spec.dag:
        record("dag")
        for index in range(len(spec.dag)):
            record(f"dag.{index}")
    for key in declared:
        record(key)
    return spec

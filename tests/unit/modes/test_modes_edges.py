"""The edge planner (modes/isolation/edges.py) against an oracle: an edge is planned
exactly when the input it would feed satisfies every generated input's declared
contract (validated with pandera), and then the frame isolation mode builds for it
has the edge's shape."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.contract.mutators import apply_mutations, nullable_dtype
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.validate import validate_frame
from specrun.contract.vectorised import vectorised_frame
from specrun.modes.isolation.edges import Edge, edge_params, planned_edges
from specrun.spec.model import MutationSpec, PipelineSpec, PortSpec, ScenarioSpec, SchemaSpec, StepSpec
from tests.unit.contract.contract_strategies import TYPES, schemas

ROWS = 10
EDGE_CASES = ScenarioSpec("edge_cases", rows=ROWS, mutate={"*": [MutationSpec("boundary", {})]},
                          edges=True, builtin=True)
FIXED = ("empty", "single_row", "all_null")


@st.composite
def bounded_schemas(draw: st.DrawFn) -> SchemaSpec:
    schema = draw(schemas(ROWS, max_columns=4))
    low = draw(st.none() | st.integers(0, 3))
    high = draw(st.none() | st.integers(max(low or 0, 2), 20))
    return dataclasses.replace(schema, rows_min=low, rows_max=high)


def ideal(edge: str, schema: SchemaSpec, seed: int) -> pd.DataFrame:
    """What the edge means, built without regard to the contract's row bounds."""
    if edge in ("empty", "single_row"):
        return vectorised_frame(dataclasses.replace(schema, rows_min=None, rows_max=None),
                                0 if edge == "empty" else 1, seed, TYPES)
    frame = vectorised_frame(schema, ROWS, seed, TYPES)
    for name in schema.columns:   # every column the contract lets be entirely null
        nulled = frame.copy()
        nulled[name] = nullable_dtype(frame[name]).mask(pd.Series(True, index=frame.index))
        if len(frame) and valid(nulled, schema):
            frame = nulled
    return frame


def valid(frame: pd.DataFrame, schema: SchemaSpec) -> bool:
    return validate_frame(frame, to_pandera(schema, TYPES))[0]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=st.lists(bounded_schemas(), min_size=1, max_size=3), fixture=st.booleans(),
       seed=st.integers(0, 2**32))
def test_an_edge_is_planned_exactly_when_its_input_keeps_every_contract(inputs, fixture, seed):
    ports = {f"in{i}": PortSpec(f"in{i}", format="csv", schema=schema) for i, schema in enumerate(inputs)}
    if fixture:   # copied as it is: its contract (needing rows, nothing nullable) restricts no edge
        ports["fixed"] = PortSpec("fixed", format="csv", fixture=Path("f.csv"),
                                  schema=SchemaSpec("f", {}, rows_min=5))
    step = StepSpec("s", Path("s.py"), inputs=ports)
    spec = PipelineSpec(Path("spec.yaml"), "p", steps={"s": step})
    planned = {edge.name: edge for edge in planned_edges(spec, step, EDGE_CASES, mutated=True)}
    assert "boundary" in planned
    generated = [(name, port.schema) for name, port in ports.items() if port.fixture is None]
    ideals = {edge: {name: ideal(edge, schema, seed) for name, schema in generated} for edge in FIXED}
    for edge, frames in ideals.items():
        nulled = any(frame[c].isna().all() and len(frame) for frame in frames.values() for c in frame.columns)
        allowed = all(valid(frames[name], schema) for name, schema in generated) and (edge != "all_null" or nulled)
        assert (edge in planned) == allowed, (edge, [(s.rows_min, s.rows_max) for _, s in generated])
    for edge in planned.values():
        if edge.mutated:
            continue
        for name, schema in generated:   # as IsolationMode.prepare builds it
            frame = vectorised_frame(schema, ROWS if edge.rows is None else edge.rows, seed, TYPES)
            frame = apply_mutations(frame, schema, edge.mutations(EDGE_CASES, name, schema), seed, TYPES)
            assert valid(frame, schema), edge
            if edge.rows is not None:
                assert len(frame) == edge.rows
            if edge.all_null:
                wanted = ideals["all_null"][name]
                assert all(frame[c].isna().all() for c in wanted.columns if wanted[c].isna().all())


def test_nothing_generated_means_no_edges():
    port = PortSpec("rows", format="csv", fixture=Path("f.csv"), schema=SchemaSpec("f", {}))
    step = StepSpec("s", Path("s.py"), inputs={"rows": port, "params": PortSpec("params", format="json")})
    assert planned_edges(PipelineSpec(Path("spec.yaml"), "p", steps={"s": step}), step, EDGE_CASES, True) == []


@given(st.lists(st.fixed_dictionaries({"rows": st.integers(0, 3)},
                                      optional={"env.X": st.sampled_from("ab")}), max_size=6))
def test_fixed_size_edges_drop_the_rows_parameter_and_run_each_remaining_combination_once(combinations):
    edges = [Edge("boundary", mutated=True), Edge("empty", rows=0), Edge("all_null", all_null=True)]
    combinations = combinations or [{}]
    planned = list(edge_params(edges, combinations))
    for edge in edges:
        mine = [params for e, params in planned if e is edge]
        expected = [({k: v for k, v in p.items() if k != "rows"} if edge.fixed_size else p) for p in combinations]
        assert all(p in mine for p in expected) and all(p in expected for p in mine)
        assert len(mine) == len({tuple(sorted(p.items())) for p in mine})      # each once
        assert not edge.fixed_size or all("rows" not in p for p in mine)

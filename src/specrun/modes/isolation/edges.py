"""Edge cases: the built-in ``edge_cases`` scenario as one isolation case per edge.

A script that works on 1000 comfortable rows can still divide by the length of an
empty input, take a sample standard deviation of one row, or choke on a column that
is entirely null.  The ``edge_cases`` scenario therefore plans, per step, one case
per edge its inputs' contracts allow, named ``step[edge_cases:EDGE]``:

* ``boundary`` — the scenario's ``rows`` with its mutations (built in: boundary values
  of every column); named ``mutate`` when a user's ``edge_cases`` sets mutations that
  are not all ``boundary``;
* ``empty`` — every generated input with zero rows, planned only if every generated
  input allows 0 rows (no ``rows.min`` above 0);
* ``single_row`` — every generated input with one row, planned only if every generated
  input allows one (``rows.min`` ≤ 1 ≤ ``rows.max``);
* ``all_null`` — the scenario's ``rows`` with every nullable column of every generated
  input null at once, planned only if some generated input has a nullable column (a
  ``unique`` one keeps its values: two nulls would be a duplicate).

Fixtures and samples are copied as they are in every edge, and a step none of whose
inputs is generated gets no edge cases.  Each edge feeds input its contracts allow, so
an exception is the script's bug (``SCRIPT_ERROR``); data that breaks a contract is the
``negative`` scenario's business.  An edge input that turns out to break its contract
anyway (a pandera check the planner cannot see) is skipped, never run as an edge case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...spec.model import MutationSpec, PipelineSpec, PortSpec, ScenarioSpec, SchemaSpec, StepSpec
from ..step_case import StepRunPlan, input_schema, validate_port_parts

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

#: Parameters that do not change what a fixed-size edge feeds (it sets its own rows).
_SIZE_PARAMS = ("rows",)


@dataclass(frozen=True)
class Edge:
    """One edge: its name (the case id suffix), the row count it forces on every generated
    input (None: the scenario's), and whether it applies the scenario's mutations or
    nulls every nullable column."""

    name: str
    rows: int | None = None
    mutated: bool = False
    all_null: bool = False

    @property
    def fixed_size(self) -> bool:
        return self.rows is not None

    def describe(self) -> str:
        return {"empty": "every generated input empty (0 rows)",
                "single_row": "every generated input a single row",
                "all_null": "every nullable column of every generated input null"}.get(
                    self.name, "the scenario's mutations")

    def mutations(self, scenario: ScenarioSpec, port: str, declared: SchemaSpec, step: str = "") -> list[MutationSpec]:
        """What to apply to the generated frame of input ``port`` (of ``step``) in this edge."""
        if self.mutated:
            return scenario.mutations_for(step, port)
        if self.all_null:
            columns = nullable_columns(declared)
            return [MutationSpec("nulls", {"columns": columns, "rate": 1.0})] if columns else []
        return []


def generated_inputs(spec: PipelineSpec, step: StepSpec) -> list[tuple[PortSpec, SchemaSpec]]:
    """The inputs of ``step`` that isolation mode generates from a contract (not a fixture
    or sample, tabular, with a schema), with their declared schemas."""
    found = []
    for port in step.inputs.values():
        schema = input_schema(spec, port)
        if port.tabular and schema is not None and port.fixture is None and port.sample is None:
            found.append((port, schema))
    return found


def nullable_columns(schema: SchemaSpec) -> list[str]:
    """The columns the declared contract lets be entirely null: nullable and not unique
    (two nulls in a unique column are a duplicate)."""
    return [name for name, column in schema.columns.items() if column.nullable and not column.unique]


def allows_rows(schema: SchemaSpec, rows: int) -> bool:
    """Whether the contract's row bounds admit ``rows`` rows."""
    return (schema.rows_min is None or schema.rows_min <= rows) and \
        (schema.rows_max is None or rows <= schema.rows_max)


def mutation_label(scenario: ScenarioSpec) -> str:
    """``boundary`` when every mutation of the scenario is a boundary one, else ``mutate``."""
    ops = {m.op for items in scenario.mutate.values() for m in items}
    return "boundary" if ops == {"boundary"} else "mutate"


def planned_edges(spec: PipelineSpec, step: StepSpec, scenario: ScenarioSpec, mutated: bool) -> list[Edge]:
    """The edges ``step``'s generated inputs allow; ``mutated``: whether the scenario's
    mutations land on one of them (see ``modes/mutation_targets.py``)."""
    inputs = generated_inputs(spec, step)
    if not inputs:
        return []
    edges = []
    if mutated and any(scenario.mutate.values()):
        edges.append(Edge(mutation_label(scenario), mutated=True))
    if all(allows_rows(schema, 0) for _, schema in inputs):
        edges.append(Edge("empty", rows=0))
    if all(allows_rows(schema, 1) for _, schema in inputs):
        edges.append(Edge("single_row", rows=1))
    if any(nullable_columns(schema) for _, schema in inputs):
        edges.append(Edge("all_null", all_null=True))
    return edges


def edge_params(edges: list[Edge], combinations: list[dict[str, Any]]) -> Iterator[tuple[Edge, dict[str, Any]]]:
    """``(edge, params)`` for each edge × parameter combination; a fixed-size edge drops the
    ``rows`` parameter (it sets its own), so combinations that then coincide run once."""
    for edge in edges:
        seen: list[dict[str, Any]] = []
        for params in combinations:
            if edge.fixed_size:
                params = {k: v for k, v in params.items() if k not in _SIZE_PARAMS}
            if params in seen:
                continue
            seen.append(params)
            yield edge, params


def edge_breaks_contract(session: SessionLike, spec: PipelineSpec, edge: Edge | None,
                         plan: StepRunPlan) -> str | None:
    """Why a planned fixed edge (empty, single row, all null) is not an edge case after all:
    its input breaks the declared contract in a way the planner could not see (a pandera
    check, a plugin check).  None when every generated input honours its contract, and
    for the mutation edge, whose mutations a user may aim outside the contract."""
    if edge is None or edge.mutated:
        return None
    broken = []
    for port, declared in generated_inputs(spec, plan.step):
        frame = plan.input_frames.get(port.name)
        if frame is None:
            continue
        validation = validate_port_parts(session, port.name, "input", {"": frame}, declared)
        if not validation.ok:
            broken.append(validation.message)
    if not broken:
        return None
    return (f"edge {edge.name!r} ({edge.describe()}) breaks an input contract, so it is no edge case "
            f"(breaking contracts is the negative scenario's job): {'; '.join(broken)}")

"""The pipeline's DAG: which step feeds which, built from the spec with networkx.

Nodes are step names (attribute ``step``: the :class:`StepSpec`).  An edge
``producer -> consumer`` carries ``producer``, ``consumer`` and ``ports``: the list of
:class:`Edge` records (producer, output, consumer, input) it stands for — one step may
feed another through several ports.  Edges come from ``inputs.X.from: step.output``
and from the spec's ``dag:`` list; the graph is built by the one step-graph builder,
``spec/step_graph.py``.  A dangling reference, an input fed by two outputs, a format
the consumer cannot read, or a cycle is a :class:`SpecError` at the consuming key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_module
from ..spec.model import PipelineSpec, SpecError
from ..spec.step_graph import find_edge_cycle, step_graph
from .compat import Edge, effective_consumer_port, format_conflict, resolve_edges

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy_module("networkx")

__all__ = ["Edge", "build_dag", "check_dag", "critical_path", "edges"]


def build_dag(spec: PipelineSpec) -> nx.DiGraph:
    """The spec's steps and edges, checked for dangling references, formats and cycles."""
    return step_graph(spec, check_dag(spec))


def check_dag(spec: PipelineSpec) -> list[Edge]:
    """:func:`build_dag`'s checks without the graph (``specrun check`` needs no networkx):
    the edges, or a :class:`SpecError` for a dangling reference, a format conflict or a cycle."""
    found = resolve_edges(spec)
    for edge in found:
        produced = spec.steps[edge.producer].outputs[edge.output]
        conflict = format_conflict(produced, effective_consumer_port(spec, edge))
        if conflict:
            raise SpecError(f"{edge}: {conflict}", edge.location)
    cycle = find_edge_cycle(found)
    if cycle is not None:
        path, closing = cycle
        raise SpecError(f"the pipeline has a cycle: {path}", closing.location)
    return found


def edges(dag: nx.DiGraph) -> list[Edge]:
    """Every port-level edge of the DAG, in the order they were added."""
    return [edge for _, _, ports in dag.edges(data="ports") for edge in ports]


def critical_path(dag: nx.DiGraph, durations: dict[str, float]) -> tuple[list[str], float]:
    """The chain of dependent steps with the largest total duration, and that total.

    Steps missing from ``durations`` (not run) count as 0 s.  Among equal totals the
    path ends at the step latest in topological order (so it reaches the sink).
    """
    best: dict[str, tuple[float, str | None]] = {}   # step → (finish time, predecessor on path)
    for step in nx.topological_sort(dag):
        parents = list(dag.predecessors(step))
        before = max(parents, key=lambda parent: best[parent][0]) if parents else None
        start = best[before][0] if before is not None else 0.0
        best[step] = (start + float(durations.get(step, 0.0)), before)
    if not best:
        return [], 0.0
    rank = {step: i for i, step in enumerate(best)}        # best is filled in topological order
    last = max(best, key=lambda s: (best[s][0], rank[s]))
    total, path = best[last][0], [last]
    while (parent := best[path[-1]][1]) is not None:
        path.append(parent)
    return path[::-1], total

"""The graph of steps: which step feeds which, the one builder of it.

Nodes are step names (attribute ``step``: the :class:`StepSpec`); an edge
``producer -> consumer`` carries ``producer``, ``consumer`` and ``ports``, the
:class:`Edge` records (producer.output → consumer.input) it stands for, in the order
they were given.  The load-time cycle check (``spec/references.py``) and the pipeline's
DAG (``analysis/dag.py``) both build it here from the edges they gathered; each decides
what else an edge must satisfy and words its own error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import Location, PipelineSpec

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx  # imported when a graph is built, not at start-up (~0.2 s)


@dataclass(frozen=True)
class Edge:
    """One DAG edge: ``producer.output`` feeds ``consumer.input``."""

    producer: str
    output: str
    consumer: str
    input: str
    location: Location | None = field(default=None, compare=False)  # the consuming key

    @property
    def source(self) -> str:
        return f"{self.producer}.{self.output}"

    @property
    def target(self) -> str:
        return f"{self.consumer}.{self.input}"

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


def step_graph(spec: PipelineSpec, edges: Iterable[Edge]) -> nx.DiGraph:
    """Every step of ``spec`` as a node, and one graph edge per (producer, consumer) pair."""
    import networkx as nx

    graph = nx.DiGraph(pipeline=spec.pipeline)
    for name, step in spec.steps.items():
        graph.add_node(name, step=step)
    for edge in edges:
        if graph.has_edge(edge.producer, edge.consumer):
            graph.edges[edge.producer, edge.consumer]["ports"].append(edge)
        else:
            graph.add_edge(edge.producer, edge.consumer, producer=edge.producer,
                           consumer=edge.consumer, ports=[edge])
    return graph


def find_cycle(graph: nx.DiGraph) -> tuple[str, Edge] | None:
    """A cycle of the step graph as ``"a -> b -> a"`` and the first edge closing it, or None."""
    import networkx as nx

    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    path = " -> ".join([cycle[0][0], *(target for _, target in cycle)])
    closing: Edge = graph.edges[cycle[-1][0], cycle[-1][1]]["ports"][0]
    return path, closing

"""The graph of steps: which step feeds which, the one builder of it.

Nodes are step names (attribute ``step``: the :class:`StepSpec`); an edge
``producer -> consumer`` carries ``producer``, ``consumer`` and ``ports``, the
:class:`Edge` records (producer.output → consumer.input) it stands for, in the order
they were given.  The load-time cycle check (``spec/references.py``) and the pipeline's
DAG (``analysis/dag.py``) both find cycles here (:func:`find_edge_cycle`) in the edges
they gathered; each decides what else an edge must satisfy and words its own error.
"""

from __future__ import annotations

import graphlib
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
    return find_edge_cycle(edge for _, _, ports in graph.edges(data="ports") for edge in ports)


def find_edge_cycle(edges: Iterable[Edge]) -> tuple[str, Edge] | None:
    """:func:`find_cycle` without building the graph: the load-time check runs on every
    ``specrun check`` and ``--help``-fast start, and networkx costs ~0.2 s to import, so the
    cycle is found by the standard library's ``graphlib``."""
    given = list(edges)
    producers: dict[str, set[str]] = {}
    for edge in given:
        producers.setdefault(edge.consumer, set()).add(edge.producer)
        producers.setdefault(edge.producer, set())
    # by name, so the same edges in any order name the same cycle
    ordered = {step: sorted(producers[step]) for step in sorted(producers)}
    try:
        graphlib.TopologicalSorter(ordered).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1]      # each node feeds the next; the first is the last
        closing = next(e for e in given if (e.producer, e.consumer) == (cycle[-2], cycle[-1]))
        return " -> ".join(cycle), closing
    return None

"""The pipeline DAG as SVG coordinates: steps in columns by topological generation.

Nodes come from the pipeline record's steps, edges from its transitions
(``producer.port -> consumer.port``).  :func:`layout_dag` places generation ``g`` in
column ``g`` (networkx ``topological_generations``), centres each column, and gives
every node its fill by step outcome and every edge its colour and mark by the
transition's validation result.  The template only draws what is computed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...lazy import lazy_module

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy_module("networkx")

NODE_W, NODE_H = 150, 40
GAP_X, GAP_Y, PAD = 70, 24, 16
#: step outcome → node fill (also the legend)
FILL = {"passed": "#2e7d32", "failed": "#c62828", "error": "#6a1b9a", "skipped": "#9e9e9e",
        "planned": "#1565c0"}   # planned: a loaded spec, nothing ran (its notebook display)
UNKNOWN_FILL = "#546e7a"
#: transition outcome → edge colour and the mark drawn on it
EDGE = {"passed": ("#2e7d32", "✓"), "failed": ("#c62828", "✗"), "error": ("#6a1b9a", "✗"),
        "skipped": ("#9e9e9e", "–"), "planned": ("#1565c0", "→")}


@dataclass
class DagNode:
    step: str
    outcome: str
    x: float
    y: float
    fill: str
    degraded: bool = False          # a degradation point of the data evolution is in this step
    width: float = NODE_W
    height: float = NODE_H


@dataclass
class DagEdge:
    edge: str                       # "a.out -> b.rows"
    outcome: str
    blame: str | None
    path: str                       # the SVG path's d attribute
    label_x: float
    label_y: float
    colour: str
    mark: str


@dataclass
class DagLayout:
    width: float
    height: float
    nodes: list[DagNode] = field(default_factory=list)
    edges: list[DagEdge] = field(default_factory=list)


def edge_steps(edge: str, steps: Iterable[str]) -> tuple[str, str] | None:
    """``("a", "b")`` for ``"a.out -> b.rows"``: the longest step names the two sides start with."""
    sides = edge.split(" -> ", 1)
    if len(sides) != 2:
        return None
    names = sorted(steps, key=len, reverse=True)
    found = [next((s for s in names if side == s or side.startswith(s + ".")), None) for side in sides]
    if found[0] is None or found[1] is None:
        return None
    return found[0], found[1]


def generations(graph: nx.DiGraph) -> list[list[str]]:
    """The nodes by topological generation (one column for a graph with a cycle)."""
    try:
        return [sorted(g, key=list(graph.nodes).index) for g in nx.topological_generations(graph)]
    except nx.NetworkXUnfeasible:
        return [list(graph.nodes)]


def layout_dag(steps: list[dict[str, Any]], transitions: list[dict[str, Any]],
               degraded: Iterable[str | None] = ()) -> DagLayout:
    """Coordinates of the DAG of one pipeline run (see the module docstring)."""
    graph = nx.DiGraph()
    outcome = {s["step"]: s.get("outcome", "") for s in steps}
    graph.add_nodes_from(outcome)
    pairs = []
    for transition in transitions:
        pair = edge_steps(transition.get("edge", ""), outcome)
        pairs.append(pair)
        if pair is not None:
            graph.add_edge(*pair)
    columns = generations(graph)
    tallest = max((len(c) for c in columns), default=0)
    height = 2 * PAD + tallest * NODE_H + max(tallest - 1, 0) * GAP_Y
    width = 2 * PAD + len(columns) * NODE_W + max(len(columns) - 1, 0) * GAP_X
    layout = DagLayout(width, height)
    where: dict[str, DagNode] = {}
    marked = set(degraded)
    for g, column in enumerate(columns):
        top = PAD + (tallest - len(column)) * (NODE_H + GAP_Y) / 2
        for i, step in enumerate(column):
            node = DagNode(step, outcome[step], PAD + g * (NODE_W + GAP_X), top + i * (NODE_H + GAP_Y),
                           FILL.get(outcome[step], UNKNOWN_FILL), degraded=step in marked)
            where[step] = node
            layout.nodes.append(node)
    seen: dict[tuple[str, str], int] = {}
    for transition, pair in zip(transitions, pairs, strict=True):
        if pair is None:
            continue
        source, target = where[pair[0]], where[pair[1]]
        nth = seen[pair] = seen.get(pair, -1) + 1      # several ports between two steps: fan out
        x1, y1 = source.x + source.width, source.y + source.height / 2 + 6 * nth
        x2, y2 = target.x, target.y + target.height / 2 + 6 * nth
        bend = max((x2 - x1) / 2, 30)
        colour, mark = EDGE.get(transition.get("outcome", ""), (UNKNOWN_FILL, "?"))
        layout.edges.append(DagEdge(
            transition.get("edge", ""), transition.get("outcome", ""), transition.get("blame"),
            f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}",
            (x1 + x2) / 2, (y1 + y2) / 2, colour, mark))
    return layout

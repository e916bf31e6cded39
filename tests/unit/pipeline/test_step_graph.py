"""The one step-graph builder (spec/step_graph.py), used by the load-time check and the DAG."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_builders import pipeline, port, step

from specrun.analysis.dag import build_dag
from specrun.spec.model import SpecError
from specrun.spec.references import check_references
from specrun.spec.step_graph import Edge, find_cycle, find_edge_cycle, step_graph


def test_every_step_is_a_node_and_ports_gather_on_one_edge_in_order():
    spec = pipeline(step("a", [], [port("x"), port("y")]), step("b", [port("p"), port("q")]), step("lonely"))
    first, second = Edge("a", "y", "b", "q"), Edge("a", "x", "b", "p")
    graph = step_graph(spec, [first, second])
    assert list(graph.nodes) == ["a", "b", "lonely"]
    assert graph.nodes["a"]["step"] is spec.steps["a"]
    assert list(graph.edges) == [("a", "b")]
    assert graph.edges["a", "b"]["ports"] == [first, second]
    assert find_cycle(graph) is None


def test_a_cycle_names_its_path_and_the_first_edge_closing_it():
    spec = pipeline(step("a", [port("in")], [port("out")]), step("b", [port("in"), port("also")], [port("out")]))
    closing = Edge("a", "out", "b", "in", spec.where("dag.0"))
    graph = step_graph(spec, [closing, Edge("a", "out", "b", "also"), Edge("b", "out", "a", "in")])
    found = find_cycle(graph)
    assert found is not None
    path, edge = found
    assert path in ("a -> b -> a", "b -> a -> b")
    assert path.split(" -> ")[0] == path.split(" -> ")[-1]
    assert edge is graph.edges[path.split(" -> ")[-2], path.split(" -> ")[-1]]["ports"][0]


@st.composite
def from_graphs(draw):
    """Steps s0..sN and ``from:`` edges between them (any direction: cycles included)."""
    n = draw(st.integers(1, 5))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=8, unique=True))
    pairs = [(a, b) for a, b in pairs if a != b]   # a step reading its own output is another check
    return n, pairs


@settings(max_examples=60, deadline=None)
@given(from_graphs())
def test_load_time_check_and_dag_see_the_same_cycles(graph):
    n, pairs = graph
    steps = [step(f"s{i}", [port(f"from_s{a}", from_=f"s{a}.out") for a, b in pairs if b == i], [port("out")])
             for i in range(n)]
    spec = pipeline(*steps)
    acyclic = nx.is_directed_acyclic_graph(nx.DiGraph([(f"s{a}", f"s{b}") for a, b in pairs]))
    if acyclic:
        check_references(spec)
        assert set(build_dag(spec).edges) == {(f"s{a}", f"s{b}") for a, b in pairs}
        return
    with pytest.raises(SpecError, match="the steps form a cycle: ") as at_load:
        check_references(spec)
    with pytest.raises(SpecError, match="the pipeline has a cycle: ") as in_dag:
        build_dag(spec)
    load_path, dag_path = at_load.value.message.split(": ", 1)[1], in_dag.value.message.split(": ", 1)[1]
    assert load_path == dag_path
    assert (at_load.value.line, at_load.value.key) == (in_dag.value.line, in_dag.value.key)


@settings(max_examples=100, deadline=None)
@given(from_graphs(), st.randoms(use_true_random=False))
def test_the_cycle_found_without_networkx_is_a_real_cycle_in_any_edge_order(graph, rnd):
    n, pairs = graph
    given_edges = [Edge(f"s{a}", "out", f"s{b}", f"from_s{a}") for a, b in pairs]
    shuffled = list(given_edges)
    rnd.shuffle(shuffled)
    found, again = find_edge_cycle(given_edges), find_edge_cycle(shuffled)
    assert found == again                                   # the order edges were given in does not matter
    acyclic = nx.is_directed_acyclic_graph(nx.DiGraph([(f"s{a}", f"s{b}") for a, b in pairs]))
    assert (found is None) == acyclic                       # networkx is the oracle
    if found is not None:
        path, closing = found
        nodes = path.split(" -> ")
        assert nodes[0] == nodes[-1] and len(nodes) > 2
        pairs_given = {(e.producer, e.consumer) for e in given_edges}
        assert all((u, v) in pairs_given for u, v in zip(nodes, nodes[1:], strict=False))
        assert (closing.producer, closing.consumer) == (nodes[-2], nodes[-1])

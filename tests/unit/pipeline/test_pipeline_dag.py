"""The pipeline DAG: edges from the spec, spec errors with lines, ordering helpers."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_builders import SPEC_FILE, pipeline, port, step

from specrun.analysis.dag import Edge, build_dag, critical_path, edges
from specrun.spec.model import SpecError


def diamond():
    return pipeline(
        step("load", [port("raw")], [port("table")]),
        step("left", [port("data", from_="load.table")], [port("out")]),
        step("right", [port("data", from_="load.table")], [port("out")]),
        step("join", [port("a", from_="left.out"), port("b", from_="right.out"), port("extra")], [port("final")]),
    )


def test_diamond_dag_has_the_declared_edges():
    spec = diamond()
    dag = build_dag(spec)
    assert set(dag.edges) == {("load", "left"), ("load", "right"), ("left", "join"), ("right", "join")}
    assert dag.edges["left", "join"]["ports"] == [Edge("left", "out", "join", "a")]
    assert {str(e) for e in edges(dag)} == {"load.table -> left.data", "load.table -> right.data",
                                           "left.out -> join.a", "right.out -> join.b"}


def test_edge_location_is_the_consuming_from_key():
    spec = diamond()
    edge = next(e for e in edges(build_dag(spec)) if e.consumer == "join" and e.input == "b")
    assert edge.location == spec.where("steps.join.inputs.b.from")
    assert edge.location.file == SPEC_FILE


def test_critical_path_follows_the_slowest_chain():
    dag = build_dag(diamond())
    assert critical_path(dag, {"load": 1.0, "left": 5.0, "right": 2.0, "join": 1.5}) == (["load", "left", "join"], 7.5)
    assert critical_path(dag, {"right": 3.0}) == (["load", "right", "join"], 3.0)
    assert critical_path(nx.DiGraph(), {}) == ([], 0.0)


def test_two_ports_between_the_same_steps_share_one_graph_edge():
    spec = pipeline(step("a", [], [port("x"), port("y")]),
                    step("b", [port("p", from_="a.x"), port("q", from_="a.y")]))
    dag = build_dag(spec)
    assert [(e.output, e.input) for e in dag.edges["a", "b"]["ports"]] == [("x", "p"), ("y", "q")]


def test_dag_list_adds_edges_and_repeats_are_merged():
    spec = pipeline(step("a", [], [port("x")]), step("b", [port("p", from_="a.x"), port("q")]),
                    dag=[("a.x", "b.p"), ("a.x", "b.q")])
    assert [str(e) for e in edges(build_dag(spec))] == ["a.x -> b.p", "a.x -> b.q"]


def test_input_fed_by_two_outputs_is_a_spec_error():
    spec = pipeline(step("a", [], [port("x"), port("y")]), step("b", [port("p", from_="a.x")]),
                    dag=[("a.y", "b.p")])
    with pytest.raises(SpecError, match="fed by both 'a.x' and 'a.y'") as info:
        build_dag(spec)
    assert (info.value.line, info.value.key) == (spec.locations["dag.0"].line, "dag.0")


def test_cycle_is_a_spec_error_with_its_path_and_line():
    spec = pipeline(step("a", [port("in", from_="c.out")], [port("out")]),
                    step("b", [port("in", from_="a.out")], [port("out")]),
                    step("c", [port("in", from_="b.out")], [port("out")]))
    with pytest.raises(SpecError, match="cycle") as info:
        build_dag(spec)
    error = info.value
    path = error.message.split(": ", 1)[1].split(" -> ")
    assert path[0] == path[-1] and sorted(path[:-1]) == ["a", "b", "c"]
    from_lines = {spec.locations[f"steps.{s}.inputs.in.from"].line for s in "abc"}
    assert error.line in from_lines and error.key.endswith(".inputs.in.from")
    assert str(error).startswith(f"{SPEC_FILE}:{error.line}: steps.")


def test_step_reading_its_own_output_is_a_cycle():
    spec = pipeline(step("a", [port("in", from_="a.out")], [port("out")]))
    with pytest.raises(SpecError, match="cycle: a -> a"):
        build_dag(spec)


@pytest.mark.parametrize(("ref", "message"), [
    ("nope.out", "names unknown step 'nope'"),
    ("a.missing", "step 'a' has no output 'missing' \\(outputs: out\\)"),
    ("a", "must be STEP.PORT"),
])
def test_dangling_from_is_a_spec_error_at_the_from_key(ref, message):
    spec = pipeline(step("a", [], [port("out")]), step("b", [port("in", from_=ref)]))
    with pytest.raises(SpecError, match=message) as info:
        build_dag(spec)
    assert info.value.line == spec.locations["steps.b.inputs.in.from"].line
    assert info.value.key == "steps.b.inputs.in.from"


def test_dangling_dag_entry_names_the_missing_input():
    spec = pipeline(step("a", [], [port("out")]), step("b", [port("in")]), dag=[("a.out", "b.nothing")])
    with pytest.raises(SpecError, match="step 'b' has no input 'nothing' \\(inputs: in\\)") as info:
        build_dag(spec)
    assert info.value.line == spec.locations["dag.0"].line


def test_parquet_output_read_as_declared_csv_is_a_spec_error():
    spec = pipeline(step("a", [], [port("out", format="parquet")]),
                    step("b", [port("in", format="csv", from_="a.out")]),
                    declared=["steps.b.inputs.in.format"])
    with pytest.raises(SpecError, match="parquet output read as csv input") as info:
        build_dag(spec)
    assert info.value.line == spec.locations["steps.b.inputs.in.from"].line


def test_from_input_without_a_format_inherits_the_producers():
    spec = pipeline(step("a", [], [port("out", format="parquet")]), step("b", [port("in", from_="a.out")]))
    assert list(build_dag(spec).edges) == [("a", "b")]


def test_layout_directory_read_as_single_file_is_a_spec_error():
    spec = pipeline(step("a", [], [port("out", layout="{split}/{split}.csv", split=["train", "test"])]),
                    step("b", [port("in")]), dag=[("a.out", "b.in")])
    with pytest.raises(SpecError, match="directory .* read as a single file"):
        build_dag(spec)


def test_file_consumer_accepts_any_producer_format():
    spec = pipeline(step("a", [], [port("model", format="parquet", layout="part-{shard}.parquet", shards=2)]),
                    step("b", [port("in", format="file")]), dag=[("a.model", "b.in")])
    assert list(build_dag(spec).edges) == [("a", "b")]


# -- properties over generated DAGs -------------------------------------------------

@st.composite
def acyclic_edges(draw):
    size = draw(st.integers(1, 7))
    possible = [(i, j) for i in range(size) for j in range(i + 1, size)]
    pairs = draw(st.sets(st.sampled_from(possible), max_size=12)) if possible else set()
    return size, sorted(pairs)


def chain_spec(size, pairs, extra=()):
    feeds = {j: [i for i, k in pairs + list(extra) if k == j] for j in range(size)}
    return pipeline(*(step(f"s{j}", [port(f"from_s{i}", from_=f"s{i}.out") for i in feeds[j]] + [port("seed")],
                           [port("out")]) for j in range(size)))


@settings(max_examples=60, deadline=None)
@given(acyclic_edges(), st.data())
def test_generated_dags_have_every_edge_and_find_the_longest_chain(graph, data):
    size, pairs = graph
    dag = build_dag(chain_spec(size, pairs))
    assert sorted(dag) == sorted(f"s{j}" for j in range(size))
    assert set(dag.edges) == {(f"s{i}", f"s{j}") for i, j in pairs}
    durations = {f"s{j}": data.draw(st.floats(0, 100)) for j in range(size)}
    path, total = critical_path(dag, durations)
    chains = [p for a, b in itertools.product(dag, dag) for p in nx.all_simple_paths(dag, a, b)] + [[n] for n in dag]
    assert total == pytest.approx(max(sum(durations[n] for n in p) for p in chains))
    assert total == pytest.approx(sum(durations[n] for n in path))
    assert all(dag.has_edge(a, b) for a, b in itertools.pairwise(path))


@settings(max_examples=40, deadline=None)
@given(acyclic_edges().filter(lambda g: g[1]))
def test_generated_back_edge_on_a_path_is_reported_as_a_cycle(graph):
    size, pairs = graph
    first, last = pairs[0]
    with pytest.raises(SpecError, match="cycle"):
        build_dag(chain_spec(size, pairs, extra=[(last, first)]))

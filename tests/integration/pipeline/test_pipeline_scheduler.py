"""Properties of the pipeline scheduler over random DAGs, failing steps and pool sizes."""

from __future__ import annotations

import threading

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.modes.pipeline.run import PipelineScheduler, StepReport
from specrun.results import CaseResult, Outcome


@st.composite
def dags(draw):
    """A DAG over steps s0..sN (edges only go from lower to higher numbers)."""
    n = draw(st.integers(1, 8))
    graph = nx.DiGraph()
    graph.add_nodes_from(f"s{i}" for i in range(n))
    for j in range(n):
        for i in range(j):
            if draw(st.booleans()):
                graph.add_edge(f"s{i}", f"s{j}")
    return graph


class Recorder:
    """Runs nothing: records what the scheduler asks for, and in which state."""

    def __init__(self, dag: nx.DiGraph, failing: set[str]) -> None:
        self.dag, self.failing = dag, failing
        self.finished: set[str] = set()
        self.started: list[str] = []
        self.violations: list[str] = []
        self.active = self.peak = 0
        self.lock = threading.Lock()

    def execute(self, step: str) -> StepReport:
        with self.lock:
            self.started.append(step)
            self.active += 1
            self.peak = max(self.peak, self.active)
            missing = [p for p in self.dag.predecessors(step) if p not in self.finished]
            if missing:
                self.violations.append(f"{step} started before {missing}")
        ok = step not in self.failing
        result = CaseResult(id=step, mode="pipeline", pipeline="p", step=step,
                            outcome=Outcome.PASSED if ok else Outcome.FAILED)
        with self.lock:
            self.active -= 1
            if ok:
                self.finished.add(step)
        return StepReport(step, result, handed_over=ok, failure=None if ok else f"step {step} failed")

    def skip(self, step: str, reason: str, failure: str | None) -> StepReport:
        result = CaseResult(id=step, mode="pipeline", pipeline="p", step=step, outcome=Outcome.SKIPPED,
                            message=f"skipped: {reason}")
        return StepReport(step, result, handed_over=False, failure=failure or f"step {step} did not run")


@settings(max_examples=150, deadline=None)
@given(data=st.data(), dag=dags(), workers=st.integers(1, 4))
def test_continue_on_failure_runs_exactly_the_steps_without_a_failed_ancestor(data, dag, workers):
    failing = set(data.draw(st.lists(st.sampled_from(sorted(dag)), unique=True)))
    recorder = Recorder(dag, failing)
    scheduler = PipelineScheduler(dag, dag.nodes, recorder.execute, recorder.skip,
                                  max_workers=workers, continue_on_failure=True)
    reports = {r.step: r for r in scheduler.run()}
    assert set(reports) == set(dag) and len(recorder.started) == len(set(recorder.started))
    assert not recorder.violations
    assert recorder.peak <= workers
    for step in dag:
        failed_above = sorted(nx.ancestors(dag, step) & failing)
        if not failed_above:
            assert step in recorder.started
        else:
            message = reports[step].result.message
            assert reports[step].result.outcome is Outcome.SKIPPED
            assert message.startswith("skipped: upstream step ") and message.endswith(" failed")
            assert message.split()[3] in failed_above
    assert scheduler.stopped is None


@settings(max_examples=100, deadline=None)
@given(data=st.data(), dag=dags())
def test_without_continue_nothing_starts_after_the_first_failure(data, dag):
    failing = set(data.draw(st.lists(st.sampled_from(sorted(dag)), unique=True)))
    recorder = Recorder(dag, failing)
    scheduler = PipelineScheduler(dag, dag.nodes, recorder.execute, recorder.skip,
                                  max_workers=1, continue_on_failure=False)
    reports = list(scheduler.run())
    order = list(nx.lexicographical_topological_sort(dag))
    first_failure = next((i for i, step in enumerate(order) if step in failing), None)
    expected = order if first_failure is None else order[:first_failure + 1]
    assert recorder.started == expected
    assert sorted(r.step for r in reports) == sorted(dag)
    if first_failure is None:
        return
    failed = order[first_failure]
    stop = f"pipeline stopped after step {failed} failed (continue_on_failure: false)"
    downstream = nx.descendants(dag, failed)
    for report in reports:
        if report.step not in expected:
            reason = f"upstream step {failed} failed" if report.step in downstream else stop
            assert report.result.message == f"skipped: {reason}"
    others = set(order[first_failure + 1:]) - downstream
    assert scheduler.stopped == (stop if others else None)


def test_producers_outside_the_run_count_as_handed_over():
    dag = nx.DiGraph([("a", "b"), ("b", "c")])
    recorder = Recorder(dag, set())
    recorder.finished.add("a")             # kept from an earlier run
    reports = list(PipelineScheduler(dag, ["b", "c"], recorder.execute, recorder.skip,
                                     max_workers=2, continue_on_failure=False).run())
    assert [r.step for r in reports] == ["b", "c"] and recorder.started == ["b", "c"]


def test_a_passed_deadline_skips_every_step_that_has_not_started():
    dag = nx.DiGraph([("a", "b")])
    recorder = Recorder(dag, set())
    scheduler = PipelineScheduler(dag, dag.nodes, recorder.execute, recorder.skip, max_workers=1,
                                  continue_on_failure=True, deadline=0.0, deadline_reason="too late")
    reports = list(scheduler.run())
    assert recorder.started == []
    assert [r.result.message for r in reports] == ["skipped: too late", "skipped: too late"]
    assert scheduler.stopped == "too late"

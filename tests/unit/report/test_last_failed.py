"""The run state behind --lf / --ff / --sw: merging results, selection, and the file (Hypothesis)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from specrun.plan import PlannedCase
from specrun.report.last_failed import RunState, RunStateRecorder, load_state, save_state, select
from specrun.results import CaseResult, Outcome
from specrun.run_options import RunOptions

IDS = st.sampled_from([f"p::s{i}[a]" for i in range(6)])
OUTCOMES = st.sampled_from(list(Outcome))


@given(st.lists(st.tuples(st.sampled_from(["a.yaml", "b.yaml"]), IDS, OUTCOMES), max_size=30))
def test_the_state_is_the_last_outcome_of_each_case_that_ran(runs) -> None:
    state = RunState()
    last: dict[tuple[str, str], Outcome] = {}
    for key, case_id, outcome in runs:
        state.record(key, CaseResult(id=case_id, mode="isolation", pipeline="p", step="s", outcome=outcome))
        last[(key, case_id)] = outcome
    failed = {k for k, o in last.items() if o in (Outcome.FAILED, Outcome.ERROR)}
    assert {(key, case_id) for key, cases in state.failed.items() for case_id in cases} == failed
    assert RunState.from_json(state.to_json()) == state


@given(st.lists(IDS, unique=True, min_size=1), st.sets(IDS))
def test_lf_keeps_the_failed_cases_and_ff_only_reorders(ids, failed_ids) -> None:
    cases = [PlannedCase(id=i, mode="isolation", pipeline="p", step="s") for i in ids]
    state = RunState(failed={"k": {i: "failed" for i in failed_ids}} if failed_ids else {})
    lf = select(cases, state, RunOptions(last_failed=True), lambda c: "k")
    expected = [c for c in cases if c.id in failed_ids] or cases
    assert lf.cases == expected and lf.deselected == len(cases) - len(expected)
    ff = select(cases, state, RunOptions(failed_first=True), lambda c: "k")
    assert sorted(c.id for c in ff.cases) == sorted(ids) and ff.deselected == 0
    assert ff.cases[:len([c for c in cases if c.id in failed_ids])] == [c for c in cases if c.id in failed_ids]


def test_a_state_file_that_is_not_a_state_reads_empty(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "run-state.json").write_text("{not json")
    assert load_state(tmp_path) == RunState()
    save_state(tmp_path, RunState(failed={"a.yaml": {"x": "error"}}, stepwise={"spec": "a.yaml", "case": "x"}))
    assert load_state(tmp_path).stepwise == {"spec": "a.yaml", "case": "x"}


def test_a_result_of_an_unknown_spec_is_not_recorded(tmp_path: Path) -> None:
    session = SimpleNamespace(options=RunOptions(), workspace=tmp_path, result_spec=lambda result: None)
    recorder = RunStateRecorder()
    recorder.specrun_sessionstart(session)
    recorder.specrun_case_finish(session, CaseResult(id="x", mode="m", pipeline="p", step="s",
                                                     outcome=Outcome.FAILED))
    assert not (tmp_path / "cache" / "run-state.json").exists()

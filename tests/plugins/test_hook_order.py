"""Hook order (tryfirst / trylast / wrappers) and exploding lifecycle hooks: the
failing implementation is recorded by plugin and hook, every other one still runs,
and the run ends with exit code 3."""

from __future__ import annotations

import json

import pytest
from plugin_project import PluginProject

from specrun.hook_guard import HookGuard
from specrun.hooks import hook_failures, hookimpl, make_plugin_manager
from specrun.results import CaseResult


class Recorder:
    """Plugins that append to a shared call log."""

    def __init__(self, log: list[str], tag: str, explode: bool = False) -> None:
        self.log, self.tag, self.explode = log, tag, explode

    @hookimpl
    def specrun_case_finish(self, session, result):
        self.log.append(self.tag)
        if self.explode:
            raise RuntimeError(f"{self.tag} exploded")


def make(log: list[str]):
    pm = make_plugin_manager()

    class First:
        @hookimpl(tryfirst=True)
        def specrun_case_finish(self, session, result):
            log.append("first")

    class Last:
        @hookimpl(trylast=True)
        def specrun_case_finish(self, session, result):
            log.append("last")

    class NewWrapper:
        @hookimpl(wrapper=True)
        def specrun_case_finish(self, session, result):
            log.append("wrap-before")
            value = yield
            log.append("wrap-after")
            return value

    class OldWrapper:
        @hookimpl(hookwrapper=True)
        def specrun_case_finish(self, session, result):
            log.append("old-before")
            outcome = yield
            log.append(f"old-after:{outcome.exception is None}")

    pm.register(Last(), name="last")
    pm.register(Recorder(log, "a"), name="a")
    pm.register(First(), name="first")
    pm.register(Recorder(log, "b"), name="b")
    pm.register(OldWrapper(), name="old")
    pm.register(NewWrapper(), name="new")
    return pm


def result() -> CaseResult:
    return CaseResult(id="p::s[x]", mode="isolation", pipeline="p", step="s")


EXPECTED = ["wrap-before", "old-before", "first", "b", "a", "last", "old-after:True", "wrap-after"]


def test_order_is_pluggys() -> None:
    log: list[str] = []
    pm = make(log)
    pm.hook.specrun_case_finish(session=None, result=result())
    assert log == EXPECTED
    assert hook_failures(pm) == []


def test_an_exploding_implementation_is_recorded_and_the_others_run() -> None:
    log: list[str] = []
    pm = make(log)
    pm.register(Recorder(log, "boom", explode=True), name="boom")
    for _ in range(3):
        pm.hook.specrun_case_finish(session=None, result=result())
    expected = ["wrap-before", "old-before", "first", "boom", "b", "a", "last", "old-after:True", "wrap-after"]
    assert log == expected * 3
    [failure] = hook_failures(pm)
    assert (failure.plugin, failure.hook, failure.error, failure.count) == (
        "boom", "specrun_case_finish", "RuntimeError: boom exploded", 3)
    assert "raise RuntimeError" in failure.traceback
    assert str(failure) == "plugin 'boom' failed in specrun_case_finish (3 calls): RuntimeError: boom exploded"


@pytest.mark.parametrize("where", ["before", "after"])
def test_exploding_wrappers_are_recorded(where: str) -> None:
    log: list[str] = []
    pm = make(log)

    class Bad:
        @hookimpl(wrapper=True)
        def specrun_case_finish(self, session, result):
            if where == "before":
                raise ValueError("setup")
            yield
            raise ValueError("teardown")

    pm.register(Bad(), name="bad")
    pm.hook.specrun_case_finish(session=None, result=result())
    assert log == EXPECTED
    [failure] = hook_failures(pm)
    assert failure.plugin == "bad" and failure.error == f"ValueError: {'setup' if where == 'before' else 'teardown'}"


def test_a_read_only_hook_list_is_an_error_not_an_unguarded_call() -> None:
    # The guard swaps implementations in pluggy's per-call list; handed a read-only
    # sequence it must say so rather than let the hooks run unguarded.
    pm = make([])
    impls = tuple(pm.hook.specrun_case_finish.get_hookimpls())
    with pytest.raises(TypeError, match="HookGuard needs the per-call list"):
        HookGuard()._before("specrun_case_finish", impls, {})


def test_registry_hooks_are_not_guarded() -> None:
    pm = make_plugin_manager()

    class Bad:
        @hookimpl
        def specrun_modes(self):
            raise KeyError("bug")

    pm.register(Bad())
    with pytest.raises(KeyError):
        pm.hook.specrun_modes()


EXPLODING_REPORTER = '''
from specrun.plugin import hookimpl


class Exploding:
    @hookimpl
    def specrun_case_finish(self, session, result):
        raise RuntimeError("cannot render")


@hookimpl
def specrun_reporters(config):
    return [Exploding()]
'''


def test_exploding_reporter_does_not_kill_the_run(project: PluginProject) -> None:
    project.copy_spec()
    spec = project.root / "spec.yaml"
    spec.write_text(spec.read_text().replace("isolation: {scenarios: [standard]}",
                                             "isolation: {scenarios: [standard, edge_cases]}"))
    project.write("boom.py", EXPLODING_REPORTER)
    run = project.run("spec.yaml", "-p", "boom", "--events", "events.ndjson", "--junitxml", "junit.xml")
    assert run.code == 3, run.output
    assert ("specrun: INTERNAL ERROR: plugin 'boom:Exploding' failed in specrun_case_finish (4 calls): "
            "RuntimeError: cannot render") in run.stderr
    # every other reporter got every event, and the record is complete
    assert len(run.cases()) == 4 and all(c["outcome"] == "passed" for c in run.cases())   # standard + 3 edges
    assert run.record["exit_code"] == 3
    assert run.record["records"]["hook_errors"][0]["plugin"] == "boom:Exploding"
    events = [json.loads(line) for line in (project.root / "events.ndjson").read_text().splitlines()]
    assert [e["event"] for e in events].count("case_finish") == 4
    assert events[-1] == {**events[-1], "event": "session_finish", "exit_code": 3}
    assert (project.root / "junit.xml").read_text().count("<testcase") == 4
    assert "PASSED  demo::copy[standard]" in run.stdout and "PASSED  demo::copy[edge_cases:empty]" in run.stdout

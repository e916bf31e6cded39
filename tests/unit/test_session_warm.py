"""session.warm_executors: an executor whose factory says ``warm_ahead`` is created when the
run starts and warmed; any other (a Dask cluster) is left for the first case that needs it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from specrun.execution.executors import specrun_executors
from specrun.session import warm_executors


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def warm(self) -> None:
        self.log.append(f"warm {self.name}")


def _session(factories: dict[str, Any], chosen: dict[str, str], dist: str | None = None) -> Any:
    made: dict[str, Any] = {}

    def executor(name: str) -> Any:
        if name not in made:
            made[name] = factories[name](None)
        return made[name]

    return SimpleNamespace(options=SimpleNamespace(dist=dist), executor_factories=factories, executor=executor,
                           executor_name=lambda spec: chosen[spec], made=made)


def _factory(name: str, log: list[str], *, ahead: bool) -> Any:
    """A factory that logs its creations; ``ahead``: it says ``warm_ahead``."""
    def make(_: Any) -> Recorder:
        log.append(f"created {name}")
        return Recorder(name, log)
    if ahead:
        make.warm_ahead = True   # type: ignore[attr-defined]
    return make


def test_only_executors_whose_factory_warms_ahead_are_created_and_warmed() -> None:
    log: list[str] = []
    factories = {"ahead": _factory("ahead", log, ahead=True), "lazy": _factory("lazy", log, ahead=False)}
    session = _session(factories, {"a": "ahead", "b": "lazy", "c": "ahead"})
    warm_executors(session, [session.executor_name(s) for s in ("a", "b", "c")])
    assert log == ["created ahead", "warm ahead"] and list(session.made) == ["ahead"]


def test_with_dist_nothing_local_is_warmed() -> None:
    log: list[str] = []
    factories = {"ahead": _factory("ahead", log, ahead=True), "dask": _factory("dask", log, ahead=False)}
    warm_executors(_session(factories, {"a": "ahead"}, dist="dask"), ["ahead"])
    assert log == []


def test_the_built_in_fork_executor_warms_ahead_and_dask_does_not() -> None:
    factories = specrun_executors()
    assert getattr(factories["fork"], "warm_ahead", False) is True
    assert not getattr(factories["dask"], "warm_ahead", False)
    assert not getattr(factories["fresh"], "warm_ahead", False)

"""The one rule that decides a run's limits: scenario > mode option > step > defaults > 300 s."""

from __future__ import annotations

from pathlib import Path

import pytest

from specrun.modes.limits import DEFAULT_TIMEOUT_S, RunLimits, resolve_limits
from specrun.spec.model import Defaults, PipelineSpec, StepSpec

# Every level sets a different value, so the winner is visible.
LEVELS = {"scenario": (10.0, 1_000), "mode": (20.0, 2_000), "step": (30.0, 3_000), "defaults": (40.0, 4_000)}


def resolved(*present: str) -> RunLimits:
    """The limits when only the named levels say something."""
    def level(name: str) -> tuple[float | None, int | None]:
        return LEVELS[name] if name in present else (None, None)

    step = StepSpec(name="s", script=Path("s.py"), timeout=level("step")[0], memory_limit=level("step")[1])
    spec = PipelineSpec(path=Path("p.yaml"), pipeline="p", steps={"s": step},
                        defaults=Defaults(timeout=level("defaults")[0], memory_limit=level("defaults")[1]))
    return resolve_limits(spec, step, scenario=RunLimits(*level("scenario")), mode=RunLimits(*level("mode")))


@pytest.mark.parametrize("present, winner", [
    (("scenario", "mode", "step", "defaults"), "scenario"),
    (("mode", "step", "defaults"), "mode"),
    (("step", "defaults"), "step"),
    (("defaults",), "defaults"),
    (("scenario", "defaults"), "scenario"),
    (("mode", "defaults"), "mode"),
])
def test_each_level_beats_the_ones_below_it(present, winner):
    assert resolved(*present) == RunLimits(*LEVELS[winner])


def test_nothing_set_means_the_default_timeout_and_unlimited_memory():
    assert resolved() == RunLimits(timeout_s=DEFAULT_TIMEOUT_S, memory_limit_bytes=None)
    assert DEFAULT_TIMEOUT_S == 300.0


def test_timeout_and_memory_are_decided_each_on_its_own():
    step = StepSpec(name="s", script=Path("s.py"), memory_limit=3_000)
    spec = PipelineSpec(path=Path("p.yaml"), pipeline="p", steps={"s": step}, defaults=Defaults(timeout=40.0))
    limits = resolve_limits(spec, step, scenario=RunLimits(timeout_s=None, memory_limit_bytes=None),
                            mode=RunLimits(timeout_s=20.0))
    assert limits == RunLimits(timeout_s=20.0, memory_limit_bytes=3_000)


def test_without_scenario_or_mode_the_step_and_defaults_decide():
    step = StepSpec(name="s", script=Path("s.py"), timeout=5.0)
    spec = PipelineSpec(path=Path("p.yaml"), pipeline="p", steps={"s": step}, defaults=Defaults(memory_limit=7))
    assert resolve_limits(spec, step) == RunLimits(timeout_s=5.0, memory_limit_bytes=7)

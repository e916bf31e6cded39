"""Which modes run for a spec: --mode, --quick, the automatic choice, modes: and enabled: false."""

from __future__ import annotations

import argparse
from pathlib import Path

from specrun.modes.selection import specrun_select_modes
from specrun.spec.model import PipelineSpec, PortSpec, StepSpec

AVAILABLE = ("isolation", "pipeline", "deep_dive", "drift")


def spec(steps: int = 1, modes: dict | None = None, source: str | None = None) -> PipelineSpec:
    names = [f"s{i}" for i in range(steps)]
    return PipelineSpec(path=Path("p.yaml"), pipeline="p", modes=modes or {}, steps={
        n: StepSpec(name=n, script=Path(f"{n}.py"), inputs={"x": PortSpec(name="x", format="csv", source=source)})
        for n in names})


def select(s: PipelineSpec, **config) -> list[str]:
    return specrun_select_modes(spec=s, config=argparse.Namespace(**config), available=AVAILABLE)


def test_one_step_runs_isolation_only():
    assert select(spec(1)) == ["isolation"]


def test_several_steps_add_pipeline():
    assert select(spec(3)) == ["isolation", "pipeline"]


def test_real_data_adds_deep_dive():
    assert select(spec(1, source="s3://b/k/")) == ["isolation", "deep_dive"]
    assert select(spec(1, modes={"deep_dive": {"s3_execution_arn": "arn:x"}})) == ["isolation", "deep_dive"]
    assert select(spec(1), project_modes={"deep_dive": {"snapshot": "snap"}}) == ["isolation", "deep_dive"]


def test_a_mode_named_in_the_spec_is_added_in_canonical_order():
    assert select(spec(1, modes={"drift": {}, "pipeline": {}})) == ["isolation", "pipeline", "drift"]


def test_enabled_false_removes_a_mode_and_the_spec_wins_over_the_project():
    assert select(spec(3, modes={"pipeline": {"enabled": False}})) == ["isolation"]
    assert select(spec(3, modes={"pipeline": {"enabled": True}}),
                  project_modes={"pipeline": {"enabled": False}}) == ["isolation", "pipeline"]
    assert select(spec(3), project_modes={"pipeline": {"enabled": "off"}}) == ["isolation"]


def test_a_project_mode_enabled_there_is_added():
    assert select(spec(1), project_modes={"drift": {"enabled": True}}) == ["isolation", "drift"]
    assert select(spec(1), project_modes={"drift": {"reference": "x"}}) == ["isolation"]


def test_mode_on_the_command_line_runs_exactly_those_in_canonical_order():
    assert select(spec(3, modes={"drift": {}}), mode=["pipeline", "isolation"]) == ["isolation", "pipeline"]
    assert select(spec(1), mode=["drift", "deep_dive", "drift"]) == ["deep_dive", "drift"]


def test_quick_is_isolation_only():
    assert select(spec(3, modes={"drift": {}}), quick=True) == ["isolation"]

"""``network:`` of a step: off unless the step says ``true``; anything but a boolean is a
SpecError naming file, line and key."""

from __future__ import annotations

from spec_helpers import BASE, error_text, write

from specrun.spec.loader import load_spec


def _with_network(value: str) -> str:
    return BASE.replace("script: one.py", f"script: one.py\n    network: {value}", 1)


def test_network_is_off_unless_the_step_says_true(tmp_path):
    spec = load_spec(write(tmp_path, _with_network("true")))
    assert spec.steps["one"].network is True
    assert spec.steps["two"].network is False
    assert load_spec(write(tmp_path, _with_network("false"))).steps["one"].network is False


def test_network_must_be_a_boolean(tmp_path):
    text = error_text(tmp_path, _with_network("maybe"))
    assert text.startswith("spec.yaml:11: steps.one.network: expected a boolean value")

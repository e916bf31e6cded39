"""The minimum-versions job pins every runtime dependency at its declared lower bound."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[3]


def _module():
    spec = importlib.util.spec_from_file_location("min_constraints", ROOT / ".ci" / "min_constraints.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["min_constraints"] = module
    spec.loader.exec_module(module)
    return module


def test_every_runtime_dependency_is_pinned_at_its_lower_bound():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [Requirement(p) for p in _module().lower_bound_pins(dependencies)]
    assert [p.name for p in pins] == [Requirement(d).name for d in dependencies]
    for pin, text in zip(pins, dependencies, strict=True):
        floor = next(s.version for s in Requirement(text).specifier if s.operator == ">=")
        assert str(pin.specifier) == f"=={floor}" and pin.marker == Requirement(text).marker


def test_a_dependency_without_a_lower_bound_is_refused():
    with pytest.raises(ValueError, match="'rich<14': needs exactly one lower bound"):
        _module().lower_bound_pins(["rich<14"])


versions = st.lists(st.integers(0, 40), min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts)))


@given(name=st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True), floor=versions, cap=versions)
def test_the_pin_is_the_floor_whatever_else_is_declared(name, floor, cap):
    [pin] = _module().lower_bound_pins([f"{name}>={floor},<{cap}9"])
    assert pin == f"{name}=={floor}"

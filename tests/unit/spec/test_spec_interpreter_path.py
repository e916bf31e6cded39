"""``python:`` values become interpreter paths: relative to the spec's folder, ``~`` and
``$VAR`` expanded, symbolic links kept, bare command names looked up on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.spec.build_steps import interpreter_path
from specrun.spec.loader import load_spec
from specrun.spec.options import LoadOptions

PARTS = st.lists(st.text(alphabet="abcdefghij_-.0123456789", min_size=1, max_size=6)
                 .filter(lambda p: p not in {".", ".."}), min_size=1, max_size=4)
BASE = Path("/projects/pipeline/specs")


@given(parts=PARTS)
def test_relative_paths_are_under_the_spec_folder(parts: list[str]) -> None:
    value = "/".join(["venv", *parts])
    assert interpreter_path(value, LoadOptions(base_dir=BASE)) == str(BASE / value)


@given(parts=PARTS)
def test_absolute_paths_stay(parts: list[str]) -> None:
    value = "/" + "/".join(parts)
    assert interpreter_path(value, LoadOptions(base_dir=BASE)) == value


def test_home_and_variables_are_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("PIPELINE_VENV", "/opt/venvs/fraud")
    options = LoadOptions(base_dir=BASE)
    assert interpreter_path("~/venvs/x/bin/python", options) == "/home/someone/venvs/x/bin/python"
    assert interpreter_path("$PIPELINE_VENV/bin/python", options) == "/opt/venvs/fraud/bin/python"
    assert interpreter_path("${PIPELINE_VENV}/bin/python", options) == "/opt/venvs/fraud/bin/python"


def test_symbolic_links_are_kept(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "venv").symlink_to(tmp_path / "real")
    assert interpreter_path("venv/bin/python", LoadOptions(base_dir=tmp_path)) == str(tmp_path / "venv/bin/python")


def test_a_bare_name_is_looked_up_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "python3.99"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert interpreter_path("python3.99", LoadOptions(base_dir=BASE)) == str(exe)
    assert interpreter_path("python-nowhere", LoadOptions(base_dir=BASE)) == "python-nowhere"


def test_a_step_inherits_defaults_python_unless_it_writes_its_own(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\npipeline: p\ndefaults: {python: envs/a/bin/python}\n"
        "steps:\n  one: {script: one.py}\n  two: {script: two.py, python: " + os.sep + "opt/b/bin/python}\n")
    loaded = load_spec(spec)
    assert loaded.steps["one"].python == str(tmp_path / "envs/a/bin/python")
    assert loaded.steps["two"].python == "/opt/b/bin/python"

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


ARGS = st.lists(st.one_of(
    st.sampled_from(["{inputs.raw}", "{outputs.clean}", "--flag", "-v", "/abs/path", "x=1", "", "clean.sh",
                     "data", "missing.R", ".", "..", "data/../clean.sh"]),
    st.text(alphabet="abcdefgh_-.=", min_size=1, max_size=6)), max_size=6)


@given(args=ARGS)
def test_a_command_keeps_what_is_not_a_file_next_to_the_spec(tmp_path_factory: pytest.TempPathFactory,
                                                              args: list[str]) -> None:
    from specrun.spec.build_steps import command_argv

    base = tmp_path_factory.mktemp("spec")
    (base / "clean.sh").write_text("#!/bin/sh\n")
    (base / "data").mkdir()
    argv = command_argv(["sh", *args], LoadOptions(base_dir=base))
    assert argv[0] == "sh" and len(argv) == len(args) + 1
    for written, ran in zip(args, argv[1:], strict=True):
        next_to_spec = (written and "{" not in written and not written.startswith(("-", "/"))
                        and (base / written).exists())
        assert ran == (os.path.normpath(base / written) if next_to_spec else written)


def test_a_program_written_as_a_path_is_made_absolute(tmp_path: Path) -> None:
    from specrun.spec.build_steps import command_argv

    options = LoadOptions(base_dir=tmp_path)
    assert command_argv(["./bin/tool", "{inputs.x}"], options) == [str(tmp_path / "bin/tool"), "{inputs.x}"]
    assert command_argv(["Rscript", "clean.R"], options) == ["Rscript", "clean.R"]      # no such file here

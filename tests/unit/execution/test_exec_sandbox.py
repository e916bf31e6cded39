"""SandboxDir layout and the child environment builder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specrun
from specrun.execution.sandbox import (
    RUN_MARKER_VAR,
    SANDBOX_DIRS,
    SandboxDir,
    child_env,
    child_pythonpath,
)

BASE_KEYS = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONHASHSEED",
             "PYTHONDONTWRITEBYTECODE", "PYTHONPATH"}
SPECRUN_ROOT = str(Path(specrun.__file__).resolve().parent.parent)

env_names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,15}", fullmatch=True)
env_values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     max_size=30)


def test_layout_is_created_and_removed(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path, prefix="t-") as box:
        assert box.root.parent == tmp_path.resolve() and box.root.name.startswith("t-")
        assert sorted(p.name for p in box.root.iterdir()) == sorted(SANDBOX_DIRS)
        assert (box.inputs, box.outputs, box.logs) == (box.root / "input", box.root / "output",
                                                       box.root / "logs")
        (box.outputs / "x.csv").write_text("a\n")
        root = box.root
    assert not root.exists()


def test_keep_leaves_the_sandbox(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path, keep=True) as box:
        (box.logs / "stdout.log").write_text("hi")
    assert (box.logs / "stdout.log").read_text() == "hi"


def test_removed_even_when_the_body_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with SandboxDir(base=tmp_path) as box:
            raise RuntimeError("boom")
    assert not box.root.exists()


def test_root_before_enter_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        _ = SandboxDir().root


def test_two_sandboxes_never_share_a_root(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as a, SandboxDir(base=tmp_path) as b:
        assert a.root != b.root


@settings(max_examples=200)
@given(declared=st.dictionaries(env_names, env_values, max_size=8))
def test_child_env_is_exactly_declared_plus_base(declared: dict[str, str]) -> None:
    os.environ["AWS_SECRET_ACCESS_KEY_FOR_TEST"] = "leak"
    try:
        env = child_env(Path("/sandbox"), declared)
    finally:
        del os.environ["AWS_SECRET_ACCESS_KEY_FOR_TEST"]
    assert set(env) == BASE_KEYS | set(declared)
    for key, value in declared.items():
        if key != "PYTHONPATH":
            assert env[key] == value
    assert SPECRUN_ROOT in env["PYTHONPATH"].split(os.pathsep)
    if "HOME" not in declared:
        assert env["HOME"] == "/sandbox/work"
    if "TMPDIR" not in declared:
        assert env["TMPDIR"] == "/sandbox/tmp"


def test_declared_pythonpath_comes_first_and_specrun_stays_importable() -> None:
    env = child_env(Path("/s"), {"PYTHONPATH": "/my/libs"})
    parts = env["PYTHONPATH"].split(os.pathsep)
    assert parts[0] == "/my/libs" and SPECRUN_ROOT in parts
    assert len(parts) == len(set(parts))


def test_run_marker_and_interpreter_dir_on_path() -> None:
    env = child_env(Path("/s"), {}, run_marker="abc", python="/opt/py/bin/python3")
    assert env[RUN_MARKER_VAR] == "abc"
    assert env["PATH"].split(os.pathsep)[0] == "/opt/py/bin"
    assert "PYTHONPATH" not in {k for k in env if k != "PYTHONPATH"}


def test_pythonpath_has_no_empty_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", f"{os.pathsep}/a{os.pathsep}{os.pathsep}/a")
    parts = child_pythonpath().split(os.pathsep)
    assert "" not in parts and parts.count("/a") == 1

"""Runs in another interpreter than specrun's (``RunRequest.python``, a step's ``python:``):
the child harness needs only that interpreter's standard library, so it runs on every
Python from 3.10 up (without ``-P`` before 3.11), under the fresh executor (process and
namespace sandbox) and the fork executor, which keeps one warm parent per interpreter."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from specrun.execution.fork import ForkExecutor, fork_available
from specrun.execution.interpreter import HARNESS_MIN_VERSION, InterpreterError, inspect_interpreter
from specrun.execution.namespace import NAMESPACE, PROCESS, probe
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.results import ErrorClass

PYENV = Path("/root/.pyenv/versions")


def _interpreters() -> list:
    """Every CPython 3.10+ of this machine's pyenv (a param each), skipped where there is none."""
    found = sorted(PYENV.glob("3.*/bin/python3")) if PYENV.is_dir() else []
    params = []
    for python in found:
        try:
            version = inspect_interpreter(str(python)).version
        except InterpreterError:
            continue
        params.append(pytest.param(str(python), id=".".join(map(str, version[:2]))))
    return params or [pytest.param(None, marks=pytest.mark.skip(reason="no other Python 3.10+ here"))]


SCRIPT = textwrap.dedent('''
    import json, multiprocessing, os, sys

    def square(x):
        return x * x

    if __name__ == "__main__":
        with multiprocessing.get_context("spawn").Pool(2) as pool:   # workers re-run the harness
            squares = pool.map(square, range(4))
        with open(sys.argv[1], "w") as fh:
            json.dump({"version": list(sys.version_info[:3]), "squares": squares,
                       "path0": sys.path[0], "pythonpath": os.environ.get("PYTHONPATH")}, fh)
        if len(sys.argv) > 2:
            raise ValueError(sys.argv[2])
''')


def _executor(kind: str) -> FreshExecutor:
    if kind == "fresh-namespace":
        found = probe()
        if not found.namespaced:
            pytest.skip(f"no namespace sandbox here: {found.reason}")
        return FreshExecutor(isolation=NAMESPACE)
    if kind == "fork":
        if not fork_available():
            pytest.skip("fork is not available on this platform")
        return ForkExecutor(isolation=PROCESS)
    return FreshExecutor(isolation=PROCESS)


@pytest.mark.parametrize("python", _interpreters())
@pytest.mark.parametrize("kind", ["fresh-process", "fresh-namespace", "fork"])
def test_the_harness_runs_in_another_interpreter(python: str, kind: str, tmp_path: Path) -> None:
    script = tmp_path / "scripts" / "where_am_i.py"
    script.parent.mkdir()
    script.write_text(SCRIPT)
    expected = inspect_interpreter(python).version
    executor = _executor(kind)
    try:
        with SandboxDir(base=tmp_path / "sandboxes") as box:
            out = box.outputs / "seen.json"
            request = RunRequest(script=script, workdir=box.root, python=python, args=[str(out)],
                                 output_paths={"seen": str(out)}, timeout=120)
            record = executor.run(request)
            assert record.ok, (record.message, record.stderr_tail)
            seen = json.loads(out.read_text())
            failed = executor.run(RunRequest(script=script, workdir=box.root, python=python,
                                             args=[str(out), "bad value"], timeout=120, inputs_valid=False))
        if isinstance(executor, ForkExecutor):
            assert executor.fallbacks == 0
            server = executor.server(python)
            assert server is not None and server.python == python
            assert executor._server is None          # specrun's own interpreter was never needed
    finally:
        executor.close()
    assert tuple(seen["version"]) == expected
    assert seen["squares"] == [0, 1, 4, 9]
    assert seen["path0"] == str(script.parent)
    assert seen["pythonpath"] is None               # nothing of specrun's on its path
    # classification works the same: the harness recorded the real exception
    assert not failed.ok and failed.error is not None and failed.error.type == "ValueError"
    assert failed.classification is ErrorClass.DATA_ERROR


def test_old_and_missing_interpreters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InterpreterError, match="not found"):
        inspect_interpreter(str(tmp_path / "nope" / "python"))
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(InterpreterError, match="not an executable"):
        inspect_interpreter(str(tmp_path / "plain.txt"))
    old = sorted(PYENV.glob("3.[6-9].*/bin/python3")) if PYENV.is_dir() else []
    if old:
        need = ".".join(map(str, HARNESS_MIN_VERSION))
        with pytest.raises(InterpreterError, match=f"needs Python {need} or newer"):
            inspect_interpreter(str(old[-1]))

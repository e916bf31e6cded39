"""``RunRequest.command``: any executable instead of the Python harness, under each
executor and sandbox.  The program's files are reachable in the namespace sandbox even
when they live under the host's /tmp (which the namespace hides behind a private one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specrun.execution.fork import ForkExecutor
from specrun.execution.namespace import NAMESPACE, PROCESS, probe
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.results import ErrorClass

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")


def _executor(kind: str) -> FreshExecutor:
    if kind == "fresh-namespace":
        found = probe()
        if not found.namespaced:
            pytest.skip(f"no namespace sandbox here: {found.reason}")
        return FreshExecutor(isolation=NAMESPACE)
    return ForkExecutor(isolation=PROCESS) if kind == "fork" else FreshExecutor(isolation=PROCESS)


@pytest.mark.parametrize("kind", ["fresh-process", "fresh-namespace", "fork"])
def test_a_shell_script_under_tmp_runs_and_fails_like_a_script(kind: str, tmp_path: Path) -> None:
    script = tmp_path / "project" / "write.sh"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\nprintf "n\\n%s\\n" "$#" > "$1"\n[ "$2" = ok ] || { echo "bad: $2" >&2; exit 4; }\n')
    executor = _executor(kind)
    try:
        with SandboxDir(base=tmp_path / "sandboxes") as box:
            out = box.outputs / "n.csv"
            good = executor.run(RunRequest(script=Path("sh"), workdir=box.root, timeout=60,
                                           command=["sh", str(script), str(out), "ok"],
                                           output_paths={"n": str(out)}))
            assert good.ok, (good.message, good.stderr_tail)
            assert out.read_text() == "n\n2\n"
            bad = executor.run(RunRequest(script=Path("sh"), workdir=box.root, timeout=60, inputs_valid=True,
                                          command=["sh", str(script), str(out), "nope"]))
    finally:
        executor.close()
    assert not bad.ok and bad.metrics.exit_code == 4
    assert bad.classification is ErrorClass.SCRIPT_ERROR
    assert bad.message == "exited with code 4: bad: nope"
    if isinstance(executor, ForkExecutor):
        assert executor._server is None            # not forked: no warm parent was started

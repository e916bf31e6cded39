"""The child bootstrap's protocol, driven directly: request JSON in, exit code,
stderr and the JSON error record out (``-m`` and by-path invocations)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import specrun.execution.child as child
from specrun.execution.sandbox import SandboxDir

SCRIPTS = Path(__file__).resolve().parent / "scripts"
INVOCATIONS = {
    "module": [sys.executable, "-m", "specrun.execution.child"],
    "path": [sys.executable, "-P", child.__file__],
}


def _run_child(box: SandboxDir, how: str, **request: object) -> tuple[int, str, dict | None]:
    error_path = box.logs / "child_error.json"
    payload = {"args": [], "env": {}, "input_paths": {}, "output_paths": {}, "job_args": {},
               "call": None, "error_path": str(error_path), **request}
    request_path = box.logs / "request.json"
    request_path.write_text(json.dumps(payload))
    proc = subprocess.run([*INVOCATIONS[how], str(request_path)], cwd=box.root,
                          env=box.child_env({}), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    error = json.loads(error_path.read_text()) if error_path.exists() else None
    return proc.returncode, proc.stderr, error


@pytest.mark.parametrize("how", sorted(INVOCATIONS))
def test_run_phase_exception_is_recorded(how: str, tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        code, stderr, error = _run_child(box, how, script=str(SCRIPTS / "raises_value_error.py"),
                                         call="main")
    assert code == 1 and error is not None
    assert (error["type"], error["phase"]) == ("ValueError", "run")
    assert error["traceback"] in stderr


@pytest.mark.parametrize("how", sorted(INVOCATIONS))
def test_import_phase_is_flagged(how: str, tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        for script, call in (("syntax_error.py", "main"), ("syntax_error.py", None),
                             ("missing_import.py", "main")):
            code, _, error = _run_child(box, how, script=str(SCRIPTS / script), call=call)
            assert code == 1 and error is not None and error["phase"] == "import", script


def test_sys_exit_code_passes_through_and_is_recorded(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        code, stderr, error = _run_child(box, "path", script=str(SCRIPTS / "exit_3.py"))
    assert code == 3 and "giving up" in stderr
    assert error is not None and error["type"] == "SystemExit" and error["message"] == "sys.exit(3)"


def test_clean_run_writes_no_error_record(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        out = box.outputs / "probe.json"
        code, stderr, error = _run_child(box, "path", script=str(SCRIPTS / "env_probe.py"),
                                         call="main", output_paths={"probe": str(out)},
                                         args=["--flag"])
        assert code == 0 and error is None, stderr
        seen = json.loads(out.read_text())
    assert seen["argv"] == [str(SCRIPTS / "env_probe.py"), "--flag"]
    assert seen["preloaded"] == []     # the bootstrap imported neither specrun nor pandas

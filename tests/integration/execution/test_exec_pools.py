"""multiprocessing pools over functions defined in the script under test, in the
call-main and argv styles, with the default start method and with spawn."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir

SCRIPTS = Path(__file__).resolve().parent / "scripts"
STYLES = [
    pytest.param("pool_squares.py", "main", None, id="main-default"),
    pytest.param("pool_squares.py", "main", "spawn", id="main-spawn"),
    pytest.param("pool_squares.py", None, None, id="argv-default"),
    pytest.param("pool_squares.py", None, "spawn", id="argv-spawn"),
    # a stem that is not an identifier (a copy made by the test): spawn workers import it
    # through the bootstrap's finder
    pytest.param("pool-squares-hyphen.py", "main", "spawn", id="main-spawn-hyphen-name"),
]


@pytest.mark.parametrize(("script", "call", "start_method"), STYLES)
def test_pool_over_script_function(script: str, call: str | None, start_method: str | None,
                                   tmp_path: Path) -> None:
    source = SCRIPTS / script
    if not source.exists():   # the hyphenated name: the same script under a non-identifier stem
        source = tmp_path / "scripts" / script
        source.parent.mkdir()
        source.write_text((SCRIPTS / "pool_squares.py").read_text())
    with SandboxDir(base=tmp_path) as box:
        output = box.outputs / "squares.json"
        if call:
            request = RunRequest(script=source, workdir=box.root, call=call,
                                 output_paths={"squares": str(output)},
                                 job_args={"start_method": start_method}, timeout=120)
        else:
            args = ["--output", str(output)] + (["--start-method", start_method] if start_method else [])
            request = RunRequest(script=source, workdir=box.root, args=args, timeout=120)
        record = FreshExecutor().run(request)
        assert record.ok, (record.message, record.stderr_tail)
        result = json.loads(output.read_text())
    assert result["squares"] == [x * x for x in range(6)]
    expected = start_method or multiprocessing.get_start_method()
    assert result["start_method"] == expected
    assert record.metrics.max_processes >= 2
    assert record.metrics.stray_processes_killed == 0
    assert record.metrics.cpu_s > 0

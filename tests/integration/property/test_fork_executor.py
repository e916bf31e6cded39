"""The fork executor on real scripts: same verdicts as fresh processes, kills hangs and
strays, and keeps each run's environment, cwd and module state its own."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import psutil
import pytest

from specrun.execution import fork
from specrun.execution.cgroups import cgroup_support
from specrun.execution.fork import ForkExecutor, script_imports
from specrun.execution.request import RunRequest
from specrun.execution.sandbox import RUN_MARKER_VAR, SandboxDir

EXECUTION = Path(__file__).resolve().parents[1] / "execution"
sys.path.insert(0, str(EXECUTION))
from misbehaving_cases import MISBEHAVING, SCRIPTS, ScriptCase, run_case  # noqa: E402

HERE = Path(__file__).resolve().parent / "scripts"


@pytest.fixture(scope="module")
def executor(tmp_path_factory: pytest.TempPathFactory):
    forked = ForkExecutor(server_dir=tmp_path_factory.mktemp("fork"))
    yield forked
    server = forked.server()
    assert server is not None
    forked.close()
    assert server.proc.poll() is not None          # closing the executor stops the warm parent


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("case", MISBEHAVING, ids=[c.id for c in MISBEHAVING])
def test_fork_gives_the_fresh_verdict(case: ScriptCase, executor: ForkExecutor, tmp_path: Path) -> None:
    record, root = run_case(case, tmp_path, executor)
    assert executor.fallbacks == 0
    assert record.classification == case.classification, record.message
    assert case.message in record.message
    if case.exit_code is not None:
        assert record.metrics.exit_code == case.exit_code
    if case.signal is not None:
        assert record.metrics.signal == case.signal
    assert record.metrics.stray_processes_killed == case.stray_processes_killed
    if case.id == "sleeps_forever":          # the hanging script and its child are both killed
        pids = json.loads((root / "output" / "pids.json").read_text())
        assert _gone(pids["script"]) and _gone(pids["child"])
    if case.id == "escaping_grandchild":     # the grandchild that left with setsid is reaped
        assert _gone(int((root / "output" / "grandchild.pid").read_text()))


def _probe(executor: ForkExecutor, root: Path, env: dict[str, str]) -> dict:
    request = RunRequest(script=SCRIPTS / "env_probe.py", workdir=root, call="main", env=env,
                         output_paths={"probe": str(root / "output" / "probe.json")}, timeout=60)
    record = executor.run(request)
    assert record.ok, record.message
    return json.loads((root / "output" / "probe.json").read_text())


def test_each_run_gets_its_own_environment_and_cwd(executor: ForkExecutor, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECRUN_TEST_SECRET", "must-not-leak")
    with SandboxDir(base=tmp_path) as first, SandboxDir(base=tmp_path) as second:
        one = _probe(executor, first.root, {"STAGE": "one"})
        two = _probe(executor, second.root, {"OTHER": "two"})
    assert one["os_environ"]["STAGE"] == "one" and "STAGE" not in two["os_environ"]
    assert two["os_environ"]["OTHER"] == "two"
    for seen, box in ((one, first), (two, second)):
        assert "SPECRUN_TEST_SECRET" not in seen["os_environ"]
        assert seen["cwd"] == str(box.root)
        assert seen["os_environ"]["HOME"] == str(box.work)
        assert seen["tmpdir_real"] == str(box.tmp)
        assert seen["os_environ"]["TMPDIR"].startswith("/tmp/sr-")     # a short alias of it
        assert RUN_MARKER_VAR in seen["os_environ"]
        assert seen["name"] == "env_probe"
    assert one["os_environ"][RUN_MARKER_VAR] != two["os_environ"][RUN_MARKER_VAR]
    assert one["preloaded"] == ["numpy", "pandas"]          # the warm parent's imports


def test_module_state_does_not_leak_between_runs(executor: ForkExecutor, tmp_path: Path) -> None:
    seen = []
    for _ in range(2):
        with SandboxDir(base=tmp_path) as box:
            request = RunRequest(script=HERE / "stateful.py", workdir=box.root, call="main",
                                 output_paths={"state": str(box.outputs / "state.json")}, timeout=60)
            record = executor.run(request)
            assert record.ok, record.stderr_tail
            seen.append(json.loads((box.outputs / "state.json").read_text()))
    for state in seen:
        assert state["calls"] == 1                    # a fresh script module each run
        assert state["leak"] is None                  # a preloaded module changed by a run: not seen by the next
        assert state["helper_imports"] == 1 and state["helper_marker"]   # local module imported in the run
    assert seen[0]["pid"] != seen[1]["pid"]


def test_script_imports_lists_third_party_top_level_modules(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text("import os, json\nimport numpy as np\nfrom pandas import DataFrame\n"
                      "from . import sibling\ntry:\n    import pyarrow.parquet\nexcept ImportError:\n"
                      "    pass\ndef f():\n    import scipy\n")
    assert script_imports(script) == ["numpy", "pandas", "pyarrow"]
    assert "local_helper" in script_imports(HERE / "stateful.py")   # offered; the server skips local ones


def test_falls_back_to_fresh_processes_without_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fork, "fork_available", lambda: False)
    executor = ForkExecutor(server_dir=tmp_path / "fork")
    with SandboxDir(base=tmp_path) as box:
        seen = _probe(executor, box.root, {})
    assert executor.fallbacks == 1
    assert seen["preloaded"] == []
    executor.close()


def test_closing_kills_a_fresh_fallback_run_in_flight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fork, "fork_available", lambda: False)
    executor = ForkExecutor(server_dir=tmp_path / "fork")
    records = []
    with SandboxDir(base=tmp_path, keep=True) as box:
        pids_path = box.root / "output" / "pids.json"
        request = RunRequest(script=SCRIPTS / "sleeps_forever.py", workdir=box.root, call="main",
                             output_paths={"pids": str(pids_path)}, timeout=60)
        thread = threading.Thread(target=lambda: records.append(executor.run(request)), daemon=True)
        thread.start()
        pids = None
        while pids is None and thread.is_alive():    # the script and its child are running
            try:
                pids = json.loads(pids_path.read_text())
            except (OSError, ValueError):
                time.sleep(0.05)
        executor.close()
        thread.join(30)
    assert not thread.is_alive(), "close() left the fallback run running"
    assert executor.fallbacks == 1
    assert records[0].metrics.signal == signal.SIGKILL and not records[0].metrics.timed_out
    assert pids is not None and _gone(pids["script"]) and _gone(pids["child"])


def test_each_run_draws_its_own_random_numbers(executor: ForkExecutor, tmp_path: Path) -> None:
    """Forks of one warm parent (or of a spare forked ahead, in its cgroup) start with the
    parent's random state: each run is reseeded, so no two runs draw the same numbers."""
    script = tmp_path / "draws.py"
    script.write_text("import json, os, random, sys\nimport numpy as np\n"
                      "json.dump({'random': random.random(), 'numpy': float(np.random.random()), 'pid': os.getpid()},"
                      " open(sys.argv[1], 'w'))\n")
    drawn = []
    for _ in range(3):
        with SandboxDir(base=tmp_path) as box:
            out = box.outputs / "drawn.json"
            record = executor.run(RunRequest(script=script, workdir=box.root, args=[str(out)], timeout=60,
                                             memory_limit=512 * 2**20))
            assert record.ok, record.stderr_tail
            drawn.append(json.loads(out.read_text()))
    assert executor.fallbacks == 0
    for key in ("random", "numpy", "pid"):
        assert len({d[key] for d in drawn}) == 3, drawn


@pytest.mark.skipif(not cgroup_support().available, reason="no per-case cgroups here: no spare child")
def test_a_run_handed_to_the_spare_child_gets_its_own_memory_limit(executor: ForkExecutor, tmp_path: Path) -> None:
    """The cgroup made ahead for the spare has no limits while the spare waits; the run that
    takes it has its memory limit set first, and the kernel holds it."""
    hog = next(case for case in MISBEHAVING if case.id == "memory_hog")
    run_case(next(case for case in MISBEHAVING if case.classification is None), tmp_path / "first", executor)
    server = executor.server()
    assert server is not None and server.spare_case is not None        # the next run's, made ahead
    record, _ = run_case(hog, tmp_path / "hog", executor)
    assert record.classification == hog.classification and hog.message in record.message, record.message
    assert record.metrics.memory_enforcement == "cgroup"


def _argv_run(executor: ForkExecutor, script: Path, tmp_path: Path) -> tuple[object, str]:
    with SandboxDir(base=tmp_path) as box:
        out = box.outputs / "said.txt"
        record = executor.run(RunRequest(script=script, workdir=box.root, args=[str(out)], timeout=60))
        return record, out.read_text() if out.exists() else ""


def test_a_script_compiled_ahead_runs_as_its_file_now_reads(executor: ForkExecutor, tmp_path: Path) -> None:
    """The warm parent compiles an argv-style script once for its forks; a run whose file
    changed since (same size, same mtime: only the bytes differ) runs the new text."""
    script = tmp_path / "says.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('one')\n")
    first, said = _argv_run(executor, script, tmp_path)
    assert first.ok and said == "one", first.stderr_tail
    again, said = _argv_run(executor, script, tmp_path)                 # compiled ahead now
    assert again.ok and said == "one", again.stderr_tail
    stat = script.stat()
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('two')\n")
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed, said = _argv_run(executor, script, tmp_path)
    assert changed.ok and said == "two", changed.stderr_tail


def test_reading_a_scripts_imports_gives_no_warning_of_the_script_in_specrun(tmp_path: Path) -> None:
    """Parsing a script for its imports (specrun's own process) must not emit the script's
    compile warnings there: they belong to its run's record."""
    script = tmp_path / "warns_when_parsed.py"
    script.write_text("import numpy\npattern = '\\d+'\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert script_imports(script) == ["numpy"]
    assert caught == []


def test_a_warning_the_compiler_gives_is_recorded_by_every_forked_run(executor: ForkExecutor, tmp_path: Path) -> None:
    """A script that warns while it is compiled (an invalid escape) is not compiled ahead:
    each run compiles it and records the warning, as a fresh process does."""
    script = tmp_path / "escapes.py"
    script.write_text("import sys\npattern = '\\d+'\nopen(sys.argv[1], 'w').write(pattern)\n")
    for _ in range(2):
        record, said = _argv_run(executor, script, tmp_path)
        assert record.ok and said == "\\d+", record.stderr_tail
        assert any("invalid escape sequence" in w.message for w in record.warnings), record.warnings

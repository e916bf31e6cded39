"""What a fork of the warm parent shares with the script, against a fresh interpreter:

* a module in the script's folder (or on the step's PYTHONPATH) that shadows one the parent
  has loaded is the script's own, as in a fresh run: such a run is not forked;
* what a run imported beyond the preloads is preloaded for the next forks, but never a
  module from the script's folder or the step's PYTHONPATH.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from specrun.execution.fork import ForkExecutor
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor

# The standard library's queue is loaded by the warm parent (pandas imports it).
SHADOWING = "import os, queue\nprint(getattr(queue, 'WHO', 'stdlib'), os.getppid())\n"


def _run(executor: FreshExecutor, script: Path, workdir: Path, env: dict[str, str] | None = None) -> tuple[str, int]:
    workdir.mkdir()
    record = executor.run(RunRequest(script=script, workdir=workdir, timeout=60, env=env or {}))
    assert record.ok, record.message
    who, parent = (workdir / "logs" / "stdout.log").read_text().split()
    return who, int(parent)


def test_a_module_in_the_script_folder_shadows_the_parents_as_in_a_fresh_run(tmp_path: Path) -> None:
    (tmp_path / "queue.py").write_text("WHO = 'mine'\n")
    script = tmp_path / "uses_queue.py"
    script.write_text(SHADOWING)
    fresh, fork = FreshExecutor(), ForkExecutor(server_dir=tmp_path / "fork")
    try:
        assert _run(fresh, script, tmp_path / "fresh")[0] == "mine"
        who, parent = _run(fork, script, tmp_path / "forked")
        server = fork.server()
        assert who == "mine"
        assert server is not None and parent != server.pid and fork.fallbacks == 1   # ran fresh
    finally:
        fresh.close()
        fork.close()


def test_a_module_on_the_steps_pythonpath_shadows_the_parents(tmp_path: Path) -> None:
    libs = tmp_path / "libs"
    (libs / "queue").mkdir(parents=True)
    (libs / "queue" / "__init__.py").write_text("WHO = 'package'\n")
    script = tmp_path / "scripts" / "uses_queue.py"
    script.parent.mkdir()
    script.write_text(SHADOWING)
    fork = ForkExecutor(server_dir=tmp_path / "fork")
    try:
        assert _run(fork, script, tmp_path / "plain")[0] == "stdlib"        # forked, nothing shadows
        assert fork.fallbacks == 0
        assert _run(fork, script, tmp_path / "libs-run", {"PYTHONPATH": str(libs)})[0] == "package"
        assert fork.fallbacks == 1
    finally:
        fork.close()


LEARNING = """\
import os, sys
before = [name for name in ("colorsys", "helper_here", "libmod") if name in sys.modules]
import colorsys, helper_here
if os.environ.get("WITH_LIB"):
    import libmod
print(",".join(before) or "-", os.getppid())
"""


def test_modules_a_run_imported_are_preloaded_for_the_next_but_never_the_runs_own(tmp_path: Path) -> None:
    scripts, libs = tmp_path / "scripts", tmp_path / "libs"
    scripts.mkdir()
    libs.mkdir()
    (scripts / "helper_here.py").write_text("X = 1\n")
    (libs / "libmod.py").write_text("Y = 2\n")
    script = scripts / "learns.py"
    # imported inside the run only (not at module level, which the executor preloads anyway)
    script.write_text("def main():\n" + "".join(f"    {line}\n" for line in LEARNING.splitlines())
                      + "main()\n")
    fork = ForkExecutor(server_dir=tmp_path / "fork")
    try:
        env = {"PYTHONPATH": str(libs), "WITH_LIB": "1"}
        first, parent = _run(fork, script, tmp_path / "one", env)
        server = fork.server()
        assert server is not None and parent == server.pid and first == "-"
        second, parent = _run(fork, script, tmp_path / "two", env)
        assert parent == server.pid
        assert second == "colorsys"          # learned; the script's helper and the step's lib never
        log = server.log_path.read_text()
        assert "colorsys" in log and "helper_here" not in log and "libmod" not in log
    finally:
        fork.close()
    assert not list(Path(tempfile.gettempdir()).glob(f"specrun-fork-learn-{server.pid}-*"))   # removed

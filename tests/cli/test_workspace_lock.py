"""Two runs in one workspace: the second is refused, naming the first; the first is unharmed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

SCRIPT = '''
import os, pathlib, time

def main(input_paths, output_paths, environ_vars, job_args):
    marker = pathlib.Path(environ_vars["MARKER_DIR"]) / "started"
    partial = marker.with_suffix(".partial")
    partial.write_text(str(os.getpid()))
    partial.rename(marker)
    deadline = time.monotonic() + 60
    while not (marker.parent / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
'''

SPEC = '''
version: 1
pipeline: waits
steps:
  wait:
    script: ../wait.py
    call: main
    env: {{MARKER_DIR: "{markers}"}}
scenarios:
  once: {{}}
modes:
  isolation: {{scenarios: [once]}}
'''


def test_a_second_run_in_the_same_workspace_is_refused_and_the_first_unharmed(project):
    markers = project.root / "markers"
    markers.mkdir()
    project.write("wait.py", SCRIPT)
    project.write("specs/s.yaml", SPEC.format(markers=markers))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # the scripts report their (host) pids in marker files outside their sandbox: only the
    # process sandbox lets them (tests/integration/execution/test_exec_namespace.py and
    # tests/cli/test_sandbox_isolation.py test the namespace one)
    env["SPECRUN_ISOLATION"] = "process"
    first = subprocess.Popen([sys.executable, "-m", "specrun", "specs", "--json", "first.json"],
                             cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not (markers / "started").exists():
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the first run's script never started"
        time.sleep(0.05)
    second = project.run("specs")
    assert second.code == 2, second.stdout + second.stderr
    assert f"another specrun run (pid {first.pid}) is using the workspace" in second.stderr
    (markers / "go").touch()
    output, _ = first.communicate(timeout=60)
    assert first.returncode == 0, output
    record = json.loads((project.root / "first.json").read_text())
    assert [c["outcome"] for c in record["cases"]] == ["passed"]
    third = project.run("specs", env={"SPECRUN_ISOLATION": "process"})   # the lock is gone with the first run
    assert third.code == 0, third.stdout + third.stderr

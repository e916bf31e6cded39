"""Ctrl-C during a run: specrun stops, kills the scripts in flight, still writes the record."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

SCRIPT = '''
import os, pathlib, time

def main(input_paths, output_paths, environ_vars, job_args):
    marker = pathlib.Path(environ_vars["MARKER_DIR"]) / f"{os.getpid()}.pid"
    partial = marker.with_suffix(".partial")   # renamed when whole: the test never reads an empty pid
    partial.write_text(str(os.getpid()))
    partial.rename(marker)
    time.sleep(60)
'''

SPEC = '''
version: 1
pipeline: sleepy
steps:
  fast:
    script: ../fast.py
    call: main
  slow:
    script: ../sleep.py
    call: main
    env: {{MARKER_DIR: "{markers}"}}
scenarios:
  a: {{}}
  b: {{}}
modes:
  isolation: {{scenarios: [a, b]}}
'''


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupt_kills_scripts_and_writes_record(project, jobs, sig):
    markers = project.root / "markers"
    markers.mkdir()
    project.write("sleep.py", SCRIPT)
    project.write("fast.py", "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    project.write("specs/s.yaml", SPEC.format(markers=markers))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # the scripts report their (host) pids in marker files outside their sandbox: only the
    # process sandbox lets them (tests/integration/execution/test_exec_namespace.py and
    # tests/cli/test_sandbox_isolation.py test the namespace one)
    env["SPECRUN_ISOLATION"] = "process"
    proc = subprocess.Popen([sys.executable, "-m", "specrun", "specs", "-n", jobs, "--json", "out.json"],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not list(markers.glob("*.pid")):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the slow script never started"
        time.sleep(0.05)
    script_pids = [int(p.read_text()) for p in markers.glob("*.pid")]
    proc.send_signal(sig)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 2, output
    assert f"interrupted by {sig.name}" in output
    record = json.loads((project.root / "out.json").read_text())
    assert record["interrupted"] is True and record["stop_signal"] == sig.name
    last_run = json.loads((project.root / ".specrun" / "last-run.json").read_text())
    assert last_run["interrupted"] is True and last_run["started"] == record["started"]
    assert any(c["step"] == "fast" and c["outcome"] == "passed" for c in record["cases"])
    time.sleep(0.2)
    alive = [pid for pid in script_pids if psutil.pid_exists(pid)
             and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert alive == []


PROPERTY_SPEC = '''
version: 1
pipeline: sleepy
schemas:
  rows: {{columns: {{x: {{type: int, min: 0, max: 9}}}}}}
steps:
  slow:
    script: ../sleep.py
    call: main
    env: {{MARKER_DIR: "{markers}"}}
    inputs: {{rows: {{format: csv, schema: rows}}}}
  slow_too:
    script: ../sleep.py
    call: main
    env: {{MARKER_DIR: "{markers}"}}
    inputs: {{rows: {{format: csv, schema: rows}}}}
scenarios:
  prop: {{examples: 20, max_rows: 3}}
modes:
  isolation: {{scenarios: [prop]}}
'''


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_interrupted_property_run_saves_no_failure_and_last_run_is_this_run(project, jobs):
    markers = project.root / "markers"
    markers.mkdir()
    project.write("sleep.py", SCRIPT)
    project.write("specs/s.yaml", PROPERTY_SPEC.format(markers=markers))
    project.write(".specrun/last-run.json", '{"started": "an earlier run"}')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # the scripts report their (host) pids in marker files outside their sandbox: only the
    # process sandbox lets them (tests/integration/execution/test_exec_namespace.py and
    # tests/cli/test_sandbox_isolation.py test the namespace one)
    env["SPECRUN_ISOLATION"] = "process"
    proc = subprocess.Popen([sys.executable, "-m", "specrun", "specs", "-n", jobs],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not list(markers.glob("*.pid")):   # property runs take turns (one Hypothesis at a time)
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the slow scripts never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 2, output
    assert not list((project.root / ".specrun" / "failures").glob("*/failure.json")), output
    last_run = json.loads((project.root / ".specrun" / "last-run.json").read_text())
    assert last_run["interrupted"] is True and last_run["stop_signal"] == "SIGTERM"
    assert last_run["cases"] == []

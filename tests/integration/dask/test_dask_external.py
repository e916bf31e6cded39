"""``--dist dask`` on a cluster started apart from specrun (``dask scheduler`` and two
``dask worker`` processes on 127.0.0.1): reached through ``[tool.specrun] scheduler`` or
``--scheduler``; ``-x`` kills the script of a case still running on a worker that stays
up; a worker killed mid-case gives that attempt an ERROR naming it and the case is
retried, and passes, on the other worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

SPEC = """\
version: 1
pipeline: ext
schemas:
  rows: {columns: {id: {type: int}}}
steps:
  where:
    script: where.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  fails:
    script: fails.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  slow:
    script: slow.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
"""
WHERE = '''
import os, shutil, sys


def main(input_paths, output_paths, environ_vars, job_args):
    print("cwd:", os.getcwd())
    shutil.copy(input_paths["rows"], output_paths["out"])
'''
FAILS = '''
import time


def main(input_paths, output_paths, environ_vars, job_args):
    time.sleep(2)
    raise RuntimeError("first failure")
'''
SLOW = '''
import shutil, time


def main(input_paths, output_paths, environ_vars, job_args):
    time.sleep(float(environ_vars.get("SLEEP", "90")))
    shutil.copy(input_paths["rows"], output_paths["out"])
'''


def write(project, sleep: str = "90") -> None:
    project.write("spec.yaml", SPEC.replace("    script: slow.py\n",
                                            f"    script: slow.py\n    env: {{SLEEP: '{sleep}'}}\n"))
    project.write("where.py", WHERE)
    project.write("fails.py", FAILS)
    project.write("slow.py", SLOW)


def on_workers(cluster) -> list[str]:
    """Processes running in a case folder of the cluster's workers."""
    found = []
    for proc in psutil.process_iter(["cwd", "cmdline"]):
        cwd = proc.info["cwd"] or ""
        if "specrun-case-" in cwd and any(cwd.startswith(str(folder)) for folder in cluster.folders):
            found.append(f"{proc.pid} {cwd}")
    return found


def test_the_scheduler_of_the_project_config_runs_the_cases(project, external_cluster) -> None:
    write(project)
    project.write("specrun.toml", f'scheduler = "{external_cluster.address}"\n')
    out = project.run("spec.yaml", "--dist", "dask", "--step", "where", "--step", "fails", "--no-cache",
                      "--mode", "isolation")
    assert out.code == 1, out.stdout + out.stderr
    where = out.case("where[standard]")
    assert where["outcome"] == "passed"
    cwd = where["stdout_tail"].split("cwd:")[1].split()[0]
    assert any(cwd.startswith(str(folder)) for folder in external_cluster.folders), cwd
    failed = out.case("fails[standard]")
    assert (failed["outcome"], failed["classification"]) == ("failed", "SCRIPT_ERROR"), failed


def test_exitfirst_kills_the_script_of_the_case_still_running(project, external_cluster) -> None:
    write(project)
    assert not on_workers(external_cluster)
    out = project.run("spec.yaml", "--dist", "dask", "--scheduler", external_cluster.address, "-x",
                      "--step", "fails", "--step", "slow", "--no-cache", "--mode", "isolation")
    assert out.code == 1, out.stdout + out.stderr
    assert out.case("fails[standard]")["outcome"] == "failed"
    # the cancelled case's script does not sleep on in its worker, which stays up
    for _ in range(50):
        if not on_workers(external_cluster):
            break
        time.sleep(0.2)
    assert not on_workers(external_cluster)


@pytest.mark.slow
def test_a_worker_killed_mid_case_is_named_and_the_case_retried_on_the_other(project, external_cluster) -> None:
    write(project, sleep="4")
    result = project.root / "result.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    run = subprocess.Popen([sys.executable, "-m", "specrun", "spec.yaml", "--dist", "dask", "--scheduler",
                            external_cluster.address, "--step", "slow", "--no-cache", "--mode", "isolation",
                            "--json", str(result)], cwd=project.root, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with external_cluster.client() as client:
        pids = client.run(os.getpid)
        busy = None
        for _ in range(300):
            busy = next((worker for worker, tasks in client.processing().items() if tasks), None)
            if busy is not None:
                break
            time.sleep(0.1)
        assert busy is not None, "the case never reached a worker"
        time.sleep(1)     # the script is sleeping in its sandbox on that worker
        os.kill(pids[busy], signal.SIGKILL)
        output, _ = run.communicate(timeout=240)
        client.wait_for_workers(2, timeout=60)    # the nanny restarts it, for the other tests
    assert run.returncode == 0, output.decode()
    case = next(c for c in json.loads(result.read_text())["cases"] if "slow" in c["id"])
    assert case["outcome"] == "passed", case
    assert len(case["retries"]) == 1, case
    first = case["retries"][0]
    assert first["classification"] == "SETUP_ERROR" and busy in first["message"], first
    assert f"worker {busy} died mid-case" in " ".join(case["notices"]), case["notices"]

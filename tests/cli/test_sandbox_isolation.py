"""The sandbox end to end: the start-up probe, the header and the record say which
isolation applied; ``--hermetic`` refuses the process fallback; a step's ``network:``;
specrun's own environment (a fake AWS secret) is invisible to the script."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from specrun.execution.namespace import probe

PROBE = probe()
needs_namespaces = pytest.mark.skipif(not PROBE.namespaced, reason=f"no namespace sandbox here: {PROBE.reason}")
SECRET = "fake-secret-4f1c9b7e"

# Walks /proc from the script's parent up to PID 1 and fails if any ancestor's
# environment holds the secret that was put into specrun's own environment.
LEAK = '''
import os

def main(input_paths, output_paths, environ_vars, job_args):
    pid, seen = os.getppid(), []
    while pid > 0 and pid not in seen:
        seen.append(pid)
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                assert b"fake-secret-4f1c9b7e" not in fh.read(), f"the environment of {pid} leaked"
            with open(f"/proc/{pid}/stat") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (PermissionError, FileNotFoundError):
            break
'''

CONNECT = '''
import os, socket

def main(input_paths, output_paths, environ_vars, job_args):
    with socket.create_connection(("127.0.0.1", int(environ_vars["PORT"])), timeout=10) as conn:
        assert conn.recv(2) == b"hi"
'''

SPEC = '''
version: 1
pipeline: sandboxed
steps:
  leak:
    script: ../leak.py
    call: main
  online:
    script: ../connect.py
    call: main
    network: true
    env: {{PORT: "{port}"}}
  offline:
    script: ../connect.py
    call: main
    env: {{PORT: "{port}"}}
'''


@pytest.fixture
def server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that answers "hi" to every connection; its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"hi")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def _specrun(root: Path, *args: str, isolation: str | None = None) -> tuple[subprocess.CompletedProcess[str], dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env.update(SPECRUN_DISABLE_PLUGIN_AUTOLOAD="1", COLUMNS="200", AWS_SECRET_ACCESS_KEY=SECRET)
    if isolation is not None:
        env["SPECRUN_ISOLATION"] = isolation
    record_path = root / "out.json"
    record_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "specrun", "specs", "--quick", "--scenario", "standard",
               "--json", str(record_path), *args]
    done = subprocess.run(command,
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    return done, record


@pytest.fixture
def sandboxed(tmp_path: Path, server: int) -> Path:
    (tmp_path / "leak.py").write_text(LEAK)
    (tmp_path / "connect.py").write_text(CONNECT)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "s.yaml").write_text(SPEC.format(port=server))
    return tmp_path


def _outcomes(record: dict) -> dict[str, str]:
    return {case["step"]: case["outcome"] for case in record["cases"]}


@needs_namespaces
def test_namespaces_hide_secrets_and_the_network(sandboxed: Path) -> None:
    done, record = _specrun(sandboxed)
    assert record["isolation"] == "namespace", done.stdout + done.stderr
    assert "isolation: namespace" in done.stdout
    assert {case["metrics"]["isolation"] for case in record["cases"]} == {"namespace"}
    outcomes = _outcomes(record)
    assert outcomes["leak"] == "passed", done.stdout
    assert outcomes["online"] == "passed", done.stdout
    offline = next(case for case in record["cases"] if case["step"] == "offline")
    assert offline["outcome"] == "failed"
    assert offline["error"]["type"] in {"ConnectionRefusedError", "OSError"}, done.stdout


def test_the_process_fallback_is_said_and_recorded(sandboxed: Path) -> None:
    done, record = _specrun(sandboxed, isolation="process")
    assert record["isolation"] == "process"
    assert "SPECRUN_ISOLATION=process" in record["isolation_reason"]
    assert done.stdout.count("isolation: process only") == 1          # once, in the header
    assert {case["metrics"]["isolation"] for case in record["cases"]} == {"process"}
    # without namespaces the secret leaks and the network is open: the probe script sees it
    outcomes = _outcomes(record)
    assert outcomes["leak"] == "failed" and outcomes["offline"] == "passed"


def test_hermetic_refuses_the_fallback(sandboxed: Path) -> None:
    done, record = _specrun(sandboxed, "--hermetic", isolation="process")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "specrun: error: --hermetic: the namespace sandbox is not available here (SPECRUN_ISOLATION=process)"]
    assert record == {}                      # nothing ran


@needs_namespaces
def test_hermetic_runs_where_namespaces_work(sandboxed: Path) -> None:
    done, record = _specrun(sandboxed, "--hermetic", "--step", "leak")
    assert done.returncode == 0, done.stdout + done.stderr
    assert record["isolation"] == "namespace"


SLEEPER = '''
import pathlib, subprocess, sys, time

def main(input_paths, output_paths, environ_vars, job_args):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", environ_vars["TOKEN"]])
    pathlib.Path("output/started").write_text("up")      # inside the sandbox: allowed
    time.sleep(600)
'''


@needs_namespaces
def test_sigterm_kills_the_namespaced_runs_in_flight(tmp_path: Path) -> None:
    token = f"specrun-sleeper-{uuid.uuid4().hex}"
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "s.yaml").write_text(
        f"version: 1\npipeline: sleepy\nsteps:\n  sleep:\n    script: ../sleeper.py\n    call: main\n"
        f"    env: {{TOKEN: \"{token}\"}}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "specrun", "specs", "--quick", "--scenario", "standard",
                             "--json", "out.json"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".specrun/sandboxes/*/output/started")):
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the script never started"
            time.sleep(0.05)
        assert _with_token(token)                  # the script's child runs (seen from outside)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 2, out
        record = json.loads((tmp_path / "out.json").read_text())
        assert record["interrupted"] is True and record["stop_signal"] == "SIGTERM"
        _, alive = psutil.wait_procs(_with_token(token), timeout=10)
        assert alive == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for leftover in _with_token(token):
            leftover.kill()


def _with_token(token: str) -> list[psutil.Process]:
    """Live processes whose command line holds ``token``."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if token in (process.info.get("cmdline") or []) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            continue
    return found

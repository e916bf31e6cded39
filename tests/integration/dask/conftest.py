"""The Dask executor's tests: skipped where ``distributed`` is not installed; the project
helper of tests/cli (each test its own project; each run its own embedded cluster); one
external cluster per module that asks for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed", reason="the Dask executor's tests need 'distributed' (pip install 'specrun[dask]')")

from tests.cli.conftest import Project  # noqa: E402


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


DASK = str(Path(sys.executable).with_name("dask"))


@dataclass
class ExternalCluster:
    """A scheduler and its workers started with the ``dask`` command."""

    address: str
    folders: list[Path]

    def client(self) -> Any:
        from distributed import Client

        return Client(self.address, timeout=30)


def _wait_file(path: Path, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def external_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalCluster]:
    """``dask scheduler`` and 2 ``dask worker`` processes on 127.0.0.1 (random ports, a local
    directory each, ``MEMORY`` offered); the scheduler fails a task at the first death of
    its worker (``allowed-failures`` 0), as the embedded cluster does (execution/dask/cluster.py)."""
    if not os.path.exists(DASK):
        pytest.skip("the 'dask' command is not installed beside this interpreter")
    root = tmp_path_factory.mktemp("dask-cluster")
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    file = root / "scheduler.json"
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        logs.append(open(root / "scheduler.log", "wb"))
        procs.append(subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                       "--scheduler-file", str(file)], env=env, cwd=root,
                                      stdout=subprocess.DEVNULL, stderr=logs[-1]))
        _wait_file(file, procs[0], "dask scheduler")
        address = json.loads(file.read_text())["address"]
        folders = []
        for n in range(2):
            folder = root / f"worker{n}"
            folder.mkdir()
            folders.append(folder)
            logs.append(open(root / f"worker{n}.log", "wb"))
            procs.append(subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1",
                 "--no-dashboard", "--local-directory", str(folder), "--memory-limit", "0",
                 "--resources", f"MEMORY={2 * 1024 ** 3}"],
                env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=logs[-1]))
        cluster = ExternalCluster(address, folders)
        with cluster.client() as client:
            client.wait_for_workers(2, timeout=60)
        yield cluster
    finally:
        # the workers first, while their scheduler is up: they leave it and stop in well under
        # a second; stopped together with it, each nanny retried the lost scheduler for seconds
        # (the module's teardown took ~8 s)
        workers, scheduler = procs[1:], procs[:1]
        for group in (workers, scheduler):
            for proc in group:
                proc.terminate()
            for proc in group:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for log in logs:
            log.close()

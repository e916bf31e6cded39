"""A real S3/SageMaker test server (moto) on 127.0.0.1, run in a subprocess.

Use::

    with S3TestServer() as server:
        s3 = boto3.client("s3", endpoint_url=server.endpoint_url, **server.client_kwargs())
        server.inject_fault(r"^/bucket/key", "internal", count=2)
        ...
        server.requests()        # what the server received (method, path, range, bytes)

The server adds ``ListPipelineExecutionSteps`` to moto's SageMaker (seed steps with
:meth:`S3TestServer.seed_pipeline_steps`), a request log and fault injection; see
``tests/s3server/app.py`` for the control API.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def client_environment() -> dict[str, str]:
    """Environment for any process talking to the server: dummy credentials, no IMDS, no proxy."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


class S3TestServer:
    """Starts ``python -m tests.s3server`` on a free port and stops it on :meth:`stop`."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self._stderr = tempfile.NamedTemporaryFile(prefix="s3server-", suffix=".log", delete=False)

    # -- lifecycle -----------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> S3TestServer:
        env = {**os.environ, **client_environment(), "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.s3server", "--host", "127.0.0.1", "--port", "0"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self.port = self._read_port()
        self._wait_until_answering()
        return self

    def _read_port(self) -> int:
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline().decode().strip()
                if line.startswith("PORT "):
                    return int(line.split()[1])
            if self.process.poll() is not None:
                break
        tail = self.stderr_tail()
        self.stop()
        raise RuntimeError(f"test S3 server did not start:\n{tail}")

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            try:
                self._control("GET", "health")
                return
            except OSError:
                time.sleep(0.05)
        tail = self.stderr_tail()
        self.stop()
        raise RuntimeError(f"test S3 server does not answer:\n{tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()
        Path(self._stderr.name).unlink(missing_ok=True)

    def stderr_tail(self, chars: int = 4000) -> str:
        self._stderr.flush()
        return Path(self._stderr.name).read_text(errors="replace")[-chars:]

    def __enter__(self) -> S3TestServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- clients -------------------------------------------------------------
    def client_kwargs(self) -> dict[str, str]:
        """Keyword arguments for ``boto3.client(...)`` besides the service name."""
        return {"endpoint_url": self.endpoint_url, "region_name": REGION, **DUMMY_CREDENTIALS}

    # -- control API ---------------------------------------------------------
    def _control(self, method: str, name: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.endpoint_url}/_specrun/{name}", data=data,
                                         method=method, headers={"Content-Type": "application/json"})
        try:
            with _NO_PROXY.open(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"control call {method} {name} failed: {exc.read().decode()}") from exc

    def requests(self) -> list[dict[str, Any]]:
        """The request log: dicts with method, path, query, range, target, status, bytes_sent, fault."""
        return self._control("GET", "requests")

    def object_requests(self, bucket: str, key: str, method: str = "GET") -> list[dict[str, Any]]:
        """Logged requests with ``method`` for the object ``bucket/key``."""
        return [r for r in self.requests() if r["method"] == method and r["path"] == f"/{bucket}/{key}"]

    def clear_requests(self) -> None:
        self._control("DELETE", "requests")

    def inject_fault(self, path: str, kind: str, count: int = 1, method: str | None = None,
                     target: str | None = None, stall_s: float = 30.0) -> None:
        """Make the next ``count`` requests whose path (and X-Amz-Target) match the regexes fail.

        ``kind``: internal, slowdown, throttle, access_denied, truncate or stall.
        """
        self._control("POST", "faults", {"path": path, "kind": kind, "count": count, "method": method,
                                         "target": target, "stall_s": stall_s})

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def seed_pipeline_steps(self, execution_arn: str, steps: list[dict[str, Any]]) -> None:
        """Set what ``ListPipelineExecutionSteps`` returns for an existing execution."""
        self._control("POST", "pipeline-execution-steps",
                      {"PipelineExecutionArn": execution_arn, "Steps": steps})


__all__ = ["S3TestServer", "client_environment", "DUMMY_CREDENTIALS", "REGION", "REPO_ROOT"]

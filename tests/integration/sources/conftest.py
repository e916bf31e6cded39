"""Fixtures for the sources tests: one real moto server (subprocess) per session."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_REPO = Path(__file__).resolve().parents[3]
if str(_REPO) not in sys.path:   # `tests.s3server` lives at the repository root
    sys.path.insert(0, str(_REPO))

from specrun.sources import S3Settings, SourceCache, make_clients  # noqa: E402
from tests.s3server import S3TestServer, client_environment  # noqa: E402


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3TestServer]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in client_environment().items():
            patch.setenv(name, value)
        with S3TestServer() as server:
            yield server


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, no instance-metadata probing, no proxy — for every test here."""
    for name, value in client_environment().items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def server(s3_server: S3TestServer) -> Iterator[S3TestServer]:
    """The session's server with a clean request log and no faults left over."""
    s3_server.clear_faults()
    s3_server.clear_requests()
    yield s3_server
    s3_server.clear_faults()


@pytest.fixture
def settings(server: S3TestServer) -> S3Settings:
    return S3Settings(endpoint_url=server.endpoint_url, region="us-east-1", max_attempts=4,
                      connect_timeout=5, read_timeout=10)


@pytest.fixture
def clients(settings: S3Settings) -> tuple[Any, Any]:
    return make_clients(settings)


@pytest.fixture
def s3(clients: tuple[Any, Any]) -> Any:
    return clients[0]


@pytest.fixture
def sagemaker(clients: tuple[Any, Any]) -> Any:
    return clients[1]


@pytest.fixture
def bucket(s3: Any, server: S3TestServer) -> str:
    """A fresh bucket per test; the request log is cleared after creating it."""
    name = f"specrun-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    server.clear_requests()
    return name


@pytest.fixture
def cache(tmp_path: Path) -> SourceCache:
    return SourceCache(tmp_path / "cache")


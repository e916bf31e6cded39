"""Fixtures for the deep-dive tests: the moto test server, a "production" execution of the
example pipeline published in it, and a runner for the ``specrun`` command line."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:   # `tests.s3server` and `examples` live at the repository root
    sys.path.insert(0, str(ROOT))

from deep_dive_helpers import EXAMPLE  # noqa: E402

from tests.s3server import S3TestServer, client_environment  # noqa: E402


def _make_snapshot_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("fraud_make_snapshot", EXAMPLE / "make_snapshot.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, no instance-metadata probing, no proxy — for every test here."""
    for name, value in client_environment().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def make_snapshot() -> Any:
    """``examples/fraud/make_snapshot.py`` as a module (its data generator and publisher)."""
    return _make_snapshot_module()


@pytest.fixture(scope="session")
def production_data(make_snapshot: Any) -> Iterator[dict[str, Path]]:
    """The example scripts run once on 1,500 production-like transactions."""
    with tempfile.TemporaryDirectory(prefix="deep-dive-prod-") as work:
        yield make_snapshot.run_scripts(Path(work), 1500, 7)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3TestServer]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in client_environment().items():
            patch.setenv(name, value)
        with S3TestServer() as server:
            yield server


@pytest.fixture(scope="session")
def fraud_execution(s3_server: S3TestServer, make_snapshot: Any, production_data: dict[str, Path]) -> str:
    """The ARN of an execution of the example pipeline on the session's server."""
    return make_snapshot.publish_execution(s3_server, production_data)


@pytest.fixture
def server(s3_server: S3TestServer) -> Iterator[S3TestServer]:
    s3_server.clear_faults()
    s3_server.clear_requests()
    yield s3_server
    s3_server.clear_faults()

"""The suite's own guard: every test has a time limit, so a specrun timeout that no longer
fires fails the suite (pytest-timeout) instead of hanging CI."""

from __future__ import annotations

import pytest


def test_every_test_has_a_time_limit(request: pytest.FixtureRequest) -> None:
    config = request.config
    assert config.pluginmanager.hasplugin("timeout"), "pytest-timeout is not installed"
    limit = float(config.getini("timeout") or 0)
    assert 0 < limit <= 900, f"per-test time limit {limit!r} s (pyproject [tool.pytest.ini_options] timeout)"

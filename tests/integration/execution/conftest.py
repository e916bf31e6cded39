"""Fixtures of the execution integration tests, and the classification table they print."""

from __future__ import annotations

import pytest

_TABLE = pytest.StashKey[list]()


@pytest.fixture
def classification_table(request: pytest.FixtureRequest) -> list[tuple[str, str, str]]:
    """Rows (script, classification, message) printed at the end of the run."""
    return request.config.stash.setdefault(_TABLE, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    rows = config.stash.get(_TABLE, [])
    if not rows:
        return
    terminalreporter.section("specrun classification table (misbehaving scripts)")
    width = max(len(r[0]) for r in rows)
    cls_width = max(len(r[1]) for r in rows)
    for script, classification, message in sorted(rows):
        terminalreporter.write_line(f"{script:<{width}}  {classification:<{cls_width}}  {message}")

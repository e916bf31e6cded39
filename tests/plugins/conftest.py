"""Fixtures of the plugin tests (helpers live in plugin_project.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_project import PluginProject


@pytest.fixture
def project(tmp_path: Path) -> PluginProject:
    return PluginProject(tmp_path)

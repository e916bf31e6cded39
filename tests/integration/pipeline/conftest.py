"""Fixtures of the pipeline-mode integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_project import PipelineProject


@pytest.fixture
def pipeline_project(tmp_path: Path) -> PipelineProject:
    return PipelineProject(tmp_path)

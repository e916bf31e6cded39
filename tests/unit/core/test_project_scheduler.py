"""``[tool.specrun] scheduler``: the Dask scheduler ``--dist dask`` uses when
``--scheduler`` is not given; anything but a non-empty string is a SpecError naming
the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from specrun.project_config import read_project_config
from specrun.spec.model import SpecError


def test_the_scheduler_address_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.specrun]\nscheduler = "tcp://10.0.0.5:8786"\n')
    assert read_project_config(path).scheduler == "tcp://10.0.0.5:8786"


@pytest.mark.parametrize("value", ["5", '""', "true"])
def test_a_scheduler_that_is_no_address_names_file_line_and_key(tmp_path: Path, value: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\n\n[tool.specrun]\nscheduler = {value}\n')
    with pytest.raises(SpecError) as caught:
        read_project_config(path)
    assert caught.value.key == "tool.specrun.scheduler" and caught.value.line == 5
    assert caught.value.file == path

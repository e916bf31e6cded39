"""``--dist dask`` where ``distributed`` cannot be imported: one line saying what to
install, exit 2 (a usage error), nothing run.  The import is blocked in the child process
(``sys.modules["distributed"] = None``), so this runs where it is installed too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BLOCKED = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
           "from specrun.cli import main; sys.exit(main(sys.argv[1:]))")
SPEC = """\
version: 1
pipeline: nodask
schemas:
  rows: {columns: {id: {type: int}}}
steps:
  copy:
    script: copy_rows.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
"""


@pytest.mark.parametrize("flag", [["--dist", "dask"], ["--executor", "dask"]])
def test_dist_dask_without_distributed_is_a_one_line_error(tmp_path: Path, flag: list[str]) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    ran = tmp_path / "ran"
    (tmp_path / "copy_rows.py").write_text(f"def main(*a):\n    open({str(ran)!r}, 'w').close()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    out = subprocess.run([sys.executable, "-c", BLOCKED, "spec.yaml", *flag], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    assert out.returncode == 2, out.stdout + out.stderr
    assert len(lines) == 1 and "pip install 'specrun[dask]'" in lines[0], lines
    assert "Traceback" not in out.stderr
    assert not ran.exists()

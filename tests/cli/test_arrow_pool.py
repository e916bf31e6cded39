"""specrun's own process gives Arrow's freed buffers back to the OS (the C library's
allocator, contract/arrow_pool.py), unless the user chose a pool; the scripts it runs keep
Arrow's default, as they would have it run by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

# specrun's command in a fresh interpreter (no warm parent has imported pyarrow yet), then
# the pool pyarrow gives that process
AFTER_THE_COMMAND = ("import sys; from specrun.cli import main; main(['check', sys.argv[1]]); "
                     "import pyarrow; print(pyarrow.default_memory_pool().backend_name)")

SCRIPT = '''
import pyarrow


def main(input_paths, output_paths, environ_vars, job_args):
    with open(output_paths["pool"], "w") as fh:
        fh.write(pyarrow.default_memory_pool().backend_name)
'''

SPEC = """\
version: 1
pipeline: pool
steps:
  report:
    script: report.py
    call: main
    outputs: {pool: {format: text}}
"""


def _own_pool(tmp_path, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"} | env
    done = subprocess.run([sys.executable, "-c", AFTER_THE_COMMAND, str(tmp_path)], env=environ,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split()[-1]


def _default_pool() -> str:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run([sys.executable, "-c", "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"],
                          env=environ, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_specruns_own_process_allocates_arrow_buffers_from_the_c_library(tmp_path):
    assert _default_pool() != "system"      # else this test could not tell
    assert _own_pool(tmp_path) == "system"


def test_a_pool_the_user_chose_is_kept(tmp_path):
    chosen = _default_pool()
    assert _own_pool(tmp_path, ARROW_DEFAULT_MEMORY_POOL=chosen) == chosen


@pytest.mark.parametrize("executor", ["fork", "fresh"])
def test_scripts_run_with_arrows_default_pool(project: Project, executor: str):
    project.write("specs/report.py", SCRIPT)
    project.write("specs/pool.yaml", SPEC)
    outcome = project.run("specs", "--executor", executor, "--keep-sandboxes")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    workdir = outcome.case("report[standard]")["workdir"]
    assert (project.root / workdir / "output" / "pool.txt").read_text() == _default_pool()

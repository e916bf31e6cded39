"""The soak run of bench/soak.py, small: every misbehaviour twice through the CLI with
-n 2; nothing may be left behind (processes, specrun's file descriptors, sandboxes of
passed cases, files outside the workspace where the namespace sandbox holds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from specrun.execution.cgroups import cgroup_support

BENCH = Path(__file__).resolve().parents[3] / "bench" / "soak.py"


def load_soak():
    spec = importlib.util.spec_from_file_location("specrun_bench_soak", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SUPPORT = cgroup_support()
#: under the process sandbox (the fork executor without --hermetic) only the case's cgroup
#: holds a double-forked daemon with an empty environment: killed with everything in it
FORK_DAEMON = pytest.mark.skipif(
    not SUPPORT.available, reason=f"no per-case cgroups here ({SUPPORT.reason}): under the process sandbox "
                                  "a double-forked daemon with an empty environment outlives its case")


@pytest.mark.slow
@pytest.mark.soak
@pytest.mark.parametrize("executor", ["fresh", pytest.param("fork", marks=FORK_DAEMON)])
def test_misbehaving_scripts_leave_nothing_behind(tmp_path: Path, executor: str) -> None:
    soak = load_soak()
    result = soak.soak(2 * len(soak.STEPS), tmp_path, jobs=2, executor=executor)
    report = result.table()
    assert result.cases == 2 * len(soak.STEPS), report
    assert result.exit_code == 1, report                      # the crashing steps fail the run
    for step, counts in result.classes.items():
        assert set(counts) == {result.expected[step]}, report
    assert result.orphans == [], report
    assert result.leaked_fds == [], report
    assert result.extra_sandboxes == [], report
    if result.isolation == "namespace":
        assert result.escaped == [], report

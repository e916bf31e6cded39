"""docs/spec.md's Resource limits example, run as written: the step's cpu and
max_output_size over defaults', recorded with what held them; and the same step with a
script that writes past its budget."""

from __future__ import annotations

import re
from pathlib import Path

from specrun.execution.cgroups import cgroup_support

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"

CRUNCH = '''
def main(input_paths, output_paths, environ_vars, job_args):
    total = sum(i * i for i in range(10**6))
    with open(output_paths["totals"], "w") as fh:
        fh.write(f"total\\n{total}\\n")
'''

FLOODS_DISK = '''
import os


def main(input_paths, output_paths, environ_vars, job_args):
    chunk = os.urandom(1 << 20)
    with open(output_paths["totals"], "wb") as fh:
        while True:                   # 1 MiB at a time, forever
            fh.write(chunk)
            fh.flush()
'''


def _example() -> str:
    found = re.search(r"<!-- limits-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its limits example"
    return found.group(1)


def test_the_docs_example_runs(project) -> None:
    project.write("spec.yaml", _example())
    project.write("scripts/crunch.py", CRUNCH)
    out = project.run("spec.yaml")
    assert out.code == 0, out.stdout + out.stderr
    metrics = out.case("crunch[standard]")["metrics"]
    assert metrics["cpu_limit"] == 0.5 and metrics["cpu_enforcement"] in ("cgroup", "affinity")
    assert metrics["memory_limit_bytes"] == 200 * 10**6
    assert metrics["memory_enforcement"] == ("cgroup" if cgroup_support().available else "watchdog")
    assert metrics["max_output_bytes"] == 100 * 10**6
    assert 0 < metrics["output_bytes"] < 10**6 and metrics["output_exceeded"] is False


def test_a_script_that_fills_the_disk_is_stopped_at_its_budget(project) -> None:
    project.write("spec.yaml", _example().replace("max_output_size: 100MB", "max_output_size: 20MB"))
    project.write("scripts/crunch.py", FLOODS_DISK)
    out = project.run("spec.yaml")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("crunch[standard]")
    assert case["classification"] == "RESOURCE_ERROR"
    assert "wrote more than 20 MB (max_output_size)" in case["message"]
    assert case["metrics"]["output_exceeded"] is True and case["metrics"]["timed_out"] is False

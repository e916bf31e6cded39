"""``cpu:`` per step and in ``defaults:``: a busy script gets no more CPU time than it was
given (the case cgroup's cpu.max where specrun can make one, else CPU affinity), measured
from the record's own CPU and wall figures (a ratio, not a timing of specrun)."""

from __future__ import annotations

import pytest

from specrun.execution.cgroups import cgroup_support

#: two threads hashing large buffers (hashlib releases the GIL): ~2 cores' worth when free
BUSY = '''
import hashlib
import os
import threading
import time


def spin(until):
    block = b"x" * (1 << 20)
    while time.monotonic() < until:
        hashlib.sha256(block).digest()


def main(input_paths, output_paths, environ_vars, job_args):
    until = time.monotonic() + 3.0
    threads = [threading.Thread(target=spin, args=(until,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("cores", len(os.sched_getaffinity(0)))
    print("quota", cpu_quota())


def cpu_quota():
    """The CPU quota of this process's cgroup, as the kernel holds it ("none": none found)."""
    for line in open("/proc/self/cgroup").read().splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and os.path.exists(f"/sys/fs/cgroup{path}/cpu.max"):
            return open(f"/sys/fs/cgroup{path}/cpu.max").read().strip()
        if "cpu" in controllers.split(","):
            for mount in ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"):
                quota = f"{mount}{path}/cpu.cfs_quota_us"
                if os.path.exists(quota):
                    period = open(f"{mount}{path}/cpu.cfs_period_us").read().strip()
                    return open(quota).read().strip() + " " + period
    return "none"
'''

SPEC = '''
version: 1
pipeline: cpu
defaults: {timeout: 120, seed: 1, cpu: 0.5}
steps:
  busy:
    script: ../busy.py
    call: main
scenarios:
  standard: {rows: 1}
modes:
  isolation: {scenarios: [standard]}
'''

SUPPORT = cgroup_support()
CPU_CGROUP = SUPPORT.get("cpu") is not None


def _busy_case(project, spec: str, env: dict[str, str] | None = None) -> dict:
    project.write("busy.py", BUSY)
    project.write("specs/cpu.yaml", spec)
    out = project.run("specs", "--mode", "isolation", env=env)
    assert out.code == 0, out.stdout + out.stderr
    return out.case("busy[standard]")


def _stdout(case: dict) -> str:
    return str(case.get("stdout_tail") or "")


def _ratio(case: dict) -> float:
    return case["metrics"]["cpu_s"] / case["metrics"]["wall_s"]


@pytest.mark.slow
@pytest.mark.skipif(not CPU_CGROUP,
                    reason=f"no cpu cgroup specrun may make here: {SUPPORT.reason or 'no cpu controller'}")
def test_half_a_core_from_defaults_holds_a_two_thread_busy_loop(project) -> None:
    # the process sandbox, so the script can read its own cgroup (inside the namespace sandbox's
    # cgroup namespace its cgroup is "/", which the host's /sys/fs/cgroup does not map)
    case = _busy_case(project, SPEC, env={"SPECRUN_ISOLATION": "process"})
    assert case["metrics"]["cpu_limit"] == 0.5
    assert case["metrics"]["cpu_enforcement"] == "cgroup"
    assert "quota 50000 100000" in _stdout(case)          # the kernel holds 0.5 of a core
    limited = _ratio(case)
    # the same script without cpu: is the anchor: a loaded machine may not give it more than
    # half a core either, and then the ratio cannot tell a held limit from none
    anchor = _ratio(_busy_case(project, SPEC.replace(", cpu: 0.5}", "}"), env={"SPECRUN_ISOLATION": "process"}))
    print(f"cpu/wall: {limited:.3f} under cpu: 0.5 (cgroup), {anchor:.3f} unlimited")
    if anchor <= 0.75:
        pytest.skip(f"the machine is too loaded to measure a CPU limit: unlimited, the script got {anchor:.2f} "
                    "cores; the quota itself was checked")
    assert limited <= 0.6, case["metrics"]


@pytest.mark.slow
def test_the_step_s_cpu_wins_and_without_cgroups_the_script_is_pinned(project) -> None:
    """SPECRUN_CGROUPS=off: the fallback pins the script to ceil(cpu) of the cores specrun may
    use; ``cpu: 0.4`` on the step (over defaults' 0.5) is one core."""
    case = _busy_case(project, SPEC.replace("    call: main\n", "    call: main\n    cpu: 0.4\n"),
                      env={"SPECRUN_CGROUPS": "off"})
    assert case["metrics"]["cpu_limit"] == 0.4
    assert case["metrics"]["cpu_enforcement"] == "affinity"
    assert "cores 1" in _stdout(case), case
    assert _ratio(case) <= 1.1, case["metrics"]


@pytest.mark.slow
def test_without_cpu_nothing_is_limited(project) -> None:
    case = _busy_case(project, SPEC.replace(", cpu: 0.5}", "}"))
    assert case["metrics"]["cpu_limit"] is None and case["metrics"]["cpu_enforcement"] is None

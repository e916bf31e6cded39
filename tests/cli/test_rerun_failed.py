"""``--lf``, ``--ff``, ``--sw``, ``--cache-clear`` and ``-x``, through real ``python -m specrun`` runs.

Every test checks which cases *ran* (the JSON record's ``cases``) and how they ended,
so that an option that silently ran nothing, or everything, fails it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

OK = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"
BROKEN = 'def main(input_paths, output_paths, environ_vars, job_args):\n    raise ValueError("broken on purpose")\n'


def spec(*steps: str) -> str:
    lines = ["version: 1", "pipeline: rr", "steps:"]
    for step in steps:
        lines += [f"  {step}:", f"    script: ../{step}.py", "    call: main"]
    lines += ["scenarios:", "  a: {}", "modes:", "  isolation: {scenarios: [a]}"]
    return "\n".join(lines) + "\n"


def case_id(step: str) -> str:
    return f"rr::{step}[a]"


def make(project, broken: set[str], steps=("one", "two", "three")):
    project.write("specs/rr.yaml", spec(*steps))
    for step in steps:
        project.write(f"{step}.py", BROKEN if step in broken else OK)


def ran(out) -> list[tuple[str, str]]:
    """(case id, outcome) of every case that ran, in the order they finished."""
    assert out.record is not None, out.stdout + out.stderr
    return [(c["id"], c["outcome"]) for c in out.record["cases"]]


def run(project, *args):
    return project.run("specs", "--mode", "isolation", *args)


def test_lf_reruns_only_the_failed_case_then_all_once_it_is_fixed(project):
    make(project, broken={"two"})
    first = run(project)
    assert first.code == 1, first.stdout
    assert sorted(ran(first)) == [(case_id("one"), "passed"), (case_id("three"), "passed"),
                                  (case_id("two"), "failed")]

    again = run(project, "--lf")
    assert again.code == 1, again.stdout
    assert ran(again) == [(case_id("two"), "failed")]       # it ran, and it still fails
    assert again.record["deselected"] == 2
    assert "--lf: rerunning 1 previously failed case (2 deselected)" in again.stdout
    assert "1 failed, 2 deselected in" in again.stdout

    project.write("two.py", OK)                              # the fix
    fixed = run(project, "--lf")
    assert fixed.code == 0, fixed.stdout
    assert ran(fixed) == [(case_id("two"), "passed")]
    assert "1 passed, 2 deselected in" in fixed.stdout

    after = run(project, "--lf")                             # nothing failed any more: everything runs
    assert after.code == 0, after.stdout
    assert sorted(ran(after)) == sorted((case_id(s), "passed") for s in ("one", "two", "three"))
    assert after.record["deselected"] == 0
    assert "--lf: no previously failed cases, running all 3 cases" in after.stdout
    assert "deselected" not in after.stdout.splitlines()[-1]


def test_lf_keeps_a_failure_that_a_later_partial_run_did_not_rerun(project):
    make(project, broken={"two"})
    assert run(project).code == 1
    other = run(project, "-k", "one")                        # runs only a passing case
    assert ran(other) == [(case_id("one"), "passed")]
    again = run(project, "--lf")
    assert ran(again) == [(case_id("two"), "failed")]


def test_ff_runs_the_failed_case_first_then_the_rest(project):
    make(project, broken={"two"})
    first = run(project)
    assert [c for c, _ in ran(first)] == [case_id("one"), case_id("two"), case_id("three")]
    again = run(project, "--ff")
    assert ran(again) == [(case_id("two"), "failed"), (case_id("one"), "passed"), (case_id("three"), "passed")]
    assert again.record["deselected"] == 0
    assert "--ff: running 1 previously failed case first, then 2 more" in again.stdout


def test_sw_stops_at_the_first_failure_and_starts_from_it_next_time(project):
    steps = ("one", "two", "three", "four")
    make(project, broken={"two", "three"}, steps=steps)
    first = run(project, "--sw")
    assert first.code == 1
    assert ran(first) == [(case_id("one"), "passed"), (case_id("two"), "failed")]
    assert first.record["not_run"] == 2
    assert f"stopping after first failure ({case_id('two')}, --sw): 2 of 4 selected cases not run" in first.stdout

    project.write("two.py", OK)
    second = run(project, "--sw")                            # starts at two, which passes; three fails
    assert ran(second) == [(case_id("two"), "passed"), (case_id("three"), "failed")]
    assert second.record["deselected"] == 1
    assert f"stepwise: skipping 1 case before the previously failed {case_id('two')}" in second.stdout

    project.write("three.py", OK)
    third = run(project, "--sw")
    assert third.code == 0
    assert ran(third) == [(case_id("three"), "passed"), (case_id("four"), "passed")]

    fourth = run(project, "--sw")                            # got to the end: from the top again
    assert [c for c, _ in ran(fourth)] == [case_id(s) for s in steps]


def test_cache_clear_forgets_the_failed_cases(project):
    make(project, broken={"two"})
    assert run(project).code == 1
    cleared = run(project, "--lf", "--cache-clear")
    assert sorted(c for c, _ in ran(cleared)) == sorted(case_id(s) for s in ("one", "two", "three"))
    assert "--lf: no previously failed cases" in cleared.stdout
    again = run(project, "--lf")                             # the cleared run recorded the failure afresh
    assert ran(again) == [(case_id("two"), "failed")]


def test_x_says_it_stopped_and_how_many_cases_did_not_run(project):
    make(project, broken={"two"})
    out = run(project, "-x")
    assert out.code == 1
    assert ran(out) == [(case_id("one"), "passed"), (case_id("two"), "failed")]
    assert out.record["not_run"] == 1 and out.record["stopped"]
    assert f"stopping after first failure ({case_id('two')}, -x): 1 of 3 selected cases not run" in out.stdout
    assert "1 failed, 1 passed, 1 not run in" in out.stdout


SLOW = '''
import os, pathlib, time

def main(input_paths, output_paths, environ_vars, job_args):
    if not pathlib.Path(environ_vars["SLOW_FLAG"]).exists():
        raise ValueError("slow step broken")
    marker = pathlib.Path(environ_vars["MARKER_DIR"]) / f"{os.getpid()}.pid"
    partial = marker.with_suffix(".partial")
    partial.write_text(str(os.getpid()))
    partial.rename(marker)
    time.sleep(60)
'''


def test_an_interrupted_run_does_not_lose_the_failed_cases(project):
    """Run 1 fails ``slow`` and ``broken``; run 2 is stopped with Ctrl-C inside ``slow`` (the
    first case), before ``broken`` runs: its ``last-run.json`` holds no failure at all, yet
    ``--lf`` still reruns both (the interrupted case counts as not run)."""
    markers = project.root / "markers"
    markers.mkdir()
    flag = project.root / "slow.flag"
    project.write("specs/rr.yaml", spec("slow", "broken").replace(
        "script: ../slow.py\n    call: main",
        f'script: ../slow.py\n    call: main\n    env: {{MARKER_DIR: "{markers}", SLOW_FLAG: "{flag}"}}'))
    project.write("slow.py", SLOW)
    project.write("broken.py", BROKEN)
    first = run(project)
    assert sorted(ran(first)) == [(case_id("broken"), "failed"), (case_id("slow"), "failed")]

    flag.write_text("sleep")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # The script signals "started" by writing outside its sandbox, which a namespace
    # sandbox makes read-only: this test is about the run state, so the process sandbox.
    env["SPECRUN_ISOLATION"] = "process"
    proc = subprocess.Popen([sys.executable, "-m", "specrun", "specs", "--mode", "isolation", "-n", "1"],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not list(markers.glob("*.pid")):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the slow script never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 2, output
    last_run = json.loads((project.root / ".specrun" / "last-run.json").read_text())
    assert last_run["interrupted"] is True and last_run["cases"] == []

    flag.unlink()
    again = run(project, "--lf")
    assert sorted(ran(again)) == [(case_id("broken"), "failed"), (case_id("slow"), "failed")]
    assert "--lf: rerunning 2 previously failed cases (0 deselected)" in again.stdout


def test_the_state_is_kept_per_spec_file(project):
    """Two specs with the same pipeline name and step: a failure in one is not the other's."""
    project.write("specs/rr.yaml", spec("one"))
    project.write("other/rr.yaml", spec("one").replace("../one.py", "../broken_one.py"))
    project.write("one.py", OK)
    project.write("broken_one.py", BROKEN)
    first = project.run("specs", "other", "--mode", "isolation")
    assert sorted(o for _, o in ran(first)) == ["failed", "passed"]
    only_good = project.run("specs", "--mode", "isolation", "--lf")   # its case never failed
    assert ran(only_good) == [(case_id("one"), "passed")]
    assert "--lf: no previously failed cases" in only_good.stdout
    only_bad = project.run("other", "--mode", "isolation", "--lf")
    assert ran(only_bad) == [(case_id("one"), "failed")]
    assert "--lf: rerunning 1 previously failed case" in only_bad.stdout

"""Tampering and escapes reported without namespaces: a script that modifies its inputs, or
leaves processes running, is named on the console, in JUnit and in the record; in pipeline mode
a consumer that rewrites its hand-off fails, and ``--from`` refuses the corrupted kept output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SPEC = """
version: 1
pipeline: tamper
schemas:
  rows: {columns: {x: {type: int, min: 0, max: 9}}}
steps:
  make:
    script: ../make.py
    call: main
    inputs: {seed_rows: {format: csv, schema: rows}}
    outputs: {made: {format: csv, schema: rows}}
  use:
    script: ../use.py
    call: main
    inputs: {made: {from: make.made, format: csv}}
    outputs: {used: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
"""

MAKE = """
import shutil
def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copy(input_paths["seed_rows"], output_paths["made"])
"""

# reads its input, writes it out, then "cleans up" the input in place: chmod + append a row
USE_TAMPERS = """
import os, shutil, stat
def main(input_paths, output_paths, environ_vars, job_args):
    src = input_paths["made"]
    shutil.copy(src, output_paths["used"])
    os.chmod(src, stat.S_IRUSR | stat.S_IWUSR)
    with open(src, "a") as fh:
        fh.write("7\\n")
"""

USE_CLEAN = """
import shutil
def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copy(input_paths["made"], output_paths["used"])
"""

# What these tests catch is what happens WITHOUT the namespace sandbox (issue 12, point 2):
# under it an input cannot be modified and strays die with the namespace, uncounted
# (tests/integration/execution/test_exec_namespace.py).
PROCESS_SANDBOX = {"SPECRUN_ISOLATION": "process"}


def _project(project, use: str):
    project.write("make.py", MAKE)
    project.write("use.py", use)
    project.write("specs/s.yaml", SPEC)
    return project


def test_isolation_names_an_input_the_script_modified_without_failing(project):
    _project(project, USE_TAMPERS)
    out = project.run("specs", "--mode", "isolation", "--junitxml", "junit.xml", env=PROCESS_SANDBOX)
    assert out.code == 0, out.stdout + out.stderr
    case = out.case("use[standard]")
    assert case["outcome"] == "passed"
    assert any("modified its input" in n and "'made'" in n and "changed" in n for n in case["notices"])
    assert out.case("make[standard]")["notices"] == []
    assert "notices" in out.stdout and "modified its input" in out.stdout
    junit = ET.parse(project.root / "junit.xml")
    texts = [e.text or "" for e in junit.iter("system-out")]
    assert any("specrun notice: the script modified its input" in t for t in texts)


def test_pipeline_fails_a_consumer_that_rewrites_its_handoff_and_from_refuses_it(project):
    _project(project, USE_TAMPERS)
    out = project.run("specs", "--mode", "pipeline", env=PROCESS_SANDBOX)
    assert out.code == 1, out.stdout + out.stderr
    step_cases = [c for c in out.record["cases"] if c["kind"] == "step" and c["step"] == "use"]
    assert len(step_cases) == 1
    case = step_cases[0]
    assert case["outcome"] == "failed" and case["classification"] == "SCRIPT_ERROR"
    assert "modified its inputs" in case["message"] and "kept outputs" in case["message"]
    # the producer's kept output was rewritten through the hard link: --from must not reuse it
    project.write("use.py", USE_CLEAN)
    again = project.run("specs", "--mode", "pipeline", "--from", "use", env=PROCESS_SANDBOX)
    assert again.code == 2, again.stdout + again.stderr   # a usage error, as for any --from that cannot reuse
    assert "output make.made was modified since it was kept" in again.stdout + again.stderr


def test_pipeline_consumer_that_leaves_its_input_alone_passes_and_from_reuses(project):
    _project(project, USE_CLEAN)
    assert project.run("specs", "--mode", "pipeline").code == 0
    again = project.run("specs", "--mode", "pipeline", "--from", "use")
    assert again.code == 0, again.stdout + again.stderr


STRAY_SPEC = """
version: 1
pipeline: strays
steps:
  leaves_a_daemon:
    script: ../daemon.py
    call: main
scenarios:
  standard: {}
modes:
  isolation: {scenarios: [standard]}
"""

DAEMON = """
import os, time
def main(input_paths, output_paths, environ_vars, job_args):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(120)
        os._exit(0)
    os.wait()
"""


def test_stray_processes_killed_after_a_pass_are_a_notice(project):
    project.write("daemon.py", DAEMON)
    project.write("specs/s.yaml", STRAY_SPEC)
    out = project.run("specs", "--junitxml", "junit.xml", env=PROCESS_SANDBOX)
    assert out.code == 0, out.stdout + out.stderr
    case = out.case("leaves_a_daemon")
    assert case["metrics"]["stray_processes_killed"] == 1
    assert case["notices"] == ["killed 1 stray process the script left running"]
    assert "killed 1 stray process the script left running" in out.stdout
    texts = [e.text or "" for e in ET.parse(project.root / "junit.xml").iter("system-out")]
    assert any("specrun notice: killed 1 stray process" in t for t in texts)


HOSTILE = """
def main(input_paths, output_paths, environ_vars, job_args):
    print("\\x1b]0;pwned\\x07\\x1b[2J")
    raise ValueError("bad \\x1b[31mred\\x1b[0m [bold]markup[/bold] \\x1b]8;;http://x\\x1b\\\\link")
"""


def test_console_shows_script_escape_sequences_instead_of_sending_them(project):
    project.write("hostile.py", HOSTILE)
    project.write("specs/s.yaml", STRAY_SPEC.replace("../daemon.py", "../hostile.py"))
    out = project.run("specs")
    assert out.code == 1
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "\\x1b[31mred\\x1b[0m" in out.stdout          # shown, not interpreted
    assert "[bold]markup[/bold]" in out.stdout            # script text is not rich markup either

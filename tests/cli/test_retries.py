"""``retries:`` / ``transient:``: a transient failure is run again; a pass after a retry
is reported flaky, never as a plain pass; anything else is final."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

SPEC = """\
version: 1
pipeline: retry
{defaults}
schemas:
  rows: {columns: {id: {type: int}}}
steps:
  shaky:
    script: shaky.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
{step_keys}
scenarios:
  standard: {rows: 3}
modes:
  isolation: {scenarios: [standard]}
"""
# Counts its attempts in its own working folder (the case's sandbox, kept across attempts)
# and fails, as told by FAIL_UNTIL, on every attempt before that one.
SCRIPT = '''
import pathlib
import shutil
import time


def main(input_paths, output_paths, environ_vars, job_args):
    log = pathlib.Path("attempts.log")
    attempt = len(log.read_text().split()) + 1 if log.exists() else 1
    log.write_text("x " * attempt)
    how = environ_vars["HOW"]
    if attempt < int(environ_vars["FAIL_UNTIL"]):
        if how == "hang":
            time.sleep(60)
        if how == "leave_output":        # a valid output, then a failure: must not survive
            shutil.copy(input_paths["rows"], output_paths["out"])
        raise RuntimeError(f"attempt {attempt} failed")
    if how != "leave_output":
        shutil.copy(input_paths["rows"], output_paths["out"])
'''


def write(project, step_keys: str, how: str = "raise", fail_until: int = 2, defaults: str = "") -> None:
    env = f"    env: {{HOW: {how}, FAIL_UNTIL: '{fail_until}'}}\n"
    project.write("spec.yaml", SPEC.replace("{defaults}", defaults).replace("{step_keys}", env + step_keys))
    project.write("shaky.py", SCRIPT)


def attempts(out) -> int:
    case = out.case("shaky[standard]")
    return len(case["retries"]) + 1


def test_a_pass_after_a_transient_failure_is_flaky_everywhere(project) -> None:
    write(project, "    retries: 2\n    transient: [SCRIPT_ERROR]\n    retry_delay: 0.05s\n")
    junit = project.root / "junit.xml"
    out = project.run("spec.yaml", "--junitxml", str(junit))
    assert out.code == 0, out.stdout + out.stderr
    case = out.case("shaky[standard]")
    assert case["outcome"] == "passed" and case["flaky"] is True
    assert [(r["classification"], r["message"].split(" (at ")[0]) for r in case["retries"]] == [
        ("SCRIPT_ERROR", "RuntimeError: attempt 1 failed")]
    assert out.record["flaky"] == 1
    assert "FLAKY" in out.stdout and "passed on attempt 2" in out.stdout
    assert "1 passed, 1 flaky" in out.stdout
    assert "retried 1 time after a transient failure" in out.stdout          # the notices section
    testcase = ET.parse(junit).getroot().find(".//testcase")
    assert testcase is not None
    flaky = testcase.findall("flakyFailure")
    assert [f.get("type") for f in flaky] == ["SCRIPT_ERROR"]
    assert testcase.find("failure") is None


def test_retries_run_out_and_the_last_failure_is_the_verdict(project) -> None:
    write(project, "    retries: 2\n    transient: [SCRIPT_ERROR]\n    retry_delay: 0.05s\n", fail_until=9)
    junit = project.root / "junit.xml"
    out = project.run("spec.yaml", "--junitxml", str(junit))
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("shaky[standard]")
    assert (case["outcome"], case["classification"], case["flaky"]) == ("failed", "SCRIPT_ERROR", False)
    assert "attempt 3 failed" in case["message"]
    assert attempts(out) == 3
    testcase = ET.parse(junit).getroot().find(".//testcase")
    assert testcase is not None
    assert len(testcase.findall("rerunFailure")) == 2 and testcase.find("failure") is not None


def test_a_timeout_is_retried_when_marked_transient(project) -> None:
    write(project, "    timeout: 1s\n    retries: 1\n    transient: [TIMEOUT]\n    retry_delay: 0.05s\n",
          how="hang")
    out = project.run("spec.yaml")
    assert out.code == 0, out.stdout + out.stderr
    case = out.case("shaky[standard]")
    assert case["flaky"] is True and [r["classification"] for r in case["retries"]] == ["TIMEOUT"]


@pytest.mark.parametrize("keys", [
    "",                                                           # no retries at all
    "    retries: 2\n    transient: [TIMEOUT]\n",                 # retries, but not for this class
])
def test_a_failure_not_marked_transient_is_final(project, keys: str) -> None:
    write(project, keys)
    out = project.run("spec.yaml")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("shaky[standard]")
    assert (case["outcome"], case["classification"]) == ("failed", "SCRIPT_ERROR")
    assert attempts(out) == 1 and case["flaky"] is False


def test_a_failed_attempts_outputs_do_not_reach_the_next(project) -> None:
    """Attempt 1 writes a valid output and then fails; attempt 2 exits 0 writing nothing.
    The output left by attempt 1 must not pass for attempt 2's."""
    write(project, "    retries: 1\n    transient: [SCRIPT_ERROR]\n    retry_delay: 0.05s\n", how="leave_output")
    out = project.run("spec.yaml")
    assert out.code == 1, out.stdout + out.stderr
    case = out.case("shaky[standard]")
    assert (case["outcome"], case["classification"]) == ("failed", "CONTRACT_ERROR")
    assert "out" in case["message"]
    assert attempts(out) == 2


def test_defaults_give_every_step_its_retries(project) -> None:
    write(project, "", defaults="defaults: {retries: 1, transient: [SCRIPT_ERROR], retry_delay: 0.05s}")
    out = project.run("spec.yaml")
    assert out.code == 0, out.stdout + out.stderr
    assert out.case("shaky[standard]")["flaky"] is True


@pytest.mark.parametrize("step_keys, defaults, where", [
    ("    retries: 2\n", "", ":13"),
    ("", "defaults: {retries: 2}", ":3"),
])
def test_retries_without_a_transient_class_are_a_spec_error(project, step_keys: str, defaults: str,
                                                            where: str) -> None:
    write(project, step_keys, defaults=defaults)
    out = project.run("spec.yaml")
    assert out.code == 4, out.stdout + out.stderr
    said = out.stdout + out.stderr
    assert f"spec.yaml{where}" in said and "no classification is marked transient" in said


@pytest.mark.slow
def test_the_docs_example_runs(project) -> None:
    """docs/spec.md's Retries example, with a rates service that is slow the first time."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    example = re.search(r"<!-- retries-example:start -->\n```yaml\n(.*?)```", doc, re.S)
    assert example, "docs/spec.md lost its retries example"
    project.write("spec.yaml", example.group(1).replace("timeout: 30s", "timeout: 1s"))
    project.write("scripts/fetch_rates.py", '''
import pathlib
import time


def main(input_paths, output_paths, environ_vars, job_args):
    first = not pathlib.Path("called").exists()
    pathlib.Path("called").write_text("yes")
    if first:
        time.sleep(60)                     # the service does not answer the first time
    pathlib.Path(output_paths["rates"]).write_text("currency,rate\\nUSD,1.0\\nEUR,1.1\\n")
''')
    out = project.run("spec.yaml")
    assert out.code == 0, out.stdout + out.stderr
    case = out.case("fetch_rates[standard]")
    assert case["flaky"] is True and [r["classification"] for r in case["retries"]] == ["TIMEOUT"]

"""``-W FILTER`` reaches the scripts (both executors), and a step's own PYTHONWARNINGS is
honoured by the fork executor too (a forked child used to keep its warm parent's filters)."""

from __future__ import annotations

import pytest

SPEC = """\
version: 1
pipeline: warns
schemas:
  rows: {columns: {id: {type: int}}}
steps:
  old_api:
    script: old_api.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
    {env}
scenarios:
  standard: {rows: 3}
modes:
  isolation: {scenarios: [standard]}
"""
SCRIPT = '''
import shutil
import warnings


def main(input_paths, output_paths, environ_vars, job_args):
    warnings.warn("read_rows() is deprecated", DeprecationWarning)
    shutil.copy(input_paths["rows"], output_paths["out"])
'''
EXECUTORS = ["fresh", "fork"]


def write(project, env: str = "") -> None:
    project.write("spec.yaml", SPEC.replace("{env}", env))
    project.write("old_api.py", SCRIPT)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_w_error_turns_a_scripts_deprecation_into_its_failure(project, executor: str) -> None:
    write(project)
    shown = project.run("spec.yaml", "--executor", executor)
    assert shown.code == 0, shown.stdout + shown.stderr
    assert [w["category"] for w in shown.case("old_api[standard]")["warnings"]] == ["DeprecationWarning"]

    strict = project.run("spec.yaml", "--executor", executor, "-W", "error::DeprecationWarning")
    assert strict.code == 1, strict.stdout + strict.stderr
    case = strict.case("old_api[standard]")
    assert case["outcome"] == "failed"
    assert case["error"]["type"] == "DeprecationWarning"
    assert "read_rows() is deprecated" in case["message"]


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_steps_pythonwarnings_applies_under_either_executor(project, executor: str) -> None:
    write(project, "env: {PYTHONWARNINGS: 'ignore::DeprecationWarning'}")
    quiet = project.run("spec.yaml", "--executor", executor)
    assert quiet.code == 0, quiet.stdout + quiet.stderr
    assert quiet.case("old_api[standard]")["warnings"] == []


@pytest.mark.parametrize("executor", EXECUTORS)
def test_w_on_the_command_line_wins_over_the_steps_env(project, executor: str) -> None:
    write(project, "env: {PYTHONWARNINGS: 'ignore::DeprecationWarning'}")
    strict = project.run("spec.yaml", "--executor", executor, "-W", "error::DeprecationWarning")
    assert strict.code == 1, strict.stdout + strict.stderr
    assert strict.case("old_api[standard]")["error"]["type"] == "DeprecationWarning"


@pytest.mark.parametrize("bad, said", [
    ("explode::DeprecationWarning", "unknown warning action 'explode'"),
    ("error::DeprecatedWarning", "unknown warning category 'DeprecatedWarning'"),
    ("error::DeprecationWarning:mod:x", "line number 'x'"),
    ("error:a,b", "a comma cannot reach the scripts"),
])
def test_a_malformed_filter_is_a_usage_error(project, bad: str, said: str) -> None:
    write(project)
    out = project.run("spec.yaml", "-W", bad)
    assert out.code == 2, out.stdout + out.stderr
    assert said in out.stderr
    assert "Traceback" not in out.stderr

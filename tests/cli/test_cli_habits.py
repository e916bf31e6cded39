"""The command line's pytest habits: ``--version``, ``--json -``, did-you-mean, sub-command help."""

from __future__ import annotations

import json
import os
import subprocess

from specrun._version import __version__
from tests.warm_cli import run_specrun

OK = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"
BROKEN = 'def main(input_paths, output_paths, environ_vars, job_args):\n    raise ValueError("broken on purpose")\n'
SPEC = """
version: 1
pipeline: habits
steps:
  good:
    script: ../good.py
    call: main
  bad:
    script: ../bad.py
    call: main
scenarios:
  a: {}
modes:
  isolation: {scenarios: [a]}
"""


def specrun(cwd, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["COLUMNS"] = "200"
    return run_specrun([*args], cwd=cwd, capture_output=True, text=True,
                          timeout=240, env=env)


def make(project):
    project.write("specs/habits.yaml", SPEC)
    project.write("good.py", OK)
    project.write("bad.py", BROKEN)


def test_version_prints_the_version_and_exits_0(project):
    for flag in ("--version", "-V"):
        out = specrun(project.root, flag)
        assert out.returncode == 0, out.stderr
        assert out.stdout == f"specrun {__version__}\n" and out.stderr == ""


def test_json_dash_writes_the_record_alone_to_stdout(project):
    make(project)
    out = specrun(project.root, "specs", "--mode", "isolation", "--json", "-")
    assert out.returncode == 1, out.stdout + out.stderr
    record = json.loads(out.stdout)                  # stdout is the record and nothing else
    assert record["format"] == "specrun-result"
    assert {c["id"]: c["outcome"] for c in record["cases"]} == {"habits::good[a]": "passed",
                                                               "habits::bad[a]": "failed"}
    assert "FAILED  habits::bad[a]" in out.stderr   # the console report went to stderr
    assert "1 failed, 1 passed in" in out.stderr
    assert not (project.root / "-").exists()
    # the workspace copy is still written
    assert json.loads((project.root / ".specrun" / "last-run.json").read_text())["started"] == record["started"]


def test_a_misspelt_command_is_one_line_with_did_you_mean_exit_4(project):
    make(project)
    out = specrun(project.root, "chek", "specs")
    assert out.returncode == 4
    assert out.stdout == ""
    assert out.stderr == "specrun: chek: file or directory not found, nor a command (did you mean 'specrun check'?)\n"


def test_a_misspelt_path_suggests_the_closest_existing_one(project):
    make(project)
    out = specrun(project.root, "spec/habits.yml")
    assert out.returncode == 4
    assert out.stderr == "specrun: spec/habits.yml: file or directory not found (did you mean 'specs/habits.yaml'?)\n"
    far = specrun(project.root, "zzzz")
    assert far.returncode == 4
    assert far.stderr == "specrun: zzzz: file or directory not found\n"   # nothing close: no guess
    checked = specrun(project.root, "check", "spec")
    assert checked.returncode == 4
    assert checked.stderr == "specrun: spec: file or directory not found (did you mean 'specs'?)\n"


def test_help_lists_the_sub_commands_without_their_options(project):
    out = specrun(project.root, "--help")
    assert out.returncode == 0, out.stderr
    commands = out.stdout[out.stdout.index("commands (each with its own --help):"):]
    for name in ("check", "plugins", "replay", "compare", "snapshot", "schema"):
        assert f"\n  {name} " in commands, name
    options = out.stdout[:out.stdout.index("commands (each with its own --help):")]
    for own in ("--to", "--psi-threshold", "--ks-threshold", "--path"):   # a sub-command's, not a run's
        assert f"{own} " not in options, own
    assert "--lf" in options and "--version" in options


def test_each_sub_command_has_its_own_help_and_options(project):
    own = {"compare": ["--psi-threshold", "--ks-threshold", "--sample-size", "--endpoint-url"],
           "snapshot": ["--to", "--sample-size"], "schema": ["--path"], "replay": ["--executor"],
           "plugins": ["--json"], "check": ["-k", "--mode"]}
    for command, options in own.items():
        out = specrun(project.root, command, "--help")
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith(f"usage: specrun {command} "), out.stdout
        for option in options:
            assert option in out.stdout, (command, option)
    schema = specrun(project.root, "schema", "--help").stdout
    assert "--lf" not in schema and "--to" not in schema   # a command lists only its own options
    wrong = specrun(project.root, "schema", "--to", "x")    # and takes only them
    assert wrong.returncode == 2 and "unrecognized arguments: --to x" in wrong.stderr
    run_option = specrun(project.root, "specs", "--psi-threshold", "0.3")
    assert run_option.returncode == 2 and "unrecognized arguments: --psi-threshold" in run_option.stderr

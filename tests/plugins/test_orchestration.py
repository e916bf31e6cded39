"""Which modes run for a spec, and the design note's testing_modes_config keys of
isolation honoured from the spec and from the project config."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import pytest
from plugin_project import PluginProject

from specrun.modes.selection import specrun_select_modes
from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

TWO_STEPS = '''
version: 1
pipeline: p
steps:
  a:
    script: a.py
    outputs: {{out: {{format: csv}}}}
  b:
    script: b.py
    inputs: {{data: {{from: a.out}}}}
{extra}
'''
ALL = ["deep_dive", "drift", "isolation", "pipeline"]


def spec_of(tmp_path: Path, extra: str = "", one_step: bool = False):
    text = TWO_STEPS.format(extra=textwrap.dedent(extra))
    if one_step:
        text = text.replace("  b:\n    script: b.py\n    inputs: {data: {from: a.out}}\n", "")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("")
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return load_spec(path)


def select(spec, available=ALL, **config):
    namespace = argparse.Namespace(mode=None, quick=False, project_modes={})
    for key, value in config.items():
        setattr(namespace, key, value)
    return specrun_select_modes(spec=spec, config=namespace, available=available)


def test_automatic_selection(tmp_path: Path) -> None:
    assert select(spec_of(tmp_path, one_step=True)) == ["isolation"]
    assert select(spec_of(tmp_path)) == ["isolation", "pipeline"]
    assert select(spec_of(tmp_path), available=["isolation"]) == ["isolation"]
    arn = "modes:\n  deep_dive: {execution_arn: 'arn:aws:sagemaker:us-east-1:1:pipeline/p/execution/x'}\n"
    assert select(spec_of(tmp_path, arn)) == ["isolation", "pipeline", "deep_dive"]
    project = {"deep_dive": {"snapshot": "snap/"}}
    assert select(spec_of(tmp_path), project_modes=project) == ["isolation", "pipeline", "deep_dive"]


def test_command_line_overrides(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "modes:\n  isolation: {enabled: false}\n")
    assert select(spec, quick=True) == ["isolation"]
    assert select(spec, mode=["drift", "pipeline", "isolation"]) == ["isolation", "pipeline", "drift"]


def test_spec_and_project_enable_and_disable(tmp_path: Path) -> None:
    # naming a mode switches it on (plugin modes); enabled: false switches one off
    assert select(spec_of(tmp_path, "modes:\n  drift: {reference: x}\n")) == ["isolation", "pipeline", "drift"]
    assert select(spec_of(tmp_path, "modes:\n  pipeline: {enabled: false}\n")) == ["isolation"]
    project = {"pipeline": {"enabled": False}, "drift": {"enabled": True}}
    assert select(spec_of(tmp_path), project_modes=project) == ["isolation", "drift"]
    # the spec wins over the project config
    spec = spec_of(tmp_path, "modes:\n  pipeline: {enabled: true}\n")
    assert select(spec, project_modes=project) == ["isolation", "pipeline", "drift"]
    # project options alone (no enabled) do not switch a plugin mode on
    assert select(spec_of(tmp_path), project_modes={"drift": {"thresholds": {"psi": 1}}}) == ["isolation", "pipeline"]


def test_bad_enabled_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="modes.pipeline.enabled"):
        select(spec_of(tmp_path, "modes:\n  pipeline: {enabled: perhaps}\n"))


# -- isolation's options, end to end ---------------------------------------------

STEPS = '''
version: 1
pipeline: iso
defaults: {{timeout: 120, seed: 5}}
schemas:
  rows: {{columns: {{n: {{type: int, min: 0, max: 9}}}}}}
steps:
{steps}
scenarios:
  standard: {{rows: 5}}
{modes}
'''
STEP = '''
  {name}:
    script: {script}
    call: main
    env: {{ARG: "{arg}"}}
    inputs: {{rows: {{format: csv, schema: rows}}}}
    outputs: {{out: {{format: csv, schema: rows}}}}
'''
# sleep: sleeps ARG seconds; hog: holds ARG MB; meet: waits (up to 60 s) for a file of the
# other step in ARG's folder, so it only passes when the two steps run at the same time
# (the flag files lie outside the sandboxes: those tests run with SPECRUN_ISOLATION=process).
SCRIPT = '''
import os, shutil, sys, time
from pathlib import Path


def main(input_paths, output_paths, environ_vars, job_args):
    kind, arg = {kind!r}, environ_vars["ARG"]
    if kind == "sleep":
        time.sleep(float(arg))
    elif kind == "hog":
        block = bytearray(int(arg) * 1024 * 1024)
        for i in range(0, len(block), 4096):
            block[i] = 1
    elif kind == "meet":
        me, other = arg.split(",")
        Path(me).write_text("here")
        deadline = time.monotonic() + 60
        while not Path(other).exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the other step never ran alongside")
            time.sleep(0.05)
    shutil.copy(input_paths["rows"], output_paths["out"])
'''


def iso_project(project: PluginProject, kind: str, steps: dict[str, str], modes: str = "") -> None:
    project.write(f"{kind}.py", SCRIPT.format(kind=kind))
    body = "".join(STEP.format(name=name, script=f"{kind}.py", arg=arg) for name, arg in steps.items())
    project.write("spec.yaml", STEPS.format(steps=body.rstrip("\n"), modes=modes))


@pytest.mark.parametrize("where", ["spec", "project"])
def test_isolation_timeout_per_scenario_and_scenarios(project: PluginProject, where: str) -> None:
    options = {"timeout_per_scenario": '"2s"', "scenarios": '["standard"]'}
    iso_project(project, "sleep", {"slow": "30"},
                "modes:\n  isolation: {timeout_per_scenario: 2s, scenarios: [standard]}" if where == "spec" else "")
    if where == "project":
        project.write("pyproject.toml", "[tool.specrun.modes.isolation]\n"
                      + "".join(f"{k} = {v}\n" for k, v in options.items()))
    run = project.run("spec.yaml")
    assert run.code == 1, run.output
    [case] = run.cases()                             # only the standard scenario
    assert case["id"] == "iso::slow[standard]" and case["classification"] == "TIMEOUT"


def test_isolation_max_memory_from_project(project: PluginProject) -> None:
    iso_project(project, "hog", {"big": "400"})
    project.write("specrun.toml", '[modes.isolation]\nscenarios = ["standard"]\nmax_memory = "150MB"\n')
    run = project.run("spec.yaml")
    assert run.code == 1, run.output
    assert run.cases()[0]["classification"] == "RESOURCE_ERROR"


def test_isolation_enabled_false_in_project(project: PluginProject) -> None:
    iso_project(project, "sleep", {"quick": "0"})
    project.write("specrun.toml", "[modes.isolation]\nenabled = false\n")
    assert project.run("spec.yaml").code == 5
    assert project.run("spec.yaml", "--quick").code == 0


def test_isolation_parallel_execution(project: PluginProject) -> None:
    a, b = project.root / "a.flag", project.root / "b.flag"
    iso_project(project, "meet", {"left": f"{a},{b}", "right": f"{b},{a}"},
                "modes:\n  isolation: {scenarios: [standard], parallel_execution: 2}")
    run = project.run("spec.yaml", "--quick", env=project.env(SPECRUN_ISOLATION="process"))
    assert run.code == 0, run.output
    assert sorted(c["outcome"] for c in run.cases()) == ["passed", "passed"]


def test_pipeline_testing_modes_config_keys(project: PluginProject) -> None:
    """The design note's pipeline keys, from the project config and from the spec."""
    a, b = project.root / "a.flag", project.root / "b.flag"
    iso_project(project, "meet", {"left": f"{a},{b}", "right": f"{b},{a}"},
                "modes:\n  isolation: {enabled: false}\n  pipeline: {data_flow_validation: lenient}")
    parallel = project.run("spec.yaml", env=project.env(SPECRUN_ISOLATION="process"))
    assert parallel.code == 0, parallel.output                  # the two steps met: they ran together
    record = parallel.record["records"]["pipeline:iso"]
    assert (record["execution"], record["validation"]) == ("parallel", "lenient")

    a.unlink()
    b.unlink()
    project.write("pyproject.toml", '[tool.specrun.modes.pipeline]\nexecution_mode = "sequential"\n'
                  'timeout_per_step = "2s"\ncontinue_on_failure = true\n')
    sequential = project.run("spec.yaml", env=project.env(SPECRUN_ISOLATION="process"))
    assert sequential.code == 1, sequential.output
    record = sequential.record["records"]["pipeline:iso"]
    assert record["execution"] == "sequential" and record["continue_on_failure"] is True
    steps = {c["step"]: c for c in sequential.cases() if c["kind"] == "step"}
    # one at a time: the first step waits alone until timeout_per_step kills it; with
    # continue_on_failure the other (independent) step still runs, finds the first's flag, passes
    assert [c["classification"] for c in steps.values()].count("TIMEOUT") == 1
    assert sorted(c["outcome"] for c in steps.values()) == ["failed", "passed"]


@pytest.mark.slow
def test_dash_n_1_overrides_parallel_execution(project: PluginProject) -> None:
    a, b = project.root / "a.flag", project.root / "b.flag"
    iso_project(project, "meet", {"left": f"{a},{b}", "right": f"{b},{a}"},
                "modes:\n  isolation: {scenarios: [standard], parallel_execution: 2, timeout_per_scenario: 3s}")
    run = project.run("spec.yaml", "--quick", "-n", "1", env=project.env(SPECRUN_ISOLATION="process"))
    assert run.code == 1, run.output
    # one at a time: the first waits alone for the other until its timeout, the second then finds it
    assert sorted((c["outcome"], c["classification"]) for c in run.cases()) == [
        ("failed", "TIMEOUT"), ("passed", None)]

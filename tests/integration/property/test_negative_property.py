"""Negative property scenarios end to end, on the scripts of examples/verdicts/: Hypothesis
draws inputs with one constraint broken, a silent acceptance fails as ACCEPTED_INVALID
with a shrunk minimal frame that `specrun replay` reproduces; a script that rejects or
tolerates bad input passes."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "verdicts"
CONSTRAINT_ID = re.compile(r"\((payments\.(\w+\.)?\w+)\)")


def specrun(cwd: Path, workspace: Path, *args: str) -> tuple[int, str, dict]:
    out = workspace.parent / "result.json"
    out.unlink(missing_ok=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")},
           "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    json_args = ["--json", str(out)] if args and args[0] != "replay" else []
    proc = run_specrun([*args, *json_args, "--workspace", str(workspace)],
                          check=False, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    record = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, record


def run_scenario(tmp_path: Path, *steps: str, spec: str = "spec.yaml") -> tuple[int, str, dict]:
    step_args = [a for step in steps for a in ("--step", step)]
    return specrun(EXAMPLE, tmp_path / "ws", spec, "--scenario", "off_contract", *step_args)


@pytest.fixture(scope="module")
def passthrough(tmp_path_factory) -> tuple[Path, int, str, dict]:
    tmp_path = tmp_path_factory.mktemp("passthrough")
    return (tmp_path, *run_scenario(tmp_path, "passthrough"))


def test_a_silent_pass_through_fails_as_accepted_invalid_with_a_shrunk_minimal_frame(passthrough):
    _, code, output, record = passthrough
    assert code == 1, output
    case, = record["cases"]
    assert case["id"] == "verdicts::passthrough[off_contract]" and case["kind"] == "property"
    assert (case["outcome"], case["classification"]) == ("failed", "ACCEPTED_INVALID"), case["message"]
    assert case["details"]["negative"] == 1.0
    failure, = case["details"]["failures"]
    negative = failure["negative"]
    # the message names the constraint broken, port.column.constraint
    assert CONSTRAINT_ID.search(case["message"]).group(1) == negative["constraint"]
    assert negative["verdict"] == "accepted_invalid"
    assert "accepted invalid input: the script exited 0 on" in case["message"]
    # shrunk: a minimal frame of one or two rows, shown in the report
    assert failure["input_rows"]["payments"] <= 2, failure["input_head"]
    assert "minimal input 'payments'" in output and "ACCEPTED_INVALID" in output
    assert "input 'payments' (broken rows):" in case["message"]
    assert case["details"]["drawn"]["accepted_invalid"] >= 1
    assert set(case["details"]["drawn"]) <= {"accepted_invalid", "rejected", "tolerated"}
    assert case["properties"] == []      # properties describe valid input: not judged here


def test_replay_of_the_saved_failure_gives_the_same_verdict(passthrough):
    tmp_path, _, _, record = passthrough
    failure, = record["cases"][0]["details"]["failures"]
    saved = json.loads((Path(failure["path"]) / "failure.json").read_text())
    assert saved["negative"]["constraint"] == failure["negative"]["constraint"]
    code, output, _ = specrun(EXAMPLE, tmp_path / "ws", "replay", failure["id"])
    assert code == 1, output
    assert f"off-contract input: {saved['negative']['constraint']}" in output
    verdict = next(line for line in output.splitlines() if line.startswith("FAILED "))
    assert verdict.startswith("FAILED ACCEPTED_INVALID: accepted invalid input")
    assert f"({saved['negative']['constraint']})" in verdict


def test_replay_passes_once_the_script_rejects_the_input(passthrough, tmp_path):
    """The same saved failure against a fixed script: rejected now, so replay passes."""
    source_tmp, _, _, record = passthrough
    failure, = record["cases"][0]["details"]["failures"]
    project = tmp_path / "verdicts"
    shutil.copytree(EXAMPLE, project)
    shutil.copy(project / "scripts" / "validating.py", project / "scripts" / "passthrough.py")
    saved_dir = tmp_path / "ws" / "failures" / failure["id"]
    shutil.copytree(Path(failure["path"]), saved_dir)
    data = json.loads((saved_dir / "failure.json").read_text())
    data["spec"] = str(project / "spec.yaml")
    (saved_dir / "failure.json").write_text(json.dumps(data))
    code, output, _ = specrun(project, tmp_path / "ws", "replay", failure["id"])
    assert code == 0, output
    assert "PASSED: the saved failure no longer reproduces" in output


@pytest.mark.parametrize("step, verdict", [("validating", "rejected"), ("tolerant", "tolerated")])
def test_a_script_that_rejects_or_tolerates_bad_input_passes(tmp_path, step, verdict):
    code, output, record = run_scenario(tmp_path, step)
    assert code == 0, output
    case, = record["cases"]
    assert case["outcome"] == "passed", case["message"]
    drawn = case["details"]["drawn"]
    assert sum(drawn.values()) == case["details"]["runs"] >= 30      # every example was off-contract
    assert drawn.get(verdict, 0) > 0 and "accepted_invalid" not in drawn, drawn
    if step == "validating":
        assert set(drawn) == {"rejected"}


def test_on_invalid_reject_makes_a_tolerated_input_fail(tmp_path):
    code, output, record = run_scenario(tmp_path, "strict_port")
    assert code == 1, output
    case, = record["cases"]
    assert (case["outcome"], case["classification"]) == ("failed", "ACCEPTED_INVALID")
    assert "declares on_invalid: reject" in case["message"] and "and tolerated it" in case["message"]
    assert case["details"]["failures"][0]["negative"]["verdict"] == "tolerated"


def test_a_share_draws_valid_and_off_contract_examples(tmp_path):
    project = tmp_path / "verdicts"
    shutil.copytree(EXAMPLE, project)
    spec = project / "spec.yaml"
    text = spec.read_text()
    assert "off_contract: {examples: 30, max_rows: 8, negative: true}" in text
    spec.write_text(text.replace("off_contract: {examples: 30, max_rows: 8, negative: true}",
                                 "off_contract: {examples: 40, max_rows: 8, negative: 0.5}"))
    code, output, record = specrun(project, tmp_path / "ws", "spec.yaml", "--scenario", "off_contract",
                                   "--step", "tolerant")
    assert code == 0, output
    case, = record["cases"]
    drawn = case["details"]["drawn"]
    assert case["details"]["negative"] == 0.5
    off = sum(n for kind, n in drawn.items() if kind != "valid")
    assert drawn["valid"] > 5 and off > 5, drawn          # valid ones are judged as today: they pass
    assert set(drawn) <= {"valid", "rejected", "tolerated"}


def test_valid_examples_of_a_share_are_judged_as_in_any_property_run(tmp_path):
    """validating.py crashes on an empty valid input (``str * float`` on an empty CSV):
    a valid example finds it, and it fails as SCRIPT_ERROR, not as a negative verdict."""
    project = tmp_path / "verdicts"
    shutil.copytree(EXAMPLE, project)
    spec = project / "spec.yaml"
    spec.write_text(spec.read_text().replace("off_contract: {examples: 30, max_rows: 8, negative: true}",
                                             "off_contract: {examples: 40, max_rows: 8, negative: 0.5}"))
    code, output, record = specrun(project, tmp_path / "ws", "spec.yaml", "--scenario", "off_contract",
                                   "--step", "validating")
    assert code == 1, output
    case, = record["cases"]
    assert (case["outcome"], case["classification"]) == ("failed", "SCRIPT_ERROR"), case["message"]
    failure, = case["details"]["failures"]
    assert "negative" not in failure and failure["input_rows"] == {"payments": 0}


def test_quick_runs_leave_negative_property_scenarios_out(tmp_path):
    code, output, _ = specrun(EXAMPLE, tmp_path / "ws", "spec.yaml", "--quick", "--collect-only")
    assert code == 0, output
    assert "[off_contract]" not in output
    code, output, _ = specrun(EXAMPLE, tmp_path / "ws", "spec.yaml", "--collect-only", "--step", "passthrough")
    assert "verdicts::passthrough[off_contract]" in output


@pytest.mark.slow
def test_the_docs_example_runs_as_written(tmp_path):
    """The `negative:` example of docs/spec.md, in the verdicts example's spec."""
    doc = (ROOT / "docs" / "spec.md").read_text()
    block = re.search(r"<!-- negative-property-example:start -->\n```yaml\n(.*?)```\n"
                      r"<!-- negative-property-example:end -->", doc, re.S)
    assert block, "docs/spec.md lost its negative property example"
    project = tmp_path / "verdicts"
    shutil.copytree(EXAMPLE, project)
    spec = project / "spec.yaml"
    text, count = re.subn(r"^scenarios:\n(?:  .*\n)+", block.group(1), spec.read_text(), flags=re.M)
    assert count == 1
    text = text.replace("scenarios: [standard, negative, off_contract]", "scenarios: [off_contract, mostly_valid]")
    spec.write_text(text)
    code, output, record = specrun(project, tmp_path / "ws", "spec.yaml", "--step", "passthrough",
                                   "--scenario", "off_contract")
    assert code == 1, output
    case, = record["cases"]
    assert (case["outcome"], case["classification"]) == ("failed", "ACCEPTED_INVALID"), case["message"]
    code, output, record = specrun(project, tmp_path / "ws", "spec.yaml", "--step", "tolerant",
                                   "--scenario", "mostly_valid")
    assert code == 0, output
    drawn = record["cases"][0]["details"]["drawn"]
    assert drawn["valid"] > drawn.get("tolerated", 0) + drawn.get("rejected", 0) > 0, drawn

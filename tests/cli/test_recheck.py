"""``--recheck`` on real runs: the last run's kept outputs judged against the spec as it is
now, without running a script (a counter file outside the sandbox proves none ran)."""

from __future__ import annotations

SPEC = """
version: 1
pipeline: rk
defaults: {seed: 5, timeout: 60}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 100}
steps:
  shift:
    script: ../shift.py
    call: main
    env: {RUN_COUNTER: "{counter}"}
    inputs: {rows: {format: csv, schema: rows}}
    outputs:
      out:
        format: csv
        schema:
          columns:
            id: {type: int}
            amount: {type: float{bound}}
scenarios:
  standard: {rows: 20}
modes:
  isolation: {scenarios: [standard]}
"""

SCRIPT = """
import os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    with open(os.environ["RUN_COUNTER"], "a") as fh:
        fh.write("ran\\n")
    frame = pd.read_csv(input_paths["rows"])
    frame["amount"] = frame["amount"] - 50.0      # some amounts go negative
    {extra}
    frame.to_csv(output_paths["out"], index=False)
"""


def setup(project, bound: str, extra: str = "pass") -> None:
    counter = str(project.root / "counter.txt")
    project.write("specs/rk.yaml", SPEC.replace("{bound}", bound).replace("{counter}", counter))
    project.write("shift.py", SCRIPT.replace("{extra}", extra))


def run(project, *args: str):
    return project.run("specs", *args, env={"SPECRUN_ISOLATION": "process"})   # the counter is outside the box


def runs(project) -> int:
    counter = project.root / "counter.txt"
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def test_a_relaxed_contract_passes_on_the_kept_outputs_without_running_the_script(project) -> None:
    setup(project, ", min: 0")
    first = run(project)
    assert first.code == 1 and first.case("shift[standard]")["classification"] == "CONTRACT_ERROR"
    assert runs(project) == 1
    setup(project, "")                                 # the contract was wrong, not the script
    again = run(project, "--recheck")
    assert again.code == 0, again.stdout + again.stderr
    assert runs(project) == 1                          # nothing ran
    case = again.case("shift[standard]")
    assert case["outcome"] == "passed" and case["details"]["recheck"]["rechecked"]
    assert "PASSED (rechecked)" in again.stdout
    assert case["workdir"] == first.case("shift[standard]")["workdir"]
    assert run(project, "--recheck").case("shift[standard]")["outcome"] == "passed"   # and again
    assert runs(project) == 1


def test_a_tightened_contract_fails_the_kept_outputs(project) -> None:
    setup(project, "")
    assert run(project, "--keep-sandboxes").code == 0
    setup(project, ", min: 0")                         # now the negative amounts break it
    again = run(project, "--recheck")
    assert again.code == 1
    case = again.case("shift[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert "amount" in case["message"] and runs(project) == 1


def test_a_property_is_judged_against_the_inputs_the_script_was_fed(project) -> None:
    setup(project, "")
    assert run(project, "--keep-sandboxes").code == 0

    def with_property(text: str) -> None:
        spec = SPEC.replace("{bound}", "").replace("{counter}", str(project.root / "counter.txt"))
        prop = f"    properties:\n      - {text}\n    outputs:\n"
        project.write("specs/rk.yaml", spec.replace("    outputs:\n", prop, 1))

    with_property("row_count: {output: out, equals: [rows]}")      # 20 rows in, 20 out: read from the box
    same = run(project, "--recheck")
    assert same.code == 0, same.stdout
    assert [p["ok"] for p in same.case("shift[standard]")["properties"] if p["name"] == "row_count"] == [True]
    with_property("row_count: {output: out, ratio: {input: rows, min: 2}}")
    twice = run(project, "--recheck")
    assert twice.code == 1, twice.stdout
    assert any(not p["ok"] and p["name"] == "row_count" for p in twice.case("shift[standard]")["properties"])
    assert runs(project) == 1


def test_without_kept_outputs_a_case_is_skipped_not_passed(project) -> None:
    setup(project, "")
    assert run(project).code == 0                      # passing sandboxes are not kept
    again = run(project, "--recheck")
    case = again.case("shift[standard]")
    assert case["outcome"] == "skipped" and "kept no outputs" in case["message"]
    assert runs(project) == 1


def test_a_script_that_failed_is_reported_again_not_rechecked(project) -> None:
    setup(project, "", extra='raise KeyError("order_amount")')
    first = run(project)
    assert first.code == 1
    again = run(project, "--recheck")
    assert again.code == 1 and runs(project) == 1
    case = again.case("shift[standard]")
    assert case["outcome"] == first.case("shift[standard]")["outcome"]
    assert case["message"].startswith("not rechecked (the script did not exit cleanly")


def test_recheck_is_for_isolation_cases_only(project) -> None:
    setup(project, "")
    out = run(project, "--recheck", "--mode", "pipeline")
    assert out.code == 2 and "--recheck rechecks isolation cases only" in out.stderr

"""The built-in edge_cases scenario: one case per edge the input contracts allow, named
``step[edge_cases:EDGE]``, coherent with --collect-only, --scenario, -k, --quick,
parametrize and a user's override of the scenario."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

# Writes how many rows and nulls it received, so a case shows what it was really fed.
COUNT = '''
import json

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    seen = {"rows": len(frame), "nulls": {c: int(frame[c].isna().sum()) for c in frame.columns}}
    if "other" in input_paths:
        seen["other_rows"] = len(pd.read_csv(input_paths["other"]))
    with open(output_paths["seen"], "w") as out:
        json.dump(seen, out)
'''

HEAD = '''
version: 1
pipeline: demo
defaults: {timeout: 60, seed: 5}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      note: {type: str, nullable: true}
      score: {type: float, nullable: true, min: 0, max: 1}
  dense:
    columns:
      id: {type: int, unique: true}
  busy:
    extends: dense
    rows: {min: 1}
  crowded:
    extends: dense
    rows: {min: 2}
'''


def step(name: str, **inputs: str) -> str:
    ports = "".join(f"      {port}: {{{spec}}}\n" for port, spec in inputs.items())
    return (f"  {name}:\n    script: ../count.py\n    call: main\n    inputs:\n{ports}"
            "    outputs:\n      seen: {format: json}\n")


def write(project, steps: str, tail: str = "") -> None:
    project.write("specs/demo.yaml", HEAD.lstrip("\n") + "steps:\n" + steps + tail.lstrip("\n"))
    project.write("count.py", COUNT)
    project.write("fixture.csv", "id\n1\n2\n3\n")


def listed(out) -> list[str]:
    assert out.code == 0, out.stdout + out.stderr
    return [line.strip() for line in out.stdout.splitlines() if re.match(r"\s+demo::\w+\[", line)]


def edges_of(ids: list[str], name: str) -> list[str]:
    return [i.split("[", 1)[1].rstrip("]") for i in ids if i.startswith(f"demo::{name}[edge_cases")]


ONLY_EDGES = "modes:\n  isolation: {scenarios: [edge_cases]}\n"


def test_each_edge_is_planned_only_where_every_generated_input_allows_it(project):
    write(project, step("loose", rows="format: csv, schema: rows")
          + step("dense", rows="format: csv, schema: dense")
          + step("busy", rows="format: csv, schema: busy")
          + step("crowded", rows="format: csv, schema: crowded")
          + step("mixed", rows="format: csv, schema: rows", other="format: csv, schema: busy")
          + step("fixed", rows="format: csv, schema: rows", other="format: csv, schema: busy, fixture: ../fixture.csv")
          + step("copied", rows="format: csv, schema: dense, fixture: ../fixture.csv"), ONLY_EDGES)
    ids = listed(project.run("specs", "--collect-only"))
    assert edges_of(ids, "loose") == ["edge_cases:boundary", "edge_cases:empty", "edge_cases:single_row",
                                      "edge_cases:all_null"]
    assert edges_of(ids, "dense") == ["edge_cases:boundary", "edge_cases:empty", "edge_cases:single_row"]
    assert edges_of(ids, "busy") == ["edge_cases:boundary", "edge_cases:single_row"]       # rows.min 1
    assert edges_of(ids, "crowded") == ["edge_cases:boundary"]                             # rows.min 2
    # every generated input must allow the edge; a nullable column of any one is enough
    assert edges_of(ids, "mixed") == ["edge_cases:boundary", "edge_cases:single_row", "edge_cases:all_null"]
    # a fixture stays as it is and does not restrict the edges of the generated inputs
    assert edges_of(ids, "fixed") == ["edge_cases:boundary", "edge_cases:empty", "edge_cases:single_row",
                                      "edge_cases:all_null"]
    assert edges_of(ids, "copied") == []                                                   # nothing generated


@pytest.mark.slow
def test_each_edge_feeds_what_its_name_says_and_fixtures_stay_as_they_are(project):
    write(project, step("loose", rows="format: csv, schema: rows")
          + step("fixed", rows="format: csv, schema: rows", other="format: csv, schema: busy, fixture: ../fixture.csv"),
          ONLY_EDGES)
    out = project.run("specs", "--keep-sandboxes")
    assert out.code == 0, out.stdout + out.stderr
    seen = {c["id"]: json.loads(next(Path(c["workdir"]).rglob("seen*")).read_text()) for c in out.record["cases"]}
    assert seen["demo::loose[edge_cases:boundary]"]["rows"] == 10
    assert seen["demo::loose[edge_cases:empty]"]["rows"] == 0
    assert seen["demo::loose[edge_cases:single_row]"]["rows"] == 1
    assert seen["demo::loose[edge_cases:all_null]"] == {"rows": 10, "nulls": {"id": 0, "note": 10, "score": 10}}
    assert seen["demo::fixed[edge_cases:empty]"] == {"rows": 0, "nulls": {"id": 0, "note": 0, "score": 0},
                                                    "other_rows": 3}
    assert seen["demo::fixed[edge_cases:single_row]"]["other_rows"] == 3
    details = {c["id"]: c["details"] for c in out.record["cases"]}
    assert details["demo::loose[edge_cases:all_null]"]["edge"] == "all_null"
    assert details["demo::loose[edge_cases:empty]"]["fed"]["rows"]["rows"] == 0


def test_a_user_override_keeps_the_edges_and_sets_only_its_keys(project):
    write(project, step("loose", rows="format: csv, schema: rows"), '''
scenarios:
  edge_cases: {rows: 50}
''' + ONLY_EDGES)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    fed = {c["id"]: c["details"]["fed"]["rows"]["rows"] for c in out.record["cases"]}
    assert fed == {"demo::loose[edge_cases:boundary]": 50, "demo::loose[edge_cases:empty]": 0,
                   "demo::loose[edge_cases:single_row]": 1, "demo::loose[edge_cases:all_null]": 50}
    assert {c["scenario"] for c in out.record["cases"]} == {"edge_cases"}


def test_user_mutations_make_the_mutation_edge_and_restrict_the_steps(project):
    write(project, step("loose", rows="format: csv, schema: rows")
          + step("dense", other="format: csv, schema: dense"), '''
scenarios:
  edge_cases:
    mutate: {rows: [{set: {note: hello}}]}
''' + ONLY_EDGES)
    ids = listed(project.run("specs", "--collect-only"))
    assert ids == ["demo::loose[edge_cases:mutate]", "demo::loose[edge_cases:empty]",
                   "demo::loose[edge_cases:single_row]", "demo::loose[edge_cases:all_null]"]
    write(project, step("loose", rows="format: csv, schema: rows"), '''
scenarios:
  edge_cases:
    mutate: {rows: [{boundary: {columns: [score]}}]}
''' + ONLY_EDGES)
    assert listed(project.run("specs", "--collect-only"))[0] == "demo::loose[edge_cases:boundary]"


def test_parametrize_varies_every_edge_but_a_fixed_size_edge_ignores_rows(project):
    write(project, step("dense", rows="format: csv, schema: dense"), '''
scenarios:
  edge_cases:
    parametrize: {rows: [5, 50], env.MODE: [a, b]}
''' + ONLY_EDGES)
    ids = listed(project.run("specs", "--collect-only"))
    assert ids == [
        "demo::dense[edge_cases:boundary-rows=5-env.MODE=a]", "demo::dense[edge_cases:boundary-rows=5-env.MODE=b]",
        "demo::dense[edge_cases:boundary-rows=50-env.MODE=a]", "demo::dense[edge_cases:boundary-rows=50-env.MODE=b]",
        "demo::dense[edge_cases:empty-env.MODE=a]", "demo::dense[edge_cases:empty-env.MODE=b]",
        "demo::dense[edge_cases:single_row-env.MODE=a]", "demo::dense[edge_cases:single_row-env.MODE=b]"]


@pytest.mark.slow
def test_scenario_keyword_and_quick_select_edge_cases_coherently(project):
    write(project, step("loose", rows="format: csv, schema: rows") + step("dense", rows="format: csv, schema: dense"))
    every = listed(project.run("specs", "--collect-only", "--scenario", "edge_cases"))
    assert every == [f"demo::loose[edge_cases:{e}]" for e in ("boundary", "empty", "single_row", "all_null")] + \
        [f"demo::dense[edge_cases:{e}]" for e in ("boundary", "empty", "single_row")]
    assert listed(project.run("specs", "--collect-only", "-k", "edge_cases:empty")) == [
        "demo::loose[edge_cases:empty]", "demo::dense[edge_cases:empty]"]
    assert listed(project.run("specs", "--collect-only", "-k", "edge_cases and not boundary", "--step", "dense")) == [
        "demo::dense[edge_cases:empty]", "demo::dense[edge_cases:single_row]"]
    quick = listed(project.run("specs", "--collect-only", "--quick"))
    assert [i for i in quick if "edge_cases" in i] == every               # --quick keeps the (small) edges
    assert not [i for i in quick if "negative:" in i]
    # the whole run counts what it collected
    out = project.run("specs", "--quick")
    assert out.code == 0, out.stdout + out.stderr
    assert f"collected {len(quick)} cases" in out.stdout and f"{len(quick)} passed" in out.stdout


def test_an_edge_that_breaks_a_contract_the_planner_cannot_see_is_skipped_not_run(project):
    """A pandera schema may refuse an empty frame with a check of its own: that input is
    no edge case (breaking contracts is the negative scenario's job)."""
    project.write("specs/nonempty.py", '''
import pandera.pandas as pa

Rows = pa.DataFrameSchema({"id": pa.Column(int, unique=True)},
                          checks=[pa.Check(lambda frame: len(frame) > 0, name="has_rows")])
''')
    write(project, step("guarded", rows="format: csv, schema: {pandera: 'nonempty:Rows'}"), ONLY_EDGES)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    empty = out.case("[edge_cases:empty]")
    assert empty["outcome"] == "skipped", empty
    assert "edge 'empty'" in empty["message"] and "has_rows" in empty["message"]
    assert "no edge case" in empty["message"]
    assert out.case("[edge_cases:single_row]")["outcome"] == "passed"

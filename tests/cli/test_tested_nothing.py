"""A case that tested nothing is not a pass, and `specrun check` catches what the run would trip on."""

from __future__ import annotations

import re

# Copies its input to its output: a mutation that never reaches it would pass unnoticed.
COPY = '''
import shutil


def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copyfile(input_paths["rows"], output_paths["out"])
'''

HEAD = '''
version: 1
pipeline: demo
defaults: {timeout: 60, seed: 5}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      currency: {type: str, isin: [USD, EUR]}
  plain:
    columns:
      id: {type: int}
'''


def write(project, body: str, script: str = COPY) -> None:
    project.write("specs/demo.yaml", HEAD.lstrip("\n") + body.lstrip("\n"))
    project.write("copy_rows.py", script)
    project.write("fixture.csv", "id,currency\n1,USD\n2,EUR\n")


def assert_spec_error(out, *fragments: str) -> None:
    assert out.code == 4, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert re.search(r"specs/demo\.yaml:\d+: scenarios\.\w+", text), text
    for fragment in fragments:
        assert fragment in text, text


def test_mutation_of_a_fixture_port_is_an_error_of_check_and_of_the_run(project):
    write(project, '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows, fixture: ../fixture.csv}
    outputs:
      out: {format: csv, schema: rows}
scenarios:
  bad_currency:
    mutate: {rows: [{set: {currency: XXX}}]}
    expect: {fail: true}
modes:
  isolation: {scenarios: [bad_currency]}
''')
    for args in (("check", "specs"), ("specs",)):
        out = project.run(*args)
        assert_spec_error(out, "mutates input 'rows' of step 'copy', which is a fixture",
                          "the case would test nothing")


def test_mutation_of_a_file_port_is_an_error(project):
    write(project, '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
      config: {format: json, fixture: ../fixture.csv}
    outputs:
      out: {format: csv, schema: rows}
scenarios:
  broken_config:
    mutate: {config: [empty]}
modes:
  isolation: {scenarios: [broken_config]}
''')
    assert_spec_error(project.run("check", "specs"), "mutates input 'config' of step 'copy'")


def test_mutation_of_a_column_the_port_does_not_have_is_an_error(project):
    # the column exists in another step's input of that name, so the spec loads; the
    # mutation still cannot land on step 'other'
    write(project, '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv, schema: rows}
  other:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: plain}
    outputs:
      out: {format: csv}
scenarios:
  bad_currency:
    rows: 5
    mutate: {rows: [{set: {currency: XXX}}]}
    expect: {fail: true}
modes:
  isolation: {scenarios: [bad_currency]}
''')
    out = project.run("check", "specs")
    assert_spec_error(out, "names column(s) 'currency' that input 'rows' of step 'other' does not have")


def test_mutating_every_input_of_a_step_with_none_generated_is_an_error(project):
    write(project, '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows, fixture: ../fixture.csv}
    outputs:
      out: {format: csv, schema: rows}
scenarios:
  all_null:
    mutate: {"*": [nulls]}
modes:
  isolation: {scenarios: [all_null]}
''')
    assert_spec_error(project.run("check", "specs"), "mutates every input ('*') of step 'copy', but none is generated")


def test_builtin_edge_cases_are_not_planned_where_nothing_is_generated(project):
    write(project, '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows, fixture: ../fixture.csv}
    outputs:
      out: {format: csv, schema: rows}
  generated:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv, schema: rows}
modes:
  isolation: {scenarios: [standard, edge_cases]}
''')
    out = project.run("specs", "--collect-only")
    assert out.code == 0, out.stdout + out.stderr
    listed = [line.strip() for line in out.stdout.splitlines() if line.startswith("  demo::") and "[" in line]
    assert listed == ["demo::copy[standard]", "demo::generated[standard]", "demo::generated[edge_cases:boundary]",
                      "demo::generated[edge_cases:empty]", "demo::generated[edge_cases:single_row]"], listed


def test_pipeline_scenario_mutating_only_handed_over_inputs_is_an_error(project):
    write(project, '''
steps:
  first:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: plain}
    outputs:
      out: {format: csv, schema: rows}
  second:
    script: ../copy_rows.py
    call: main
    inputs:
      rows_in: {from: first.out}
    outputs:
      out: {format: csv, schema: rows}
scenarios:
  standard: {rows: 5}
  late_nulls:
    rows: 5
    steps: [second]
    mutate: {rows_in: [nulls]}
modes:
  isolation: {enabled: false}
  pipeline: {scenario: late_nulls}
''', script=COPY.replace('"rows"', 'next(iter(input_paths))').replace(
        'input_paths[next(iter(input_paths))]', 'next(iter(input_paths.values()))'))
    out = project.run("check", "specs")
    assert_spec_error(out, "mutates input 'rows_in', but in the pipeline no such input is generated")


# -- python properties: imported from the spec's folder first; no frame is no pass ----

PROPERTY_STEP = '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv, schema: rows}
    properties:
      - python: rowcheck:same_ids
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
'''

ROWCHECK = '''
def same_ids(inputs, outputs, step):
    if list(inputs["rows"]["id"]) != list(outputs["out"]["id"]):
        return "ids changed"
'''


def test_a_property_module_that_cannot_be_imported_fails_check(project):
    write(project, PROPERTY_STEP)
    project.write("specs/rowcheck.py", "import not_a_real_dependency_xyz\n" + ROWCHECK)
    out = project.run("check", "specs")
    assert out.code == 4, out.stdout + out.stderr
    assert re.search(r"specs/demo\.yaml:\d+: steps\.copy\.properties.*cannot import 'rowcheck'.*"
                     r"ModuleNotFoundError: No module named 'not_a_real_dependency_xyz'", out.stdout + out.stderr)
    project.write("specs/rowcheck.py", "def other(inputs, outputs, step):\n    pass\n")
    out = project.run("check", "specs")
    assert out.code == 4 and "'rowcheck' has no function 'same_ids'" in out.stdout + out.stderr


def test_property_modules_are_imported_from_the_spec_folder_first(project):
    write(project, PROPERTY_STEP)
    project.write("specs/rowcheck.py", ROWCHECK)
    # a module of the same name next to the script must not be the one used
    project.write("rowcheck.py", "def same_ids(inputs, outputs, step):\n    return 'the script folder copy'\n")
    assert project.run("check", "specs").code == 0
    out = project.run("specs")
    assert out.code == 0, out.stdout
    assert out.case("[standard]")["properties"][0] == {"name": "python", "ok": True,
                                                       "message": "rowcheck:same_ids passed"}
    (project.root / "specs/rowcheck.py").unlink()
    out = project.run("specs")       # now found next to the script, and it fails the case
    assert out.code == 1
    assert "the script folder copy" in out.case("[standard]")["message"]


def test_a_python_property_that_receives_no_frame_fails(project):
    write(project, '''
steps:
  copy:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: json}
    properties:
      - python: rowcheck:anything
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
''', script=COPY.replace('shutil.copyfile(input_paths["rows"], output_paths["out"])',
                         'open(output_paths["out"], "w").write("{}")'))
    project.write("specs/rowcheck.py", "def anything(inputs, outputs, step):\n    pass\n")
    out = project.run("specs")
    assert out.code == 1, out.stdout
    case = out.case("[standard]")
    assert case["outcome"] == "failed"
    assert case["properties"] == [{"name": "python", "ok": False,
                                   "message": "rowcheck:anything received no output frame: "
                                              "the step wrote no tabular output to check"}]


# -- isolation: a consumer with nothing to generate ------------------------------------

def test_check_reports_an_isolation_consumer_whose_input_has_no_schema(project):
    write(project, '''
steps:
  first:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {format: csv, schema: rows}
    outputs:
      out: {format: csv}
  second:
    script: ../copy_rows.py
    call: main
    inputs:
      rows: {from: first.out}
    outputs:
      out: {format: csv}
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
  pipeline: {enabled: false}
''')
    out = project.run("check", "specs")
    assert out.code == 1, out.stdout + out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("ERROR"))
    assert re.search(r"specs/demo\.yaml:\d+: steps\.second\.inputs\.rows: isolation: input 'rows' of step "
                     r"'second' has no schema and its producer first\.out declares no output schema", line), line
    assert "[1 case: demo::second[standard]]" in line
    assert "static check failed: 1 error" in out.stdout
    # and what the run would do with it: the case errors, it does not pass
    run = project.run("specs")
    assert run.code == 1
    assert run.case("second[standard]")["outcome"] == "error"

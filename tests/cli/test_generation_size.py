"""Data generation is bounded: a size that cannot fit is refused up front with file:line, and
running out of memory while preparing one case is that case's ERROR, not the run's end."""

from __future__ import annotations

SPEC = """
version: 1
pipeline: huge
schemas:
  wide:
    columns:
{columns}
steps:
  consume:
    script: ../ok.py
    call: main
    inputs: {{data: {{format: parquet, schema: wide}}}}
scenarios:
  enormous:
    rows: {rows}
modes:
  isolation: {{scenarios: [enormous]}}
"""

OK = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"


def _columns(n: int) -> str:
    return "\n".join(f"      c{i}: {{type: float}}" for i in range(n))


def test_a_scenario_that_cannot_fit_is_refused_by_check_at_its_rows_line(project):
    project.write("ok.py", OK)
    spec = project.write("specs/s.yaml", SPEC.format(columns=_columns(20), rows=2_000_000_000))
    out = project.run("check", "specs")
    assert out.code == 4, out.stdout + out.stderr
    line = next(n for n, text in enumerate(spec.read_text().splitlines(), 1) if "rows: 2000000000" in text)
    text = out.stdout + out.stderr
    assert f"s.yaml:{line}: scenarios.enormous.rows:" in text
    assert "would generate about 305176 MiB of input for step 'consume'" in text


def test_a_scenario_that_fits_is_not_refused(project):
    project.write("ok.py", OK)
    project.write("specs/s.yaml", SPEC.format(columns=_columns(20), rows=200_000))
    out = project.run("check", "specs")
    assert out.code == 0, out.stdout + out.stderr


HUNGRY = '''
from specrun.plugin import ColumnTypeBase, hookimpl


class Hungry(ColumnTypeBase):
    """Generating it runs out of memory, as a frame far too big for the machine would."""

    name = "hungry"

    def dtype(self, column):
        return "float64"

    def checks(self, column):
        return []

    def vectorised(self, column, rows, rng):
        raise MemoryError()


@hookimpl
def specrun_column_types():
    return [Hungry()]
'''

TWO_STEPS = """
version: 1
pipeline: hungry
plugins: [hungry_type]
schemas:
  starving: {columns: {x: {type: hungry}}}
  fine: {columns: {x: {type: float}}}
steps:
  eats:
    script: ../ok.py
    call: main
    inputs: {data: {format: parquet, schema: starving}}
  fine:
    script: ../ok.py
    call: main
    inputs: {data: {format: parquet, schema: fine}}
scenarios:
  standard: {rows: 10}
modes:
  isolation: {scenarios: [standard]}
"""


def test_running_out_of_memory_preparing_a_case_keeps_the_other_results(project):
    project.write("ok.py", OK)
    project.write("specs/hungry_type.py", HUNGRY)
    project.write("specs/s.yaml", TWO_STEPS)
    out = project.run("specs", "-n", "2")
    assert out.code == 1, out.stdout + out.stderr      # a failed case, not an internal error (3)
    eats = out.case("eats[standard]")
    assert eats["outcome"] == "error" and eats["classification"] == "RESOURCE_ERROR"
    assert "ran out of memory" in eats["message"]
    assert out.case("fine[standard]")["outcome"] == "passed"
    pipeline = {c["step"]: c for c in out.record["cases"] if c["mode"] == "pipeline" and c["kind"] == "step"}
    assert pipeline["eats"]["outcome"] == "error" and pipeline["eats"]["classification"] == "RESOURCE_ERROR"
    assert pipeline["fine"]["outcome"] == "passed"

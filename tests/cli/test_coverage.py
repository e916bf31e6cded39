"""Coverage per step through real runs: the scenarios that ran, the contract constraints the
negative cases exercised, and ``--cov``: the script's line coverage measured by coverage.py
in the child, in the console summary, the JSON record and the HTML report."""

from __future__ import annotations

import pytest

pytest.importorskip("coverage", reason="--cov needs coverage.py: pip install 'specrun[cov]'")

SPEC = """
version: 1
pipeline: cv
defaults: {seed: 3}
schemas:
  rows:
    columns:
      id: {type: int, min: 0}
steps:
  branchy:
    script: ../branchy.py
    call: main
    inputs:
      rows: {format: csv, schema: rows, on_invalid: reject}
scenarios:
  small: {rows: 5}
modes:
  isolation: {scenarios: [small, negative]}
"""
# line 8-9 run only for more than 1000 rows: no scenario feeds that many
BRANCHY = """import pandas as pd

def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    if frame["id"].isna().any() or (pd.to_numeric(frame["id"]) < 0).any():
        raise ValueError("bad ids")
    if len(frame) > 1000:
        chunked = True
        print("chunked", chunked)
    return None
"""


def test_cov_shows_the_untested_branch_and_the_constraints_exercised(project) -> None:
    project.write("specs/cv.yaml", SPEC)
    project.write("branchy.py", BRANCHY)
    out = project.run("specs", "--mode", "isolation", "--cov", "--html", "report.html")
    assert out.record is not None, out.stdout + out.stderr
    [step] = out.record["coverage"]
    assert step["step"] == "branchy" and step["scenarios"] == ["small"]
    assert step["missing"] == [8, 9], step
    assert 0 < step["line_percent"] < 100 and step["statements"] == 9
    negative = {c["details"]["negative"]: c["outcome"] for c in out.record["cases"] if "negative" in c["details"]}
    assert negative and step["constraints"] == dict(sorted(negative.items()))
    # every case measured its own run; the step's missed lines are those no case ran
    assert all(c["details"]["coverage"]["missing"] for c in out.record["cases"])
    assert "cv::branchy 78% of 9 lines, missed 8-9" in out.stdout, out.stdout
    page = (project.root / "report.html").read_text()
    assert '<tr data-step="cv::branchy">' in page and '<td class="missed" title="' in page and ">8-9</td>" in page


def test_without_cov_nothing_is_measured_but_scenarios_are_listed(project) -> None:
    project.write("specs/cv.yaml", SPEC)
    project.write("branchy.py", BRANCHY)
    out = project.run("specs", "--mode", "isolation", "--scenario", "small")
    assert out.code == 0, out.stdout
    assert out.record["coverage"] == [{"pipeline": "cv", "step": "branchy", "scenarios": ["small"], "constraints": {},
                                       "file": None, "line_percent": None, "statements": 0, "missing": []}]
    assert "coverage" not in out.record["cases"][0]["details"]
    assert "──── coverage" not in out.stdout

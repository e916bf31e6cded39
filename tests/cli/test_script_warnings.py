"""Warnings scripts emit are summarised once each, with the cases they came from."""

from __future__ import annotations

SPEC = """
version: 1
pipeline: warns
steps:
  old_api:
    script: ../old_api.py
    call: main
scenarios:
  a: {}
  b: {}
modes:
  isolation: {scenarios: [a, b]}
"""

SCRIPT = """
import warnings

def convert():
    warnings.warn("frame.append is deprecated, use pandas.concat", FutureWarning)
    warnings.warn("frame.append is deprecated, use pandas.concat", FutureWarning)   # same message, line differs

def main(input_paths, output_paths, environ_vars, job_args):
    for _ in range(3):
        convert()
    warnings.warn("rows with unknown currency kept", UserWarning)
"""


def test_each_warning_is_summarised_once_with_its_cases(project):
    project.write("old_api.py", SCRIPT)
    project.write("specs/s.yaml", SPEC)
    out = project.run("specs")
    assert out.code == 0, out.stdout + out.stderr
    groups = out.record["warning_groups"]
    assert [(g["category"], g["lineno"], g["deprecation"]) for g in groups] == [
        ("FutureWarning", 4, True), ("FutureWarning", 5, True), ("UserWarning", 10, False)]
    assert all(g["cases"] == ["warns::old_api[a]", "warns::old_api[b]"] for g in groups)
    text = out.stdout
    assert "script warnings" in text and "2 warnings from deprecated APIs in 1 file" in text
    assert text.count("FutureWarning: frame.append is deprecated, use pandas.concat (old_api.py:4)") == 1
    assert "2 cases: warns::old_api[a], warns::old_api[b]" in text


def test_no_section_without_warnings(project):
    project.write("old_api.py", "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    project.write("specs/s.yaml", SPEC)
    out = project.run("specs")
    assert out.code == 0 and "script warnings" not in out.stdout and out.record["warning_groups"] == []

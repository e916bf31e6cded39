"""The Markdown summary: rendering (tables, failures, escaping) and the reporter end
to end, to --markdown FILE and to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

from hypothesis import given, strategies as st

from specrun.results import CaseResult, ErrorClass, Outcome, SessionResult
from specrun_markdown.render import cell, inline_code, render
from tests.warm_cli import run_specrun

PLUGIN_SRC = Path(__file__).resolve().parents[1] / "src"


def test_render_tables_and_failures() -> None:
    result = SessionResult(started="now", exit_code=1, cases=[
        CaseResult("a::s[standard]", "isolation", "a", "s", duration_s=1.5),
        CaseResult("a::s[bad]", "isolation", "a", "s", outcome=Outcome.FAILED, classification=ErrorClass.DATA_ERROR,
                   message="unknown currency | XXX\nsecond line", replay="specrun a.yaml --seed 1 --id 'a::s[bad]'"),
        CaseResult("a::s->t", "pipeline", "a", "t", kind="transition", outcome=Outcome.SKIPPED),
        CaseResult("b::u[standard]", "isolation", "b", "u", outcome=Outcome.ERROR, classification=ErrorClass.SETUP_ERROR),
    ])
    text = render(result, spec_errors=["x.yaml:3: steps: bad"])
    assert text.startswith("## specrun: 1 passed, 1 failed, 1 error, 1 skipped (exit code 1)\n")
    assert "### Spec errors\n\n- `x.yaml:3: steps: bad`" in text
    assert "### Pipeline `a`\n\n| mode | passed | failed | error | skipped | time (s) |" in text
    assert "| isolation | 1 | 1 | 0 | 0 | 1.50 |" in text and "| pipeline | 0 | 0 | 0 | 1 | 0.00 |" in text
    assert "#### Failures (1)\n\n- `a::s[bad]` — **DATA_ERROR**: unknown currency \\| XXX second line" in text
    assert "  ```sh\n  specrun a.yaml --seed 1 --id 'a::s[bad]'\n  ```" in text
    assert "### Pipeline `b`" in text and "**SETUP_ERROR**: (no message)" in text


@given(st.text())
def test_cells_stay_in_their_table_cell(text: str) -> None:
    rendered = cell(text)
    assert "\n" not in rendered and "\r" not in rendered
    assert re.search(r"(?<!\\)\|", rendered) is None


@given(st.text(min_size=1))
def test_inline_code_fence_is_longer_than_any_backtick_run(text: str) -> None:
    code = inline_code(text)
    fence = re.match(r"`+", code).group()
    assert all(len(run) < len(fence) for run in re.findall(r"`+", text))
    inner = code[len(fence):len(code) - len(fence)]
    assert inner == (f" {text} " if text.startswith("`") or text.endswith("`") else text)


SCRIPT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    if (frame["n"] > 5).any():
        raise ValueError("n too big | rejected")
    frame.to_csv(output_paths["out"], index=False)
'''
SPEC = '''
version: 1
pipeline: md
defaults: {timeout: 60, seed: 2}
schemas:
  rows: {columns: {n: {type: int, min: 0, max: 5}}}
steps:
  check:
    script: check.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
  big: {rows: 5, columns: {n: {min: 6, max: 9}}}
modes:
  isolation: {scenarios: [standard, big]}
'''


def run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    (root / "check.py").write_text(textwrap.dedent(SCRIPT))
    (root / "spec.yaml").write_text(textwrap.dedent(SPEC))
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("SPECRUN_") and k not in ("PYTHONPATH", "GITHUB_STEP_SUMMARY")}
    environ.update(SPECRUN_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(PLUGIN_SRC), **env)
    return run_specrun(["spec.yaml", "-p", "specrun_markdown.plugin", *args],
                          cwd=root, env=environ, timeout=240)


def test_reporter_writes_file_and_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    proc = run(tmp_path, "--markdown", "out/summary.md", GITHUB_STEP_SUMMARY=str(summary))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = (tmp_path / "out" / "summary.md").read_text()
    assert text.startswith("## specrun: 1 passed, 1 failed (exit code 1)")
    assert "| isolation | 1 | 1 | 0 | 0 |" in text
    assert "- `md::check[big]` — **DATA_ERROR**: ValueError: n too big \\| rejected" in text
    assert "  specrun spec.yaml --seed 2 --id 'md::check[big]'" in text
    assert summary.read_text() == "earlier step\n" + text + "\n"       # appended, as GitHub expects


def test_no_file_without_option_or_environment(tmp_path: Path) -> None:
    proc = run(tmp_path)
    assert proc.returncode == 1
    assert not list(tmp_path.glob("*.md"))

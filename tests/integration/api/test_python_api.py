"""``specrun.run_specs`` and ``specrun.load_result`` driven as a user would from Python: a
spec and real scripts in tmp_path, runs in this process (twice), the record read back."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import specrun
from specrun.report import json_report
from specrun.spec.model import SpecError

COPY = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    if environ_vars.get("FAIL"):
        raise ValueError(environ_vars["FAIL"])
    frame = pd.read_csv(input_paths["rows"])
    frame.to_csv(output_paths["out"], index=False)
'''

SPEC = '''
version: 1
pipeline: chain
defaults: {timeout: 60, seed: 3}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 1}
steps:
  a:
    script: copy_rows.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  b:
    script: copy_rows.py
    call: main
    env: {FAIL: "FAIL_B"}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 8}
modes:
  isolation: {scenarios: [standard]}
  pipeline: {continue_on_failure: true}
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    (tmp_path / "copy_rows.py").write_text(textwrap.dedent(COPY))
    (tmp_path / "chain.yaml").write_text(SPEC.replace('"FAIL_B"', '""'))
    return tmp_path


def break_step_b(project: Path) -> None:
    (project / "chain.yaml").write_text(SPEC.replace("FAIL_B", "b cannot cope"))


def test_a_run_returns_its_result_prints_nothing_and_leaves_the_signal_handlers(
        project: Path, capfd: pytest.CaptureFixture[str]) -> None:
    def mine(signum, frame):   # pragma: no cover - never called
        pass

    # a plugin that looks at the handlers while the case runs
    (project / "signal_probe.py").write_text(textwrap.dedent('''
        import signal

        from specrun.plugin import hookimpl

        SEEN = []


        @hookimpl
        def specrun_case_start(session, case):
            SEEN.append({sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)})
        '''))
    before = {sig: signal.signal(sig, mine) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        result = specrun.run_specs("chain.yaml", mode="isolation", quick=True, step="a", plugins=["signal_probe"])
        handlers = {sig: signal.getsignal(sig) for sig in before}
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    import signal_probe

    assert signal_probe.SEEN == [dict.fromkeys(before, mine)]   # during the run, and after it
    assert handlers == dict.fromkeys(before, mine)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert isinstance(result, specrun.SessionResult)
    assert result.exit_code == 0 and [c.id for c in result.cases] == ["chain::a[standard]"]
    assert result.failures == []
    # the record the CLI writes, of this very result
    assert (project / ".specrun" / "last-run.json").read_text() == json_report.render(result)

    # a second run in the same process: the broken step is found, nothing exits
    break_step_b(project)
    again = specrun.run_specs(["chain.yaml"], mode=["isolation"], step=["b"], seed=11, html="report.html",
                              junitxml=project / "junit.xml")
    assert again.exit_code == 1 and again.seed == 11
    assert again.args == ["chain.yaml", "--mode=isolation", "--step=b", "--seed=11", "--html=report.html",
                          f"--junitxml={project / 'junit.xml'}"]
    [failure] = again.failures
    assert failure.step == "b" and failure.classification is specrun.ErrorClass.SCRIPT_ERROR
    assert "b cannot cope" in failure.message
    assert (project / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert "b cannot cope" in (project / "junit.xml").read_text()
    assert capfd.readouterr() == ("", "")


def test_console_output_only_when_asked(project: Path, capfd: pytest.CaptureFixture[str]) -> None:
    specrun.run_specs("chain.yaml", mode="isolation", step="a", console=True)
    assert "chain::a[standard]" in capfd.readouterr().out


def test_the_frame_has_one_row_per_case_and_the_pipeline_run_its_evolution(project: Path) -> None:
    break_step_b(project)
    result = specrun.run_specs("chain.yaml", mode="pipeline", workers=2)
    frame = result.to_frame()
    assert list(frame["id"]) == [c.id for c in result.cases]
    by_step = {row.step: row for row in frame.itertuples() if row.kind == "step"}
    assert by_step["a"].outcome == "passed" and by_step["b"].outcome == "failed"
    assert by_step["b"].classification == "SCRIPT_ERROR"
    assert by_step["a"].wall_s > 0 and by_step["a"].peak_rss_bytes > 0
    assert {c.step for c in result.failures if c.kind == "step"} == {"b"}

    run = result.pipeline("chain")
    assert run == result.pipeline()       # the only pipeline run
    assert {s["step"]: s["outcome"] for s in run.steps} == {"a": "passed", "b": "failed"}
    assert [t["edge"] for t in run.transitions] == ["a.out -> b.rows"]
    assert run.transitions[0]["outcome"] == "passed"
    assert run.critical_path == ["a", "b"]
    assert [(t["source"], t["target"]) for t in run.evolution["transformations"]][0] == ("a.rows", "a.out")
    html = run._repr_html_()
    assert 'class="dag"' in html and 'data-step="b" data-outcome="failed"' in html
    shown = result._repr_html_()          # the run in a notebook: summary, cases, failure, pipeline section
    assert 'id="summary"' in shown and 'class="dag"' in shown and "b cannot cope" in shown
    assert "b cannot cope" in result.failures[0]._repr_html_()
    with pytest.raises(KeyError, match="pipeline runs: chain"):
        result.pipeline("other")


def test_the_record_read_back_renders_the_same_record(project: Path) -> None:
    break_step_b(project)
    result = specrun.run_specs("chain.yaml", mode="pipeline")
    path = project / ".specrun" / "last-run.json"
    loaded = specrun.load_result(path)
    assert json_report.render(loaded) == path.read_text()
    assert [c.id for c in loaded.failures] == [c.id for c in result.failures]
    assert loaded.to_frame().equals(result.to_frame())
    assert loaded.pipeline("chain").critical_path == result.pipeline("chain").critical_path


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"sede": 1}, TypeError, r"unknown option 'sede' \(did you mean 'seed'\?\)"),
    ({"seed": "soon"}, ValueError, r"run_specs\(seed='soon'\).*--seed: invalid int value"),
    ({"quick": "yes"}, TypeError, r"run_specs\(quick=\.\.\.\): expected True or False"),
    ({"n": 2, "jobs": 3}, TypeError, r"'jobs' and 'n' are the same option"),
    ({"jobs": 0}, ValueError, r"run_specs\(jobs=0\)"),
    ({"scenario": [None]}, TypeError, r"run_specs\(scenario=\.\.\.\)"),
    ({"console": "loud"}, TypeError, r"console"),
    ({"executor": "teleport"}, ValueError, r"--executor teleport: unknown executor"),
])
def test_a_bad_option_is_an_error_naming_it(project: Path, options, error, match) -> None:
    with pytest.raises(error, match=match):
        specrun.run_specs("chain.yaml", **options)
    assert not (project / ".specrun" / "last-run.json").exists() or "executor" in options


def test_a_bad_spec_raises_its_spec_error(project: Path) -> None:
    (project / "chain.yaml").write_text(SPEC.replace("min: 0, max: 1", "min: 0, max: [1]"))
    with pytest.raises(SpecError) as raised:
        specrun.run_specs("chain.yaml")
    assert raised.value.file is not None and raised.value.file.name == "chain.yaml" and raised.value.line
    with pytest.raises(SpecError, match="not found"):
        specrun.run_specs("missing.yaml")


def test_load_result_names_what_is_wrong_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{\n  "format": \n}')
    with pytest.raises(ValueError, match=r"bad.json:3: not JSON"):
        specrun.load_result(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "dbt-run-results", "cases": []}))
    with pytest.raises(ValueError, match=r"other.json: not a specrun result record"):
        specrun.load_result(tmp_path / "other.json")
    (tmp_path / "odd.json").write_text(json.dumps({"format": "specrun-result", "cases": [{"id": "x"}]}))
    with pytest.raises(ValueError, match=r"odd.json: not a readable specrun result record"):
        specrun.load_result(tmp_path / "odd.json")


def test_import_specrun_imports_neither_pandas_nor_the_report() -> None:
    code = ("import sys, specrun; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pandas', 'numpy', 'jinja2', 'networkx', 'pluggy', 'strictyaml')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_keyboard_interrupt_ends_the_run_and_returns_what_it_did(project: Path) -> None:
    """Ctrl-C (a notebook's interrupt) while a case starts: the run stops as the CLI's does,
    the result says so, the record is written, and the next run takes the workspace."""
    (project / "interrupter.py").write_text(textwrap.dedent('''
        from specrun.plugin import hookimpl


        @hookimpl
        def specrun_case_start(session, case):
            raise KeyboardInterrupt
        '''))
    result = specrun.run_specs("chain.yaml", mode="isolation", plugins=["interrupter"])
    assert result.interrupted and result.exit_code == int(specrun.ExitCode.INTERRUPTED)
    assert result.cases == [] and result.not_run == 2
    assert json.loads((project / ".specrun" / "last-run.json").read_text())["interrupted"] is True
    assert specrun.run_specs("chain.yaml", mode="isolation", step="a").exit_code == 0

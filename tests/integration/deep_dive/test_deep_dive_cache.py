"""The result cache in deep dive mode (issue 16 pt 1): a step whose script, contract,
options and real samples are unchanged is served with its analysis; new data, an edited
script or ``--no-cache`` run it again.  Each script appends its name to a log outside its
sandbox: the log counts which scripts really ran, so a cache that served a changed case,
or served nothing, fails here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from deep_dive_helpers import CliResult, specrun

SPEC = '''
version: 1
pipeline: dd
defaults: {timeout: 120, seed: 5}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      value: {type: float}
steps:
  double:
    script: double.py
    call: main
    env: {LOG: "%(log)s"}
    inputs:
      rows: {format: csv, schema: rows, source: data/rows.csv}
    outputs:
      out: {format: csv}
  total:
    script: total.py
    call: main
    env: {LOG: "%(log)s"}
    inputs:
      rows: {format: csv, schema: rows, source: data/other.csv}
    outputs:
      out: {format: csv}
modes:
  deep_dive: {focus_areas: [performance, data_quality]}
'''

SCRIPT = '''
import os

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    with open(os.environ["LOG"], "a") as log:
        log.write("{name}\\n")
    frame = pd.read_csv(input_paths["rows"])
    {body}
    frame.to_csv(output_paths["out"], index=False)
'''
# broken in one way: it cannot take a negative value, which its contract allows
NO_NEGATIVES = 'if (frame["value"] < 0).any():\n        raise ValueError("negative value")'


def make(root: Path, double_body: str = "pass") -> None:
    (root / "data").mkdir(exist_ok=True)
    pd.DataFrame({"id": range(50), "value": [float(i) for i in range(50)]}).to_csv(root / "data" / "rows.csv",
                                                                                  index=False)
    pd.DataFrame({"id": range(20), "value": [1.5] * 20}).to_csv(root / "data" / "other.csv", index=False)
    (root / "spec.yaml").write_text(SPEC % {"log": root / "ran.log"})
    (root / "double.py").write_text(SCRIPT.format(name="double", body=double_body))
    (root / "total.py").write_text(SCRIPT.format(name="total", body="pass"))


def run(root: Path, *args: str) -> tuple[CliResult, list[str]]:
    log = root / "ran.log"
    log.write_text("")
    out = specrun(root, "spec.yaml", "--mode", "deep_dive", *args, env={"SPECRUN_ISOLATION": "process"})
    return out, sorted(log.read_text().split())


def real_figures(out: CliResult) -> dict[str, dict]:
    return {name: (step["real"], step["synthetic"], step["profiles"])
            for name, step in out.deep_dive("dd")["steps"].items()}


@pytest.mark.slow
def test_an_unchanged_deep_dive_is_served_with_its_analysis(tmp_path: Path) -> None:
    make(tmp_path)
    cold, ran = run(tmp_path)
    assert cold.code == 0, cold.output
    # each step runs on its real sample and on synthetic data of the same size
    assert ran == ["double", "double", "total", "total"]

    warm, ran = run(tmp_path)
    assert warm.code == 0, warm.output
    assert ran == []
    assert all(warm.case(s)["cached"] and warm.case(s)["outcome"] == "passed" for s in ("double", "total"))
    assert "PASSED (cached) dd::double[deep_dive]" in warm.output
    # the analysis (figures, profiles) is the stored run's, published for the reports as before
    assert real_figures(warm) == real_figures(cold)
    assert warm.deep_dive("dd")["bottlenecks"] == cold.deep_dive("dd")["bottlenecks"]

    again, ran = run(tmp_path, "--no-cache")
    assert again.code == 0, again.output
    assert ran == ["double", "double", "total", "total"]


def test_new_real_data_reruns_the_step_that_reads_it_and_is_not_hidden_by_the_stored_pass(tmp_path: Path) -> None:
    make(tmp_path, double_body=NO_NEGATIVES)
    cold, ran = run(tmp_path)
    assert cold.code == 0, cold.output           # the first sample has no negative value
    assert ran == ["double", "double", "total", "total"]

    rows = tmp_path / "data" / "rows.csv"
    rows.write_text(rows.read_text() + "50,-1.0\n")   # production data now holds a negative value
    out, ran = run(tmp_path)
    assert ran == ["double", "double"]           # its real and synthetic runs, on the new sample
    assert out.code == 1, out.output
    case = out.case("double")
    assert not case["cached"] and case["outcome"] == "failed"
    assert "negative value" in out.output
    assert out.case("total")["cached"]


def test_an_edited_script_reruns_only_its_step(tmp_path: Path) -> None:
    make(tmp_path)
    run(tmp_path)
    script = tmp_path / "total.py"
    script.write_text(script.read_text() + "\n# edited\n")
    out, ran = run(tmp_path)
    assert out.code == 0, out.output
    assert ran == ["total", "total"]
    assert out.case("double")["cached"] and not out.case("total")["cached"]


@pytest.mark.slow
def test_a_changed_snapshot_sample_reruns_the_step(tmp_path: Path) -> None:
    """Data named by no spec path (an execution's snapshot): the key holds the samples' content."""
    import shutil

    from deep_dive_helpers import EXAMPLE, fraud_spec

    snap = tmp_path / "snapshot"
    shutil.copytree(EXAMPLE / "snapshot", snap)
    (tmp_path / "spec.yaml").write_text(fraud_spec(f"{{snapshot: '{snap}', steps: [train], sample_size: 300}}"))
    first = specrun(tmp_path, "spec.yaml", "--mode", "deep_dive")
    assert first.code == 0, first.output
    assert not first.case("train")["cached"]
    assert specrun(tmp_path, "spec.yaml", "--mode", "deep_dive").case("train")["cached"]

    features = next(snap.rglob("FeatureEngineering/features/train.parquet"))
    frame = pd.read_parquet(features)
    frame.iloc[: len(frame) // 2].to_parquet(features, index=False)
    out = specrun(tmp_path, "spec.yaml", "--mode", "deep_dive")
    assert out.code == 0, out.output
    assert not out.case("train")["cached"]

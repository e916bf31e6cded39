"""The bundled fraud-detection example runs in pipeline mode and passes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]


def test_example_pipeline_passes_with_real_handoffs(tmp_path):
    result = tmp_path / "result.json"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    proc = run_specrun(["specs/fraud.yaml", "--mode", "pipeline",
                           "--workspace", str(tmp_path / "ws"), "--json", str(result)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = json.loads(result.read_text())
    kinds = sorted(c["kind"] for c in record["cases"])
    assert kinds == ["step"] * 5 + ["transition"] * 4
    pipeline = record["records"]["pipeline:fraud-detection"]
    assert [s["step"] for s in pipeline["steps"]] == [
        "currency_conversion", "holdout_split", "preprocessing", "feature_engineering", "train"]
    assert pipeline["critical_path"] == ["currency_conversion", "preprocessing", "feature_engineering", "train"]
    # the 1000 synthesised transactions reach the model (and the container step) through every hand-over
    assert [t["rows"] for t in pipeline["transitions"]] == [1000, 1000, 1000, 1000]
    assert {t["handoff"] for t in pipeline["transitions"]} == {"hardlink"}
    steps = {t["step"] for t in pipeline["evolution"]["transformations"] if t["kind"] == "step"}
    assert steps == {"currency_conversion", "holdout_split", "preprocessing", "feature_engineering"}
    # holdout_split writes its test split (a fifth of the rows) as a port of its own, with
    # the train split's columns: the two are judged together, so no row is lost
    assert pipeline["evolution"]["degradation_points"] == []

"""examples/params: a training step whose parameter file comes out empty fails itself, by its
artifact contract, instead of the scoring step that reads the file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "params"


def specrun(tmp_path: Path, spec: Path, *args: str) -> tuple[int, str, dict]:
    out = tmp_path / "result.json"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    proc = run_specrun([str(spec), *args, "--json", str(out),
                           "--workspace", str(tmp_path / "ws")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env, check=False)
    record = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, record


def broken_copy(tmp_path: Path) -> Path:
    """The example with train's minimum rows per segment set above what any segment has."""
    copy = tmp_path / "params"
    shutil.copytree(EXAMPLE, copy)
    train = copy / "train.py"
    text = train.read_text()
    assert "MIN_ROWS = 2 " in text
    train.write_text(text.replace("MIN_ROWS = 2 ", "MIN_ROWS = 10_000 "))
    return copy / "params.yaml"


def test_the_example_passes(tmp_path):
    code, output, record = specrun(tmp_path, EXAMPLE / "params.yaml")
    assert code == 0, output
    assert {c["outcome"] for c in record["cases"]} == {"passed"}


def test_an_empty_parameter_file_fails_the_producer_not_the_consumer(tmp_path):
    code, output, record = specrun(tmp_path, broken_copy(tmp_path), "--mode", "pipeline")
    assert code == 1, output
    by_step = {c["step"]: c for c in record["cases"] if "->" not in c["id"]}
    train, predict = by_step["train"], by_step["predict"]
    assert train["outcome"] == "failed" and train["classification"] == "CONTRACT_ERROR", train
    assert "output 'params': params.json " in train["message"]
    assert "is empty (JSON {})" in train["message"]
    assert "violates JSON Schema params.schema.json at <root>: {} should be non-empty" in train["message"]
    assert "output 'model': model.pkl is empty (loaded dict {})" in train["message"]
    assert "check model_checks:has_every_segment: no line fitted for ['retail', 'wholesale']" \
        in train["message"]
    assert predict["outcome"] == "skipped", predict
    assert "CONTRACT_ERROR" in output

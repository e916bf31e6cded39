"""The bundled example, end to end through the CLI: the real spec passes, the broken copy
fails with exactly the classification and message each planted bug deserves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from broken_copy import EXPECTED, make_broken_copy

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]


def specrun(tmp_path: Path, *args: str) -> tuple[int, str, dict]:
    out = tmp_path / "result.json"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    proc = run_specrun([*args, "--json", str(out),
                           "--workspace", str(tmp_path / "ws")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    record = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, record


@pytest.mark.slow
def test_broken_copy_is_classified_exactly(tmp_path):
    spec = make_broken_copy(tmp_path / "broken")
    code, output, record = specrun(tmp_path, str(spec), "--mode", "isolation")
    assert code == 1, output
    by_step = {c["step"]: c for c in record["cases"]}
    assert set(by_step) == set(EXPECTED)
    for step, (classification, fragment) in EXPECTED.items():
        case = by_step[step]
        assert case["outcome"] == "failed", case
        assert case["classification"] == classification, (step, case["message"])
        text = "\n".join([case["message"], case["stderr_tail"],
                          f"{case['error']['type']}: {case['error']['message']}" if case["error"] else ""])
        assert fragment in text, (step, text)
        assert case["replay"].startswith(f"specrun {spec} --seed ")
        assert case["workdir"] and Path(case["workdir"]).is_dir()   # kept for inspection
    assert by_step["train"]["metrics"]["timed_out"] is True
    assert by_step["currency_conversion"]["error"]["phase"] == "import"
    # the console names each failure with its classification, and how to replay it
    for classification, _ in EXPECTED.values():
        assert classification in output
    assert output.count("replay: specrun") == len(EXPECTED)


@pytest.mark.slow
def test_example_isolation_passes(tmp_path):
    code, output, record = specrun(tmp_path, "specs", "--mode", "isolation", "-n", "2")
    assert code == 0, output
    outcomes = {c["outcome"] for c in record["cases"]}
    assert outcomes == {"passed"}
    expected_failures = [c for c in record["cases"] if c["message"].startswith("failed as expected")]
    assert expected_failures, "the example's edge cases include failures the scripts must raise"
    perf = [c for c in record["cases"] if c["scenario"] == "performance"]
    assert perf and all(v["rows"] for c in perf for v in c["validations"]
                        if v["direction"] == "output" and v["rows"] is not None)

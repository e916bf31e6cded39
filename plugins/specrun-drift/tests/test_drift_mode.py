"""The drift mode end to end: a real script run on synthetic data and on reference
data from a folder, a specrun snapshot-style folder and an S3 prefix served by the
moto test server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Iterator

import boto3
import numpy as np
import pandas as pd
import pytest

PLUGIN_SRC = Path(__file__).resolve().parents[1] / "src"
REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.s3server import S3TestServer, client_environment  # noqa: E402
from tests.warm_cli import run_specrun  # noqa: E402

SCRIPT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    frame["scaled"] = frame["amount"] * 2
    frame.to_csv(output_paths["out"], index=False)
'''

SPEC = '''
version: 1
pipeline: shop
defaults: {{timeout: 60, seed: 11}}
schemas:
  rows:
    columns:
      amount: {{type: float, min: 0, max: 100}}
      kind: {{type: str, isin: [a, b]}}
steps:
  scale:
    script: scale.py
    call: main
    inputs:
      rows: {{format: csv, schema: rows}}
    outputs:
      out:
        format: csv
        schema: {{extends: rows, columns: {{scaled: {{type: float, min: 0, max: 200}}}}}}
modes:
  isolation: {{enabled: false}}
  drift:
{drift}
'''


def reference_frame(rows: int, high: float, seed: int = 99) -> pd.DataFrame:
    """Real-looking data: amounts uniform in [0, high], kinds a/b evenly."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": rng.uniform(0, high, rows), "kind": rng.choice(["a", "b"], rows)})


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def run(root: Path, drift: str, extra_env: dict[str, str] | None = None) -> tuple[int, str, dict | None]:
    write(root, "scale.py", SCRIPT)
    write(root, "spec.yaml", SPEC.format(drift=textwrap.indent(textwrap.dedent(drift).strip("\n"), "    ")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_") and k != "PYTHONPATH"}
    env.update(SPECRUN_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(PLUGIN_SRC), COLUMNS="200", **(extra_env or {}))
    out = root / "result.json"
    proc = run_specrun(["spec.yaml", "-p", "specrun_drift.plugin",
                           "--json", str(out)], cwd=root, env=env, timeout=240)
    return proc.returncode, proc.stdout + proc.stderr, json.loads(out.read_text()) if out.exists() else None


def test_no_drift_against_a_matching_reference_folder(tmp_path: Path) -> None:
    reference_frame(3000, 100).to_csv(write(tmp_path, "ref/rows.csv", ""), index=False)
    code, output, record = run(tmp_path, "{reference: ref, rows: 3000}")
    assert code == 0, output
    [case] = record["cases"]
    assert case["id"] == "shop::scale[drift]" and case["mode"] == "drift" and case["kind"] == "drift"
    assert case["message"] == "no drift in 3 output column(s)"
    columns = {c["column"]: c for c in case["details"]["outputs"]["out"]}
    assert set(columns) == {"amount", "kind", "scaled"} and columns["scaled"]["psi"] < 0.2
    assert record["records"]["drift"]["cases"]["shop::scale[drift]"] == {"outcome": "passed", "drifted": []}
    assert "PASSED  shop::scale[drift]" in output


def test_drift_fails_with_the_drifted_columns(tmp_path: Path) -> None:
    reference_frame(2000, 10).to_csv(write(tmp_path, "ref/scale/rows.csv", ""), index=False)
    code, output, record = run(tmp_path, "{reference: ref, rows: 2000, columns: [scaled, kind]}")
    assert code == 1, output
    [case] = record["cases"]
    assert case["classification"] == "DATA_ERROR"
    assert case["message"].startswith("outputs drift from the reference: out.scaled: PSI ")
    assert "KS" in case["message"] and "kind" not in case["message"]
    assert {c["column"] for c in case["details"]["outputs"]["out"]} == {"scaled", "kind"}
    assert "replay: specrun spec.yaml --seed 11 --id 'shop::scale[drift]'" in output


def test_thresholds_decide(tmp_path: Path) -> None:
    reference_frame(2000, 10).to_csv(write(tmp_path, "ref/rows.csv", ""), index=False)
    code, output, _ = run(tmp_path, "{reference: ref, rows: 2000, thresholds: {psi: 100, ks: 1}}")
    assert code == 0, output


def test_reference_that_breaks_the_script_fails_the_case(tmp_path: Path) -> None:
    pd.DataFrame({"amount": ["lots"], "kind": ["a"]}).to_csv(write(tmp_path, "ref/rows.csv", ""), index=False)
    code, output, record = run(tmp_path, "{reference: ref, rows: 100}")
    assert code == 1, output
    assert record["cases"][0]["message"].startswith("reference run: ")


def test_missing_reference_data_is_a_setup_error(tmp_path: Path) -> None:
    (tmp_path / "ref").mkdir()
    code, output, record = run(tmp_path, "{reference: ref}")
    assert code == 1, output
    case = record["cases"][0]
    assert (case["outcome"], case["classification"]) == ("error", "SETUP_ERROR")
    assert "no reference data for input 'rows' of step 'scale'" in case["message"]


@pytest.mark.parametrize("drift, key, message", [
    ("{rows: 10}", "modes.drift", "the drift mode needs 'reference'"),
    ("{reference: ref, thresholds: {psi: high}}", "modes.drift.thresholds.psi", "psi must be a number >= 0"),
    ("{reference: ref, steps: [nope]}", "modes.drift.steps", "unknown step(s) nope"),
    ("{reference: ref, rows: 0}", "modes.drift.rows", "rows must be a positive integer"),
    ("{reference: ref, bins: 3}", "modes.drift.bins", "unknown option 'bins'"),
])
def test_bad_options_are_located_spec_errors(tmp_path: Path, drift: str, key: str, message: str) -> None:
    code, output, _ = run(tmp_path, drift)
    assert code == 4, output
    drift_line = (tmp_path / "spec.yaml").read_text().splitlines().index("  drift:") + 1
    line = drift_line if key == "modes.drift" else drift_line + 1    # the options' own line
    assert f"spec.yaml:{line}: {key}: {message}" in output
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3TestServer]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in client_environment().items():
            patch.setenv(name, value)
        with S3TestServer() as server:
            yield server


def test_s3_prefix_reference(tmp_path: Path, s3_server: S3TestServer) -> None:
    s3 = boto3.client("s3", **s3_server.client_kwargs())
    bucket = f"drift-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    for part in range(2):   # a prefix of shards, sampled into one input file
        body = reference_frame(1000, 100, seed=part).to_csv(index=False).encode()
        s3.put_object(Bucket=bucket, Key=f"prod/run-1/rows/part-{part}.csv", Body=body)
    drift = f"{{reference: 's3://{bucket}/prod/run-1', rows: 2000, sample_size: 1000, endpoint_url: '{s3_server.endpoint_url}'}}"
    code, output, record = run(tmp_path, drift, client_environment())
    assert code == 0, output
    case = record["cases"][0]
    assert case["details"]["rows"]["reference"]["out"] >= 1000
    assert any(r["path"].startswith(f"/{bucket}/prod/run-1/rows/") for r in s3_server.requests())
    # a prefix with nothing under it: a setup error naming the URI
    code, output, record = run(tmp_path, drift.replace("run-1", "run-2"), client_environment())
    assert code == 1 and record["cases"][0]["classification"] == "SETUP_ERROR"
    assert f"s3://{bucket}/prod/run-2" in record["cases"][0]["message"]

"""Snapshots: ``specrun snapshot`` against the server, then deep dives with the server gone;
the bundled example's committed snapshot; and local folders that hold no data."""

from __future__ import annotations

import json

import pytest
from deep_dive_helpers import ROOT, fraud_spec, specrun

from tests.s3server import S3TestServer  # noqa: I001 (after conftest put the root on sys.path)


@pytest.mark.slow
def test_snapshot_then_offline_deep_dive_with_the_server_stopped(tmp_path, make_snapshot, production_data):
    snap = tmp_path / "snap"
    with S3TestServer() as server:
        arn = make_snapshot.publish_execution(server, production_data)
        taken = specrun(tmp_path, "snapshot", arn, "--to", str(snap), "--sample-size", "100",
                        "--step", "FeatureEngineering", "--endpoint-url", server.endpoint_url,
                        "--region", "us-east-1")
        assert taken.code == 0, taken.output
        endpoint = server.endpoint_url
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["sampling"]["sample_size"] == 100
    assert sorted(manifest["execution"]["steps"]) == ["CurrencyConversion", "FeatureEngineering",
                                                      "Preprocessing", "Training"]
    assert all("FeatureEngineering" in uri or "Preprocessing/splits" in uri for uri in manifest["sources"])

    spec = tmp_path / "fraud.yaml"
    spec.write_text(fraud_spec(f"{{snapshot: '{snap}', endpoint_url: '{endpoint}', "
                               "steps: [feature_engineering, currency_conversion]}"))
    out = specrun(tmp_path, str(spec), "--mode", "deep_dive")     # the endpoint is dead now

    assert out.code == 1, out.output
    features = out.case("feature_engineering")
    assert features["outcome"] == "passed", features["message"]
    assert features["details"]["sources"]["splits"]["kind"] == "snapshot"
    assert features["details"]["real"]["rows"] == 300           # 100 per split folder, as sampled
    missing = out.case("currency_conversion")
    assert (missing["outcome"], missing["classification"]) == ("error", "SETUP_ERROR")
    assert "not in the snapshot" in missing["message"]


@pytest.mark.slow
def test_bundled_example_runs_deep_dive_on_its_snapshot(tmp_path):
    out = specrun(ROOT, str(ROOT / "specs" / "fraud.yaml"), "--mode", "deep_dive",
                  "--workspace", str(tmp_path / "ws"), env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
                  json_path=tmp_path / "r.json")
    record = out.record

    assert out.code == 0, out.output
    cases = {c["step"]: c for c in record["cases"]}
    assert set(cases) == {"currency_conversion", "preprocessing", "feature_engineering", "train", "holdout_split"}
    assert all(c["kind"] == "analysis" and c["outcome"] == "passed" for c in cases.values())
    deep = record["records"]["deep_dive:fraud-detection"]
    assert deep["data"]["execution"] == "../examples/fraud/snapshot"
    transactions = deep["steps"]["currency_conversion"]["sources"]["transactions"]
    assert transactions["kind"] == "snapshot" and transactions["origin"].startswith("s3://fraud-prod/raw/")
    assert deep["steps"]["currency_conversion"]["profiles"]["transactions"]["rows"] == 300
    assert {b["kind"] for b in deep["bottlenecks"]} == {"time", "memory", "io"}
    assert "deep dive: fraud-detection" in out.output


COPY = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    pd.read_csv(input_paths["rows"]).to_csv(output_paths["out"], index=False)
'''
CHANNELS = '''
version: 1
pipeline: channels
defaults: {timeout: 60, seed: 5}
steps:
  empty:
    script: passthrough.py
    call: main
    inputs:
      rows: {format: csv, source: data/empty}
    outputs:
      out: {format: csv}
  full:
    script: passthrough.py
    call: main
    inputs:
      rows: {format: csv, source: data/full}
    outputs:
      out: {format: csv}
modes:
  deep_dive: {focus_areas: [data_quality]}
'''


def test_a_channel_folder_without_data_files_errors_only_its_step(tmp_path):
    for name in ("empty", "full"):
        (tmp_path / "data" / name).mkdir(parents=True)
        (tmp_path / "data" / name / "_SUCCESS").touch()
    (tmp_path / "data" / "full" / "part-0.csv").write_text("id,value\n1,0.5\n2,0.25\n")
    (tmp_path / "passthrough.py").write_text(COPY)
    (tmp_path / "channels.yaml").write_text(CHANNELS)

    out = specrun(tmp_path, "channels.yaml", "--mode", "deep_dive")

    assert out.code == 1, out.output
    empty = out.case("empty")
    assert (empty["outcome"], empty["classification"]) == ("error", "SETUP_ERROR")
    assert "input 'rows': the channel holds no data files" in empty["message"]
    assert out.case("full")["outcome"] == "passed"
    assert "Traceback" not in out.output

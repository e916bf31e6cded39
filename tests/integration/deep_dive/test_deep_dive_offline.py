"""Snapshots: ``specrun snapshot`` against the server, then deep dives with the server gone;
and the bundled example's committed snapshot."""

from __future__ import annotations

import json

from tests.s3server import S3TestServer  # noqa: I001 (after conftest put the root on sys.path)

from deep_dive_helpers import ROOT, fraud_spec, specrun


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


def test_bundled_example_runs_deep_dive_on_its_snapshot(tmp_path):
    out = specrun(ROOT, str(ROOT / "specs" / "fraud.yaml"), "--mode", "deep_dive",
                  "--workspace", str(tmp_path / "ws"), env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
                  json_path=tmp_path / "r.json")
    record = out.record

    assert out.code == 0, out.output
    cases = {c["step"]: c for c in record["cases"]}
    assert set(cases) == {"currency_conversion", "preprocessing", "feature_engineering", "train"}
    assert all(c["kind"] == "analysis" and c["outcome"] == "passed" for c in cases.values())
    deep = record["records"]["deep_dive:fraud-detection"]
    assert deep["data"]["execution"] == "../examples/fraud/snapshot"
    transactions = deep["steps"]["currency_conversion"]["sources"]["transactions"]
    assert transactions["kind"] == "snapshot" and transactions["origin"].startswith("s3://fraud-prod/raw/")
    assert deep["steps"]["currency_conversion"]["profiles"]["transactions"]["rows"] == 300
    assert {b["kind"] for b in deep["bottlenecks"]} == {"time", "memory", "io"}
    assert "deep dive: fraud-detection" in out.output

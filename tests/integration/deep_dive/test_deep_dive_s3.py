"""Deep dive against a real S3/SageMaker endpoint (moto on 127.0.0.1): discovery from an
execution ARN, selective sampling, the cache, and a failed source erroring only its step."""

from __future__ import annotations

from pathlib import Path

import pytest
from deep_dive_helpers import fraud_spec, specrun


def _spec(tmp_path: Path, arn: str, endpoint: str, steps: str, extra: str = "") -> Path:
    path = tmp_path / "fraud.yaml"
    path.write_text(fraud_spec(f"{{execution_arn: '{arn}', endpoint_url: '{endpoint}', region: us-east-1, "
                               f"sample_size: 200, steps: {steps}{extra}}}"))
    return path


def test_execution_arn_deep_dive_samples_only_the_selected_steps_inputs(tmp_path, server, fraud_execution):
    spec = _spec(tmp_path, fraud_execution, server.endpoint_url, "[preprocessing]")

    out = specrun(tmp_path, str(spec), "--mode", "deep_dive")

    assert out.code == 0, out.output
    case = out.case("preprocessing")
    assert case["kind"] == "analysis" and case["outcome"] == "passed"
    source = case["details"]["sources"]["converted"]
    assert source["kind"] == "s3" and source["origin"].endswith("/CurrencyConversion/converted/")
    assert not source["from_cache"] and source["requests"] > 0
    step = out.deep_dive("fraud-detection")["steps"]["preprocessing"]
    assert step["real"]["ok"] and step["real"]["rows"] == 200          # the sample, not the 1,500 rows
    assert step["synthetic"]["ok"] and step["synthetic"]["rows"] == 200
    assert step["real"]["peak_rss_bytes"] > 0 and step["real"]["cpu_s"] > 0
    assert step["profiles"]["converted"]["rows"] == 200
    objects = {r["path"] for r in server.requests() if r["method"] == "GET" and r["path"].count("/") > 1}
    assert objects and all("/CurrencyConversion/converted/" in p for p in objects), objects
    ranged = [r for r in server.requests() if r["path"].endswith(".parquet") and r["method"] == "GET"]
    assert ranged and all(r["range"] for r in ranged)                   # ranged reads only

    server.clear_requests()
    again = specrun(tmp_path, str(spec), "--mode", "deep_dive")          # same workspace: cache hit
    assert again.case("preprocessing")["details"]["sources"]["converted"]["from_cache"]
    assert not [r for r in server.requests() if r["path"].endswith(".parquet")]
    refreshed = specrun(tmp_path, str(spec), "--mode", "deep_dive", "--refresh")
    assert not refreshed.case("preprocessing")["details"]["sources"]["converted"]["from_cache"]
    assert [r for r in server.requests() if r["path"].endswith(".parquet")]


def test_access_denied_source_errors_only_its_step(tmp_path, server, fraud_execution):
    spec = _spec(tmp_path, fraud_execution, server.endpoint_url, "[currency_conversion, train]")
    server.inject_fault(r"^/fraud-prod/raw/.*part-\d+\.csv$", "access_denied", count=50, method="GET")

    out = specrun(tmp_path, str(spec), "--mode", "deep_dive")

    assert out.code == 1, out.output
    failed = out.case("currency_conversion")
    assert (failed["outcome"], failed["classification"]) == ("error", "SETUP_ERROR")
    assert "AccessDenied" in failed["message"] and "s3://fraud-prod/raw/" in failed["message"]
    assert "input 'transactions'" in failed["message"]
    assert out.case("train")["outcome"] == "passed"
    denied = [r for r in server.requests() if r["fault"] == "access_denied"]
    assert len(denied) == 1                                              # permanent: not retried
    record = out.deep_dive("fraud-detection")
    assert [p["classification"] for p in record["error_patterns"]] == ["SETUP_ERROR"]
    assert "ERROR" in out.output and "AccessDenied" in out.output


def test_full_analysis_scope_reads_every_row_and_no_monitoring_skips_resource_areas(tmp_path, server, fraud_execution):
    spec = _spec(tmp_path, fraud_execution, server.endpoint_url, "[preprocessing]",
                 ", analysis_scope: full, resource_monitoring: false")

    out = specrun(tmp_path, str(spec), "--mode", "deep_dive")

    assert out.code == 0, out.output
    step = out.deep_dive("fraud-detection")["steps"]["preprocessing"]
    assert step["real"]["ok"] and step["real"]["rows"] == 1500          # every row, not sample_size
    assert step["synthetic"] is None and step["scaling"] is None       # no resource areas
    assert out.deep_dive("fraud-detection")["data"]["focus_areas"] == ["data_quality", "error_patterns"]


@pytest.mark.slow
def test_a_bandwidth_cap_paces_every_byte_read_from_s3(tmp_path, server, fraud_execution):
    spec = _spec(tmp_path, fraud_execution, server.endpoint_url, "[preprocessing]", ", bandwidth: 50KB/s")

    out = specrun(tmp_path, str(spec), "--mode", "deep_dive")

    assert out.code == 0, out.output
    fetched = out.case("preprocessing")["details"]["sources"]["converted"]["bytes_fetched"]
    paced = out.deep_dive("fraud-detection")["data"]["bandwidth"]
    assert paced["bytes_per_s"] == 50_000
    assert fetched > 0 and paced["bytes"] == fetched          # every byte read went through the cap
    assert paced["paced_s"] >= fetched / 50_000 * 0.5         # and was held back (a localhost read is faster)

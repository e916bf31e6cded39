"""The bundled example with a dtype-change bug (amount written as text): the step that
changed the type fails where the bug is, its hand-off fails blaming it, and the data
evolution reports the dtype change."""

from __future__ import annotations

from dtype_bug_copy import make_dtype_bug_copy
from test_example_pipeline import specrun

FOUND = "amount: declared type float, found large_string in converted.parquet"


def test_dtype_change_fails_the_step_in_isolation(tmp_path):
    spec = make_dtype_bug_copy(tmp_path / "copy")
    code, output, record = specrun(tmp_path, str(spec), "--mode", "isolation", "-k", "currency_conversion")
    assert code == 1, output
    [case] = record["cases"]
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert FOUND in case["message"]
    [failure] = [f for v in case["validations"] for f in v["failures"]]
    assert failure["column"] == "amount" and failure["count"] == 50
    assert all(isinstance(e, str) and e.count(".") == 1 and len(e.split(".")[1]) == 2 for e in failure["examples"])
    assert FOUND in output


def test_dtype_change_fails_the_handoff_blaming_the_producer_and_is_in_the_evolution(tmp_path):
    spec = make_dtype_bug_copy(tmp_path / "copy")
    code, output, record = specrun(tmp_path, str(spec), "--mode", "pipeline")
    assert code == 1, output
    cases = {c["id"].split("::")[-1]: c for c in record["cases"]}
    assert cases["currency_conversion"]["outcome"] == "failed" and FOUND in cases["currency_conversion"]["message"]
    handoff = cases["currency_conversion.converted->preprocessing.converted"]
    assert handoff["outcome"] == "failed" and handoff["details"]["blame"] == "producer"
    assert "amount: declared type float, found large_string" in handoff["message"]
    [consumer] = [v for v in handoff["validations"] if v["direction"] == "input"]
    assert not consumer["ok"]          # the consumer's contract rejects the text too
    evolution = record["records"]["pipeline:fraud-detection-dtype"]["evolution"]
    changes = [(t["kind"], t["source"], t["target"], c) for t in evolution["transformations"]
               for c in t["dtype_changes"] if c["column"] == "amount"]
    assert ("step", "currency_conversion.transactions", "currency_conversion.converted",
            {"column": "amount", "before": "float64", "after": "str"}) in changes, changes

"""Negative cases end to end, on the scripts of examples/verdicts/: each is fed an input
that breaks one constraint of its contract, and the verdict says whether it rejected,
tolerated or silently accepted it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]
SPEC = "examples/verdicts/spec.yaml"


def specrun(tmp_path: Path, *args: str) -> tuple[int, str, dict]:
    out = tmp_path / "result.json"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")},
           "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    proc = run_specrun([SPEC, *args, "--json", str(out),
                           "--workspace", str(tmp_path / "ws")],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    record = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, record


def by_constraint(record: dict) -> dict[str, dict]:
    return {c["details"]["negative"]: c for c in record["cases"]}


def test_silent_pass_through_of_an_unknown_category_fails(tmp_path):
    code, output, record = specrun(tmp_path, "--scenario", "negative", "--step", "passthrough",
                                   "-k", "currency.isin or txn_id.required")
    assert code == 1, output
    cases = by_constraint(record)
    assert set(cases) == {"payments.currency.isin", "payments.txn_id.required"}
    isin = cases["payments.currency.isin"]
    assert isin["id"] == "verdicts::passthrough[negative:payments.currency.isin]"
    assert (isin["outcome"], isin["classification"]) == ("failed", "ACCEPTED_INVALID")
    assert "the script exited 0 on 'XXX' in column 'currency'" in isin["message"]
    assert "the violating value 'XXX' reached output 'converted' column 'currency'" in isin["message"]
    # the broken input rows next to the output rows they became
    shown = isin["message"].split("\n", 1)[1]
    assert "input 'payments' (broken rows):" in shown and "output 'converted' (2 matching row(s)" in shown
    assert shown.count("XXX") == 4
    # no value to trace: the output contract alone convicts the script of passing it on
    missing = cases["payments.txn_id.required"]
    assert (missing["outcome"], missing["classification"]) == ("failed", "ACCEPTED_INVALID")
    assert "violates schema 'converted'" in missing["message"]
    assert "FAILED  verdicts::passthrough[negative:payments.currency.isin]" in output
    assert "ACCEPTED_INVALID" in output


def test_a_violating_value_in_an_output_column_of_the_same_name_fails_under_a_loose_contract(tmp_path):
    code, output, record = specrun(tmp_path, "--scenario", "negative", "--step", "loose_output",
                                   "-k", "currency.isin or amount.min")
    assert code == 1, output
    for constraint, value in (("payments.currency.isin", "'XXX'"), ("payments.amount.min", "-1.0")):
        case = by_constraint(record)[constraint]
        assert (case["outcome"], case["classification"]) == ("failed", "ACCEPTED_INVALID"), case["message"]
        assert all(v["ok"] for v in case["validations"])   # the loose output contract holds
        assert f"the violating value {value} reached output 'converted'" in case["message"]


def test_a_script_that_validates_and_raises_passes_every_negative_case(tmp_path):
    code, output, record = specrun(tmp_path, "--scenario", "negative", "--step", "validating", "-n", "2")
    assert code == 0, output
    cases = by_constraint(record)
    assert set(cases) == {
        "payments.txn_id.type", "payments.txn_id.nullable", "payments.txn_id.unique",
        "payments.txn_id.required", "payments.amount.min", "payments.amount.type",
        "payments.amount.nullable", "payments.amount.required", "payments.currency.isin",
        "payments.currency.nullable", "payments.currency.required", "payments.malformed"}
    for case in cases.values():
        assert case["outcome"] == "passed" and case["details"]["verdict"] == "rejected", case
        assert case["message"].startswith("rejected: ")
    assert "unknown currency code(s): XXX" in cases["payments.currency.isin"]["message"]
    assert "EOF inside string" in cases["payments.malformed"]["message"]


def test_a_tolerant_filter_passes_and_on_invalid_reject_makes_it_fail(tmp_path):
    code, output, record = specrun(tmp_path, "--scenario", "negative", "--step", "tolerant",
                                   "--step", "strict_port", "-k", "currency.isin or amount.min")
    assert code == 1, output
    cases = {c["id"]: c for c in record["cases"]}
    for constraint in ("payments.currency.isin", "payments.amount.min"):
        tolerant = cases[f"verdicts::tolerant[negative:{constraint}]"]
        assert tolerant["outcome"] == "passed", tolerant["message"]
        assert tolerant["details"]["verdict"] == "tolerated"
        strict = cases[f"verdicts::strict_port[negative:{constraint}]"]
        assert (strict["outcome"], strict["classification"]) == ("failed", "ACCEPTED_INVALID")
        assert "declares on_invalid: reject" in strict["message"]


def test_quick_runs_leave_negative_cases_out_and_full_runs_list_them(tmp_path):
    code, output, _ = specrun(tmp_path, "--quick", "--collect-only")
    assert code == 0, output
    assert "negative:" not in output
    code, output, _ = specrun(tmp_path, "--collect-only", "--step", "validating")
    assert code == 0, output
    assert "verdicts::validating[negative:payments.currency.isin]" in output
    assert "verdicts::validating[negative:payments.malformed]" in output
    code, output, _ = specrun(tmp_path, "--quick", "--collect-only", "--scenario", "negative",
                                   "--step", "validating")
    assert "verdicts::validating[negative:payments.currency.isin]" in output   # asked for by name


def test_verbose_output_shows_what_each_case_was_fed(tmp_path):
    code, output, record = specrun(tmp_path, "--scenario", "negative", "--step", "validating",
                                   "-k", "currency.isin", "-v")
    assert code == 0, output
    fed = record["cases"][0]["details"]["fed"]["payments"]
    assert fed["rows"] == 20
    assert fed["columns"]["currency"] == {"min": "EUR", "max": "XXX", "nulls": 0}
    assert "fed payments: 20 rows; txn_id " in output
    assert "currency EUR..XXX (0 null)" in output


def test_a_default_run_reaches_the_drop_negatives_branch(tmp_path):
    """An unbounded float column is generated with negatives, not only in [0, 1e6]."""
    code, output, record = specrun(tmp_path, "--mode", "isolation", "--scenario", "standard",
                                   "--step", "drop_negatives")
    assert code == 1, output
    case, = record["cases"]
    assert case["outcome"] == "failed" and case["error"]["type"] == "KeyError", case
    assert "detla" in case["error"]["message"]

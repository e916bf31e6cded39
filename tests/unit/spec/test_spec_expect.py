"""``expect:``: pass / fail with their refinements and the log keys, and their errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from spec_helpers import BASE, error_text, write

from specrun.spec.loader import load_spec
from specrun.spec.model import ExpectSpec, WarningExpect

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "src" / "specrun" / "spec" / "specrun.schema.json"


def expect_of(tmp_path: Path, expect: str) -> ExpectSpec:
    spec = load_spec(write(tmp_path, BASE + "scenarios:\n  s1:\n    rows: 3\n    expect:\n" + expect))
    return spec.scenarios["s1"].expect


def test_log_keys_take_one_value_or_a_list(tmp_path: Path) -> None:
    expect = expect_of(tmp_path, "      pass: true\n      stderr: '^INFO wrote'\n"
                                 "      no_stderr: [Traceback, '^ERROR']\n      stdout: done\n"
                                 "      warns: 'UserWarning: unknown (currency|code)'\n"
                                 "      no_warns: [FutureWarning, pandas.errors.PerformanceWarning]\n")
    assert expect == ExpectSpec(
        "pass", stderr=["^INFO wrote"], no_stderr=["Traceback", "^ERROR"], stdout=["done"],
        warns=[WarningExpect("UserWarning", "unknown (currency|code)")],
        no_warns=[WarningExpect("FutureWarning"), WarningExpect("pandas.errors.PerformanceWarning")],
        location=expect.location)


def test_log_keys_refine_fail_too(tmp_path: Path) -> None:
    expect = expect_of(tmp_path, "      fail: true\n      classification: ACCEPTED_INVALID\n"
                                 "      stderr: rejected\n")
    assert (expect.outcome, expect.classification, expect.stderr) == ("fail", "ACCEPTED_INVALID", ["rejected"])


@pytest.mark.parametrize("line, message", [
    ("      stderr: '(('\n", "scenarios.s1.expect.stderr: invalid regular expression '(('"),
    ("      warns: 'not a category: x'\n",
     "scenarios.s1.expect.warns: expected 'Category' or 'Category: REGEX', found 'not a category: x'"),
    ("      no_warns: 'UserWarning: (('\n", "scenarios.s1.expect.no_warns: invalid regular expression '(('"),
    ("      stdrr: x\n", "stdrr"),
])
def test_log_key_errors_name_the_key(tmp_path: Path, line: str, message: str) -> None:
    text = error_text(tmp_path, BASE + "scenarios:\n  s1:\n    rows: 3\n    expect:\n      pass: true\n" + line)
    assert message in text
    assert re.match(r"spec\.yaml:\d+: ", text)


def test_the_json_schema_accepts_and_rejects_the_same() -> None:
    schema = json.loads(SCHEMA.read_text())
    good = {"fail": True, "stderr": "x", "no_stderr": ["a", "b"], "warns": "UserWarning: m",
            "no_warns": ["DeprecationWarning"], "classification": "ACCEPTED_INVALID"}
    expect_only = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/expect"}
    validator = jsonschema.Draft202012Validator(expect_only)
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors({**good, "warns": "not a category: x"}))
    assert list(validator.iter_errors({**good, "stdrr": "x"}))


def test_the_docs_example_loads(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "spec.md").read_text()
    block = doc.split("  unknown_codes:\n", 1)[1].split("```", 1)[0]
    scenarios = "scenarios:\n  unknown_codes:\n" + block
    scenarios = scenarios.replace("transactions:", "x:").replace("currency: XXX", "s: XXX")
    spec = load_spec(write(tmp_path, BASE + scenarios))
    assert spec.scenarios["unknown_codes"].expect.stderr == ["^ERROR .*XXX"]
    assert spec.scenarios["quiet_standard"].expect.no_warns == [
        WarningExpect("FutureWarning"), WarningExpect("UserWarning", "unknown currency")]

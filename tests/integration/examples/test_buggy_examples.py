"""examples/buggy: each planted bug gets exactly the verdict it deserves, and the same
script with only that bug fixed passes (so the verdict comes from the bug)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]
BUGGY = ROOT / "examples" / "buggy"

# script → (the buggy text, its fix)
FIXES = {
    "normalise_orders.py": ('TS_FORMAT = "%d/%m/%Y %H:%M:%S"', 'TS_FORMAT = "ISO8601"'),
    "order_totals.py": ('frame["order_amount"]', 'frame["amount"]'),
    "convert_to_usd.py": ("lambda code: RATES.get(code, 1.0)",
                          "lambda code: RATES[code] if code in RATES else _reject(code)"),
}
REJECT = '''

def _reject(code):
    raise ValueError(f"unknown currency code {code!r}")
'''


def specrun(cwd: Path, workspace: Path, *args: str) -> tuple[int, str, dict]:
    out = workspace / "result.json"
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    proc = run_specrun([*args, "--json", str(out),
                           "--workspace", str(workspace / "ws")],
                          cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    record = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, record


def cases(record: dict) -> dict[str, dict]:
    return {c["id"].split("::", 1)[1]: c for c in record["cases"]}


@pytest.fixture(scope="module")
def buggy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, dict[str, dict]]:
    code, output, record = specrun(ROOT, tmp_path_factory.mktemp("buggy"), "examples/buggy/spec.yaml",
                                   "--mode", "isolation")
    return code, output, cases(record)


def test_every_planted_bug_fails_and_nothing_else(buggy_run) -> None:
    code, output, by_id = buggy_run
    assert code == 1, output
    assert {k: c["outcome"] for k, c in by_id.items()} == {
        "normalise_orders[standard]": "failed",
        "order_totals[standard]": "failed",
        "convert_to_usd[standard]": "passed",
        "convert_to_usd[bad_currency]": "failed",
    }


def test_a_swallowed_exception_says_what_main_returned(buggy_run) -> None:
    case = buggy_run[2]["normalise_orders[standard]"]
    assert case["classification"] == "CONTRACT_ERROR"
    assert case["message"].startswith("main() returned False without writing output 'normalised' (expected ")
    assert case["returned"] == "False"
    assert "is not valid" not in case["message"] and "No such file" not in case["message"]
    assert "normalisation skipped: time data" in case["stderr_tail"]   # the swallowed error, for the user


def test_a_keyerror_on_valid_input_is_the_scripts_bug_at_its_line(buggy_run) -> None:
    case = buggy_run[2]["order_totals[standard]"]
    assert case["classification"] == "SCRIPT_ERROR"
    assert case["message"] == "KeyError: 'order_amount' (at order_totals.py:23 in totals)"
    assert case["error"]["frame"] == "order_totals.py:23 in totals"
    assert "SCRIPT_ERROR: KeyError: 'order_amount' (at order_totals.py:23 in totals)" in buggy_run[1]


def test_a_silent_pass_through_under_expect_fail_is_accepted_invalid(buggy_run) -> None:
    case = buggy_run[2]["convert_to_usd[bad_currency]"]
    assert case["classification"] == "ACCEPTED_INVALID"
    assert case["message"].startswith("the script exited 0 on invalid input; its output violates the contract: "
                                      "output 'converted' violates schema")
    assert "currency: isin" in case["message"]
    [validation] = [v for v in case["validations"] if not v["ok"]]
    assert validation["failures"][0]["column"] == "currency"
    assert validation["failures"][0]["examples"] == ["XXX"]
    assert "ACCEPTED_INVALID" in buggy_run[1]


def test_each_fixed_script_passes(tmp_path: Path) -> None:
    project = tmp_path / "fixed"
    shutil.copytree(BUGGY, project)
    for name, (bug, fix) in FIXES.items():
        path = project / "scripts" / name
        text = path.read_text(encoding="utf-8")
        assert text.count(bug) == 1, (name, bug)
        text = text.replace(bug, fix) + (REJECT if "_reject" in fix else "")
        path.write_text(text, encoding="utf-8")
    code, output, record = specrun(project, tmp_path, "spec.yaml", "--mode", "isolation")
    assert code == 0, output
    by_id = cases(record)
    assert {c["outcome"] for c in by_id.values()} == {"passed"}
    rejected = by_id["convert_to_usd[bad_currency]"]
    assert rejected["message"].startswith("failed as expected: DATA_ERROR: ValueError: unknown currency code 'XXX'")
    assert by_id["normalise_orders[standard]"]["returned"] == "True"

"""The expectation judge: every row of the verdict table in docs/cli.md, and the
refinements of ``expect: fail`` each able to turn a pass into a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from specrun.execution.request import RunRecord
from specrun.modes.step_case import StepOutcome, judge
from specrun.results import (
    ChildError,
    ErrorClass,
    ExecutionMetrics,
    Outcome,
    PortValidation,
    PropertyResult,
    ScriptWarning,
)
from specrun.spec.model import ExpectSpec, WarningExpect

BAD_OUTPUT = PortValidation("out", "output", False,
                            message="output 'out' violates schema 'rows': currency: isin(['USD']) (3)")


def clean(**record: object) -> RunRecord:
    return RunRecord(ok=True, metrics=ExecutionMetrics(exit_code=0), **record)  # type: ignore[arg-type]


def failed(classification: ErrorClass = ErrorClass.DATA_ERROR, exit_code: int = 1,
           message: str = "ValueError: unknown currency code(s): XXX", **record: object) -> RunRecord:
    error = ChildError("ValueError", "builtins", "unknown currency code(s): XXX", "",
                       mro=["builtins.ValueError"])
    return RunRecord(ok=False, metrics=ExecutionMetrics(exit_code=exit_code), classification=classification,
                     error=error, message=message, **record)  # type: ignore[arg-type]


def outcome(record: RunRecord, validations: list[PortValidation] | None = None,
            properties: list[PropertyResult] | None = None, inputs_valid: bool | None = None) -> StepOutcome:
    return StepOutcome(record, validations or [], properties or [], {}, inputs_valid)


FAIL = ExpectSpec("fail")
PASS = ExpectSpec("pass")


# -- expect: pass ------------------------------------------------------------------

def test_pass_clean_run_passes() -> None:
    assert judge("c", outcome(clean()), PASS) == (Outcome.PASSED, None, "")


def test_pass_script_failure_fails_with_its_classification() -> None:
    verdict, cls, message = judge("c", outcome(failed(ErrorClass.SCRIPT_ERROR)), PASS)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.SCRIPT_ERROR)
    assert "unknown currency" in message


def test_pass_broken_output_is_a_contract_error() -> None:
    verdict, cls, message = judge("c", outcome(clean(), [BAD_OUTPUT]), PASS)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.CONTRACT_ERROR)
    assert "isin" in message


def test_pass_broken_property_is_a_contract_error() -> None:
    prop = PropertyResult("row_count(...)", False, "output has 9 rows, expected 10")
    verdict, cls, message = judge("c", outcome(clean(), properties=[prop]), PASS)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.CONTRACT_ERROR)
    assert "property row_count(...) failed: output has 9 rows" in message


# -- expect: fail ------------------------------------------------------------------

def test_fail_met_by_a_script_failure() -> None:
    verdict, cls, message = judge("c", outcome(failed()), FAIL)
    assert (verdict, cls) == (Outcome.PASSED, None)
    assert message.startswith("failed as expected: DATA_ERROR: ValueError")


def test_fail_not_met_by_a_clean_run() -> None:
    verdict, cls, message = judge("c", outcome(clean()), ExpectSpec("fail", error="currency"))
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert message == "expected the script to fail with an error matching 'currency', but it succeeded"


@pytest.mark.parametrize("inputs_valid", [False, None])
def test_fail_not_met_by_specrun_rejecting_the_output(inputs_valid: bool | None) -> None:
    """A clean exit on invalid input whose output breaks its contract accepted the bad
    data: never "failed as expected", whatever error the contract failure mentions."""
    expect = ExpectSpec("fail", error="currency")
    verdict, cls, message = judge("c", outcome(clean(), [BAD_OUTPUT], inputs_valid=inputs_valid), expect)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.ACCEPTED_INVALID)
    assert message.startswith("the script exited 0 on invalid input; its output violates the contract: ")
    assert "currency: isin" in message


def test_fail_not_met_by_a_broken_property_after_a_clean_exit() -> None:
    prop = PropertyResult("row_count(...)", False, "output has 9 rows, expected 10")
    verdict, cls, message = judge("c", outcome(clean(), properties=[prop], inputs_valid=False), FAIL)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.ACCEPTED_INVALID)
    assert "property row_count(...) failed" in message


def test_fail_clean_exit_with_broken_output_on_valid_input_is_a_contract_error() -> None:
    verdict, cls, message = judge("c", outcome(clean(), [BAD_OUTPUT], inputs_valid=True), FAIL)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.CONTRACT_ERROR)
    assert message.startswith("expected the script to fail, but it exited 0 and its output violates")


def test_fail_exit_code_must_equal() -> None:
    expect = ExpectSpec("fail", exit_code=3)
    assert judge("c", outcome(failed(exit_code=3)), expect)[0] is Outcome.PASSED
    verdict, cls, message = judge("c", outcome(failed(exit_code=2)), expect)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert "exit code 2 != expected 3" in message


def test_fail_classification_must_equal() -> None:
    expect = ExpectSpec("fail", classification="DATA_ERROR")
    assert judge("c", outcome(failed(ErrorClass.DATA_ERROR)), expect)[0] is Outcome.PASSED
    verdict, cls, message = judge("c", outcome(failed(ErrorClass.SCRIPT_ERROR)), expect)
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert "classification SCRIPT_ERROR != expected DATA_ERROR" in message


def test_fail_error_regex_must_match() -> None:
    assert judge("c", outcome(failed()), ExpectSpec("fail", error=r"currency code\(s\): XXX"))[0] \
        is Outcome.PASSED
    verdict, cls, message = judge("c", outcome(failed()), ExpectSpec("fail", error="missing column"))
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert "no error matching 'missing column'" in message


# -- log keys (either expectation) ----------------------------------------------------

def logged(tmp_path: Path, stderr: str, stdout: str = "", ok: bool = True,
           warnings: list[ScriptWarning] | None = None) -> RunRecord:
    (tmp_path / "stderr.log").write_text(stderr)
    (tmp_path / "stdout.log").write_text(stdout)
    paths = {"stderr_path": tmp_path / "stderr.log", "stdout_path": tmp_path / "stdout.log",
             "warnings": warnings or []}
    return clean(**paths) if ok else failed(**paths)


def test_stderr_must_match_the_whole_log_not_only_the_tail(tmp_path: Path) -> None:
    text = "INFO dropped 3 rows with unknown currency\n" + "noise\n" * 5000
    record = logged(tmp_path, text)
    record.stderr_tail = "noise\n" * 40
    assert judge("c", outcome(record), ExpectSpec("pass", stderr=["dropped \\d+ rows"]))[0] is Outcome.PASSED
    verdict, cls, message = judge("c", outcome(record), ExpectSpec("pass", stderr=["dropped 0 rows"]))
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert "nothing in stderr matches 'dropped 0 rows'" in message


def test_no_stderr_fails_on_a_match_anywhere(tmp_path: Path) -> None:
    record = logged(tmp_path, "ok\nERROR lost 2 rows\n" + "ok\n" * 5000)
    record.stderr_tail = "ok\n" * 40
    verdict, cls, message = judge("c", outcome(record), ExpectSpec("pass", no_stderr=["^ERROR"]))
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert "stderr matches '^ERROR': 'ERROR lost 2 rows'" in message
    assert judge("c", outcome(record), ExpectSpec("pass", no_stderr=["^CRITICAL"]))[0] is Outcome.PASSED


def test_no_stderr_without_the_full_log_cannot_pass() -> None:
    record = clean(stderr_tail="fine")
    verdict, _, message = judge("c", outcome(record), ExpectSpec("pass", no_stderr=["ERROR"]))
    assert verdict is Outcome.FAILED and "cannot check no_stderr" in message


def test_stdout_keys(tmp_path: Path) -> None:
    record = logged(tmp_path, "", stdout="wrote 10 rows\n")
    assert judge("c", outcome(record), ExpectSpec("pass", stdout=["wrote 10 rows"],
                                                  no_stdout=["Traceback"]))[0] is Outcome.PASSED
    assert judge("c", outcome(record), ExpectSpec("pass", no_stdout=["wrote"]))[0] is Outcome.FAILED


def test_log_keys_refine_expect_fail_too(tmp_path: Path) -> None:
    record = logged(tmp_path, "rejecting XXX\n", ok=False)
    assert judge("c", outcome(record), ExpectSpec("fail", stderr=["rejecting XXX"]))[0] is Outcome.PASSED
    verdict, cls, message = judge("c", outcome(record), ExpectSpec("fail", stderr=["rejecting YYY"]))
    assert (verdict, cls) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert message.startswith("failed, but not as expected: nothing in stderr matches 'rejecting YYY'")


USER_WARNING = ScriptWarning("UserWarning", "3 rows had an unknown currency", "step.py", 12,
                             mro=["builtins.UserWarning", "builtins.Warning", "builtins.Exception",
                                  "builtins.BaseException", "builtins.object"])


@pytest.mark.parametrize("wanted, matches", [
    (WarningExpect("UserWarning"), True),
    (WarningExpect("Warning"), True),                      # a base class matches
    (WarningExpect("builtins.UserWarning"), True),         # qualified name
    (WarningExpect("UserWarning", "unknown currency"), True),
    (WarningExpect("UserWarning", "^unknown"), False),     # the message regex must match
    (WarningExpect("DeprecationWarning"), False),          # another category
])
def test_warns(tmp_path: Path, wanted: WarningExpect, matches: bool) -> None:
    record = logged(tmp_path, "", warnings=[USER_WARNING])
    assert (judge("c", outcome(record), ExpectSpec("pass", warns=[wanted]))[0] is Outcome.PASSED) is matches
    assert (judge("c", outcome(record), ExpectSpec("pass", no_warns=[wanted]))[0] is Outcome.PASSED) \
        is not matches


def test_warns_message_lists_what_was_emitted(tmp_path: Path) -> None:
    record = logged(tmp_path, "", warnings=[USER_WARNING])
    _, _, message = judge("c", outcome(record), ExpectSpec("pass", warns=[WarningExpect("FutureWarning")]))
    assert "no FutureWarning matching '.*' was emitted (warnings emitted: UserWarning: 3 rows" in message
    _, _, message = judge("c", outcome(record), ExpectSpec("pass", no_warns=[WarningExpect("UserWarning")]))
    assert "emitted UserWarning: 3 rows had an unknown currency at step.py:12" in message

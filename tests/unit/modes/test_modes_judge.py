"""Judging one run against its scenario's expectation (step_case.judge), without running anything."""

from __future__ import annotations

import pytest

from specrun.execution.request import RunRecord
from specrun.modes.step_case import StepOutcome, judge
from specrun.results import ChildError, ErrorClass, ExecutionMetrics, Outcome, PortValidation, PropertyResult
from specrun.spec.model import ExpectSpec

FAIL = ExpectSpec(outcome="fail")


def succeeded(validations=(), properties=()) -> StepOutcome:
    return StepOutcome(RunRecord(ok=True, metrics=ExecutionMetrics(exit_code=0)), list(validations),
                       list(properties), {})


def raised(message="unknown currency code(s): XXX", exit_code=1) -> StepOutcome:
    error = ChildError("ValueError", "builtins", message, "Traceback ...")
    record = RunRecord(ok=False, metrics=ExecutionMetrics(exit_code=exit_code), classification=ErrorClass.DATA_ERROR,
                       error=error, message=f"ValueError: {message}", stderr_tail="Traceback ...")
    return StepOutcome(record, [], [], {})


def test_a_clean_run_passes_a_pass_expectation():
    assert judge("c", succeeded([PortValidation("out", "output", True)]), ExpectSpec()) == (Outcome.PASSED, None, "")


def test_an_invalid_output_fails_even_though_the_script_exited_0():
    outcome, error_class, message = judge("c", succeeded([PortValidation("out", "output", False, message="bad out")]),
                                          ExpectSpec())
    assert (outcome, error_class, message) == (Outcome.FAILED, ErrorClass.CONTRACT_ERROR, "bad out")


def test_a_broken_property_fails_the_case():
    outcome, error_class, message = judge("c", succeeded([], [PropertyResult("row_count", False, "3 != 5")]),
                                          ExpectSpec())
    assert (outcome, error_class) == (Outcome.FAILED, ErrorClass.CONTRACT_ERROR)
    assert message == "property row_count failed: 3 != 5"


def test_a_script_failure_keeps_its_own_classification():
    outcome, error_class, message = judge("c", raised(), ExpectSpec())
    assert (outcome, error_class, message) == (Outcome.FAILED, ErrorClass.DATA_ERROR,
                                               "ValueError: unknown currency code(s): XXX")


def test_an_expected_failure_that_does_not_happen_fails():
    outcome, error_class, message = judge("c", succeeded(), ExpectSpec(outcome="fail", error="currency"))
    assert (outcome, error_class) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert message == "expected the script to fail with an error matching 'currency', but it succeeded"


@pytest.mark.parametrize("expect", [
    FAIL,
    ExpectSpec(outcome="fail", error="unknown currency"),
    ExpectSpec(outcome="fail", exit_code=1),
    ExpectSpec(outcome="fail", classification="DATA_ERROR"),
    ExpectSpec(outcome="fail", error=r"code\(s\): X+", exit_code=1, classification="DATA_ERROR"),
])
def test_a_failure_as_expected_passes(expect):
    outcome, error_class, message = judge("c", raised(), expect)
    assert (outcome, error_class) == (Outcome.PASSED, None)
    assert message.startswith("failed as expected: DATA_ERROR")


@pytest.mark.parametrize("expect, problem", [
    (ExpectSpec(outcome="fail", error="division by zero"), "no error matching 'division by zero'"),
    (ExpectSpec(outcome="fail", exit_code=2), "exit code 1 != expected 2"),
    (ExpectSpec(outcome="fail", classification="TIMEOUT"), "classification DATA_ERROR != expected TIMEOUT"),
])
def test_a_different_failure_than_expected_fails(expect, problem):
    outcome, error_class, message = judge("c", raised(), expect)
    assert (outcome, error_class) == (Outcome.FAILED, ErrorClass.EXPECTATION_ERROR)
    assert message.startswith(f"failed, but not as expected: {problem} (actual: DATA_ERROR:")


def test_the_expected_error_is_searched_in_stderr_too():
    outcome = raised()
    outcome.record.stderr_tail = "Traceback ...\nKeyError: 'rate_table'"
    assert judge("c", outcome, ExpectSpec(outcome="fail", error="rate_table"))[0] is Outcome.PASSED

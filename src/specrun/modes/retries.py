"""Retries of a transient failure (a step's ``retries:`` and ``transient:``).

A run that fails with a classification the step marks transient (say ``TIMEOUT`` on a
step that calls a slow service) is run again, up to ``retries`` more times, after
``retry_delay`` seconds, doubled before each next attempt.  Between attempts the outputs
the failed run left are removed, so the next attempt starts as the first did.  The last
run decides the verdict; the earlier ones are kept as :class:`RetryAttempt` records, so a
case that passes on a retry is reported *flaky* (``CaseResult.flaky``), never as a plain
pass.  Any other failure, and any failure of a step without ``retries:``, is final.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from ..execution.request import Executor, RunRecord, RunRequest
from ..results import RetryAttempt
from ..spec.model import StepSpec

#: the longest wait between two attempts, whatever the doubling reaches
MAX_DELAY_S = 60.0


def delays(step: StepSpec) -> list[float]:
    """The wait before each retry the step allows: ``retry_delay`` doubled each time."""
    first = step.retry_delay if step.retry_delay is not None else 1.0
    return [min(first * 2 ** n, MAX_DELAY_S) for n in range(step.retries or 0)]


def is_transient(step: StepSpec, record: RunRecord) -> bool:
    return (not record.ok and record.classification is not None
            and record.classification.value in (step.transient or ()))


def run_with_retries(executor: Executor, request: RunRequest, step: StepSpec, outputs: Mapping[str, Path],
                     *, retry: bool = True) -> tuple[RunRecord, list[RetryAttempt]]:
    """Run ``request``; while it fails transiently and retries are left, clear the outputs,
    wait, run again.  Returns the last run and the attempts before it."""
    retried: list[RetryAttempt] = []
    record = executor.run(request)
    retried.extend(record.attempts)   # an executor's own retry (a Dask worker that died mid-case)
    for delay in delays(step) if retry else []:
        if not is_transient(step, record):
            break
        retried.append(RetryAttempt(record.classification, record.message, record.metrics.wall_s))
        clear_outputs(outputs)
        time.sleep(delay)
        record = executor.run(request)
        retried.extend(record.attempts)
    return record, retried


def clear_outputs(outputs: Mapping[str, Path]) -> None:
    """Remove what a failed attempt wrote to its outputs; keep each output folder itself."""
    for path in outputs.values():
        if path.is_dir() and not path.is_symlink():
            for child in path.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        elif path.exists() or path.is_symlink():
            path.unlink(missing_ok=True)

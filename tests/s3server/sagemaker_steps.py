"""A small extension of moto's SageMaker backend: ``ListPipelineExecutionSteps``.

moto (pinned: 5.2.x, checked by :func:`check_moto_version`) implements pipelines and
pipeline executions but not the listing of an execution's steps.  This module adds
the call to ``SageMakerResponse`` so that boto3 talks to it over HTTP exactly as to
AWS, and stores the steps of each execution on the moto backend; tests seed them
with :func:`seed_steps` (reached through the server's ``/_specrun/`` control API).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import moto
from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import get_pipeline_execution_from_arn

PINNED_MOTO = "5.2"          # the extension relies on moto 5.2's response/backends layout
DEFAULT_MAX_RESULTS = 10     # page size when the caller gives no MaxResults (as AWS does)
_STORE = "specrun_pipeline_execution_steps"
_TIME_KEYS = ("StartTime", "EndTime")


def check_moto_version(version: str = moto.__version__) -> None:
    """Fail clearly when moto is not the major.minor this extension was written for."""
    if ".".join(version.split(".")[:2]) != PINNED_MOTO:
        raise RuntimeError(
            f"tests/s3server needs moto {PINNED_MOTO}.x (found {version}); "
            "the ListPipelineExecutionSteps extension must be re-checked for this version"
        )


def _steps_of(backend: SageMakerModelBackend) -> dict[str, list[dict[str, Any]]]:
    store = getattr(backend, _STORE, None)
    if store is None:
        store = {}
        setattr(backend, _STORE, store)
    return store


def _parse_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    return datetime.fromisoformat(str(value))


def seed_steps(execution_arn: str, steps: list[dict[str, Any]]) -> int:
    """Store the steps (AWS response shape, times ISO or epoch) of an existing execution."""
    parts = execution_arn.split(":")
    if len(parts) < 6:
        raise ValueError(f"not a pipeline execution ARN: {execution_arn}")
    region, account = parts[3], parts[4]
    backend = sagemaker_backends[account][region]
    get_pipeline_execution_from_arn(backend.pipelines, execution_arn)  # must exist
    parsed = []
    for step in steps:
        record = dict(step)
        for key in _TIME_KEYS:
            if key in record:
                record[key] = _parse_time(record[key])
        parsed.append(record)
    _steps_of(backend)[execution_arn] = parsed
    return len(parsed)


def _list_pipeline_execution_steps(self: SageMakerResponse) -> ActionResult:
    arn = self._get_param("PipelineExecutionArn")
    backend = self.sagemaker_backend
    get_pipeline_execution_from_arn(backend.pipelines, arn)
    steps = list(_steps_of(backend).get(arn, []))
    epoch = datetime.min.replace(tzinfo=UTC)
    steps.sort(key=lambda s: s.get("StartTime") or epoch,
               reverse=self._get_param("SortOrder", "Descending") == "Descending")
    max_results = int(self._get_param("MaxResults") or DEFAULT_MAX_RESULTS)
    token = self._get_param("NextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise ValidationError(message=f"Invalid NextToken {token!r}") from None
    page = steps[start:start + max_results]
    result: dict[str, Any] = {"PipelineExecutionSteps": page}
    if start + max_results < len(steps):
        result["NextToken"] = str(start + max_results)
    return ActionResult(result)


def install() -> None:
    """Register the extension on moto's SageMaker responses (before the server starts)."""
    check_moto_version()
    SageMakerResponse.list_pipeline_execution_steps = _list_pipeline_execution_steps  # type: ignore[attr-defined]

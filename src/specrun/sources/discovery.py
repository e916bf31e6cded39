"""What a past SageMaker pipeline execution did: its steps, their jobs and S3 channels."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from .client import reading
from .errors import SourceError

JOB_KINDS = ("ProcessingJob", "TrainingJob", "TransformJob")


@dataclass
class StepRecord:
    """One step of an execution: timing, status, its job and channel name → S3 URI."""

    name: str
    status: str
    start_time: str | None = None          # ISO 8601, UTC
    end_time: str | None = None
    duration_s: float | None = None
    job_kind: str | None = None            # ProcessingJob | TrainingJob | TransformJob | None
    job_arn: str | None = None
    job_name: str | None = None
    failure_reason: str | None = None
    cache_hit_from: str | None = None      # execution ARN the step's result was reused from
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ExecutionData:
    """A pipeline execution as discovered (or loaded from a snapshot manifest)."""

    execution_arn: str
    pipeline_name: str
    status: str | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)

    def step(self, name: str) -> StepRecord:
        try:
            return self.steps[name]
        except KeyError:
            known = ", ".join(sorted(self.steps)) or "none"
            raise SourceError(self.execution_arn, f"no step {name!r} in the execution (steps: {known})",
                              permanent=True) from None

    def output_uri(self, step: str, channel: str) -> str:
        """The S3 URI of a step's output channel."""
        record = self.step(step)
        try:
            return record.outputs[channel]
        except KeyError:
            known = ", ".join(sorted(record.outputs)) or "none"
            raise SourceError(self.execution_arn, f"step {step!r} has no output channel {channel!r} "
                              f"(channels: {known})", permanent=True) from None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutionData:
        steps = {name: StepRecord(**record) for name, record in data.get("steps", {}).items()}
        return cls(execution_arn=data["execution_arn"], pipeline_name=data["pipeline_name"],
                   status=data.get("status"), steps=steps)


def pipeline_name_of(execution_arn: str) -> str:
    """``arn:aws:sagemaker:REGION:ACCOUNT:pipeline/NAME/execution/ID`` → ``NAME``."""
    resource = execution_arn.split(":", 5)[-1]
    parts = resource.split("/")
    if len(parts) != 4 or parts[0] != "pipeline" or parts[2] != "execution":
        raise SourceError(execution_arn, "not a SageMaker pipeline execution ARN", permanent=True)
    return parts[1]


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _job_channels(kind: str, job: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Channel name → S3 URI for the inputs and outputs of a described job."""
    inputs: dict[str, str] = {}
    outputs: dict[str, str] = {}
    if kind == "ProcessingJob":
        for item in job.get("ProcessingInputs", []):
            uri = item.get("S3Input", {}).get("S3Uri")
            if uri:
                inputs[item["InputName"]] = uri
        for item in job.get("ProcessingOutputConfig", {}).get("Outputs", []):
            uri = item.get("S3Output", {}).get("S3Uri")
            if uri:
                outputs[item["OutputName"]] = uri
    elif kind == "TrainingJob":
        for item in job.get("InputDataConfig", []):
            uri = item.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
            if uri:
                inputs[item["ChannelName"]] = uri
        if job.get("OutputDataConfig", {}).get("S3OutputPath"):
            outputs["output"] = job["OutputDataConfig"]["S3OutputPath"]
        if job.get("ModelArtifacts", {}).get("S3ModelArtifacts"):
            outputs["model"] = job["ModelArtifacts"]["S3ModelArtifacts"]
    elif kind == "TransformJob":
        uri = job.get("TransformInput", {}).get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
        if uri:
            inputs["input"] = uri
        if job.get("TransformOutput", {}).get("S3OutputPath"):
            outputs["output"] = job["TransformOutput"]["S3OutputPath"]
    return inputs, outputs


def _describe_job(sagemaker: Any, kind: str, job_name: str) -> dict[str, Any]:
    if kind == "ProcessingJob":
        return sagemaker.describe_processing_job(ProcessingJobName=job_name)
    if kind == "TrainingJob":
        return sagemaker.describe_training_job(TrainingJobName=job_name)
    return sagemaker.describe_transform_job(TransformJobName=job_name)


def _step_record(sagemaker: Any, summary: dict[str, Any]) -> StepRecord:
    start, end = summary.get("StartTime"), summary.get("EndTime")
    record = StepRecord(
        name=summary["StepName"],
        status=summary.get("StepStatus", "Unknown"),
        start_time=_iso(start),
        end_time=_iso(end),
        duration_s=(end - start).total_seconds() if start and end else None,
        failure_reason=summary.get("FailureReason"),
        cache_hit_from=summary.get("CacheHitResult", {}).get("SourcePipelineExecutionArn"),
    )
    metadata = summary.get("Metadata", {})
    for kind in JOB_KINDS:
        arn = metadata.get(kind, {}).get("Arn")
        if arn:
            job_name = arn.rpartition("/")[2]
            record.job_kind, record.job_arn, record.job_name = kind, arn, job_name
            with reading(arn):
                job = _describe_job(sagemaker, kind, job_name)
            record.inputs, record.outputs = _job_channels(kind, job)
            break
    return record


def discover_execution(sagemaker: Any, execution_arn: str) -> ExecutionData:
    """Every step of an execution with its job's S3 channels (all pages of steps).

    Steps are listed in start order; jobs are described one call per step.
    Any AWS failure is a :class:`SourceError` naming the ARN it concerned.
    """
    execution = ExecutionData(execution_arn=execution_arn, pipeline_name=pipeline_name_of(execution_arn))
    with reading(execution_arn):
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
        execution.status = described.get("PipelineExecutionStatus")
        pages = sagemaker.get_paginator("list_pipeline_execution_steps").paginate(
            PipelineExecutionArn=execution_arn, SortOrder="Ascending")
        summaries = [step for page in pages for step in page.get("PipelineExecutionSteps", [])]
    for summary in summaries:
        record = _step_record(sagemaker, summary)
        execution.steps[record.name] = record
    return execution

"""Discovery of a pipeline execution's steps and channels, over HTTP against moto."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from specrun.sources import SourceError, discover_execution

ROLE = "arn:aws:iam::123456789012:role/specrun-test"


def _processing_job(sagemaker: Any, name: str, bucket: str) -> str:
    return sagemaker.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE,
        AppSpecification={"ImageUri": "img:latest"},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                               "VolumeSizeInGB": 10}},
        ProcessingInputs=[{"InputName": "raw", "S3Input": {
            "S3Uri": f"s3://{bucket}/raw/", "LocalPath": "/opt/ml/processing/input",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [
            {"OutputName": "train", "S3Output": {"S3Uri": f"s3://{bucket}/{name}/train",
                                                 "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}},
            {"OutputName": "test", "S3Output": {"S3Uri": f"s3://{bucket}/{name}/test",
                                                "LocalPath": "/opt/ml/processing/test", "S3UploadMode": "EndOfJob"}},
        ]},
    )["ProcessingJobArn"]


def _training_job(sagemaker: Any, name: str, bucket: str) -> str:
    return sagemaker.create_training_job(
        TrainingJobName=name, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "img:latest", "TrainingInputMode": "File"},
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/prep/train"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/models"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )["TrainingJobArn"]


def _transform_job(sagemaker: Any, name: str, bucket: str) -> str:
    sagemaker.create_model(ModelName=f"{name}-model", ExecutionRoleArn=ROLE,
                           PrimaryContainer={"Image": "img:latest"})
    return sagemaker.create_transform_job(
        TransformJobName=name, ModelName=f"{name}-model",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                         "S3Uri": f"s3://{bucket}/prep/test"}}},
        TransformOutput={"S3OutputPath": f"s3://{bucket}/scored"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )["TransformJobArn"]


@pytest.fixture
def execution(sagemaker: Any, server: Any, bucket: str) -> dict[str, Any]:
    """A pipeline execution with 12 steps (more than one page): 10 processing, 1 training, 1 transform."""
    pipeline = f"pipe-{uuid.uuid4().hex[:8]}"
    sagemaker.create_pipeline(PipelineName=pipeline, RoleArn=ROLE,
                              PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}))
    arn = sagemaker.start_pipeline_execution(PipelineName=pipeline)["PipelineExecutionArn"]
    steps = []
    for i in range(10):
        job = _processing_job(sagemaker, f"{pipeline}-prep{i}", bucket)
        steps.append({"StepName": f"Prep{i}", "StepStatus": "Succeeded",
                      "StartTime": f"2024-03-01T10:{i:02d}:00+00:00", "EndTime": f"2024-03-01T10:{i:02d}:30+00:00",
                      "Metadata": {"ProcessingJob": {"Arn": job}}})
    training = _training_job(sagemaker, f"{pipeline}-train", bucket)
    steps.append({"StepName": "Train", "StepStatus": "Succeeded", "StartTime": "2024-03-01T11:00:00+00:00",
                  "EndTime": "2024-03-01T11:20:00+00:00", "Metadata": {"TrainingJob": {"Arn": training}}})
    transform = _transform_job(sagemaker, f"{pipeline}-score", bucket)
    steps.append({"StepName": "Score", "StepStatus": "Failed", "FailureReason": "ClientError: boom",
                  "StartTime": "2024-03-01T11:30:00+00:00", "EndTime": "2024-03-01T11:31:00+00:00",
                  "Metadata": {"TransformJob": {"Arn": transform}}})
    server.seed_pipeline_steps(arn, steps)
    server.clear_requests()
    return {"arn": arn, "pipeline": pipeline}


def test_discovers_every_step_job_and_channel_across_pages(sagemaker: Any, server: Any, bucket: str,
                                                          execution: dict[str, Any]) -> None:
    data = discover_execution(sagemaker, execution["arn"])
    pipeline = execution["pipeline"]

    assert data.pipeline_name == pipeline
    assert list(data.steps) == [f"Prep{i}" for i in range(10)] + ["Train", "Score"]
    prep = data.steps["Prep3"]
    assert (prep.status, prep.job_kind, prep.job_name) == ("Succeeded", "ProcessingJob", f"{pipeline}-prep3")
    assert prep.duration_s == 30.0
    assert prep.start_time == "2024-03-01T10:03:00+00:00"
    assert prep.inputs == {"raw": f"s3://{bucket}/raw/"}
    assert prep.outputs == {"train": f"s3://{bucket}/{pipeline}-prep3/train",
                            "test": f"s3://{bucket}/{pipeline}-prep3/test"}
    train = data.steps["Train"]
    assert train.job_kind == "TrainingJob" and train.duration_s == 1200.0
    assert train.inputs == {"train": f"s3://{bucket}/prep/train"}
    assert train.outputs["output"] == f"s3://{bucket}/models"
    assert train.outputs["model"].startswith(f"s3://{bucket}/models/")
    score = data.steps["Score"]
    assert (score.status, score.failure_reason) == ("Failed", "ClientError: boom")
    assert score.inputs == {"input": f"s3://{bucket}/prep/test"} and score.outputs == {"output": f"s3://{bucket}/scored"}
    assert data.output_uri("Prep3", "train") == prep.outputs["train"]

    listings = [r for r in server.requests() if r["target"] == "SageMaker.ListPipelineExecutionSteps"]
    assert len(listings) == 2          # 12 steps, 10 per page
    assert json.loads(json.dumps(data.to_json())) == data.to_json()


def test_unknown_step_or_channel_is_a_source_error(sagemaker: Any, execution: dict[str, Any]) -> None:
    data = discover_execution(sagemaker, execution["arn"])
    with pytest.raises(SourceError, match="no step 'Nope'"):
        data.step("Nope")
    with pytest.raises(SourceError, match="no output channel 'val'.*test, train"):
        data.output_uri("Prep0", "val")


def test_throttled_listing_is_retried(sagemaker: Any, server: Any, execution: dict[str, Any]) -> None:
    server.inject_fault("^/$", "throttle", count=1, target="ListPipelineExecutionSteps")
    data = discover_execution(sagemaker, execution["arn"])
    assert len(data.steps) == 12
    listings = [r for r in server.requests() if r["target"] == "SageMaker.ListPipelineExecutionSteps"]
    assert [r["status"] for r in listings] == [400, 200, 200]


def test_unknown_execution_is_a_permanent_error_naming_the_arn(sagemaker: Any) -> None:
    arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/nope/execution/abc"
    with pytest.raises(SourceError) as info:
        discover_execution(sagemaker, arn)
    assert info.value.uri == arn and info.value.permanent


def test_malformed_arn_is_rejected_before_any_call(sagemaker: Any, server: Any) -> None:
    with pytest.raises(SourceError, match="not a SageMaker pipeline execution ARN"):
        discover_execution(sagemaker, "arn:aws:sagemaker:us-east-1:1:pipeline/p")
    assert server.requests() == []

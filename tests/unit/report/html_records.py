"""Records for the HTML report's tests, made the way a run makes them: result dataclasses
(and a pipeline mode record) through the JSON reporter, then read back as JSON."""

from __future__ import annotations

import json
from typing import Any

from specrun.analysis.evolution import DataEvolution, DegradationPoint, DtypeChange, Transformation
from specrun.modes.pipeline.record import PipelineRecord, StepTiming, TransitionSummary
from specrun.report import json_report
from specrun.results import (
    CaseResult,
    ChildError,
    ColumnFailure,
    ErrorClass,
    ExecutionMetrics,
    Outcome,
    PortValidation,
    PropertyResult,
    SessionResult,
    TracebackFrame,
)


def record_with(text: str) -> dict[str, Any]:
    """A run whose every script- or data-provided string is ``text``: a failing isolation case
    (error, validation, property, minimal input), a passing one, and a pipeline run a -> b."""
    a, b = f"{text}a", f"{text}b"
    failing = CaseResult(
        id=f"p::{a}[{text}]", mode="isolation", pipeline="p", step=a, scenario=text, outcome=Outcome.FAILED,
        classification=ErrorClass.SCRIPT_ERROR, message=text, stderr_tail=text, replay=f"specrun x --id {text}",
        metrics=ExecutionMetrics(wall_s=1.0, cpu_s=0.5, peak_rss_bytes=2**20),
        error=ChildError(type="ValueError", module="builtins", message=text, traceback=text,
                         frames=[TracebackFrame(file=f"{text}.py", line=3, function=text, is_user_script=True,
                                                code=text)]),
        validations=[PortValidation(port=text, direction="output", ok=False, message=text,
                                    failures=[ColumnFailure(column=text, check=text, count=2, examples=[text])])],
        properties=[PropertyResult(name=text, ok=False, message=text)],
        details={"failures": [{"input_head": {text: [{text: text}]}, "input_rows": {text: 1}}]})
    passing = CaseResult(id=f"p::{b}[standard]", mode="pipeline", pipeline="p", step=b, scenario="standard",
                         metrics=ExecutionMetrics(wall_s=2.0, cpu_s=1.0, peak_rss_bytes=2**21), message=text)
    edge = f"{a}.out -> {b}.{text}"
    evolution = DataEvolution(
        transformations=[Transformation(source=f"{a}.out", target=f"{b}.{text}", kind="handoff", step=b,
                                        rows_before=3, rows_after=2, rows_dropped=1,
                                        dtype_changes=[DtypeChange(column=text, before="int64", after=text)])],
        degradation_points=[DegradationPoint(transformation=f"{a}.out -> {b}.{text}", step=b, kind="rows",
                                             column=text, before=3, after=2, threshold=0.1, message=text)])
    pipeline = PipelineRecord(
        pipeline="p", spec="spec.yaml", execution="parallel", validation="strict", max_parallel=2,
        continue_on_failure=True, scenario="standard", seed=1, wall_s=2.0,
        steps=[StepTiming(step=a, outcome="failed", duration_s=1.0, started_s=0.0, finished_s=1.0, message=text),
               StepTiming(step=b, outcome="passed", duration_s=1.0, started_s=1.0, finished_s=2.0)],
        transitions=[TransitionSummary(id=f"p::pipeline::{edge}", edge=edge, outcome="failed", blame="producer",
                                       message=text)],
        critical_path=[a, b], critical_path_s=2.0, bottleneck=a, evolution=evolution)
    result = SessionResult(started="2026-01-01T00:00:00+00:00", finished="2026-01-01T00:00:05+00:00", seed=7,
                           versions={"specrun": "0.1.0"}, args=["specs", text], cases=[failing, passing],
                           records={"pipeline:p": pipeline}, exit_code=1)
    return json.loads(json_report.render(result))

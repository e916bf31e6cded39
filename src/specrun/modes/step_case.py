"""Running one step once, in a sandbox, and judging the outcome.

Shared by every mode that runs a step: the inputs are prepared by the caller
(synthesised, handed over from a producer, sampled from S3), this module fills in
the argv placeholders, runs the script through an executor, validates the
outputs against their contracts, checks the step's properties and compares the
outcome with the scenario's expectation (see the verdict table in docs/cli.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.profile import DataProfile
from ..contract.io import PortReadError, port_files, read_port
from ..contract.layout_gaps import layout_gaps, stray_files
from ..contract.split_files import file_schema
from ..contract.validate import validate_frame
from ..execution.container import container_run
from ..execution.fingerprint import fingerprint, input_changes
from ..execution.request import RunRecord, RunRequest
from ..lazy import lazy_module
from ..results import (
    CaseResult,
    ColumnFailure,
    ErrorClass,
    Outcome,
    PortValidation,
    PropertyResult,
    RetryAttempt,
)
from ..spec.model import ExpectSpec, PipelineSpec, PortSpec, SchemaSpec, StepSpec
from ..spec.placeholders import fill_args
from .expectation import log_mismatches
from .large_ports import checked_by_column, port_validation
from .retries import run_with_retries

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ..plugin_types import SessionLike

@dataclass
class StepRunPlan:
    """Everything needed to run a step once; inputs already in place."""

    step: StepSpec
    workdir: Path
    input_paths: dict[str, Path]
    output_paths: dict[str, Path]
    output_schemas: dict[str, SchemaSpec | None]
    env: dict[str, str]
    job_args: dict[str, Any]
    timeout: float | None
    memory_limit: int | None
    input_frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    label: str = ""
    #: whether every input satisfied its contract (None: not known); decides whom an
    #: exception blames (see execution/classify.py) and what a clean exit under
    #: ``expect: fail`` is called
    inputs_valid: bool | None = None
    #: input → the files of it the scenario removed or truncated (contract/part_mutations.py)
    files_changed: dict[str, str] = field(default_factory=dict)


@dataclass
class StepOutcome:
    """What running a step produced, before it becomes a :class:`CaseResult`."""

    record: RunRecord
    validations: list[PortValidation]
    properties: list[PropertyResult]
    output_frames: dict[str, pd.DataFrame]
    inputs_valid: bool | None = None
    #: what the run did to its own input files ("input 'x': a.csv changed"); see execution/fingerprint.py
    input_changes: dict[str, str] = field(default_factory=dict)
    #: the runs before ``record`` that failed transiently and were retried
    retries: list[RetryAttempt] = field(default_factory=list)
    #: the profiles of the outputs checked column by column (``profile_outputs``), whose
    #: frames were never held: they are not in ``output_frames``
    output_profiles: dict[str, DataProfile] = field(default_factory=dict)


def input_schema(spec: PipelineSpec, port: PortSpec) -> SchemaSpec | None:
    """The consumer's own schema, else (for ``from:`` inputs) the producer's output schema."""
    if port.schema is not None or not port.from_:
        return port.schema
    producer, _, output = port.from_.partition(".")
    step = spec.steps.get(producer)
    if step is None or output not in step.outputs:
        return None
    return step.outputs[output].schema


def with_warning_filters(env: Mapping[str, str], filters: Sequence[str]) -> dict[str, str]:
    """The step's environment with the ``-W`` filters of the command line appended to its
    own ``PYTHONWARNINGS``: the child applies them last, so they take precedence, as
    ``python -W`` options do over ``PYTHONWARNINGS``."""
    env = dict(env)
    if filters:
        env["PYTHONWARNINGS"] = ",".join([*filter(None, [env.get("PYTHONWARNINGS", "")]), *filters])
    return env


def run_step(session: SessionLike, plan: StepRunPlan, executor_name: str | None = None, *,
             retry: bool = True, profile_outputs: str | None = None) -> StepOutcome:
    """Run the script and check its outputs and properties; never raises for the script.
    ``retry``: rerun a transient failure as the step's ``retries:`` allow (see modes/retries.py).
    ``profile_outputs`` (the profiles' prefix, ``STEP``): the caller needs the outputs'
    profiles, not their frames, so a large parquet output of a step without properties is
    validated and profiled column by column (modes/large_ports.py) instead of read whole."""
    step = plan.step
    inputs = {k: str(v) for k, v in plan.input_paths.items()}
    outputs = {k: str(v) for k, v in plan.output_paths.items()}
    container = container_run(step.container, plan.workdir, inputs, outputs, plan.job_args) \
        if step.container is not None else None
    env = {**container.env, **plan.env} if container is not None else plan.env
    request = RunRequest(
        script=step.program, workdir=plan.workdir, call=step.call, python=step.python,
        args=fill_args(step.args, inputs, outputs),
        command=fill_args(step.command, inputs, outputs) if step.command is not None else None,
        env=with_warning_filters(env, session.options.warning_filters),
        input_paths={k: str(v) for k, v in plan.input_paths.items()},
        output_paths={k: str(v) for k, v in plan.output_paths.items()},
        job_args=dict(plan.job_args), timeout=plan.timeout, memory_limit=plan.memory_limit,
        label=plan.label, inputs_valid=plan.inputs_valid, network=step.network, cpu=step.cpu,
        max_output_bytes=step.max_output_size, coverage=session.options.cov, container=container,
    )
    before = fingerprint(plan.input_paths)
    record, retried = run_with_retries(session.executor(executor_name), request, step, plan.output_paths,
                                       retry=retry)
    record.metrics.timeout_s, record.metrics.memory_limit_bytes = plan.timeout, plan.memory_limit
    changes = input_changes(before, plan.input_paths)
    if not record.ok:
        return StepOutcome(record, [], [], {}, plan.inputs_valid, changes, retried)
    parts: dict[str, dict[str, pd.DataFrame]] = {}
    profiles: dict[str, DataProfile] | None = {} if profile_outputs is not None and not step.properties else None
    validations, frames = check_outputs(session, step, plan.output_paths, plan.output_schemas, parts,
                                        returned=record.returned, profiles=profiles, profile_prefix=profile_outputs)
    properties: list[PropertyResult] = []
    if all(v.ok for v in validations):
        properties = check_properties(session, step, plan.input_frames, frames, parts)
    return StepOutcome(record, validations, properties, frames, plan.inputs_valid, changes, retried,
                       output_profiles=profiles or {})


def check_outputs(session: SessionLike, step: StepSpec, paths: Mapping[str, Path],
                  schemas: Mapping[str, SchemaSpec | None],
                  parts_read: dict[str, dict[str, pd.DataFrame]] | None = None,
                  returned: str | None = None, profiles: dict[str, DataProfile] | None = None,
                  profile_prefix: str | None = None,
                  ) -> tuple[list[PortValidation], dict[str, pd.DataFrame]]:
    """Every declared output exists and honours its contract (lazy pandera validation).
    ``parts_read`` receives each layout output's frames by file; ``returned`` is the repr
    of what ``call: main`` returned, named when an output is missing.  With ``profiles``, an
    output checked column by column gets its profile there (``PREFIX.PORT``) instead of a frame."""
    validations: list[PortValidation] = []
    frames: dict[str, pd.DataFrame] = {}
    for name, port in step.outputs.items():
        path = paths[name]
        schema = schemas.get(name)
        # a layout without {shard} lists the files it expects: only those that exist count
        files = [f for f in port_files(port, path) if f.exists()] if path.exists() else []
        if not files:
            if port.required:
                validations.append(PortValidation(name, "output", False, message=(
                    _not_written(step, name, returned) + f" (expected {_describe_target(port, path)})")))
            continue
        gaps = layout_gaps(port, files, path) + stray_files(port, files, path)
        if gaps:
            validations.append(PortValidation(name, "output", False, message=f"output {name!r}: " + "; ".join(gaps)))
            continue
        if not port.tabular:
            validations.append(_check_artifact(name, port, files, step))
            continue
        if profiles is not None:
            checked = checked_by_column(session, name, "output", port, path, schema,
                                        profile_as=f"{profile_prefix}.{name}", nbytes=Path(path).stat().st_size)
            if checked is not None and checked[0] is not None and checked[1] is not None:
                validations.append(checked[0])
                profiles[name] = checked[1]
                continue
        try:
            parts = read_port(port, path, schema, types=session.types)
        except PortReadError as exc:
            validations.append(PortValidation(name, "output", False, message=str(exc)))
            continue
        frames[name] = (pd.concat(list(parts.values()), ignore_index=True) if len(parts) > 1
                        else next(iter(parts.values())))
        if parts_read is not None and port.is_dir:
            parts_read[name] = parts
        validations.append(validate_port_parts(session, name, "output", parts, schema, port))
    return validations, frames


def _validate_split_parts(session: SessionLike, name: str, direction: str,
                         parts: Mapping[str, pd.DataFrame], port: PortSpec) -> PortValidation:
    """Validate each file of a ``split_schemas`` port against its own split's schema."""
    by_schema: dict[str, tuple[SchemaSpec, dict[str, pd.DataFrame]]] = {}
    for relative, frame in parts.items():
        schema = file_schema(port, relative)
        if schema is not None:
            by_schema.setdefault(schema.name, (schema, {}))[1][relative] = frame
    checked = [validate_port_parts(session, name, direction, files, schema)
               for schema, files in by_schema.values()]
    rows = sum(len(f) for f in parts.values())
    failed = [v for v in checked if not v.ok]
    if not failed:
        return PortValidation(name, direction, True, rows=rows)
    return PortValidation(name, direction, False, rows=rows, message="; ".join(v.message for v in failed),
                          failures=[f for v in failed for f in v.failures])


def validate_port_parts(session: SessionLike, name: str, direction: str,
                        parts: Mapping[str, pd.DataFrame], schema: SchemaSpec | None,
                        port: PortSpec | None = None) -> PortValidation:
    """Validate each file of a port against ``schema``; failures merged per column/check.
    With ``schema`` None and ``port`` a ``split_schemas`` port, each file against its split's."""
    if schema is None and port is not None and port.split_schemas:
        return _validate_split_parts(session, name, direction, parts, port)
    rows = sum(len(f) for f in parts.values())
    if schema is None:
        return PortValidation(name, direction, True, rows=rows, message="no schema declared")
    compiled = session.contracts.pandera(schema)
    failures: list[ColumnFailure] = []
    for relative, frame in parts.items():
        ok, found = validate_frame(frame, compiled)
        for failure in found:
            if relative:
                failure.check = f"{failure.check} [{relative}]"
            failures.append(failure)
    return port_validation(name, direction, rows, failures, schema)


def check_properties(session: SessionLike, step: StepSpec, inputs: Mapping[str, pd.DataFrame],
                     outputs: Mapping[str, pd.DataFrame],
                     output_parts: Mapping[str, dict[str, pd.DataFrame]] | None = None) -> list[PropertyResult]:
    from ..contract.properties import PropertyContext, module_dirs

    context = PropertyContext(step=step, inputs=dict(inputs), outputs=dict(outputs),
                              base_dir=step.folder, output_parts=dict(output_parts or {}),
                              module_dirs=module_dirs(step))
    results = []
    for prop in step.properties:
        checker = session.properties.get(prop.kind)
        label = f"{prop.kind}({_short(prop.params)})"
        if checker is None:
            results.append(PropertyResult(label, False, f"unknown property {prop.kind!r}"))
            continue
        try:
            result = checker(prop.params, context)
        except Exception as exc:  # a property bug is the case's failure, not specrun's crash
            result = PropertyResult(label, False, f"{type(exc).__name__}: {exc}")
        results.append(result)
    return results


def judge(case_id: str, outcome: StepOutcome, expect: ExpectSpec) -> tuple[Outcome, ErrorClass | None, str]:
    """Compare what happened with what the scenario expects (the verdict table in docs/cli.md).

    ``pass``: the script exits 0 and every output and property holds.  ``fail``: the
    script itself fails (non-zero exit, exception, signal, limit) as refined by
    ``error``, ``exit_code`` and ``classification``; a clean exit whose outputs break
    their contracts is a failure of its own (ACCEPTED_INVALID on invalid input), never
    "failed as expected".  The log keys (``stderr``, ``warns`` …) apply to both."""
    record = outcome.record
    if not record.ok and record.classification is ErrorClass.SETUP_ERROR:
        # the executor could not run the case (a container case without namespaces, a Dask
        # case over the transfer cap, its worker died twice): an ERROR whatever the scenario
        # expects, never the script's verdict
        return Outcome.ERROR, ErrorClass.SETUP_ERROR, record.message
    script_failed = not record.ok
    broken = _broken_outputs(outcome) if not script_failed else None
    logs = log_mismatches(expect, record)
    if expect.outcome == "pass":
        if script_failed:
            return Outcome.FAILED, record.classification, record.message
        if broken is not None:
            return Outcome.FAILED, ErrorClass.CONTRACT_ERROR, broken
        if logs:
            return Outcome.FAILED, ErrorClass.EXPECTATION_ERROR, (
                f"succeeded, but not as expected: {'; '.join(logs)}")
        return Outcome.PASSED, None, ""
    if not script_failed:
        if broken is not None:
            if outcome.inputs_valid is True:
                return Outcome.FAILED, ErrorClass.CONTRACT_ERROR, (
                    f"expected the script to fail, but it exited 0 and its output violates "
                    f"the contract: {broken}")
            return Outcome.FAILED, ErrorClass.ACCEPTED_INVALID, (
                f"the script exited 0 on invalid input; its output violates the contract: {broken}")
        return Outcome.FAILED, ErrorClass.EXPECTATION_ERROR, (
            "expected the script to fail" + (f" with an error matching {expect.error!r}" if expect.error else "")
            + ", but it succeeded")
    actual = f"{record.classification.value if record.classification else '?'}: {record.message}"
    problems = _expectation_mismatches(expect, record) + logs
    if problems:
        return Outcome.FAILED, ErrorClass.EXPECTATION_ERROR, (
            f"failed, but not as expected: {'; '.join(problems)} (actual: {actual})")
    return Outcome.PASSED, None, f"failed as expected: {actual}"


def _broken_outputs(outcome: StepOutcome) -> str | None:
    """What the outputs and properties of a clean run broke, or None."""
    bad_ports = [v for v in outcome.validations if not v.ok]
    if bad_ports:
        return "; ".join(v.message for v in bad_ports)
    bad_props = [p for p in outcome.properties if not p.ok]
    if bad_props:
        return "; ".join(f"property {p.name} failed: {p.message}" for p in bad_props)
    return None


def _expectation_mismatches(expect: ExpectSpec, record: RunRecord) -> list[str]:
    """How a failed run differs from the ``error``, ``exit_code`` and ``classification``
    refinements of ``expect: fail``; empty when it agrees."""
    problems = []
    if expect.error:
        haystack = "\n".join(filter(None, [
            record.message,
            f"{record.error.type}: {record.error.message}" if record.error else "",
            record.stderr_tail,
        ]))
        if not re.search(expect.error, haystack):
            problems.append(f"no error matching {expect.error!r}")
    if expect.exit_code is not None and record.metrics.exit_code != expect.exit_code:
        problems.append(f"exit code {record.metrics.exit_code} != expected {expect.exit_code}")
    found = record.classification.value if record.classification else None
    if expect.classification and found != expect.classification:
        problems.append(f"classification {found} != expected {expect.classification}")
    return problems


def fill_result(result: CaseResult, outcome: StepOutcome) -> CaseResult:
    record = outcome.record
    result.metrics = record.metrics
    result.error = record.error
    result.validations.extend(outcome.validations)
    result.properties = outcome.properties
    result.stdout_tail = record.stdout_tail
    result.stderr_tail = record.stderr_tail
    result.warnings = list(record.warnings)
    result.returned = record.returned
    if record.coverage is not None:
        result.details["coverage"] = record.coverage
    if record.metrics.stray_processes_killed:
        n = record.metrics.stray_processes_killed
        result.notices.append(f"killed {n} stray process{'es' if n != 1 else ''} the script left running")
    result.notices.extend(f"the script modified its input: {change}" for change in outcome.input_changes.values())
    result.retries = list(outcome.retries)
    if outcome.retries:
        n = len(outcome.retries)
        first = outcome.retries[0]
        result.notices.append(
            f"retried {n} time{'s' if n != 1 else ''} after a transient failure; the first attempt: "
            f"{first.classification.value if first.classification else 'failed'}: {first.message}")
    return result


def _not_written(step: StepSpec, name: str, returned: str | None) -> str:
    """Why an output is missing: a ``call: main`` that returned says what it returned."""
    if step.call and returned is not None:
        return f"{step.call}() returned {returned} without writing output {name!r}"
    return f"output {name!r} was not written"


def _check_artifact(name: str, port: PortSpec, files: list[Path], step: StepSpec) -> PortValidation:
    """The artifact's format and ``checks:`` (contract/artifacts.py), file by file."""
    from ..contract.artifacts import artifact_problems

    folders = [step.location.file.parent] if step.location is not None else []
    for file in files:
        problems = artifact_problems(port, file, folders + [step.folder])
        if problems:
            return PortValidation(name, "output", False,
                                  message=f"output {name!r}: {file.name} " + "; ".join(problems))
    return PortValidation(name, "output", True, message=f"{len(files)} file(s)")


def _describe_target(port: PortSpec, path: Path) -> str:
    if port.layout:
        return f"files {port.layout!r} under {path}"
    return str(path)


def _short(params: Any) -> str:
    text = json.dumps(params, default=str, sort_keys=True) if not isinstance(params, str) else params
    return text if len(text) <= 60 else text[:57] + "..."

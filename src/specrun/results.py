"""Result records: plain dataclasses that every mode emits and every reporter reads.

The JSON form (:func:`to_jsonable`) is the canonical record; console, JUnit and
HTML output are renderings of it.  Nothing here knows how a result was produced.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .display import html as _display_html

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# Re-exported: it lives below the spec, whose grammar names it (see error_class.py).
from .error_class import ErrorClass as ErrorClass


class ExitCode(enum.IntEnum):
    """Process exit codes, as in pytest."""

    OK = 0                 #: every case passed
    TESTS_FAILED = 1       #: at least one case failed or errored
    INTERRUPTED = 2        #: interrupted (Ctrl-C) or a usage error on the command line
    INTERNAL_ERROR = 3     #: a bug in specrun or in a plugin
    SPEC_ERROR = 4         #: a spec (or a plugin it names) is invalid
    NO_TESTS_COLLECTED = 5  #: nothing matched


class Outcome(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"      # the script or its data broke a contract or expectation
    ERROR = "error"        # the case could not be run (setup, source, missing fixture)
    SKIPPED = "skipped"


@dataclass
class ExecutionMetrics:
    """What the resource monitor measured for one process tree, and the limits it ran under."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_bytes: int = 0
    read_bytes: int = 0
    write_bytes: int = 0
    max_processes: int = 1     # the largest process tree seen (the script + its children)
    exit_code: int | None = None
    signal: int | None = None
    timed_out: bool = False
    memory_exceeded: bool = False
    stray_processes_killed: int = 0
    #: for a SIGKILL specrun did not send: whether the kernel's OOM killer sent it (from its
    #: cgroup kill counter, else the peak RSS; see execution/oom.py); None for other ends
    oom_killed: bool | None = None
    timeout_s: float | None = None           # the limits that applied (see modes/limits.py); None: unlimited
    memory_limit_bytes: int | None = None
    isolation: str = "process"               # "namespace" (bubblewrap) or "process" (see execution/namespace.py)
    #: what held the memory limit: "cgroup" (the kernel, exact: execution/cgroups.py) or "watchdog"
    #: (RSS sampled by execution/monitor.py); None without a limit
    memory_enforcement: str | None = None
    #: the most memory the kernel charged to the case's cgroup (cgroup enforcement only): what
    #: the limit bounds; RSS also counts shared pages charged elsewhere (libraries, a fork's parent)
    memory_peak_bytes: int | None = None
    cpu_limit: float | None = None           # the step's ``cpu:`` (None: not limited)
    cpu_enforcement: str | None = None       # "cgroup" (cpu.max quota) or "affinity" (ceil(cpu) cores)
    max_output_bytes: int | None = None      # the step's ``max_output_size`` (None: no disk budget)
    output_bytes: int | None = None          # the most disk the outputs took (measured with a budget only)
    output_exceeded: bool = False            # killed for writing more than ``max_output_size``


@dataclass
class TracebackFrame:
    """One frame of a script's traceback; ``is_user_script`` is False for library frames
    (the standard library, site-packages), which the console folds."""

    file: str
    line: int | None
    function: str
    is_user_script: bool
    code: str = ""             # the source line, when the file could be read


@dataclass
class ChildError:
    """An exception raised inside the script's process, as reported by the child."""

    type: str                  # "ValueError"
    module: str                # "builtins"
    message: str
    traceback: str
    mro: list[str] = field(default_factory=list)   # qualified names of the type's bases
    phase: str = "run"         # "import" (loading the script) or "run"
    frames: list[TracebackFrame] = field(default_factory=list)   # outermost first, as in ``traceback``
    frame: str = ""            # "script.py:12 in main": the deepest frame in the script's folder

    def script_frame(self) -> TracebackFrame | None:
        """The innermost frame in the user's own code (where the script went wrong), if any."""
        return next((f for f in reversed(self.frames) if f.is_user_script), None)


@dataclass
class RetryAttempt:
    """A run of the script that failed transiently and was retried (see ``retries:``)."""

    classification: ErrorClass | None
    message: str
    wall_s: float = 0.0


@dataclass
class ScriptWarning:
    """A Python warning the script emitted (as shown, i.e. after the warning filters)."""

    category: str              # "UserWarning"
    message: str
    filename: str = ""
    lineno: int = 0
    mro: list[str] = field(default_factory=list)   # qualified names of the category's bases


@dataclass
class ColumnFailure:
    """Validation failures grouped per column and check, with counts and examples."""

    column: str | None
    check: str
    count: int
    examples: list[Any] = field(default_factory=list)


@dataclass
class PortValidation:
    port: str
    direction: str            # "input" or "output"
    ok: bool
    rows: int | None = None
    message: str = ""
    failures: list[ColumnFailure] = field(default_factory=list)


@dataclass
class PropertyResult:
    name: str
    ok: bool
    message: str = ""


@dataclass
class CaseResult:
    """The outcome of one case: one step run (or one transition, or one analysis).

    ``mode`` names the mode that produced it and ``kind`` what it is inside that
    mode (``step``, ``transition``, ``property``, ``analysis`` …).  Anything
    mode-specific and JSON-serialisable goes in ``details``.
    """

    id: str
    mode: str
    pipeline: str
    step: str | None
    scenario: str | None = None
    kind: str = "step"
    params: dict[str, Any] = field(default_factory=dict)
    outcome: Outcome = Outcome.PASSED
    classification: ErrorClass | None = None
    message: str = ""
    seed: int | None = None
    duration_s: float = 0.0
    metrics: ExecutionMetrics | None = None
    error: ChildError | None = None
    validations: list[PortValidation] = field(default_factory=list)
    properties: list[PropertyResult] = field(default_factory=list)
    stdout_tail: str = ""
    stderr_tail: str = ""
    warnings: list[ScriptWarning] = field(default_factory=list)
    returned: str | None = None     # repr of what ``call: main`` returned, when it returned
    workdir: str | None = None
    replay: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: what specrun noticed that did not decide the verdict (stray processes it killed, an
    #: input the script modified in isolation); shown in the console's notices summary and JUnit
    notices: list[str] = field(default_factory=list)
    #: the earlier runs that failed transiently and were retried (the last run decided the verdict)
    retries: list[RetryAttempt] = field(default_factory=list)
    #: served from the result cache: this record is the one stored when the case last ran
    #: on the same inputs (``details['cache']`` holds the key); see modes/result_cache
    cached: bool = False

    @property
    def passed(self) -> bool:
        return self.outcome in (Outcome.PASSED, Outcome.SKIPPED)

    @property
    def flaky(self) -> bool:
        """Passed, but only after a retry: the script failed at least once on this input."""
        return self.outcome is Outcome.PASSED and bool(self.retries)

    def _repr_html_(self) -> str | None:
        """The case in a notebook: its summary and, when it failed, the report's failure details."""
        return _display_html("case", self)


#: the columns of :meth:`SessionResult.to_frame`, with their pandas dtypes
FRAME_COLUMNS: dict[str, str] = {
    "id": "string", "pipeline": "string", "mode": "string", "kind": "string", "step": "string",
    "scenario": "string", "outcome": "string", "classification": "string", "message": "string",
    "seed": "Int64", "duration_s": "float64", "wall_s": "Float64", "cpu_s": "Float64",
    "peak_rss_bytes": "Int64", "memory_peak_bytes": "Int64", "exit_code": "Int64", "flaky": "bool", "replay": "string"}


def _frame_row(case: CaseResult) -> dict[str, Any]:
    metrics = case.metrics
    return {"id": case.id, "pipeline": case.pipeline, "mode": case.mode, "kind": case.kind, "step": case.step,
            "scenario": case.scenario, "outcome": case.outcome.value,
            "classification": case.classification.value if case.classification else None,
            "message": case.message, "seed": case.seed, "duration_s": case.duration_s,
            "wall_s": metrics.wall_s if metrics else None, "cpu_s": metrics.cpu_s if metrics else None,
            "peak_rss_bytes": metrics.peak_rss_bytes if metrics else None,
            "memory_peak_bytes": metrics.memory_peak_bytes if metrics else None,
            "exit_code": metrics.exit_code if metrics else None, "flaky": case.flaky, "replay": case.replay}


@dataclass
class PipelineRun:
    """One pipeline-mode run of a spec (``SessionResult.pipeline(name)``), read from its record:
    the steps with their timings, the validated transitions, the critical path and the data
    evolution (transformations, degradation points, quality metrics)."""

    name: str
    record: dict[str, Any]           # the JSON form of the mode's record, as last-run.json holds it

    @property
    def steps(self) -> list[dict[str, Any]]:
        return list(self.record.get("steps") or [])

    @property
    def transitions(self) -> list[dict[str, Any]]:
        return list(self.record.get("transitions") or [])

    @property
    def critical_path(self) -> list[str]:
        return list(self.record.get("critical_path") or [])

    @property
    def critical_path_s(self) -> float:
        return float(self.record.get("critical_path_s") or 0.0)

    @property
    def bottleneck(self) -> str | None:
        return self.record.get("bottleneck")

    @property
    def evolution(self) -> dict[str, Any]:
        """``transformations``, ``degradation_points`` and ``quality_metrics`` along the DAG."""
        return dict(self.record.get("evolution") or {})

    @property
    def degradation_points(self) -> list[dict[str, Any]]:
        return list(self.evolution.get("degradation_points") or [])

    def _repr_html_(self) -> str | None:
        """The report's pipeline section: DAG, transitions, timeline, data evolution."""
        return _display_html("pipeline", self)


@dataclass
class SessionResult:
    """Everything one ``specrun`` invocation did."""

    started: str
    finished: str | None = None
    seed: int | None = None
    versions: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    collected: int = 0
    deselected: int = 0              # planned cases left out by -k, --id, --lf, --sw … (see docs/cli.md)
    cases: list[CaseResult] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)  # mode-level records (pipeline, deep_dive …)
    exit_code: int | None = None
    interrupted: bool = False
    stop_signal: str | None = None   # SIGINT, SIGTERM or SIGHUP when a signal interrupted the run
    stopped: str | None = None       # why the run stopped early (-x, --sw): "stopping after first failure (ID)"
    not_run: int = 0                 # selected cases that never finished (stopped early or interrupted)
    isolation: str | None = None     # "namespace" or "process": how scripts ran (None: nothing ran)
    isolation_reason: str = ""       # why "process" (no bubblewrap, namespaces disabled …)

    def counts(self) -> dict[str, int]:
        out = {o.value: 0 for o in Outcome}
        for case in self.cases:
            out[case.outcome.value] += 1
        return out

    @property
    def failures(self) -> list[CaseResult]:
        """The cases that failed or errored, in the order they finished."""
        return [case for case in self.cases if case.outcome in (Outcome.FAILED, Outcome.ERROR)]

    def to_frame(self) -> pd.DataFrame:
        """One row per case (:data:`FRAME_COLUMNS`: ids, outcome, classification, timings, memory);
        pandas is imported here, not by ``import specrun``."""
        import pandas as pd

        rows = [_frame_row(case) for case in self.cases]
        return pd.DataFrame({name: pd.Series([row[name] for row in rows], dtype=dtype)
                             for name, dtype in FRAME_COLUMNS.items()})

    def pipelines(self) -> list[str]:
        """The names of the pipelines this run ran in pipeline mode."""
        return [name.removeprefix("pipeline:") for name in self.records if name.startswith("pipeline:")]

    def pipeline(self, name: str | None = None) -> PipelineRun:
        """The pipeline-mode run of pipeline ``name`` (may be left out when there is one; a spec
        that runs its DAG several times names each run ``PIPELINE[RUN]``, see docs/spec.md);
        ``KeyError`` naming the pipelines that ran otherwise."""
        names = self.pipelines()
        if name is None and len(names) == 1:
            name = names[0]
        if name is None or name not in names:
            known = ", ".join(names) or "none: no spec ran in pipeline mode"
            raise KeyError(f"no pipeline run {name!r} in this result (pipeline runs: {known})")
        return PipelineRun(name, to_jsonable(self.records[f"pipeline:{name}"]))

    def _repr_html_(self) -> str | None:
        """The run in a notebook: the report's summary, a case table, failures and pipeline runs."""
        return _display_html("session", self)


def to_jsonable(value: Any) -> Any:
    """Turn results (dataclasses, enums, paths, numpy scalars …) into JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    item = getattr(value, "item", None)   # numpy / pandas scalars
    if callable(item):
        try:
            return to_jsonable(item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def case_from_json(data: dict[str, Any]) -> CaseResult:
    """Rebuild a :class:`CaseResult` from its JSON form (for replay and reports)."""
    data = dict(data)
    data["outcome"] = Outcome(data["outcome"])
    if data.get("classification"):
        data["classification"] = ErrorClass(data["classification"])
    if data.get("metrics"):
        data["metrics"] = ExecutionMetrics(**data["metrics"])
    if data.get("error"):
        error = dict(data["error"])
        error["frames"] = [TracebackFrame(**f) for f in error.get("frames", [])]
        data["error"] = ChildError(**error)
    data["validations"] = [
        PortValidation(**{**v, "failures": [ColumnFailure(**f) for f in v.get("failures", [])]})
        for v in data.get("validations", [])
    ]
    data["properties"] = [PropertyResult(**p) for p in data.get("properties", [])]
    data["warnings"] = [ScriptWarning(**w) for w in data.get("warnings", [])]
    data["retries"] = [RetryAttempt(**{**r, "classification": ErrorClass(r["classification"])
                                       if r.get("classification") else None})
                       for r in data.get("retries", [])]
    data.pop("flaky", None)   # derived (CaseResult.flaky), written by the JSON reporter
    return CaseResult(**data)


def session_from_json(data: dict[str, Any]) -> SessionResult:
    """Rebuild a :class:`SessionResult` from its JSON record (``--json``, ``last-run.json``);
    the mode records stay in their JSON form and the derived keys (counts, groups) are
    recomputed by whoever renders it again."""
    names = {f.name for f in dataclasses.fields(SessionResult)}
    fields = {key: value for key, value in data.items() if key in names and key != "cases"}
    return SessionResult(**fields, cases=[case_from_json(case) for case in data.get("cases", [])])

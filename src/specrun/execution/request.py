"""What the isolation, pipeline and deep-dive modes ask an executor to run, and what
comes back.  Executors (fresh process, warm fork, Dask) all speak these types."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..results import ChildError, ErrorClass, ExecutionMetrics, RetryAttempt, ScriptWarning

if TYPE_CHECKING:  # pragma: no cover
    from .container import ContainerRun


@dataclass
class RunRequest:
    """One run of one script in one sandbox."""

    script: Path
    workdir: Path                          # the sandbox root; the child's cwd
    python: str | None = None              # the step's own interpreter (None: the executor's)
    #: any executable instead of the Python harness (placeholders filled); ``script`` is
    #: then its program, for logs and the sandbox's readable folders
    command: list[str] | None = None
    call: str | None = None                # "main": SageMaker-style main(...); None: run as __main__
    args: list[str] = field(default_factory=list)         # argv[1:], placeholders already filled
    env: dict[str, str] = field(default_factory=dict)     # declared env only (plus PATH/HOME/LANG)
    input_paths: dict[str, str] = field(default_factory=dict)
    output_paths: dict[str, str] = field(default_factory=dict)
    job_args: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None           # seconds, wall clock
    memory_limit: int | None = None        # bytes, for the whole process tree
    cpu: float | None = None               # cores' time per wall second (``cpu: 1.5``)
    max_output_bytes: int | None = None    # the sandbox's disk budget (``max_output_size``)
    label: str = ""                        # case id, for logs
    network: bool = False                  # the step's ``network:`` (namespace sandbox only)
    #: whether the inputs satisfied their contracts (None: not known); the classifier
    #: blames the script for an exception on valid input, the data on invalid input
    inputs_valid: bool | None = None
    coverage: bool = False                 # measure the script's line coverage (``--cov``)
    #: a container case: the SageMaker paths bound onto the ports (needs the namespace sandbox)
    container: ContainerRun | None = None


@dataclass
class RunRecord:
    """What happened to the process tree."""

    ok: bool                               # exited 0, no timeout, no limit hit
    metrics: ExecutionMetrics
    classification: ErrorClass | None = None
    error: ChildError | None = None        # the script's exception, when it raised one
    message: str = ""                      # one line for the report
    stdout_path: Path | None = None
    stderr_path: Path | None = None
    stdout_tail: str = ""
    stderr_tail: str = ""
    returned: str | None = None            # repr of main()'s return value (``call: main`` only)
    warnings: list[ScriptWarning] = field(default_factory=list)   # Python warnings shown
    #: ``--cov``: the script's line coverage, ``{file, statements, missing}`` (None: not measured)
    coverage: dict[str, Any] | None = None
    #: attempts the executor itself made before this run (the Dask executor: a worker died mid-case)
    attempts: list[RetryAttempt] = field(default_factory=list)


class Executor(Protocol):
    """Runs scripts in isolated processes.  Never raises for a script's failure."""

    name: str

    def run(self, request: RunRequest) -> RunRecord: ...

    def close(self) -> None: ...

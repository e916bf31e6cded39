"""The misbehaving-script table shared by the integration tests and
``bench/classification_table.py``: each script, how to run it, and what the
FreshExecutor must make of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specrun.execution.request import RunRecord, RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.results import ErrorClass

SCRIPTS = Path(__file__).resolve().parent / "scripts"
MiB = 2**20


@dataclass(frozen=True)
class ScriptCase:
    """One script run and the verdict expected from it."""

    id: str
    script: str
    classification: ErrorClass | None         # None: the run must be ok
    message: str                              # a key part of RunRecord.message
    call: str | None = "main"
    args: tuple[str, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)
    job_args: dict[str, Any] = field(default_factory=dict)
    timeout: float = 120.0
    memory_limit: int | None = None
    exit_code: int | None = None              # expected metrics.exit_code, when it matters
    signal: int | None = None                 # expected metrics.signal, when it matters
    stray_processes_killed: int = 0


MISBEHAVING: tuple[ScriptCase, ...] = (
    ScriptCase("value_error", "raises_value_error.py", ErrorClass.DATA_ERROR,
               "ValueError: unknown currency 'XXX'", exit_code=1),
    ScriptCase("pandas_parser_error", "pandas_parser_error.py", ErrorClass.DATA_ERROR,
               "ParserError: Error tokenizing data", exit_code=1),
    ScriptCase("missing_module", "missing_import.py", ErrorClass.IMPORT_ERROR,
               "ModuleNotFoundError while importing the script: No module named "
               "'specrun_test_no_such_module_4711'", exit_code=1),
    ScriptCase("syntax_error", "syntax_error.py", ErrorClass.IMPORT_ERROR,
               "SyntaxError while importing the script: expected ':'", exit_code=1),
    ScriptCase("no_main", "no_main.py", ErrorClass.CONTRACT_ERROR,
               "the script defines no callable main()", exit_code=1),
    ScriptCase("wrong_signature", "wrong_signature.py", ErrorClass.CONTRACT_ERROR,
               "main() must accept (input_paths, output_paths, environ_vars, job_args)",
               exit_code=1),
    ScriptCase("assertion", "asserts.py", ErrorClass.SCRIPT_ERROR,
               "AssertionError: MODE must be strict", exit_code=1),
    ScriptCase("sys_exit_3", "exit_3.py", ErrorClass.SCRIPT_ERROR, "exited with code 3",
               call=None, exit_code=3),
    ScriptCase("abort", "aborts.py", ErrorClass.CRASH, "killed by signal SIGABRT",
               call=None, signal=6),
    ScriptCase("segfault", "segfaults.py", ErrorClass.CRASH, "killed by signal SIGSEGV",
               call=None, signal=11),
    # a 20 MiB process that SIGKILLs itself is not an OOM kill (the cgroup's oom_kill count does
    # not grow; without a counter, its peak RSS is far below the memory it could use)
    ScriptCase("self_sigkill", "killed_by_sigkill.py", ErrorClass.CRASH,
               "killed by SIGKILL sent by neither specrun nor the OOM killer", call=None, signal=9),
    ScriptCase("memory_hog", "memory_hog.py", ErrorClass.RESOURCE_ERROR,
               "memory limit 200.0 MiB exceeded", memory_limit=200 * MiB),
    ScriptCase("sleeps_forever", "sleeps_forever.py", ErrorClass.TIMEOUT,
               "timed out after 1 s; killed the process tree", timeout=1.0,
               outputs={"pids": "output/pids.json"}),
    ScriptCase("escaping_grandchild", "escaping_grandchild.py", None,
               "killed 1 stray process left running by the script",
               outputs={"pid": "output/grandchild.pid"}, exit_code=0, stray_processes_killed=1),
)


def request_for(case: ScriptCase, root: Path) -> RunRequest:
    """The RunRequest of ``case`` in the sandbox at ``root`` (outputs relative to it)."""
    return RunRequest(
        script=SCRIPTS / case.script, workdir=root, call=case.call, args=list(case.args),
        output_paths={k: str(root / v) for k, v in case.outputs.items()},
        job_args=dict(case.job_args), timeout=case.timeout, memory_limit=case.memory_limit,
        label=case.id)


def run_case(case: ScriptCase, base: Path, executor: FreshExecutor | None = None
             ) -> tuple[RunRecord, Path]:
    """Run ``case`` in a kept sandbox under ``base``; the record and the sandbox root."""
    executor = executor or FreshExecutor()
    with SandboxDir(base=base, prefix=f"{case.id}-", keep=True) as box:
        return executor.run(request_for(case, box.root)), box.root

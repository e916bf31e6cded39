"""Classify a failed run from the child's real exception type (its MRO), its fate and
whether its inputs satisfied their contracts.

The rules, first match wins:

1. the run timed out → TIMEOUT; the memory limit or the disk budget (``max_output_size``)
   was hit → RESOURCE_ERROR;
2. killed by a signal: SIGKILL from the kernel's OOM killer (``metrics.oom_killed``, see
   :mod:`.oom`) → RESOURCE_ERROR; any other signal (SIGSEGV, SIGABRT, a SIGKILL the
   script sent itself …) → CRASH;
3. the exception's MRO (qualified names) against :data:`EXCEPTION_CLASSES`:
   MemoryError → RESOURCE_ERROR; ImportError / SyntaxError → IMPORT_ERROR; the
   script not offering ``main`` → CONTRACT_ERROR; ValueError, KeyError, TypeError,
   IndexError, ArithmeticError, pandas / pyarrow / pandera data errors → DATA_ERROR;
4. anything else (AssertionError, OSError, SystemExit(n), a bare non-zero exit) →
   SCRIPT_ERROR.  With no exception record, the last exception named in stderr's
   traceback is used when it is a built-in one.

Rules 3–4 then blame the right party when the caller knows whether the inputs were
valid (``inputs_valid``): on input that satisfied its contract, a DATA_ERROR becomes
SCRIPT_ERROR (a ``KeyError`` on valid data is the script's bug, not bad data); on
input that broke its contract, a SCRIPT_ERROR raised while running (not while
importing) becomes DATA_ERROR (the script rejected the bad input).  Unknown (None):
rules 3–4 as they are.

Built-in plugin: :func:`specrun_classify_error` is a ``trylast`` implementation of the
``firstresult`` hook, so a plugin returning a class overrides it.
"""

from __future__ import annotations

import builtins
import re
import signal

from ..hooks import hookimpl
from ..results import ChildError, ErrorClass, ExecutionMetrics

#: Qualified exception names (as in ``ChildError.mro``) → class; the first name of an
#: exception's MRO found here decides, so subclasses may be listed before bases.
EXCEPTION_CLASSES: dict[str, ErrorClass] = {
    "builtins.MemoryError": ErrorClass.RESOURCE_ERROR,
    "builtins.SyntaxError": ErrorClass.IMPORT_ERROR,
    "builtins.ImportError": ErrorClass.IMPORT_ERROR,
    "specrun.execution.child.ScriptContractError": ErrorClass.CONTRACT_ERROR,
    "builtins.AssertionError": ErrorClass.SCRIPT_ERROR,
    "builtins.SystemExit": ErrorClass.SCRIPT_ERROR,
    "pandera.errors.SchemaError": ErrorClass.DATA_ERROR,
    "pandera.errors.SchemaErrors": ErrorClass.DATA_ERROR,
    "pyarrow.lib.ArrowInvalid": ErrorClass.DATA_ERROR,
    "pyarrow.lib.ArrowTypeError": ErrorClass.DATA_ERROR,
    "builtins.ValueError": ErrorClass.DATA_ERROR,
    "builtins.KeyError": ErrorClass.DATA_ERROR,
    "builtins.IndexError": ErrorClass.DATA_ERROR,
    "builtins.TypeError": ErrorClass.DATA_ERROR,
    "builtins.ArithmeticError": ErrorClass.DATA_ERROR,
    "_csv.Error": ErrorClass.DATA_ERROR,
}

#: Modules whose exceptions all mean "the data is wrong" (pandas.errors.ParserError,
#: EmptyDataError, MergeError …), matched on the exception's own module.
DATA_ERROR_MODULES: tuple[str, ...] = ("pandas.errors",)

_TRACEBACK_LAST_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")


def classify_exception(mro: list[str]) -> ErrorClass:
    """The class of an exception from its MRO's qualified names."""
    for name in mro:
        found = EXCEPTION_CLASSES.get(name)
        if found is not None:
            return found
        if name.rsplit(".", 1)[0] in DATA_ERROR_MODULES:
            return ErrorClass.DATA_ERROR
    return ErrorClass.SCRIPT_ERROR


def exception_named_in_stderr(stderr: str) -> list[str] | None:
    """The MRO of the built-in exception that ends the last traceback in ``stderr``."""
    if "Traceback (most recent call last):" not in stderr:
        return None
    tail = stderr.rsplit("Traceback (most recent call last):", 1)[1]
    for line in reversed(tail.splitlines()):
        if not line or line[0].isspace():
            continue
        match = _TRACEBACK_LAST_LINE.match(line)
        if match is None:
            continue
        cls = getattr(builtins, match.group(1), None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            return [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__]
        return None
    return None


def classify(error: ChildError | None, metrics: ExecutionMetrics, stderr: str,
             inputs_valid: bool | None = None) -> ErrorClass:
    """How a failed run failed (see the module docstring for the rules)."""
    if metrics.timed_out:
        return ErrorClass.TIMEOUT
    if metrics.memory_exceeded or metrics.output_exceeded:
        return ErrorClass.RESOURCE_ERROR
    if metrics.signal is not None:
        oom = metrics.signal == signal.SIGKILL and metrics.oom_killed is not False
        return ErrorClass.RESOURCE_ERROR if oom else ErrorClass.CRASH
    if error is not None:
        found = classify_exception(error.mro or [f"{error.module}.{error.type}"])
        return blame(found, inputs_valid, error.phase == "import")
    mro = exception_named_in_stderr(stderr)
    found = classify_exception(mro) if mro is not None else ErrorClass.SCRIPT_ERROR
    return blame(found, inputs_valid, imported=False)


def blame(found: ErrorClass, inputs_valid: bool | None, imported: bool) -> ErrorClass:
    """Whose fault an exception's class says it is, given the inputs' validity:
    DATA_ERROR on valid input is the script's, SCRIPT_ERROR on invalid input a rejection."""
    if inputs_valid is True and found is ErrorClass.DATA_ERROR:
        return ErrorClass.SCRIPT_ERROR
    if inputs_valid is False and found is ErrorClass.SCRIPT_ERROR and not imported:
        return ErrorClass.DATA_ERROR
    return found


@hookimpl(trylast=True)
def specrun_classify_error(error: ChildError | None, metrics: ExecutionMetrics,
                           stderr: str, inputs_valid: bool | None) -> ErrorClass:
    """Built-in classification; plugins registered normally run first."""
    return classify(error, metrics, stderr, inputs_valid)

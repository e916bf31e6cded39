"""classify(): the child's real exception type and MRO, or its fate → ErrorClass."""

from __future__ import annotations

import builtins
import signal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.execution import classify as classify_module
from specrun.execution.classify import classify, classify_exception, exception_named_in_stderr
from specrun.hooks import hookimpl, make_plugin_manager
from specrun.results import ChildError, ErrorClass, ExecutionMetrics


def mro_of(cls: type) -> list[str]:
    return [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__]


def error_of(cls: type) -> ChildError:
    return ChildError(type=cls.__name__, module=cls.__module__, message="m", traceback="",
                      mro=mro_of(cls))


def failed(**fields: object) -> ExecutionMetrics:
    return ExecutionMetrics(**{"exit_code": 1, **fields})  # type: ignore[arg-type]


class CustomValueError(ValueError):
    pass


class CustomError(Exception):
    pass


@pytest.mark.parametrize(("cls", "expected"), [
    (ValueError, ErrorClass.DATA_ERROR),
    (KeyError, ErrorClass.DATA_ERROR),
    (TypeError, ErrorClass.DATA_ERROR),
    (IndexError, ErrorClass.DATA_ERROR),
    (ZeroDivisionError, ErrorClass.DATA_ERROR),
    (UnicodeDecodeError, ErrorClass.DATA_ERROR),
    (CustomValueError, ErrorClass.DATA_ERROR),
    (ImportError, ErrorClass.IMPORT_ERROR),
    (ModuleNotFoundError, ErrorClass.IMPORT_ERROR),
    (SyntaxError, ErrorClass.IMPORT_ERROR),
    (IndentationError, ErrorClass.IMPORT_ERROR),
    (MemoryError, ErrorClass.RESOURCE_ERROR),
    (AssertionError, ErrorClass.SCRIPT_ERROR),
    (SystemExit, ErrorClass.SCRIPT_ERROR),
    (FileNotFoundError, ErrorClass.SCRIPT_ERROR),
    (RuntimeError, ErrorClass.SCRIPT_ERROR),
    (CustomError, ErrorClass.SCRIPT_ERROR),
    (KeyboardInterrupt, ErrorClass.SCRIPT_ERROR),
])
def test_builtin_exceptions(cls: type, expected: ErrorClass) -> None:
    assert classify(error_of(cls), failed(), "") == expected


def test_library_data_errors_by_their_real_types() -> None:
    import pandas.errors
    import pyarrow.lib

    for cls in (pandas.errors.ParserError, pandas.errors.EmptyDataError,
                pandas.errors.MergeError, pyarrow.lib.ArrowInvalid, pyarrow.lib.ArrowTypeError):
        assert classify(error_of(cls), failed(), "") == ErrorClass.DATA_ERROR, cls


def test_pandera_schema_errors_are_data_errors() -> None:
    import pandera.errors

    for cls in (pandera.errors.SchemaError, pandera.errors.SchemaErrors):
        assert classify(error_of(cls), failed(), "") == ErrorClass.DATA_ERROR


def test_the_script_contract_error_is_a_contract_error() -> None:
    mro = ["specrun.execution.child.ScriptContractError", "builtins.Exception",
           "builtins.BaseException", "builtins.object"]
    assert classify_exception(mro) == ErrorClass.CONTRACT_ERROR
    # a script's own class of the same name is just a script error
    assert classify_exception(["__main__.ScriptContractError", "builtins.Exception"]) \
        == ErrorClass.SCRIPT_ERROR


def test_fate_wins_over_the_exception() -> None:
    err = error_of(ValueError)
    assert classify(err, failed(timed_out=True), "") == ErrorClass.TIMEOUT
    assert classify(err, failed(memory_exceeded=True), "") == ErrorClass.RESOURCE_ERROR
    assert classify(None, failed(timed_out=True, signal=signal.SIGTERM), "") == ErrorClass.TIMEOUT
    assert classify(None, failed(memory_exceeded=True, signal=signal.SIGKILL), "") \
        == ErrorClass.RESOURCE_ERROR


@pytest.mark.parametrize(("sig", "expected"), [
    (signal.SIGSEGV, ErrorClass.CRASH), (signal.SIGABRT, ErrorClass.CRASH),
    (signal.SIGBUS, ErrorClass.CRASH), (signal.SIGTERM, ErrorClass.CRASH),
    (signal.SIGKILL, ErrorClass.RESOURCE_ERROR),
])
def test_signals(sig: int, expected: ErrorClass) -> None:
    assert classify(None, ExecutionMetrics(signal=int(sig)), "") == expected


def test_bare_non_zero_exit_is_a_script_error() -> None:
    assert classify(None, failed(exit_code=3), "some output\n") == ErrorClass.SCRIPT_ERROR


def test_stderr_traceback_is_used_without_an_error_record() -> None:
    stderr = ("noise\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
              "    f()\nKeyError: 'amount'\n")
    assert classify(None, failed(), stderr) == ErrorClass.DATA_ERROR
    assert classify(None, failed(), stderr.replace("KeyError", "MemoryError")) \
        == ErrorClass.RESOURCE_ERROR
    assert classify(None, failed(), stderr.replace("KeyError", "mypkg.Oops")) \
        == ErrorClass.SCRIPT_ERROR


BUILTIN_EXCEPTIONS = sorted(
    name for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException) and not name.startswith("_"))
safe_text = st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp"),
                                  blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85"),
                    max_size=40)


@settings(max_examples=200)
@given(name=st.sampled_from(BUILTIN_EXCEPTIONS), message=safe_text,
       before=st.lists(safe_text, max_size=5))
def test_exception_named_in_stderr_finds_the_last_traceback(name: str, message: str,
                                                             before: list[str]) -> None:
    stderr = "\n".join(before) + "\nTraceback (most recent call last):\n" \
        '  File "s.py", line 3, in main\n    boom()\n' + (f"{name}: {message}" if message else name)
    assert exception_named_in_stderr(stderr) == mro_of(getattr(builtins, name))


@settings(max_examples=200)
@given(stderr=st.text(max_size=300), exit_code=st.integers(-300, 300),
       sig=st.none() | st.integers(1, 64), timed_out=st.booleans(), memory=st.booleans())
def test_classify_is_total(stderr: str, exit_code: int, sig: int | None, timed_out: bool,
                           memory: bool) -> None:
    metrics = ExecutionMetrics(exit_code=exit_code, signal=sig, timed_out=timed_out,
                               memory_exceeded=memory)
    assert isinstance(classify(None, metrics, stderr), ErrorClass)


@settings(max_examples=100)
@given(mro=st.lists(st.from_regex(r"[a-z_][a-z0-9_.]{0,20}\.[A-Z][A-Za-z]{0,15}", fullmatch=True),
                    max_size=6))
def test_unknown_mros_are_script_errors(mro: list[str]) -> None:
    known = set(classify_module.EXCEPTION_CLASSES)
    if not (set(mro) & known) and not any(m.startswith("pandas.errors.") for m in mro):
        assert classify_exception(mro) == ErrorClass.SCRIPT_ERROR


def test_hook_builtin_answers_and_a_plugin_overrides() -> None:
    pm = make_plugin_manager()
    pm.register(classify_module)
    err = error_of(ValueError)
    assert pm.hook.specrun_classify_error(error=err, metrics=failed(), stderr="", inputs_valid=None) \
        == ErrorClass.DATA_ERROR

    class Override:
        @hookimpl
        def specrun_classify_error(self, error, metrics, stderr):  # noqa: ANN001, ANN201
            return ErrorClass.CONTRACT_ERROR if error and error.type == "ValueError" else None

    pm.register(Override())
    assert pm.hook.specrun_classify_error(error=err, metrics=failed(), stderr="", inputs_valid=None) \
        == ErrorClass.CONTRACT_ERROR
    assert pm.hook.specrun_classify_error(error=error_of(MemoryError), metrics=failed(), inputs_valid=None,
                                          stderr="") == ErrorClass.RESOURCE_ERROR


# -- whom an exception blames: the inputs' validity --------------------------------

@pytest.mark.parametrize("cls", [KeyError, ZeroDivisionError, ValueError, TypeError, IndexError])
def test_a_data_looking_exception_on_valid_input_is_the_scripts_bug(cls: type) -> None:
    assert classify(error_of(cls), failed(), "", inputs_valid=True) == ErrorClass.SCRIPT_ERROR
    assert classify(error_of(cls), failed(), "", inputs_valid=None) == ErrorClass.DATA_ERROR


def test_library_data_errors_on_valid_input_are_the_scripts_bug() -> None:
    import pandas.errors

    assert classify(error_of(pandas.errors.MergeError), failed(), "", inputs_valid=True) \
        == ErrorClass.SCRIPT_ERROR


@pytest.mark.parametrize("cls", [KeyError, AssertionError, CustomError, SystemExit, RuntimeError])
def test_any_exception_on_invalid_input_is_a_rejection(cls: type) -> None:
    assert classify(error_of(cls), failed(), "", inputs_valid=False) == ErrorClass.DATA_ERROR


def test_a_bare_non_zero_exit_on_invalid_input_is_a_rejection() -> None:
    assert classify(None, failed(exit_code=2), "bad input\n", inputs_valid=False) == ErrorClass.DATA_ERROR
    assert classify(None, failed(exit_code=2), "bad input\n", inputs_valid=True) == ErrorClass.SCRIPT_ERROR


def test_validity_does_not_touch_what_is_not_about_data() -> None:
    """Import failures, limits, signals and a missing main() blame neither party."""
    imported = error_of(RuntimeError)
    imported.phase = "import"
    contract = ChildError("ScriptContractError", "specrun.execution.child", "no main", "",
                          mro=["specrun.execution.child.ScriptContractError", "builtins.Exception"])
    for valid in (True, False):
        assert classify(error_of(ImportError), failed(), "", inputs_valid=valid) == ErrorClass.IMPORT_ERROR
        assert classify(imported, failed(), "", inputs_valid=valid) == ErrorClass.SCRIPT_ERROR
        assert classify(error_of(MemoryError), failed(), "", inputs_valid=valid) == ErrorClass.RESOURCE_ERROR
        assert classify(contract, failed(), "", inputs_valid=valid) == ErrorClass.CONTRACT_ERROR
        assert classify(None, failed(timed_out=True), "", inputs_valid=valid) == ErrorClass.TIMEOUT
        assert classify(None, ExecutionMetrics(signal=int(signal.SIGSEGV)), "", inputs_valid=valid) \
            == ErrorClass.CRASH


def test_the_hook_passes_validity_and_a_plugin_may_ignore_it() -> None:
    pm = make_plugin_manager()
    pm.register(classify_module)
    err = error_of(KeyError)
    assert pm.hook.specrun_classify_error(error=err, metrics=failed(), stderr="", inputs_valid=True) \
        == ErrorClass.SCRIPT_ERROR
    assert pm.hook.specrun_classify_error(error=err, metrics=failed(), stderr="", inputs_valid=False) \
        == ErrorClass.DATA_ERROR

    class OnlyTheError:          # an implementation taking fewer arguments still works
        @hookimpl
        def specrun_classify_error(self, error):  # noqa: ANN001, ANN201
            return ErrorClass.CRASH if error is not None and error.type == "KeyError" else None

    pm.register(OnlyTheError())
    assert pm.hook.specrun_classify_error(error=err, metrics=failed(), stderr="", inputs_valid=True) \
        == ErrorClass.CRASH

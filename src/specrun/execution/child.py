"""The bootstrap that runs INSIDE the child process.

Started as ``python -P PATH/TO/child.py REQUEST.json`` by the runner (by file path,
so the child does not import the ``specrun`` package and its dependencies before
the script does; ``-P`` keeps this package's folder off ``sys.path``);
``python -m specrun.execution.child REQUEST.json`` works the same.
It loads the script under test as a real module and runs it:

* ``call: main`` — the script is imported under its stem (made a valid identifier)
  and ``main(input_paths, output_paths, environ_vars, job_args)`` is called, with
  ``environ_vars`` the declared env and ``job_args`` an ``argparse.Namespace``.  Its
  ``if __name__ == "__main__"`` block does not run.
* argv style — ``sys.argv = [script, *args]`` and the script runs as ``__main__``
  in a module registered as ``sys.modules["__main__"]`` and under its stem.

Either way the script's folder is ``sys.path[0]`` and functions defined in the
script pickle by reference, so ``multiprocessing`` pools work with the fork and
spawn start methods (spawn workers re-run this file as ``__mp_main__``, which makes
the script importable by its registered name there too).  An exception is written
as JSON to the request's ``error_path`` (type, module, message, traceback without
bootstrap frames, the same frames as a list of ``{file, line, function,
is_user_script, code}`` — library frames, from the standard library or an installed
package, are not the user's — MRO, and ``phase``: ``"import"`` for failures while
loading the script, else ``"run"``), its traceback goes to stderr and the process exits 1.
``SystemExit`` passes through; a non-zero code is recorded too, so the report can
point at the ``sys.exit`` call.  The record names the deepest frame in the user's
own code (the script's folder, outside installed packages) as ``frame``.

Two more records, when the request names their paths: ``returned_path`` gets the
``repr`` of what ``main()`` returned (``call: main`` only; so a ``main`` that swallows
its own exception and returns can be reported as such), and ``warnings_path`` one
JSON line per Python warning the script emitted (category, MRO, message, file, line),
recorded as the warning is shown, i.e. after the warning filters.  When no
``PYTHONWARNINGS`` / ``-W`` option is given the ``default`` action applies to every
category (as under pytest): a ``DeprecationWarning`` is shown and recorded once per
location instead of being ignored.

With ``coverage_path`` (``--cov``), coverage.py measures which of the script's lines ran
and ``{file, statements, missing}`` is written there when the script ends (also when it
raised or called ``sys.exit``; not when it was killed or called ``os._exit``).

Standard library only (coverage.py only for ``--cov``), and few imports: this must not
import pandas or the rest of specrun before the script does.  It also runs in a step's own
interpreter (``python:``), which has no specrun: Python 3.10 or newer (see
:mod:`.interpreter`; without ``-P``, before 3.11, its own folder on ``sys.path`` is
replaced by the script's).
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import importlib.util
import json
import keyword
import os
import re
import sys
import types
import warnings
from typing import Any

#: Env var carrying ``{module_name: script_path}`` for spawn/forkserver workers.
SCRIPT_MODULES_VAR = "SPECRUN_SCRIPT_MODULES"
PHASE_IMPORT = "import"
PHASE_RUN = "run"
RETURNED_REPR_LIMIT = 200
_HIDDEN_FILES = frozenset({os.path.abspath(__file__), os.path.abspath(importlib.__file__)})


class ScriptContractError(Exception):
    """The script does not offer what the spec says (no ``main``, wrong signature)."""


# Run as a program this module is ``__main__``: name the class by its import path so
# the parent classifies it (and a script's own class of that name is not mistaken for it).
ScriptContractError.__module__ = "specrun.execution.child"


class _ScriptFinder:
    """A ``sys.meta_path`` finder importing registered script files by module name,
    whatever their file name."""

    def __init__(self, modules: dict[str, str]) -> None:
        self.modules = modules

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        script = self.modules.get(fullname)
        if script is None:
            return None
        return importlib.util.spec_from_file_location(fullname, script)

    def invalidate_caches(self) -> None:
        """Nothing cached."""


def _install_script_finder(modules: dict[str, str]) -> None:
    for finder in sys.meta_path:
        if isinstance(finder, _ScriptFinder):
            finder.modules.update(modules)
            return
    sys.meta_path.insert(0, _ScriptFinder(dict(modules)))


def _install_script_finder_from_env() -> None:
    raw = os.environ.get(SCRIPT_MODULES_VAR)
    if not raw:
        return
    try:
        modules = json.loads(raw)
    except ValueError:
        return
    if isinstance(modules, dict):
        _install_script_finder({str(k): str(v) for k, v in modules.items()})


def module_name_for(script: str | os.PathLike[str]) -> str:
    """The module name a script is registered under: its stem as an ASCII identifier.

    A stem that would shadow a standard-library or already-imported module gets the
    ``_specrun_script_`` prefix instead.
    """
    stem = os.path.splitext(os.path.basename(os.fspath(script)))[0]
    name = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in stem)
    name = name or "script"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name):
        name += "_"
    if name in sys.stdlib_module_names or name in sys.modules:
        name = "_specrun_script_" + name
    return name


_LIBRARY_MARKERS = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")


def _library_roots() -> tuple[str, ...]:
    """Folders whose files are library code: the standard library and installed packages."""
    import site
    import sysconfig

    roots = {sysconfig.get_path(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    try:
        roots.update(site.getsitepackages())
        roots.add(site.getusersitepackages())
    except AttributeError:   # an old virtualenv's site module
        pass
    return tuple(os.path.join(os.path.realpath(r), "") for r in roots if r)


def is_user_file(filename: str, library_roots: tuple[str, ...]) -> bool:
    """Whether a traceback frame's file is the user's code (the script, its own modules)."""
    if not filename or filename.startswith("<"):
        return False
    path = os.path.realpath(filename)
    if any(marker in path for marker in _LIBRARY_MARKERS):
        return False
    return not any(path.startswith(root) for root in library_roots)


def _user_frame(frames: list[Any], script: str | None) -> str:
    """``"script.py:12 in main"``: the deepest frame in the script's folder (outside
    installed packages), its path relative to that folder; "" when there is none."""
    if not script:
        return ""
    folder = os.path.dirname(os.path.realpath(script))
    for frame in reversed(frames):
        path = os.path.realpath(frame.filename)
        if (path.startswith(folder + os.sep) and "site-packages" not in path
                and "dist-packages" not in path):
            return f"{os.path.relpath(path, folder)}:{frame.lineno} in {frame.name}"
    return ""


def error_payload(exc: BaseException, phase: str, script: str | None = None) -> dict[str, Any]:
    """The JSON-able record of an exception (what the runner turns into a ChildError);
    ``script`` lets it name the deepest frame of the user's own code."""
    import traceback

    cls = type(exc)
    te = traceback.TracebackException.from_exception(exc)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack
         if os.path.abspath(f.filename) not in _HIDDEN_FILES
         and not f.filename.startswith("<frozen importlib")])
    message = f"sys.exit({exc.code!r})" if isinstance(exc, SystemExit) else str(exc)
    roots = _library_roots()
    frames = [{"file": f.filename, "line": f.lineno, "function": f.name,
               "is_user_script": is_user_file(f.filename, roots), "code": (f.line or "").strip()}
              for f in te.stack]
    return {
        "type": cls.__name__,
        "module": cls.__module__,
        "message": message,
        "traceback": "".join(te.format()),
        "frames": frames,
        "mro": [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__],
        "phase": phase,
        "frame": _user_frame(list(te.stack), script),
    }


def write_error(path: str, payload: dict[str, Any]) -> None:
    """Write the error record atomically (temp file + rename)."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
    os.replace(tmp, path)


def write_returned(path: str, value: Any) -> None:
    """Record what ``main()`` returned: its ``repr`` (shortened) and its type's name."""
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not fail the run
        text = f"<unrepresentable {type(value).__name__}: {exc}>"
    if len(text) > RETURNED_REPR_LIMIT:
        text = text[:RETURNED_REPR_LIMIT - 1] + "…"
    write_error(path, {"returned": text, "type": type(value).__name__})


def _warning_category(name: str) -> type[Warning]:
    """The class a ``-W`` category field names: a built-in, else ``module.Class``."""
    if "." not in name:
        import builtins
        found = getattr(builtins, name, None)
    else:
        module, _, attr = name.rpartition(".")
        found = getattr(importlib.import_module(module), attr, None)
    if not (isinstance(found, type) and issubclass(found, Warning)):
        raise ValueError(f"unknown warning category: {name!r}")
    return found


def _pattern(match: Any) -> str:
    """A filter's message or module field as the pattern ``filterwarnings`` takes."""
    if match is None:
        return ""
    return match.pattern if hasattr(match, "pattern") else re.escape(match) + r"\Z"


def set_warning_options(base: list[Any], pythonwarnings: str) -> None:
    """Make the warning filters those of a new interpreter started with this
    ``PYTHONWARNINGS``: ``base`` (the filters of an interpreter started without it), then
    each option on top, the last one taking precedence.  The fork executor's children
    call this, since a forked process keeps its parent's filters; an option Python would
    reject is reported on stderr and ignored, as Python does."""
    warnings.resetwarnings()
    for action, message, category, module, lineno in base:
        # a filter made by the interpreter itself holds a plain string: an exact match
        warnings.filterwarnings(action, _pattern(message), category, _pattern(module), lineno,
                                append=True)
    options = [option.strip() for option in pythonwarnings.split(",") if option.strip()]
    sys.warnoptions[:] = options
    for option in options:
        try:
            fields = [part.strip() for part in option.split(":")]
            if len(fields) > 5:
                raise ValueError("too many fields")
            action, message, category, module, lineno = (fields + [""] * 5)[:5]
            actions = ["always"] if action == "all" else [
                name for name in ("default", "always", "ignore", "module", "once", "error")
                if name.startswith(action)]
            if not actions:
                raise ValueError(f"invalid action: {action!r}")
            warnings.filterwarnings(
                actions[0], re.escape(message), _warning_category(category) if category else Warning,  # type: ignore[arg-type]  # checked above
                re.escape(module) + r"\Z" if module else "", int(lineno) if lineno else 0)
        except Exception as exc:  # noqa: BLE001 - as Python itself: say so, go on
            print(f"Invalid -W option ignored: {exc}", file=sys.stderr)


def record_warnings(path: str) -> None:
    """Append every warning shown from now on to ``path`` (JSON lines), then show it
    as Python would.  Hooks ``warnings._showwarnmsg`` where it exists (CPython), so a
    script that replaces ``warnings.showwarning`` (``logging.captureWarnings``) is
    still recorded; else ``warnings.showwarning``."""
    if not sys.warnoptions:
        warnings.simplefilter("default")

    def record(message: Any, category: type, filename: str, lineno: int) -> None:
        # recording must never change the script's run: any failure here is dropped
        with contextlib.suppress(Exception):
            entry = {"category": category.__name__, "message": str(message),
                     "filename": str(filename), "lineno": int(lineno or 0),
                     "mro": [f"{c.__module__}.{c.__qualname__}" for c in category.__mro__]}
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry) + "\n")

    show_msg = getattr(warnings, "_showwarnmsg", None)
    if callable(show_msg):
        def _showwarnmsg(msg: Any) -> None:
            record(msg.message, msg.category, msg.filename, msg.lineno)
            show_msg(msg)
        warnings._showwarnmsg = _showwarnmsg  # type: ignore[attr-defined]
        return
    show = warnings.showwarning

    def showwarning(message: Any, category: type, filename: str, lineno: int,
                    file: Any = None, line: str | None = None) -> None:
        record(message, category, filename, lineno)
        show(message, category, filename, lineno, file, line)
    warnings.showwarning = showwarning


def _harden_process() -> None:
    """No core dumps, Python tracebacks on fatal signals, line-buffered output."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    faulthandler.enable()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)


def _call_main(module: types.ModuleType, request: dict[str, Any]) -> Any:
    """Call ``module.<call>(input_paths, output_paths, environ_vars, job_args)``."""
    import argparse

    call = request["call"]
    fn = getattr(module, call, None)
    if not callable(fn):
        raise ScriptContractError(f"the script defines no callable {call}()")
    args = (dict(request.get("input_paths", {})), dict(request.get("output_paths", {})),
            dict(request.get("env", {})), argparse.Namespace(**request.get("job_args", {})))
    try:
        return fn(*args)
    except TypeError as exc:
        # Raised while binding the arguments (no frame of the callee in the traceback):
        # the signature is wrong.  A TypeError from inside main() is the script's own.
        tb = exc.__traceback__
        if tb is not None and tb.tb_next is None:
            raise ScriptContractError(
                f"{call}() must accept (input_paths, output_paths, environ_vars, job_args): "
                f"{exc}") from None
        raise


#: the fork server's compiled scripts: path -> (source bytes, code).  Every fork inherits
#: them; a run uses one only when the file still holds exactly those bytes (a fresh
#: interpreter starts empty and compiles, as Python does for a ``__main__`` script).
_COMPILED: dict[str, tuple[bytes, types.CodeType]] = {}
MAX_COMPILED = 64


def compile_script(script: str) -> types.CodeType:
    """The script's code object: the one compiled ahead (:func:`precompile`) when the file
    holds the very bytes it was compiled from, else compiled now."""
    with open(script, "rb") as fh:
        source = fh.read()
    ahead = _COMPILED.get(script)
    if ahead is not None and ahead[0] == source:
        return ahead[1]
    return compile(source, script, "exec", dont_inherit=True)


def precompile(script: str) -> None:
    """In the fork server: compile an argv-style script once for the forks that run it.
    Not a script that fails to compile or warns while compiling (SyntaxWarning,
    DeprecationWarning for an invalid escape): its run must see and record that itself."""
    script = os.path.realpath(script)           # as the run names it
    try:
        with open(script, "rb") as fh:
            source = fh.read()
        ahead = _COMPILED.get(script)
        if ahead is not None and ahead[0] == source:
            return
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = compile(source, script, "exec", dont_inherit=True)
    except Exception:  # noqa: BLE001 - unreadable, SyntaxError, ...: the run compiles and reports it
        return
    if caught:
        return
    if len(_COMPILED) >= MAX_COMPILED:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[script] = (source, code)


def _compile_as_main(script: str, name: str) -> tuple[types.ModuleType, types.CodeType]:
    """Compile the script (the import phase) into a fresh ``__main__`` module."""
    code = compile_script(script)
    module = types.ModuleType("__main__")
    module.__file__ = script
    module.__spec__ = None
    module.__loader__ = None
    module.__package__ = None
    sys.modules["__main__"] = module
    sys.modules[name] = module
    return module, code


def _pin_cpus(cores: list[int] | None) -> None:
    """The step's ``cpu:`` where no cgroup holds it: this process (and all it starts) on
    ``cores`` only."""
    if cores and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, cores)
        except OSError as exc:
            print(f"specrun: could not pin the script to cores {cores}: {exc}", file=sys.stderr)


def start_coverage(script: str) -> Any:
    """``--cov``: coverage.py measuring the script's own lines (started before it is imported)."""
    import coverage  # only when asked: a run without --cov imports nothing before the script

    cov = coverage.Coverage(data_file=None, include=[script], config_file=False)
    cov.start()
    return cov


def write_coverage(cov: Any, script: str, path: str) -> None:
    """The script's statements and the lines that ran, as JSON for the parent."""
    cov.stop()
    _, statements, _excluded, missing, _text = cov.analysis2(script)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"file": script, "statements": sorted(statements), "missing": sorted(missing)}, fh)


def run(request: dict[str, Any]) -> int:
    """Run the script described by ``request``; the process exit code."""
    script = os.path.realpath(request["script"])
    cov = start_coverage(script) if request.get("coverage_path") else None
    try:
        return _run(request)
    finally:
        if cov is not None:
            write_coverage(cov, script, request["coverage_path"])


def _run(request: dict[str, Any]) -> int:
    script = os.path.realpath(request["script"])
    error_path = request["error_path"]
    _pin_cpus(request.get("cpu_affinity"))
    name = module_name_for(script)
    sys.argv = [script, *map(str, request.get("args", []))]
    if getattr(sys.flags, "safe_path", False):   # -P (3.11+): nothing was prepended to sys.path
        sys.path.insert(0, os.path.dirname(script))
    else:                             # replace the bootstrap's folder (or the -m cwd)
        sys.path[0] = os.path.dirname(script)
    modules = {name: script}
    os.environ[SCRIPT_MODULES_VAR] = json.dumps(modules)
    _install_script_finder(modules)

    if request.get("warnings_path"):
        record_warnings(request["warnings_path"])

    phase = PHASE_IMPORT
    try:
        if request.get("call"):
            module = importlib.import_module(name)
            phase = PHASE_RUN
            returned = _call_main(module, request)
            if request.get("returned_path"):
                write_returned(request["returned_path"], returned)
        else:
            module, code = _compile_as_main(script, name)
            phase = PHASE_RUN
            exec(code, module.__dict__)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            write_error(error_path, error_payload(exc, phase, script))
        raise
    except BaseException as exc:  # noqa: BLE001 - everything the script raises is reported
        payload = error_payload(exc, phase, script)
        write_error(error_path, payload)
        sys.stderr.write(payload["traceback"])
        return 1
    return 0


def main(argv: list[str]) -> int:
    """Entry point: ``argv = [REQUEST.json]``."""
    if len(argv) != 1:
        print("usage: python -m specrun.execution.child REQUEST.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        request = json.load(fh)
    _harden_process()
    return run(request)


# Spawn/forkserver workers re-run this file as __mp_main__: make the script
# importable by its registered name there too.
_install_script_finder_from_env()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

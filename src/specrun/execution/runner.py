"""FreshExecutor: every run in a new interpreter, in its own session and process group.

The runner writes the request to ``WORKDIR/logs/request.json`` and starts the
bootstrap (``python -P …/execution/child.py REQUEST``) there with a minimal environment (see
:mod:`.sandbox`), stdin closed and stdout/stderr in ``logs/stdout.log`` and
``logs/stderr.log``.  While the child runs, a :class:`ProcessTreeMonitor` samples
the whole tree.  A ``command`` request (any executable: ``RunRequest.command``) is
started the same way without the bootstrap; everything below holds for it too, except
the exception record (it is classified from its exit status and stderr).  The
interpreter is the request's own (a step's ``python:``) or the executor's.  Then:

* timeout → SIGTERM to the process group and to every descendant seen (also those
  that escaped the group with ``setsid``), a short grace, SIGKILL → TIMEOUT;
* the tree's RSS over ``memory_limit`` → SIGKILL to the tree → RESOURCE_ERROR.  The
  limit is enforced by this RSS watchdog only, never with RLIMIT_AS: numpy, pyarrow
  and thread pools reserve far more virtual memory than they use;
* after any exit, descendants still alive (found by the monitor, by process group
  or by the run's marker variable in their environment) are killed and counted;
* death by a signal → CRASH (a SIGKILL from the kernel's OOM killer → RESOURCE_ERROR: see oom.py);
  an exception reported by the child → classified from its type and from whether the
  inputs satisfied their contracts (``RunRequest.inputs_valid``; see :mod:`.classify`).

The child also reports what ``main()`` returned and the warnings the script emitted
(``logs/returned.json``, ``logs/warnings.jsonl``); both land in the :class:`RunRecord`.

The child is detected as exited with ``waitid(WNOWAIT)``, so its zombie can be
sampled one last time and the process group cannot be recycled while strays are
killed; ``wait4`` then reaps it and its rusage completes the CPU figure.
A script's failure never raises; only specrun's own problems (files it cannot
create, an interpreter that does not start) do.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ..results import ChildError, ErrorClass, ExecutionMetrics, ScriptWarning, TracebackFrame
from ..spec.units import mib, size_text
from . import child as child_module
from .cgroups import CaseCgroup, cgroup_support, enter_argv, make_case_cgroup
from .classify import classify
from .container import unavailable_message
from .interpreter import harness_version, safe_path_flag
from .monitor import OutputBudget, ProcessTreeMonitor, TreeUsage, alive, find_run_processes
from .namespace import NAMESPACE, PROCESS, Probe, bwrap_argv, decode_returncode, probe
from .oom import memory_ceiling, oom_kill_count, sigkill_was_oom
from .request import RunRecord, RunRequest
from .sandbox import INPUT_DIR, LOGS_DIR, RUN_MARKER_VAR, TMP_DIR, child_env, ensure_layout, safe_name
from .short_tmp import TmpAlias

#: ``classifier(error, metrics, stderr_tail, inputs_valid)``
Classifier = Callable[[ChildError | None, ExecutionMetrics, str, "bool | None"], "ErrorClass | None"]

REQUEST_FILE = "request.json"
ERROR_FILE = "child_error.json"
RETURNED_FILE = "returned.json"
WARNINGS_FILE = "warnings.jsonl"
COVERAGE_FILE = "coverage.json"   #: ``--cov``: the script's line coverage (see child.write_coverage)
#: At most this many recorded warnings are kept in a run's record.
MAX_WARNINGS = 200
STDOUT_FILE = "stdout.log"
STDERR_FILE = "stderr.log"
TAIL_BYTES = 8192
TAIL_LINES = 40
KILL_WAIT_S = 30.0
#: After the script exits, descendants get this long to exit on their own (e.g.
#: multiprocessing's resource tracker, which stops when its pipe closes) before
#: they count as strays.
SETTLE_S = 0.5




def one_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of ``text`` (marked when more follows), at most ``limit`` chars."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    line = lines[0] if lines else ""
    if len(lines) > 1 or len(line) > limit:
        line = line[:limit].rstrip() + " …"
    return line


def read_tail(path: Path, max_bytes: int = TAIL_BYTES, max_lines: int = TAIL_LINES) -> str:
    """The last ``max_lines`` lines within the last ``max_bytes`` bytes of a file."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = max(0, size - max_bytes)
            fh.seek(max(0, start - 1))
            data = fh.read()
    except OSError:
        return ""
    cut = False
    if start > 0:
        cut = data[:1] != b"\n"        # the window starts inside a line: drop that part
        data = data[1:]
    lines = data.decode("utf-8", errors="replace").splitlines()
    if cut:
        lines = lines[1:]
    return "\n".join(lines[-max_lines:])


def request_payload(request: RunRequest, error_path: Path, returned_path: Path | None = None,
                    warnings_path: Path | None = None, coverage_path: Path | None = None) -> dict[str, Any]:
    """The JSON the child bootstrap reads (see :mod:`.child`)."""
    return {
        "script": str(Path(request.script).resolve()),
        "call": request.call,
        "args": [str(a) for a in request.args],
        "env": dict(request.env),
        "input_paths": dict(request.input_paths),
        "output_paths": dict(request.output_paths),
        "job_args": dict(request.job_args),
        "error_path": str(error_path),
        "returned_path": str(returned_path) if returned_path is not None else None,
        "warnings_path": str(warnings_path) if warnings_path is not None else None,
        "coverage_path": str(coverage_path) if coverage_path is not None and request.coverage else None,
        "label": request.label,
    }


def load_child_error(path: Path) -> ChildError | None:
    """The child's exception record (with its phase, "import" or "run"), if it wrote one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ChildError(type=str(data["type"]), module=str(data["module"]),
                          message=str(data["message"]), traceback=str(data["traceback"]),
                          mro=[str(m) for m in data.get("mro", [])],
                          phase=str(data.get("phase", "run")),
                          frames=[TracebackFrame(file=str(f["file"]), line=f.get("line"),
                                                 function=str(f["function"]),
                                                 is_user_script=bool(f["is_user_script"]),
                                                 code=str(f.get("code") or ""))
                                  for f in data.get("frames", [])],
                          frame=str(data.get("frame", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_returned(path: Path) -> str | None:
    """The ``repr`` of what ``main()`` returned, if the child recorded that it returned."""
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["returned"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_coverage(path: Path) -> dict[str, Any] | None:
    """The line coverage the child measured (``--cov``); None when it wrote none (killed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"file": str(data["file"]), "statements": [int(n) for n in data["statements"]],
                "missing": [int(n) for n in data["missing"]]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_warnings(path: Path, limit: int = MAX_WARNINGS) -> list[ScriptWarning]:
    """The warnings the child recorded (the first ``limit``); unreadable lines are skipped."""
    found: list[ScriptWarning] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if len(found) >= limit:
                    break
                try:
                    data = json.loads(line)
                    found.append(ScriptWarning(
                        category=str(data["category"]), message=str(data["message"]),
                        filename=str(data.get("filename", "")), lineno=int(data.get("lineno", 0)),
                        mro=[str(m) for m in data.get("mro", [])]))
                except (ValueError, KeyError, TypeError):
                    continue
    except OSError:
        return []
    return found


def _script_exit_code(error_path: Path) -> int | None:
    """The code the script passed to ``sys.exit``, as the child recorded it (None: it did not)."""
    error = load_child_error(error_path)
    if error is None or error.type != "SystemExit":
        return None
    found = re.fullmatch(r"sys\.exit\((-?\d+)\)", error.message.strip())
    return int(found.group(1)) & 0xFF if found else 1     # sys.exit("text") exits 1


@dataclass
class _Exit:
    """How the child ended, filled in by the waiter thread and the kill logic."""

    exited: threading.Event
    wake: threading.Event
    timed_out: bool = False
    memory_exceeded: bool = False
    memory_rss: int = 0
    killed: bool = False
    tree_size_at_kill: int = 0
    oom_kills: int = 0                 # the case cgroup's OOM kills (the kernel held memory.max)
    output_exceeded: bool = False      # the outputs went over max_output_size
    output_bytes: int = 0              # what they took when the monitor saw it


def output_budget(request: RunRequest, workdir: Path, fate: _Exit) -> OutputBudget | None:
    """The disk budget the monitor checks (``max_output_size``): everything the run may write
    in its sandbox (not its inputs, not specrun's logs) and the outputs declared outside it."""
    if request.max_output_bytes is None:
        return None

    def exceeded(used: int) -> None:
        fate.output_exceeded, fate.output_bytes = True, used
        fate.wake.set()

    outside = [Path(p).resolve() for p in request.output_paths.values()
               if workdir not in Path(p).resolve().parents]
    skipped = {workdir / INPUT_DIR, workdir / LOGS_DIR} | {Path(p).resolve() for p in request.input_paths.values()}
    return OutputBudget(request.max_output_bytes, (workdir, *outside), frozenset(skipped), exceeded)


def joined(case: CaseCgroup | None, pid: int) -> CaseCgroup | None:
    """``case`` once ``pid`` is in it (it moved itself; moved here if it could not), else
    None with the cgroup removed: the run falls back to the watchdog."""
    if case is None:
        return None
    try:
        case.add(pid)
        return case
    except ProcessLookupError:         # it ended already, after the shell moved it in
        return case
    except OSError:
        if pid in case.pids():
            return case
    case.remove()
    return None


def enforcement(memory_limit: int | None, case: CaseCgroup | None) -> str | None:
    """What held the run's memory limit: "cgroup", "watchdog" (None: no limit)."""
    if memory_limit is None:
        return None
    return "cgroup" if case is not None else "watchdog"


def cpu_cores(cpu: float | None, case: CaseCgroup | None) -> list[int] | None:
    """The cores a run is pinned to when no cgroup holds its ``cpu`` (ceil(cpu) of the
    cores specrun may use), else None."""
    if cpu is None or (case is not None and "cpu" in case.dirs) or not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    return allowed[:max(1, math.ceil(cpu))]


def cpu_enforcement(cpu: float | None, case: CaseCgroup | None) -> str | None:
    """What held the run's ``cpu``: "cgroup" (cpu.max), "affinity" (None: no ``cpu``)."""
    if cpu is None:
        return None
    if case is not None and "cpu" in case.dirs:
        return "cgroup"
    return "affinity" if hasattr(os, "sched_setaffinity") else None


def _signal_all(pgid: int, procs: list[psutil.Process], sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    for proc in procs:
        try:
            proc.send_signal(sig)
        except psutil.Error:
            pass


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until every process has exited (zombies count as exited); the survivors."""
    deadline = time.monotonic() + timeout
    left = alive(procs)
    while left and time.monotonic() < deadline:
        time.sleep(0.01)
        left = alive(left)
    return left


class ExecutorClosed(KeyboardInterrupt):
    """A run was asked of an executor that specrun has closed because it is stopping.

    A ``KeyboardInterrupt`` so that no ``except Exception`` turns it into a case result: a
    worker thread that was still setting up its case when the interrupt came stops there."""


@dataclass(frozen=True)
class RunFiles:
    """Where one run's request, error record and logs live, and its process marker."""

    workdir: Path
    request: Path
    error: Path
    returned: Path
    warnings: Path
    coverage: Path
    stdout: Path
    stderr: Path
    marker: str


class FreshExecutor:
    """Runs each request in a new interpreter (``name = "fresh"``).

    ``keep_logs_dir``: copy each run's ``logs/`` there (the sandbox may be deleted).
    ``classifier``: e.g. the plugin hook ``pm.hook.specrun_classify_error``; its
    ``None`` falls back to :func:`.classify.classify`.
    ``isolation``: ``"process"`` (the default of a hand-made executor), ``"namespace"``
    (each run inside bubblewrap, see :mod:`.namespace`; the probe must have found it
    available) or ``"auto"`` (what the probe found).  Each record says which applied
    (``metrics.isolation``).
    """

    name = "fresh"

    def __init__(self, python: str = sys.executable, keep_logs_dir: Path | None = None, *,
                 classifier: Classifier | None = None, monitor_interval: float = 0.05,
                 kill_grace: float = 1.0, isolation: str = PROCESS) -> None:
        self.namespace: Probe | None = None      # set: every run goes through bwrap
        if isolation in ("auto", NAMESPACE):
            found = probe()
            if found.namespaced:
                self.namespace = found
            elif isolation == NAMESPACE:
                raise RuntimeError(f"namespace isolation is not available: {found.reason}")
        self.python = python
        self.keep_logs_dir = Path(keep_logs_dir) if keep_logs_dir is not None else None
        self.classifier = classifier
        self.monitor_interval = monitor_interval
        self.kill_grace = kill_grace
        self._active: dict[int, tuple] = {}     # pid → what close() needs to kill a run in flight
        self._active_lock = threading.Lock()
        self._closed = False                     # set by close(): no run starts after it
        self.cgroups = cgroup_support()          # per-case cgroups where they can be made

    def close(self) -> None:
        """Kill every run still in flight (specrun is stopping); nothing else persists, and a
        run requested after this (a worker thread still setting up its case) never starts."""
        with self._active_lock:
            self._closed = True
            active = list(self._active.values())
        for pid, monitor, marker, started_epoch, fate, case in active:
            self._kill_tree(pid, monitor, marker, started_epoch, fate, signal.SIGKILL, case)

    # -- the run ---------------------------------------------------------------

    @staticmethod
    def _prepare(request: RunRequest, cpu_cores: list[int] | None = None) -> RunFiles:
        """Lay out the sandbox and write the request the child bootstrap reads
        (``cpu_cores``: the cores the run is pinned to, where no cgroup holds its ``cpu``)."""
        workdir = Path(request.workdir).resolve()
        ensure_layout(workdir)
        logs = workdir / LOGS_DIR
        files = RunFiles(workdir, logs / REQUEST_FILE, logs / ERROR_FILE, logs / RETURNED_FILE,
                         logs / WARNINGS_FILE, logs / COVERAGE_FILE, logs / STDOUT_FILE, logs / STDERR_FILE,
                         uuid.uuid4().hex)
        for stale in (files.error, files.returned, files.warnings, files.coverage):
            stale.unlink(missing_ok=True)
        payload = request_payload(request, files.error, files.returned, files.warnings, files.coverage)
        payload["cpu_affinity"] = cpu_cores
        files.request.write_text(json.dumps(payload, default=str), encoding="utf-8")
        return files

    def check_open(self) -> None:
        """Raise :class:`ExecutorClosed` once :meth:`close` has been called."""
        if self._closed:
            raise ExecutorClosed("the executor is closed: specrun is stopping")

    def case_cgroup(self, request: RunRequest) -> CaseCgroup | None:
        """A cgroup of the run's own, its limits set (None: none can be made here)."""
        return make_case_cgroup(self.cgroups, request.memory_limit, request.cpu)

    def run(self, request: RunRequest) -> RunRecord:
        self.check_open()
        namespace = self.namespace
        if request.container is not None and namespace is None:   # bind mounts need namespaces
            found = probe()
            if not found.namespaced:
                return RunRecord(ok=False, metrics=ExecutionMetrics(), classification=ErrorClass.SETUP_ERROR,
                                 message=unavailable_message(request.container.kind, found.reason))
            namespace = found
        case = self.case_cgroup(request)
        files = self._prepare(request, cpu_cores(request.cpu, case))
        tmp = TmpAlias(files.workdir / TMP_DIR, on_host=namespace is None)
        try:
            return self._run_fresh(request, case, files, tmp, namespace)
        finally:
            tmp.remove()

    def _run_fresh(self, request: RunRequest, case: CaseCgroup | None, files: RunFiles,
                   tmp: TmpAlias, namespace: Probe | None) -> RunRecord:
        python = self.python_for(request)
        env = child_env(files.workdir, request.env, run_marker=files.marker, python=python,
                        tmpdir=tmp.path)
        if request.command is not None:         # any executable: no Python harness in between
            argv = list(request.command)
        else:
            argv = [python, *safe_path_flag(harness_version(python)), child_module.__file__, str(files.request)]
        if namespace is not None:
            assert namespace.bwrap is not None
            link = tmp.bwrap_link
            argv = bwrap_argv(namespace.bwrap, files.workdir, inputs=request.input_paths.values(),
                              writable=request.output_paths.values(), network=request.network,
                              readable=self._readable(request, env), links=[link] if link else [],
                              container=request.container) + argv
        if case is not None:
            argv = enter_argv(case, argv)

        started_epoch = time.time()
        t0 = time.monotonic()
        with open(files.stdout, "wb") as out, open(files.stderr, "wb") as err:
            proc = subprocess.Popen(
                argv, cwd=files.workdir, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                start_new_session=True, close_fds=True)
        case = joined(case, proc.pid)
        fate = _Exit(exited=threading.Event(), wake=threading.Event())
        threading.Thread(target=self._wait_exit, args=(proc.pid, fate), daemon=True,
                         name=f"specrun-wait-{proc.pid}").start()
        if namespace is None:
            return self._watch(proc.pid, request, files, fate, t0, started_epoch,
                               reap=lambda: self._reap(proc), case=case)

        def reap_namespaced() -> tuple[int | None, float]:
            returncode, cpu = self._reap(proc)
            return decode_returncode(returncode, _script_exit_code(files.error)), cpu

        record = self._watch(proc.pid, request, files, fate, t0, started_epoch, reap=reap_namespaced,
                             case=case)
        record.metrics.isolation = NAMESPACE
        return record

    def python_for(self, request: RunRequest) -> str:
        """The interpreter that runs ``request``: the step's own, else the executor's."""
        return request.python or self.python

    def _readable(self, request: RunRequest, env: dict[str, str]) -> list[str]:
        """What a namespaced run must still read: the script's folder, the interpreter's
        installation, every PYTHONPATH entry (the bootstrap, site-packages) and specrun's own
        import path (editable installs' ``.pth`` folders); only those under a private /tmp
        are bound (see :func:`.namespace.bwrap_argv`)."""
        python = Path(self.python_for(request))
        script_dir = [] if request.command is not None else [str(Path(request.script).resolve().parent)]
        paths = [*script_dir, str(python.parent.parent), str(python.resolve().parent.parent),
                 sys.prefix, sys.base_prefix]
        paths.append(str(Path(child_module.__file__).resolve().parent))    # the harness itself
        for arg in request.command or ():      # a command's program and the files it names
            if os.path.isabs(arg) and os.path.exists(arg):
                paths.append(arg if os.path.isdir(arg) else os.path.dirname(arg))
        paths += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        return paths + [p for p in sys.path if p]

    def _watch(self, pid: int, request: RunRequest, files: RunFiles, fate: _Exit, t0: float,
               started_epoch: float, reap: Callable[[], tuple[int | None, float]],
               case: CaseCgroup | None = None) -> RunRecord:
        """Monitor the started run ``pid`` until it ends (killing it on timeout or memory),
        kill its strays, reap it with ``reap()`` and make its record.  With a ``case``
        cgroup the kernel holds the memory limit (the watchdog stays off) and everything
        left in the cgroup is killed at the end."""
        marker = files.marker
        oom_before = oom_kill_count() if case is None else 0   # with a cgroup its own counter says
        watchdog = request.memory_limit if case is None else None
        monitor = ProcessTreeMonitor(pid, self.monitor_interval, watchdog,
                                     on_memory_exceeded=lambda rss: self._on_memory(fate, rss),
                                     output_budget=output_budget(request, files.workdir, fate))
        monitor.start()
        with self._active_lock:
            self._active[pid] = (pid, monitor, marker, started_epoch, fate, case)
            closed = self._closed   # close() ran while this run was starting: it missed this pid
        try:
            if closed:
                raise ExecutorClosed("the executor was closed while the run started")
            self._supervise(pid, request.timeout, t0, monitor, fate, marker, started_epoch, case)
        except BaseException:              # specrun itself is interrupted: leave nothing behind
            self._kill_tree(pid, monitor, marker, started_epoch, fate, signal.SIGKILL, case)
            fate.exited.wait(KILL_WAIT_S)
            monitor.stop()
            reap()
            if case is not None:
                case.remove()
            raise
        finally:
            with self._active_lock:
                self._active.pop(pid, None)
        wall_s = time.monotonic() - t0
        monitor.sample()                   # the zombie's final CPU and I/O totals
        usage = monitor.stop()
        strays = self._kill_strays(pid, monitor, marker, started_epoch, case)
        returncode, rusage_cpu = reap()
        charged = case.peak_bytes() if case is not None else None
        if case is not None:
            fate.oom_kills = case.oom_kills()
            fate.memory_exceeded = fate.memory_exceeded or (fate.oom_kills > 0 and case.memory_limit is not None)
            strays += case.kill_all()         # anything still inside (nothing escapes a cgroup)
            case.remove()
        metrics = self._metrics(usage, wall_s, returncode, rusage_cpu, fate, strays)
        metrics.memory_enforcement = enforcement(request.memory_limit, case)
        metrics.memory_peak_bytes = charged
        metrics.max_output_bytes, metrics.output_bytes = request.max_output_bytes, usage.peak_output_bytes
        metrics.output_exceeded = fate.output_exceeded
        metrics.cpu_limit, metrics.cpu_enforcement = request.cpu, cpu_enforcement(request.cpu, case)
        if case is not None and (fate.oom_kills or metrics.signal == signal.SIGKILL):
            metrics.oom_killed = fate.oom_kills > 0       # known: the case cgroup's own counter
        elif metrics.signal == signal.SIGKILL and not (fate.timed_out or fate.memory_exceeded):
            metrics.oom_killed = sigkill_was_oom(oom_before, oom_kill_count(), metrics.peak_rss_bytes)
        return self._record(request, metrics, fate, files, strays)

    @staticmethod
    def _wait_exit(pid: int, fate: _Exit) -> None:
        try:
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            pass
        fate.exited.set()
        fate.wake.set()

    @staticmethod
    def _on_memory(fate: _Exit, rss: int) -> None:
        fate.memory_exceeded = True
        fate.memory_rss = rss
        fate.wake.set()

    def _supervise(self, pid: int, timeout: float | None, t0: float, monitor: ProcessTreeMonitor,
                   fate: _Exit, marker: str, started_epoch: float, case: CaseCgroup | None = None) -> None:
        """Wait for the exit, the timeout or the memory watchdog, killing as needed."""
        while not fate.exited.is_set():
            remaining = None if timeout is None else timeout - (time.monotonic() - t0)
            if remaining is not None and remaining <= 0:
                fate.timed_out = True
                self._kill_tree(pid, monitor, marker, started_epoch, fate, signal.SIGTERM, case)
                break
            fate.wake.wait(remaining)
            fate.wake.clear()
            if (fate.memory_exceeded or fate.output_exceeded) and not fate.exited.is_set():
                self._kill_tree(pid, monitor, marker, started_epoch, fate, signal.SIGKILL, case)
                break
        fate.exited.wait(KILL_WAIT_S)

    def _kill_tree(self, pid: int, monitor: ProcessTreeMonitor, marker: str,
                   started_epoch: float, fate: _Exit, first: int, case: CaseCgroup | None = None) -> None:
        """Signal the group and every known descendant; SIGTERM gets a grace period."""
        procs = self._run_processes(pid, monitor, marker, started_epoch, include_root=True, case=case)
        fate.killed = True
        fate.tree_size_at_kill = len(procs)
        _signal_all(pid, procs, first)
        if first != signal.SIGKILL:
            deadline = time.monotonic() + self.kill_grace
            fate.exited.wait(self.kill_grace)
            others = [p for p in procs if p.pid != pid]
            _signal_all(pid, _wait_gone(others, max(0.0, deadline - time.monotonic())),
                        signal.SIGKILL)

    @staticmethod
    def _run_processes(pid: int, monitor: ProcessTreeMonitor, marker: str, started_epoch: float,
                       include_root: bool, case: CaseCgroup | None = None) -> list[psutil.Process]:
        """Live processes of this run: seen by the monitor, in its group, marked, or in its
        cgroup (where even a double-forked daemon with an empty environment stays)."""
        found = {p.pid: p for p in monitor.live_descendants()}
        for proc in find_run_processes(RUN_MARKER_VAR, marker, pid, started_epoch - 1.0,
                                       exclude={pid, os.getpid()}):
            found.setdefault(proc.pid, proc)
        for member in sorted(case.pids() - {pid, os.getpid()}) if case is not None else ():
            try:
                found.setdefault(member, psutil.Process(member))
            except psutil.Error:
                continue
        if include_root:
            root = [p for p in monitor.seen_processes() if p.pid == pid]
            found.update({p.pid: p for p in alive(root)})
        return list(found.values())

    def _kill_strays(self, pid: int, monitor: ProcessTreeMonitor, marker: str,
                     started_epoch: float, case: CaseCgroup | None = None) -> int:
        """Kill descendants still alive after the child exited; how many there were."""
        strays = self._run_processes(pid, monitor, marker, started_epoch, include_root=False, case=case)
        strays = _wait_gone(strays, SETTLE_S)
        if not strays:
            return 0
        _signal_all(pid, strays, signal.SIGTERM)
        _signal_all(pid, _wait_gone(strays, self.kill_grace), signal.SIGKILL)
        _wait_gone(strays, KILL_WAIT_S)
        return len(strays)

    @staticmethod
    def _reap(proc: subprocess.Popen[bytes]) -> tuple[int | None, float]:
        """Reap the child: (returncode as Popen reports it, rusage CPU seconds of the
        child and the descendants it waited for)."""
        try:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:
            return proc.returncode, 0.0
        if pid == 0:
            return None, 0.0       # still running: it did not die within KILL_WAIT_S
        proc.returncode = os.waitstatus_to_exitcode(status)
        return proc.returncode, rusage.ru_utime + rusage.ru_stime

    @staticmethod
    def _metrics(usage: TreeUsage, wall_s: float, returncode: int | None, rusage_cpu: float,
                 fate: _Exit, strays: int) -> ExecutionMetrics:
        return ExecutionMetrics(
            wall_s=wall_s,
            cpu_s=max(usage.cpu_s, rusage_cpu),
            peak_rss_bytes=max(usage.peak_rss_bytes, fate.memory_rss),
            read_bytes=usage.read_bytes,
            write_bytes=usage.write_bytes,
            max_processes=max(1, usage.max_processes),
            exit_code=returncode if returncode is not None and returncode >= 0 else None,
            signal=-returncode if returncode is not None and returncode < 0 else None,
            timed_out=fate.timed_out,
            memory_exceeded=fate.memory_exceeded,
            stray_processes_killed=strays,
        )

    # -- the record --------------------------------------------------------------

    def _record(self, request: RunRequest, metrics: ExecutionMetrics, fate: _Exit, files: RunFiles,
                strays: int) -> RunRecord:
        error = load_child_error(files.error)
        returned = load_returned(files.returned) if request.call else None
        script_warnings = load_warnings(files.warnings)
        coverage = load_coverage(files.coverage) if request.coverage else None
        stdout_path, stderr_path = files.stdout, files.stderr
        stdout_tail, stderr_tail = read_tail(stdout_path), read_tail(stderr_path)
        ok = (metrics.exit_code == 0 and not metrics.timed_out and not metrics.memory_exceeded
              and not metrics.output_exceeded)
        classification: ErrorClass | None = None
        message = ""
        if not ok:
            if self.classifier is not None:
                classification = self.classifier(error, metrics, stderr_tail, request.inputs_valid)
            if classification is None:
                classification = classify(error, metrics, stderr_tail, request.inputs_valid)
            message = self._message(request, metrics, fate, error, stderr_tail)
        if strays:
            noun = "process" if strays == 1 else "processes"
            note = f"killed {strays} stray {noun} left running by the script"
            message = f"{message}; {note}" if message else note
        if self.keep_logs_dir is not None:
            stdout_path, stderr_path = self._keep_logs(request, files)
        return RunRecord(ok=ok, metrics=metrics, classification=classification, error=error,
                         message=message, stdout_path=stdout_path, stderr_path=stderr_path,
                         stdout_tail=stdout_tail, stderr_tail=stderr_tail, returned=returned,
                         warnings=script_warnings, coverage=coverage)

    @staticmethod
    def _message(request: RunRequest, metrics: ExecutionMetrics, fate: _Exit,
                 error: ChildError | None, stderr_tail: str) -> str:
        if metrics.timed_out:
            n = fate.tree_size_at_kill
            return (f"timed out after {request.timeout:g} s; killed the process tree "
                    f"({n} process{'es' if n != 1 else ''})")
        if metrics.output_exceeded:
            return (f"wrote more than {size_text(request.max_output_bytes or 0)} (max_output_size) in its "
                    f"sandbox: {mib(fate.output_bytes)} on disk; killed the process tree")
        if metrics.memory_exceeded and fate.oom_kills:
            n = fate.oom_kills
            return (f"memory limit {mib(request.memory_limit or 0)} exceeded: the kernel's OOM killer killed "
                    f"{n} process{'es' if n != 1 else ''} at the case cgroup's exact limit; "
                    f"peak {mib(metrics.memory_peak_bytes or 0)} charged, {mib(metrics.peak_rss_bytes)} RSS")
        if metrics.memory_exceeded:
            return (f"memory limit {mib(request.memory_limit or 0)} exceeded: "
                    f"peak {mib(metrics.peak_rss_bytes)}")
        if metrics.signal is not None:
            name = signal.Signals(metrics.signal).name if metrics.signal in signal.valid_signals() \
                else str(metrics.signal)
            if metrics.signal == signal.SIGKILL and metrics.oom_killed:
                return (f"killed by the kernel's OOM killer (SIGKILL; the memory cgroup's oom_kill count "
                        f"grew, or the tree used much of the memory); peak {mib(metrics.peak_rss_bytes)}")
            if metrics.signal == signal.SIGKILL:
                return (f"killed by SIGKILL sent by neither specrun nor the OOM killer (the script or another "
                        f"process); peak {mib(metrics.peak_rss_bytes)} of {mib(memory_ceiling())}")
            return f"killed by signal {name} ({signal.strsignal(metrics.signal)})"
        if error is not None:
            if error.type == "SystemExit":
                return f"exited with code {metrics.exit_code} ({error.message})"
            where = " while importing the script" if error.phase == "import" else ""
            at = f" (at {error.frame})" if error.frame else ""
            return f"{error.type}{where}: {one_line(error.message)}{at}"
        if metrics.exit_code is None:
            return "the process did not die after SIGKILL"
        last = next((ln for ln in reversed(stderr_tail.splitlines()) if ln.strip()), "")
        return f"exited with code {metrics.exit_code}" + (f": {last.strip()}" if last else "")

    def _keep_logs(self, request: RunRequest, files: RunFiles) -> tuple[Path, Path]:
        assert self.keep_logs_dir is not None
        slug = safe_name(request.label or Path(request.script).stem)
        target = self.keep_logs_dir / f"{slug}-{uuid.uuid4().hex[:8]}"
        shutil.copytree(files.stdout.parent, target)
        return target / files.stdout.name, target / files.stderr.name
